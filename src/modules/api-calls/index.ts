/**
 * The API call log (our extension; Voucherify's dashboard has one): the calls a project's keys and tokens make to
 * /v1 and /client/v1, by default only the refused and failed ones, with their request and answer bodies (secrets
 * replaced), so that an integration's failures can be found by their `request_id`. Glossary:
 * - mode: TESSERA_API_LOG, `errors` (4xx and 5xx answers, the default), `all` (every call; bodies of failures only)
 *   or `off`.
 * - batch: calls are written after their answers, a few hundred per statement, off the request's path.
 */
import { defineModule } from '../module.js';
import { createApiCalls, type ApiCalls } from './service.js';
export { createApiCalls, bodyLimit, type ApiCalls, type CallInput } from './service.js';
export { apiCallObject } from './view.js';
export type { ApiCall, ApiCallFilter, ApiLogMode } from './types.js';

export const apiCallsModule = defineModule<{ apiCalls: ApiCalls }>({
  name: 'api-calls',
  create: ({ db, clock, logger, config }) => {
    const apiCalls = createApiCalls({ db, clock, logger, mode: config.apiLog.mode, retentionDays: config.apiLog.retentionDays });
    return {
      services: { apiCalls },
      jobs: [
        {
          name: 'api-calls.retention',
          description: 'deletes logged API calls older than TESSERA_API_LOG_RETENTION_DAYS',
          step: (batchSize) => apiCalls.prune(batchSize),
          defaults: { idleMs: 60_000, batchSize: 1000 },
          runsOnPglite: true,
        },
      ],
      drain: () => apiCalls.flush(),
    };
  },
});

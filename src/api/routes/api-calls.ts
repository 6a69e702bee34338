/** The API call log (our extension): a project's refused and failed calls, found by request id, status or path. */
import type { FastifyInstance } from 'fastify';
import { invalidQueryParams } from '../../core/errors.js';
import { apiCallObject, type ApiCalls } from '../../modules/api-calls/index.js';
import { dateParam, limitParam, listOf } from '../list.js';

const query = {
  type: 'object',
  properties: {
    limit: limitParam,
    starting_after_id: { type: 'string', maxLength: 100 },
    request_id: { type: 'string', maxLength: 100 },
    method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] },
    // 404, or a class: 4xx, 5xx.
    status: { type: 'string', pattern: '^([1-5][0-9][0-9]|[1-5]xx)$' },
    error_key: { type: 'string', maxLength: 100 },
    channel: { type: 'string', enum: ['API', 'CLIENT_API'] },
    app_id: { type: 'string', maxLength: 100 },
    path: { type: 'string', maxLength: 500 },
    start_date: dateParam,
    end_date: dateParam,
  },
  additionalProperties: false,
} as const;

interface Query {
  limit: number;
  starting_after_id?: string;
  request_id?: string;
  method?: string;
  status?: string;
  error_key?: string;
  channel?: 'API' | 'CLIENT_API';
  app_id?: string;
  path?: string;
  start_date?: string;
  end_date?: string;
}

type P = { projectId: string; callId: string };

export function apiCallRoutes(app: FastifyInstance, deps: { apiCalls: ApiCalls }): void {
  const { apiCalls } = deps;

  app.get<{ Params: P; Querystring: Query }>('/projects/:projectId/api-calls', { schema: { querystring: query } }, async (req) => {
    const q = req.query;
    const after = q.start_date === undefined ? undefined : new Date(q.start_date);
    const before = q.end_date === undefined ? undefined : new Date(q.end_date);
    if (after && before && after >= before) throw invalidQueryParams('Query start_date must be before end_date');
    if (q.path !== undefined && !q.path.startsWith('/')) throw invalidQueryParams("Query path is the start of a path, such as /v1/redemptions: it begins with '/'");
    const status = q.status === undefined ? {} : q.status.endsWith('xx') ? { statusClass: Number(q.status[0]) } : { status: Number(q.status) };
    const page = await apiCalls.list({
      projectId: req.params.projectId,
      limit: q.limit,
      startingAfterId: q.starting_after_id,
      requestId: q.request_id,
      method: q.method,
      ...status,
      errorKey: q.error_key,
      channel: q.channel,
      appId: q.app_id,
      pathPrefix: q.path,
      createdAfter: after,
      createdBefore: before,
    });
    const items = page.calls.map(apiCallObject);
    const last = items.at(-1);
    return listOf('data', items, { has_more: page.hasMore, ...(page.hasMore && last ? { more_starting_after: last.id } : {}) });
  });

  app.get<{ Params: P }>('/projects/:projectId/api-calls/:callId', async (req) => apiCallObject(await apiCalls.get(req.params.projectId, req.params.callId)));
}

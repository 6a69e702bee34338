/**
 * API call limits, as Voucherify answers them: every limited response carries X-Rate-Limit-Limit,
 * X-Rate-Limit-Remaining and X-Rate-Limit-Retry (when the window restarts, epoch seconds); a call over the limit is
 * refused with 429 `too_many_requests`, Retry-After (seconds) and X-Rate-Limit-Type. The official SDK's
 * `apiLimitsHandler` reads these headers.
 *
 * A limit is N calls per window of S seconds: the server API's per project, the client API's per project and
 * client IP address, the bulk calls' (imports, bulk updates) per project besides. A project's own setting
 * (`api_rate_limit`, `client_rate_limit`, `bulk_api_rate_limit`) wins over the instance's default
 * (TESSERA_API_RATE_LIMIT, TESSERA_CLIENT_RATE_LIMIT, TESSERA_BULK_RATE_LIMIT); with neither, nothing is counted. Counters live in
 * each server process (@fastify/rate-limit's in-memory store), or in Redis when TESSERA_RATE_LIMIT_REDIS names one,
 * so that several processes behind a balancer count together. When Redis cannot count a call, the call goes
 * through uncounted (an outage of the counter is not an outage of the API) and the miss is counted in a metric.
 */
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tooManyRequests } from '../core/errors.js';
import { metrics } from '../core/metrics.js';
import type { RateLimit } from '../config/index.js';
import { connectRateLimitRedis } from './rate-limit-redis.js';

export interface RateLimitDefaults {
  api?: RateLimit;
  client?: RateLimit;
  bulk?: RateLimit;
  /** A redis:// URL: counters shared by every process that names it. */
  redisUrl?: string;
}

/** In-memory counters each limiter keeps (projects, or projects and client addresses), least recently used dropped. */
const memoryKeys = 100_000;

/** How long a count may take in Redis before the call goes through uncounted. */
const redisTimeoutMs = 250;

type Kind = 'api' | 'client' | 'bulk';

const settingOf: Record<Kind, string> = { api: 'api_rate_limit', client: 'client_rate_limit', bulk: 'bulk_api_rate_limit' };

/**
 * Bulk calls (Voucherify's `bulk_api_calls`): the routes that start an async action over many records. They count
 * as API calls too, and also against the project's bulk limit.
 */
export const bulkRoutes: ReadonlySet<string> = new Set([
  '/v1/vouchers/import',
  '/v1/vouchers/importCSV',
  '/v1/vouchers/bulk/async',
  '/v1/vouchers/metadata/async',
  '/v1/campaigns/:campaignId/import',
  '/v1/campaigns/:campaignId/importCSV',
  '/v1/customers/bulk/async',
  '/v1/customers/metadata/async',
  '/v1/customers/importCSV',
  '/v1/products/bulk/async',
  '/v1/products/metadata/async',
  '/v1/products/importCSV',
  '/v1/skus/importCSV',
  '/v1/orders/import',
]);

const what: Record<Kind, { calls: string; scope: string; type: string }> = {
  api: { calls: 'API calls', scope: 'this project', type: 'api_calls' },
  client: { calls: 'client-side API calls', scope: 'this project from one IP address', type: 'api_calls' },
  bulk: { calls: 'bulk API calls', scope: 'this project', type: 'bulk_api_calls' },
};

/** The limit that applies to an authenticated request: its project's setting, else the instance's default. */
function limitOf(req: FastifyRequest, kind: Kind, defaults: RateLimitDefaults): RateLimit | undefined {
  const own = req.project?.settings[settingOf[kind]] as RateLimit | null | undefined;
  return own ?? defaults[kind];
}

function keyOf(req: FastifyRequest, kind: Kind): string {
  const projectId = req.project?.id ?? '';
  // An IPv6 client is counted by its /64 (what one subscriber gets), so that its many addresses share one count.
  return kind === 'client' ? `client:${projectId}:${normalizeIP(req.ip, 64)}` : `${kind}:${projectId}`;
}

const windowText = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

/** Registers the counter store and returns the onRequest hooks that count each family's calls (after its auth). */
export async function installRateLimits(app: FastifyInstance, defaults: RateLimitDefaults) {
  let lastWarning = 0;
  const warn = (err: Error) => {
    // At most one line per 30 s while Redis is away; never the URL (it may hold a password).
    if (Date.now() - lastWarning < 30_000) return;
    lastWarning = Date.now();
    app.log.warn({ err: { message: err.message } }, 'API call limits: the Redis counter store failed; calls go through uncounted until it answers');
  };
  const redis = defaults.redisUrl ? await connectRateLimitRedis(defaults.redisUrl, { timeoutMs: redisTimeoutMs, startupMs: 2_000, onError: warn }) : undefined;
  if (redis) app.addHook('onClose', () => redis.close());
  await app.register(rateLimit, { global: false, cache: memoryKeys, ...(redis ? { store: redis.Store } : {}) });

  const hookFor = (kind: Kind) => {
    const check = app.createRateLimit({
      // How many counters the in-memory store keeps (each limiter has its own; least recently used dropped). Not in
      // the option's type, but what the library's LocalStore.child reads.
      ...({ cache: memoryKeys } as object),
      keyGenerator: (req) => keyOf(req, kind),
      max: (req) => limitOf(req, kind, defaults)?.calls ?? 0,
      timeWindow: (req) => (limitOf(req, kind, defaults)?.seconds ?? 1) * 1000,
    });
    return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (req.method === 'OPTIONS' || !req.project) return;
      if (kind === 'bulk' && !bulkRoutes.has(req.routeOptions.url ?? '')) return;
      const limit = limitOf(req, kind, defaults);
      if (!limit) return;
      let state: Awaited<ReturnType<typeof check>>;
      try {
        state = await check(req);
      } catch (err) {
        metrics.apiRateLimitUncounted.inc({ api: kind });
        warn(err as Error);
        return;
      }
      if (state.isAllowed) return;
      const retryAt = Math.ceil((Date.now() + state.ttl) / 1000);
      reply.header('x-rate-limit-limit', state.max);
      reply.header('x-rate-limit-remaining', state.remaining);
      reply.header('x-rate-limit-retry', retryAt);
      // The last allowed call says how long to wait too: the SDK reads headers of successful answers only.
      if (state.remaining === 0) reply.header('retry-after', Math.max(1, state.ttlInSeconds));
      if (!state.isExceeded) return;
      metrics.apiRateLimited.inc({ api: kind });
      reply.header('x-rate-limit-type', what[kind].type);
      throw tooManyRequests(
        `The limit of ${limit.calls} ${what[kind].calls} per ${windowText(limit.seconds)} for ${what[kind].scope} is reached; retry in ${Math.max(1, state.ttlInSeconds)} s`,
      );
    };
  };
  return { api: hookFor('api'), client: hookFor('client'), bulk: hookFor('bulk') };
}

/** The headers a browser may read from client-side answers (CORS exposed headers). */
export const rateLimitHeaders = ['x-rate-limit-limit', 'x-rate-limit-remaining', 'x-rate-limit-retry', 'x-rate-limit-type', 'retry-after'];

/** The JSON schema of a project's `api_rate_limit` / `client_rate_limit` / `bulk_api_rate_limit` setting (null: the instance's default). */
export const rateLimitSettingSchema = {
  type: ['object', 'null'],
  required: ['calls', 'seconds'],
  additionalProperties: false,
  properties: {
    calls: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    seconds: { type: 'integer', minimum: 1, maximum: 86_400 },
  },
} as const;

/**
 * Prometheus metrics (prom-client), one registry per process. Counters and histograms are updated where things
 * happen; gauges that describe the database (sendouts by status, due work, pool use) are set when /metrics is
 * scraped, by the API from the services. Label values are bounded: route patterns (never raw URLs), statuses,
 * outcomes, job names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tessera_process_' });

const seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const metrics = {
  httpRequests: new Counter({
    name: 'tessera_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  }),
  httpDuration: new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: seconds,
    registers: [registry],
  }),
  eventsIngested: new Counter({
    name: 'tessera_events_ingested_total',
    help: 'Custom events tracked and committed (POST /v1/events and /client/v1/events)',
    registers: [registry],
  }),
  batchSize: new Histogram({
    name: 'tessera_group_commit_batch_size',
    help: 'Items written per group-commit transaction, by write path',
    labelNames: ['path'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  }),
  deliveryAttempts: new Counter({
    name: 'tessera_delivery_attempts_total',
    help: 'Webhook delivery attempts, by outcome (delivered, retry, retry_after, give_up, drop, disable_endpoint)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  deliveryHeld: new Counter({
    name: 'tessera_delivery_rate_limited_total',
    help: "Due sendouts held back to a later second by their endpoint's rate limit",
    registers: [registry],
  }),
  apiRateLimitUncounted: new Counter({
    name: 'tessera_api_rate_limit_uncounted_total',
    help: 'API calls let through uncounted because the shared counter store (TESSERA_RATE_LIMIT_REDIS) did not answer, by API',
    labelNames: ['api'] as const,
    registers: [registry],
  }),
  apiRateLimited: new Counter({
    name: 'tessera_api_rate_limited_total',
    help: 'API calls refused with 429 for going over their API call limit, by limit (api: server, client, bulk)',
    labelNames: ['api'] as const,
    registers: [registry],
  }),
  apiCallsDropped: new Counter({
    name: 'tessera_api_calls_dropped_total',
    help: 'Calls the API call log could not keep (its buffer full, or a batch that failed to be written)',
    registers: [registry],
  }),
  idempotentReplays: new Counter({
    name: 'tessera_idempotent_replays_total',
    help: 'Requests answered from the stored answer of their Idempotency-Key',
    registers: [registry],
  }),
  deliveryAttemptDuration: new Histogram({
    name: 'tessera_delivery_attempt_duration_seconds',
    help: 'Time of one webhook delivery attempt (the HTTP request to the receiver)',
    buckets: seconds,
    registers: [registry],
  }),
  deliveryLatency: new Histogram({
    name: 'tessera_delivery_latency_seconds',
    help: 'Time from a sendout being scheduled (or rescheduled by a retry request) to its successful delivery',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400],
    registers: [registry],
  }),
  sendouts: new Gauge({
    name: 'tessera_sendouts',
    help: 'Sendouts kept in the audit log, by status (pending, sent, retrying, failed)',
    labelNames: ['status'] as const,
    registers: [registry],
  }),
  sendoutsDue: new Gauge({
    name: 'tessera_sendouts_due',
    help: 'Pending or retrying sendouts whose next attempt is due now',
    registers: [registry],
  }),
  sendoutsRetrying: new Gauge({
    name: 'tessera_sendouts_retrying',
    help: 'Sendouts waiting for a retry',
    registers: [registry],
  }),
  jobRuns: new Counter({
    name: 'tessera_background_job_runs_total',
    help: 'Steps run by each background job',
    labelNames: ['job'] as const,
    registers: [registry],
  }),
  jobItems: new Counter({
    name: 'tessera_background_job_items_total',
    help: 'Items each background job processed (sendouts claimed, customers evaluated, rows swept...)',
    labelNames: ['job'] as const,
    registers: [registry],
  }),
  jobErrors: new Counter({
    name: 'tessera_background_job_errors_total',
    help: 'Failed steps of each background job',
    labelNames: ['job'] as const,
    registers: [registry],
  }),
  dbPool: new Gauge({
    name: 'tessera_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting clients); PGlite reports one connection',
    labelNames: ['state'] as const,
    registers: [registry],
  }),
};

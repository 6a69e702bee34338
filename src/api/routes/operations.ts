import type { FastifyInstance } from 'fastify';
import { registry } from '../../core/metrics.js';

/** What the operations routes ask of the rest of the process. */
export interface Operations {
  /** Database reachable and every migration applied. */
  readiness(): Promise<{ ready: boolean }>;
  /** Sets the gauges that describe the database (sendouts by status, due work, pool use) before a scrape. */
  sample(): Promise<void>;
}

const tags = ['Operations'];

/** /health (alive), /ready (can serve: database and migrations), /metrics (Prometheus text format). */
export function operationsRoutes(app: FastifyInstance, ops: Operations): void {
  app.get('/health', { schema: { tags, summary: 'The process is alive' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags, summary: 'The database answers and every migration is applied (503 otherwise)' } }, async (_req, reply) => {
    const r = await ops.readiness();
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not_ready', ...r });
  });

  app.get('/metrics', { schema: { tags, summary: 'Prometheus metrics' } }, async (req, reply) => {
    try {
      await ops.sample();
    } catch (err) {
      // The process metrics are still worth a scrape when the database is away.
      req.log.warn({ err }, 'metrics: sampling the database failed');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

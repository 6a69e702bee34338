import type { FastifyInstance } from 'fastify';
import { metrics } from '../core/metrics.js';

/**
 * Every answered request counts in the request metrics under its route pattern (`/v1/customers/:customerId`, never
 * the raw URL, so label values stay few), and is logged at debug level: method, path without the query, status,
 * time. Headers and bodies are never logged (they carry keys and customer data).
 */
export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    const ms = reply.elapsedTime;
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, ms / 1000);
    req.log.debug({ method: req.method, path: req.url.split('?')[0], route, status: reply.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
  });
}

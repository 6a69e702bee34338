/**
 * Hands every answered call of a project's API to the call log (which keeps what its mode says): after the answer
 * is sent, so the log costs the request nothing but a push onto a buffer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiCalls } from '../modules/api-calls/index.js';

/** The text of refused and failed answers, kept for the log until the call ends. */
const answers = new WeakMap<FastifyRequest, string>();

export function logApiCalls(scope: FastifyInstance, apiCalls: ApiCalls, channel: 'API' | 'CLIENT_API'): void {
  if (apiCalls.mode === 'off') return;
  scope.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode >= 400 && typeof payload === 'string') answers.set(req, payload);
    return payload;
  });
  scope.addHook('onResponse', async (req, reply) => {
    const project = req.project;
    if (!project || req.method === 'OPTIONS') return;
    apiCalls.record({
      projectId: project.id,
      requestId: req.id,
      method: req.method,
      path: req.url,
      route: req.routeOptions.url ?? null,
      status: reply.statusCode,
      channel: req.caller?.channel ?? channel,
      appId: req.caller?.appId ?? null,
      ip: req.ip ?? null,
      durationMs: reply.elapsedTime,
      requestBody: req.body,
      responseBody: answers.get(req),
    });
  });
}

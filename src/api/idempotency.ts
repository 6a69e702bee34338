import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidPayload, TesseraError } from '../core/errors.js';
import { metrics } from '../core/metrics.js';
import { fingerprintOf, type Idempotency } from '../modules/idempotency/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's idempotency key, once it holds it (set by the preHandler below). */
    idempotency?: { projectId: string; key: string; fingerprint: string };
  }
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on the POST routes of a scope whose requests carry a project (after its auth hook): the first
 * request with a key runs; its answer (any status below 500) is stored and replayed, byte for byte with
 * `idempotent-replayed: true`, to later requests with the same key and the same method, path and body. The same key
 * with another request is 422; while the first still runs, 409. A 5xx frees the key, so a retry runs again.
 */
export function idempotencyHooks(scope: FastifyInstance, idempotency: Idempotency, channel: 'server' | 'client' = 'server'): void {
  scope.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.headers['idempotency-key'];
    if (req.method !== 'POST' || raw === undefined || !req.project) return;
    const sent = Array.isArray(raw) ? raw[0]! : raw;
    if (!keyPattern.test(sent)) throw invalidPayload('The Idempotency-Key header must be 1 to 255 visible ASCII characters');
    // A file upload's body is read by its route, after this hook: two files could not be told apart.
    if (String(req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/')) throw invalidPayload('An Idempotency-Key cannot be used with a file upload: send the file without it (an import reports what it did in its async action)');
    // The client key (public by design) keeps its keys apart from the server's: it cannot take a key the backend uses.
    const key = channel === 'client' ? `client:${sent}` : sent;
    const fingerprint = fingerprintOf(req.method, req.url, req.body);
    const claim = await idempotency.claim(req.project.id, key, fingerprint);
    if (claim.kind === 'mismatch') {
      throw new TesseraError('idempotency_key_reused', `Idempotency key ${sent} was used for a different request (method, path or body); use a new key for a new request`);
    }
    if (claim.kind === 'in_use') {
      throw new TesseraError('resource_in_use', `A request with idempotency key ${sent} is still running; retry when it has finished`, { resourceType: 'idempotency_key' });
    }
    if (claim.kind === 'replay') {
      metrics.idempotentReplays.inc();
      return reply.code(claim.status).header('idempotent-replayed', 'true').type(claim.type).send(claim.body);
    }
    req.idempotency = { projectId: req.project.id, key, fingerprint };
  });

  scope.addHook('onSend', async (req, reply, payload) => {
    const held = req.idempotency;
    if (!held) return payload;
    req.idempotency = undefined;
    // A stream cannot be stored: its key is freed, as after a 5xx. An empty answer (204) is stored as such.
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload === undefined || payload === null ? '' : undefined;
    if (reply.statusCode >= 500 || body === undefined) await idempotency.release(held.projectId, held.key, held.fingerprint);
    else await idempotency.complete(held.projectId, held.key, held.fingerprint, reply.statusCode, String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'), body);
    return payload;
  });
}

/** Shortcuts for the delivery suites: webhooks and sendouts through the management API, events that cause sendouts. */
import http from 'node:http';
import type { LightMyRequestResponse } from 'fastify';
import { managementHeaders, type TestProject, type TestTessera } from './app.js';

export const privateTargets = { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' };

export async function mgmt(t: TestTessera, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url: `/management/v1${path}`, headers: managementHeaders, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

function ok(res: LightMyRequestResponse, what: string): any {
  if (res.statusCode !== 200) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function createWebhook(t: TestTessera, projectId: string, targetUrl: string, events: string[] = ['customer.created']): Promise<any> {
  return ok(await mgmt(t, 'POST', `/projects/${projectId}/webhooks`, { target_url: targetUrl, events }), 'webhook creation');
}

export async function getWebhook(t: TestTessera, projectId: string, id: string): Promise<any> {
  return ok(await mgmt(t, 'GET', `/projects/${projectId}/webhooks/${id}`), 'webhook');
}

/** Creates a customer (one customer.created event); returns the request id of the call that caused it. */
export async function createCustomer(t: TestTessera, p: TestProject, sourceId: string): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: sourceId, name: sourceId } });
  if (res.statusCode !== 200) throw new Error(`customer creation: ${res.statusCode} ${res.body}`);
  return String(res.headers['x-request-id']);
}

export async function getSendout(t: TestTessera, projectId: string, id: string): Promise<any> {
  return ok(await mgmt(t, 'GET', `/projects/${projectId}/webhook-sendouts/${id}`), 'sendout');
}

export async function listSendouts(t: TestTessera, projectId: string, query = ''): Promise<any> {
  return ok(await mgmt(t, 'GET', `/projects/${projectId}/webhook-sendouts${query ? `?${query}` : ''}`), 'sendout list');
}

/** Every sendout of a project, newest first (at most 100). */
export async function allSendouts(t: TestTessera, projectId: string, query = ''): Promise<any[]> {
  return (await listSendouts(t, projectId, `limit=100${query ? `&${query}` : ''}`)).data;
}

/** Claims and sends until nothing is due (at the injected clock's now); returns how many were claimed. */
export async function deliverAll(t: TestTessera, owner = 'w1'): Promise<number> {
  let total = 0;
  for (let n = await t.tessera.services.delivery.deliverDue(owner); n > 0; n = await t.tessera.services.delivery.deliverDue(owner)) total += n;
  return total;
}

/** A bare receiver on a chosen port (to bring an endpoint back where it was); counts requests by sendout id. */
export async function listenOn(port: number, status = 200): Promise<{ ids: string[]; bodies: string[]; close(): Promise<void> }> {
  const ids: string[] = [];
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']));
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    ids,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const minute = 60_000;

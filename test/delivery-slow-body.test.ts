import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeAfterEach, startTessera } from './helpers/app.js';
import { allSendouts, createCustomer, createWebhook, deliverAll, getSendout, privateTargets } from './helpers/sendouts.js';

/**
 * A 2xx whose status and headers came in time is delivered: the receiver said yes, whatever its body does after.
 * Real receivers that answer 200 and then stall their body, or cut the connection in the middle of it.
 */
const closing = closeAfterEach();

async function receiver(kind: 'stall' | 'cut'): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.hits++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      res.write('accepted, more to come');
      if (kind === 'cut') setTimeout(() => res.socket?.destroy(), 50);
      else open.add(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get hits() {
      return state.hits;
    },
    close: async () => {
      for (const r of open) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a 2xx with a slow or broken body', () => {
  for (const kind of ['stall', 'cut'] as const) {
    it(`is delivered (${kind === 'stall' ? 'a body that stalls past the timeout' : 'a connection cut in the middle of the body'})`, async () => {
      const t = closing(await startTessera({ env: { ...privateTargets, TESSERA_DELIVERY_TIMEOUT_MS: '3000' } }));
      const p = await t.createProject();
      const r = closing(await receiver(kind));
      await createWebhook(t, p.id, r.url);
      await createCustomer(t, p, 'alice');
      await deliverAll(t);
      expect(r.hits).toBe(1);
      const [s] = await allSendouts(t, p.id);
      expect(s).toMatchObject({ status: 'sent', attempts: 1, last_status_code: 200, last_error: null });
      const full = await getSendout(t, p.id, s.id);
      expect(full.attempts_log[0]).toMatchObject({ status_code: 200, outcome: 'delivered' });
      expect(full.attempts_log[0].response_body).toMatch(/^accepted/);
    });
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Sink } from './helpers/sink.js';
import { allSendouts, createCustomer, createWebhook, privateTargets } from './helpers/sendouts.js';

/** Polls until check() holds (bounded): waits for the running worker, asserts nothing about time. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the running worker isolates a slow endpoint', () => {
  let t: TestTessera;
  let p: TestProject;
  let slow: Sink;
  let fast: Sink;
  beforeAll(async () => {
    t = await startTessera({ env: { ...privateTargets, TESSERA_DELIVERY_TIMEOUT_MS: '20000', TESSERA_DELIVERY_LEASE_MS: '60000', TESSERA_DELIVERY_POLL_MS: '50' } });
    p = await t.createProject();
    slow = await startSink(() => ({ hang: true }));
    fast = await startSink(() => ({ status: 200 }));
  });
  afterAll(async () => {
    await slow.close();
    await t.close();
    await fast.close();
  });

  it('delivers and records the fast endpoint while the slow one has not answered', async () => {
    const slowHook = await createWebhook(t, p.id, slow.url);
    const fastHook = await createWebhook(t, p.id, fast.url);
    await t.tessera.worker.start();
    for (let i = 0; i < 5; i++) await createCustomer(t, p, `iso-${i}`);
    await slow.waitFor(5);
    await fast.waitFor(5);
    await eventually(async () => (await allSendouts(t, p.id, `webhook_id=${fastHook.id}&status=sent`)).length === 5);
    const stuck = await allSendouts(t, p.id, `webhook_id=${slowHook.id}`);
    expect(stuck).toHaveLength(5);
    expect(stuck.every((s) => s.status === 'pending' && s.executed_at === null)).toBe(true);
    // Later events to the fast endpoint still flow while the slow requests hang.
    await createCustomer(t, p, 'iso-late');
    await fast.waitFor(6);
    await eventually(async () => (await allSendouts(t, p.id, `webhook_id=${fastHook.id}&status=sent`)).length === 6);
  });
});

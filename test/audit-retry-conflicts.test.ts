import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Sink } from './helpers/sink.js';
import { allSendouts, createCustomer, createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';

describe('retrying from the audit log when it cannot help', () => {
  const clock = fixedClock(new Date('2026-03-01T10:00:00Z'));
  let t: TestTessera;
  let p: TestProject;
  let sink: Sink;
  beforeAll(async () => {
    t = await startTessera({ clock, env: { ...privateTargets, TESSERA_DELIVERY_TIMEOUT_MS: '1500', TESSERA_DELIVERY_LEASE_MS: '5000' } });
    p = await t.createProject();
    sink = await startSink(() => ({ status: 410 }));
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('refuses with 409 while the webhook is disabled, and works once it is re-enabled', async () => {
    const wh = await createWebhook(t, p.id, sink.url);
    await createCustomer(t, p, 'gone-1');
    await deliverAll(t);
    const [sendout] = await allSendouts(t, p.id);
    expect(sendout.status).toBe('failed');

    const one = await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${sendout.id}/retry`);
    expect(one.statusCode).toBe(409);
    expect(one.json()).toMatchObject({ code: 409, key: 'resource_in_use', resource_id: wh.id, resource_type: 'webhook' });
    expect(one.json().details).toContain('410');
    const all = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${wh.id}/retry-failed`, {});
    expect(all.statusCode).toBe(409);

    sink.setHandler(() => ({ status: 200 }));
    const put = await mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${wh.id}`, { target_url: sink.url, events: ['customer.created'], active: true });
    expect(put.json()).toMatchObject({ active: true, disabled_reason: null });
    const again = await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${sendout.id}/retry`);
    expect(again.statusCode).toBe(200);
    await deliverAll(t);
    expect((await allSendouts(t, p.id))[0].status).toBe('sent');
  });

  it('refuses with 409 while an attempt is in flight (the sendout is leased)', async () => {
    const sink2 = await startSink(() => ({ hang: true }));
    try {
      await createWebhook(t, p.id, sink2.url);
      await createCustomer(t, p, 'slow-1');
      const delivering = t.tessera.services.delivery.deliverDue('w-slow');
      await sink2.waitFor(1);
      const inFlight = (await allSendouts(t, p.id)).find((s) => s.target_url === sink2.url);
      const res = await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${inFlight.id}/retry`);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ key: 'resource_in_use', resource_id: inFlight.id, resource_type: 'webhook_sendout' });
      await sink2.close();
      await delivering;
    } finally {
      await sink2.close();
    }
  });
});

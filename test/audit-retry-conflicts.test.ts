import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Sink } from './helpers/sink.js';
import { allSendouts, createCustomer, createWebhook, deliverAll, getSendout, mgmt, privateTargets } from './helpers/sendouts.js';

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

  it('refuses with 409 while the distribution is paused (by hand or by a 410), 404 once it is deleted; the sent entry stays as it was', async () => {
    const q = await t.createProject();
    const ok = await startSink();
    try {
      const call = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, headers: q.server, ...(payload ? { payload } : {}) });
      const definition = (target: string, status = 'TO SEND') => ({ name: 'News', status, trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: target, event_name: 'news' } });
      expect((await call('POST', '/v1/customers', { source_id: 'c1' })).statusCode).toBe(200);
      const d = (await call('POST', '/v1/distributions', definition(ok.url))).json();
      expect((await call('POST', `/v1/distributions/${d.id}/send`, { customer: 'c1', delay_seconds: 0 })).statusCode).toBe(200);
      await deliverAll(t);
      const [sent] = await allSendouts(t, q.id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 1 });

      expect((await call('PUT', `/v1/distributions/${d.id}`, definition(ok.url, 'PAUSED'))).statusCode).toBe(200);
      const paused = await mgmt(t, 'POST', `/projects/${q.id}/webhook-sendouts/${sent.id}/retry`);
      expect(paused.statusCode).toBe(409);
      expect(paused.json()).toMatchObject({ code: 409, key: 'resource_in_use', resource_id: d.id, resource_type: 'distribution' });
      expect(paused.json().details).toContain('PAUSED');
      await deliverAll(t);
      expect(await getSendout(t, q.id, sent.id)).toMatchObject({ status: 'sent', attempts: 1, last_error: null, attempts_log: [{ outcome: 'delivered' }] });
      // Its test messages go whatever its status: they can be retried.
      const test = (await call('POST', `/v1/distributions/${d.id}/test`, { customer: 'c1' })).json();
      await deliverAll(t);
      expect((await mgmt(t, 'POST', `/projects/${q.id}/webhook-sendouts/${test.sendout_id}/retry`)).statusCode).toBe(200);
      await deliverAll(t);
      expect(await getSendout(t, q.id, test.sendout_id)).toMatchObject({ status: 'sent', attempts: 1 });

      // Paused by a 410: its failed messages wait, with their 410, until it is resumed; then all go at once.
      const gone = await startSink(() => ({ status: 410 }));
      try {
        const g = (await call('POST', '/v1/distributions', definition(gone.url))).json();
        for (let i = 0; i < 2; i++) expect((await call('POST', `/v1/distributions/${g.id}/send`, { customer: 'c1', delay_seconds: 0 })).statusCode).toBe(200);
        await deliverAll(t);
        const failed = await allSendouts(t, q.id, `webhook_id=${g.id}`);
        expect(failed.map((s) => s.status)).toEqual(['failed', 'failed']);
        const one = await mgmt(t, 'POST', `/projects/${q.id}/webhook-sendouts/${failed[0].id}/retry`);
        expect(one.statusCode).toBe(409);
        expect(one.json()).toMatchObject({ key: 'resource_in_use', resource_id: g.id, resource_type: 'distribution' });
        expect(one.json().details).toContain('410');
        expect((await mgmt(t, 'POST', `/projects/${q.id}/webhooks/${g.id}/retry-failed`, {})).statusCode).toBe(409);
        await deliverAll(t);
        expect((await getSendout(t, q.id, failed[0].id)).last_status_code).toBe(410);

        gone.setHandler(() => ({ status: 200 }));
        expect((await call('PUT', `/v1/distributions/${g.id}`, definition(gone.url))).statusCode).toBe(200);
        const all = await mgmt(t, 'POST', `/projects/${q.id}/webhooks/${g.id}/retry-failed`, {});
        expect(all.statusCode).toBe(200);
        expect(all.json()).toMatchObject({ object: 'webhook_retry', webhook_id: g.id, retried: 2 });
        await deliverAll(t);
        expect((await allSendouts(t, q.id, `webhook_id=${g.id}`)).map((s) => s.status)).toEqual(['sent', 'sent']);
      } finally {
        await gone.close();
      }

      expect((await call('DELETE', `/v1/distributions/${d.id}`)).statusCode).toBe(204);
      const deleted = await mgmt(t, 'POST', `/projects/${q.id}/webhook-sendouts/${sent.id}/retry`);
      expect(deleted.statusCode).toBe(404);
      expect(deleted.json()).toMatchObject({ key: 'not_found', resource_id: d.id, resource_type: 'distribution' });
      expect((await mgmt(t, 'POST', `/projects/${q.id}/webhooks/${d.id}/retry-failed`, {})).statusCode).toBe(404);
      expect((await getSendout(t, q.id, sent.id)).status).toBe('sent');
    } finally {
      await ok.close();
    }
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

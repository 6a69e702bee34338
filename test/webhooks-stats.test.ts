import { describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { closeAfterEach, startTessera, type TestProject } from './helpers/app.js';
import { startSink } from './helpers/sink.js';
import { createCustomer, createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';

/** An endpoint's stats (our extension): its sendouts of a window by status, success rate, attempts, the latest. */
const start = new Date('2025-04-04T08:00:00.000Z');
const closing = closeAfterEach();

describe('webhook stats', () => {
  it('counts sendouts by status, the success rate of finished ones, attempts and the latest attempt', async () => {
    const clock = fixedClock(start);
    const t = closing(await startTessera({ clock, env: privateTargets }));
    const p: TestProject = await t.createProject();
    // Customers whose source id starts with "bad" get a 500, and then a 410 that disables the endpoint.
    const sink = closing(await startSink((r) => (r.json?.data?.customer?.source_id?.startsWith('bad') ? { status: 500 } : { status: 204 })));
    const other = closing(await startSink());
    const w = await createWebhook(t, p.id, sink.url);
    await createWebhook(t, p.id, other.url);
    const stats = async (query = '') => {
      const res = await mgmt(t, 'GET', `/projects/${p.id}/webhooks/${w.id}/stats${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const empty = await stats();
    expect(empty).toMatchObject({ object: 'webhook_stats', webhook_id: w.id, sendouts: { total: 0 }, success_rate: null, attempts: { total: 0, p50_ms: null }, last_attempt: null, last_delivered_at: null });
    expect(empty.to).toBe(start.toISOString());
    expect(empty.from).toBe(new Date(start.getTime() - 24 * 3600_000).toISOString());

    for (const id of ['ok-1', 'ok-2', 'ok-3', 'bad-1']) await createCustomer(t, p, id);
    await deliverAll(t);
    let s = await stats('?end_date=2025-04-04T08:00:01.000Z');
    expect(s.sendouts).toEqual({ total: 4, pending: 0, sent: 3, retrying: 1, failed: 0 });
    // Only finished sendouts count toward the success rate: 3 sent, none failed yet.
    expect(s.success_rate).toBe(1);
    expect(s.attempts).toMatchObject({ total: 4, delivered: 3, failed: 1 });
    expect(s.attempts.p50_ms).toBeGreaterThanOrEqual(0);
    expect(s.last_attempt).toMatchObject({ status_code: 500, outcome: 'retry' });
    expect(s.last_delivered_at).toBe(start.toISOString());

    // The failing one exhausts its retries (the schedule's last one is a day later): failed.
    for (let i = 0; i < 14; i++) {
      clock.set(new Date(clock.now().getTime() + 25 * 3600_000));
      await deliverAll(t);
    }
    s = await stats(`?start_date=${start.toISOString()}&end_date=2025-04-04T08:00:01.000Z`);
    expect(s.sendouts).toEqual({ total: 4, pending: 0, sent: 3, retrying: 0, failed: 1 });
    expect(s.success_rate).toBe(0.75);
    expect(s.attempts.failed).toBeGreaterThanOrEqual(2);
    expect(s.last_attempt.status_code).toBe(500);
    // Another endpoint's sendouts are not counted; a window before them is empty.
    expect((await stats(`?start_date=2025-04-03T00:00:00.000Z&end_date=2025-04-04T07:59:59.000Z`)).sendouts.total).toBe(0);
  });

  it('refuses a window that ends before it starts, and answers 404 for an unknown endpoint', async () => {
    const t = closing(await startTessera({ env: privateTargets }));
    const p = await t.createProject();
    const sink = closing(await startSink());
    const w = await createWebhook(t, p.id, sink.url);
    const bad = await mgmt(t, 'GET', `/projects/${p.id}/webhooks/${w.id}/stats?start_date=2025-01-02T00:00:00Z&end_date=2025-01-01T00:00:00Z`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().key).toBe('invalid_query_params');
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks/${w.id}/stats?start_date=yesterday`)).statusCode).toBe(400);
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks/wh_nope/stats`)).statusCode).toBe(404);
  });
});

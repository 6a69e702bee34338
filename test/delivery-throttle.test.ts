import { describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { closeAfterEach, startTessera, type TestTessera } from './helpers/app.js';
import { startSink } from './helpers/sink.js';
import { allSendouts, createCustomer, createWebhook, getSendout, getWebhook, minute, privateTargets } from './helpers/sendouts.js';

/**
 * A receiver that throttles politely (429 with a short Retry-After) is answered when it asks, but its answers do not
 * shrink the 24-hour schedule: the sendout gives up, and the endpoint is disabled, only once the time the normal
 * schedule takes has passed. Real receivers; time moved by the injected clock.
 */
const start = new Date('2026-05-04T09:00:00.000Z');
const closing = closeAfterEach();

describe('a receiver that keeps throttling with a short Retry-After', () => {
  it('is retried across the whole 24-hour schedule, not 13 times in seconds; failing is announced after minutes', async () => {
    const clock = fixedClock(start);
    const t: TestTessera = closing(await startTessera({ clock, env: privateTargets }));
    const p = await t.createProject();
    const sink = closing(await startSink(() => ({ status: 429, headers: { 'retry-after': '2' } })));
    const watcher = closing(await startSink());
    const w = await createWebhook(t, p.id, sink.url);
    await createWebhook(t, p.id, watcher.url, ['tessera.endpoint.failing']);
    await createCustomer(t, p, 'alice');
    const [{ id, created_at }] = await allSendouts(t, p.id, `webhook_id=${w.id}`);
    const created = Date.parse(created_at);
    const deliver = () => t.tessera.services.delivery.deliverDue('w1');

    let failingAt: number | undefined;
    for (let i = 0; i < 100; i++) {
      await deliver();
      if (failingAt === undefined && watcher.received.length > 0) failingAt = clock.now().getTime() - created;
      const s = await getSendout(t, p.id, id);
      if (s.status !== 'retrying') break;
      // While attempts run fast, the endpoint stays active.
      if (clock.now().getTime() - created < 60 * minute) expect((await getWebhook(t, p.id, w.id)).active).toBe(true);
      clock.set(new Date(s.next_attempt_at));
    }
    const s = await getSendout(t, p.id, id);
    expect(s.status).toBe('failed');
    const log = s.attempts_log;
    const lastAt = Date.parse(log.at(-1).started_at) - created;
    // The last attempt comes about 24 hours after the first, as on the normal schedule (within its jitter).
    expect(lastAt).toBeGreaterThanOrEqual((1440 - 42) * minute);
    expect(log.at(-1).outcome).toBe('give_up');
    // Bounded: the throttled attempts, then the schedule by elapsed time.
    expect(log.length).toBeLessThanOrEqual(26);
    expect(sink.received).toHaveLength(log.length);
    // Failing is told by time (the 4th attempt of the normal schedule comes about 4 minutes in), not by count.
    expect(failingAt).toBeDefined();
    expect(failingAt!).toBeGreaterThanOrEqual(3.8 * minute);
    expect(failingAt!).toBeLessThan(10 * minute);
    const after = await getWebhook(t, p.id, w.id);
    expect(after.active).toBe(false);
  });

  it('a receiver that throttles, then takes the message, gets it without the endpoint being disabled', async () => {
    const clock = fixedClock(start);
    const t: TestTessera = closing(await startTessera({ clock, env: privateTargets }));
    const p = await t.createProject();
    const sink = closing(await startSink((_, i) => (i < 20 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 })));
    const w = await createWebhook(t, p.id, sink.url);
    await createCustomer(t, p, 'bob');
    const [{ id }] = await allSendouts(t, p.id);
    for (let i = 0; i < 40; i++) {
      await t.tessera.services.delivery.deliverDue('w1');
      const s = await getSendout(t, p.id, id);
      if (s.status !== 'retrying') break;
      clock.set(new Date(s.next_attempt_at));
    }
    expect(await getSendout(t, p.id, id)).toMatchObject({ status: 'sent', attempts: 21 });
    expect((await getWebhook(t, p.id, w.id)).active).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Handler, type Sink } from './helpers/sink.js';
import {
  allSendouts,
  createCustomer,
  createWebhook,
  getSendout,
  getWebhook,
  listenOn,
  minute,
  privateTargets,
} from './helpers/sendouts.js';

/**
 * How delivery behaves when receivers misbehave: real HTTP receivers, time moved by the injected clock (never slept
 * on). The schedule is the contract's (DIGEST e.4): retry n at 2^(n-1) minutes after the first attempt, the 12th at
 * 24 h, each within ±10% of the gap before it.
 */
const start = new Date('2025-03-03T09:00:00.000Z');
const offsetsMin = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1440];

/** The window in which retry n (1-based) may fall, in ms after the first attempt. */
function window(n: number): [number, number] {
  const offset = offsetsMin[n - 1]! * minute;
  const gap = offset - (n > 1 ? offsetsMin[n - 2]! * minute : 0);
  return [offset - 0.1 * gap, offset + 0.1 * gap];
}

let t: TestTessera | undefined;
const sinks: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const s of sinks.splice(0)) await s.close();
});

async function setup(handler: Handler, env: Record<string, string> = {}) {
  const clock = fixedClock(start);
  t = await startTessera({ clock, env: { ...privateTargets, ...env } });
  const p: TestProject = await t.createProject();
  const sink: Sink = await startSink(handler);
  sinks.push(sink);
  const deliverDue = () => t!.tessera.services.delivery.deliverDue('w1');
  return { t, clock, p, sink, deliverDue };
}

describe('delivery faults', () => {
  it('retries a 500 about a minute later, not before, then delivers the same sendout byte for byte', async () => {
    const { t, clock, p, sink, deliverDue } = await setup((_, i) => (i === 0 ? { status: 500 } : { status: 200 }));
    await createWebhook(t, p.id, sink.url);
    await createCustomer(t, p, 'alice');

    expect(await deliverDue()).toBe(1);
    const [s] = await allSendouts(t, p.id);
    expect(s).toMatchObject({ status: 'retrying', attempts: 1, last_status_code: 500 });
    const due = Date.parse(s.next_attempt_at);
    const [lo, hi] = window(1);
    expect(due - Date.parse(s.created_at)).toBeGreaterThanOrEqual(lo);
    expect(due - Date.parse(s.created_at)).toBeLessThanOrEqual(hi);

    clock.set(new Date(due - 1));
    expect(await deliverDue()).toBe(0);
    expect(sink.received).toHaveLength(1);

    clock.set(new Date(due));
    expect(await deliverDue()).toBe(1);
    expect(sink.received).toHaveLength(2);
    const [first, second] = sink.received;
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['webhook-id']).toBe(s.id);
    expect(second!.json.id).toBe(s.id);
    const after = await getSendout(t, p.id, s.id);
    expect(after).toMatchObject({ status: 'sent', attempts: 2, last_status_code: 200, next_attempt_at: null, executed_at: new Date(due).toISOString() });
    expect(JSON.stringify(after.payload)).toBe(first!.body);
  });

  it('records a receiver that hangs past the timeout as a timed-out attempt and retries it', async () => {
    const { t, p, sink, deliverDue } = await setup(() => ({ hang: true }), {
      TESSERA_DELIVERY_TIMEOUT_MS: '300',
      TESSERA_DELIVERY_LEASE_MS: '5000',
    });
    await createWebhook(t, p.id, sink.url);
    await createCustomer(t, p, 'bob');

    expect(await deliverDue()).toBe(1);
    expect(sink.received).toHaveLength(1);
    const [s] = await allSendouts(t, p.id);
    expect(s).toMatchObject({ status: 'retrying', attempts: 1, last_status_code: null });
    expect(s.last_error).toMatch(/timeout/i);
    const { attempts_log: log } = await getSendout(t, p.id, s.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ attempt: 1, status_code: null, outcome: 'retry' });
    expect(log[0].error).toMatch(/timeout/i);
    expect(log[0].duration_ms).toBeGreaterThanOrEqual(250);
  });

  it('disables the endpoint at once on 410 Gone; what it had queued and later events are not sent to it', async () => {
    const { t, p, sink, deliverDue } = await setup(() => ({ status: 410 }), { TESSERA_DELIVERY_BATCH: '1' });
    const gone = await createWebhook(t, p.id, sink.url);
    const other = await startSink();
    sinks.push(other);
    const alive = await createWebhook(t, p.id, other.url);
    await createCustomer(t, p, 'carol');
    await createCustomer(t, p, 'dave');

    await deliverDue();
    await deliverDue();
    await deliverDue();
    await deliverDue();
    expect(sink.received).toHaveLength(1);
    expect(other.received).toHaveLength(2);

    const w = await getWebhook(t, p.id, gone.id);
    expect(w.active).toBe(false);
    expect(w.disabled_reason).toMatch(/410/);
    expect((await getWebhook(t, p.id, alive.id)).active).toBe(true);
    const toGone = await allSendouts(t, p.id, `webhook_id=${gone.id}`);
    expect(toGone.map((s) => s.status)).toEqual(['failed', 'failed']);
    expect(toGone.filter((s) => s.last_status_code === 410)).toHaveLength(1);

    await createCustomer(t, p, 'erin');
    expect(await allSendouts(t, p.id, `webhook_id=${gone.id}`)).toHaveLength(2);
    expect(await allSendouts(t, p.id, `webhook_id=${alive.id}`)).toHaveLength(3);
    await deliverDue();
    expect(sink.received).toHaveLength(1);
    expect(other.received).toHaveLength(3);
  });

  it('retries a 429 when Retry-After says, within bounds, not on the one-minute schedule', async () => {
    const answers = [
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 429, headers: { 'retry-after': '999999999' } },
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 200 },
    ];
    const { t, clock, p, sink, deliverDue } = await setup((_, i) => answers[i] ?? { status: 200 });
    await createWebhook(t, p.id, sink.url);
    await createCustomer(t, p, 'frank');

    const expected = [120_000, 6 * 60 * minute, 1000];
    for (const delay of expected) {
      expect(await deliverDue()).toBe(1);
      const [s] = await allSendouts(t, p.id);
      expect(s.status).toBe('retrying');
      expect(Date.parse(s.next_attempt_at) - clock.now().getTime()).toBe(delay);
      clock.set(new Date(Date.parse(s.next_attempt_at) - 1));
      expect(await deliverDue()).toBe(0);
      clock.advance(1);
    }
    expect(await deliverDue()).toBe(1);
    expect(sink.received).toHaveLength(4);
    const [s] = await allSendouts(t, p.id);
    expect(s).toMatchObject({ status: 'sent', attempts: 4 });
  });

  it('keeps to the schedule while the receiver is down, and delivers once it is back on the same port', async () => {
    const { t, clock, p, sink, deliverDue } = await setup(() => ({ status: 200 }));
    const port = Number(new URL(sink.url).port);
    await createWebhook(t, p.id, sink.url);
    await sink.close();
    await createCustomer(t, p, 'grace');
    const [{ id, created_at }] = await allSendouts(t, p.id);
    const created = Date.parse(created_at);

    for (let n = 1; n <= 5; n++) {
      expect(await deliverDue()).toBe(1);
      const s = await getSendout(t, p.id, id);
      expect(s).toMatchObject({ status: 'retrying', attempts: n, last_status_code: null });
      expect(s.last_error).toMatch(/ECONNREFUSED/);
      const due = Date.parse(s.next_attempt_at);
      const [lo, hi] = window(n);
      expect(due - created).toBeGreaterThanOrEqual(lo);
      expect(due - created).toBeLessThanOrEqual(hi);
      clock.set(new Date(due - 1));
      expect(await deliverDue()).toBe(0);
      clock.set(new Date(due));
    }

    const back = await listenOn(port);
    sinks.push(back);
    expect(await deliverDue()).toBe(1);
    expect(back.ids).toEqual([id]);
    const s = await getSendout(t, p.id, id);
    expect(s).toMatchObject({ status: 'sent', attempts: 6, last_status_code: 200 });
    expect(back.bodies[0]).toBe(JSON.stringify(s.payload));
    expect(s.attempts_log.map((a: any) => a.status_code)).toEqual([null, null, null, null, null, 200]);
  });

  it('fails the sendout and disables the endpoint after 13 failed attempts, each logged with a bounded body', async () => {
    const big = 'x'.repeat(10 * 1024);
    const { t, clock, p, sink, deliverDue } = await setup(() => ({
      status: 500,
      headers: { 'content-type': 'text/plain', 'x-receiver': 'sink' },
      body: big,
    }));
    const w = await createWebhook(t, p.id, sink.url);
    await createCustomer(t, p, 'heidi');
    const [{ id, created_at }] = await allSendouts(t, p.id);

    for (let n = 1; n <= 13; n++) {
      expect(await deliverDue()).toBe(1);
      const s = await getSendout(t, p.id, id);
      expect(s.attempts).toBe(n);
      if (n === 13) break;
      expect(s.status).toBe('retrying');
      const [lo, hi] = window(n);
      const offset = Date.parse(s.next_attempt_at) - Date.parse(created_at);
      expect(offset).toBeGreaterThanOrEqual(lo);
      expect(offset).toBeLessThanOrEqual(hi);
      clock.set(new Date(s.next_attempt_at));
    }
    expect(sink.received).toHaveLength(13);
    expect(new Set(sink.received.map((r) => r.body)).size).toBe(1);

    const s = await getSendout(t, p.id, id);
    expect(s).toMatchObject({ status: 'failed', attempts: 13, next_attempt_at: null, last_status_code: 500 });
    expect(s.attempts_log.map((a: any) => a.attempt)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(s.attempts_log.at(-1).outcome).toBe('give_up');
    for (const a of s.attempts_log) {
      expect(a.status_code).toBe(500);
      expect(typeof a.duration_ms).toBe('number');
      expect(a.response_headers).toMatchObject({ 'x-receiver': 'sink', 'content-type': 'text/plain' });
      expect(a.response_body).toBe(big.slice(0, 4096));
    }

    const after = await getWebhook(t, p.id, w.id);
    expect(after.active).toBe(false);
    expect(after.disabled_reason).toContain(id);
    clock.advance(48 * 60 * minute);
    expect(await deliverDue()).toBe(0);
    await createCustomer(t, p, 'ivan');
    expect(await allSendouts(t, p.id)).toHaveLength(1);
  });

  it('keeps at most 4 KB of a response body as storable text: whole characters, no NUL', async () => {
    const euros = '€'.repeat(3500); // 3 bytes each: byte 4096 falls inside a character
    const nuls = '\u0000'.repeat(5000); // PostgreSQL text cannot hold NUL
    const { t, p, sink, deliverDue } = await setup(() => ({ status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: euros }));
    const zeros = await startSink(() => ({ status: 500, body: nuls }));
    sinks.push(zeros);
    const a = await createWebhook(t, p.id, sink.url);
    const b = await createWebhook(t, p.id, zeros.url);
    await createCustomer(t, p, 'judy');
    expect(await deliverDue()).toBe(2);

    const bodyOf = async (webhookId: string): Promise<string> => {
      const [s] = await allSendouts(t, p.id, `webhook_id=${webhookId}`);
      expect(s).toMatchObject({ status: 'retrying', last_status_code: 500 });
      return (await getSendout(t, p.id, s.id)).attempts_log[0].response_body;
    };
    const text = await bodyOf(a.id);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(text, 'utf8')).toBeGreaterThan(4096 - 3);
    expect(euros.startsWith(text)).toBe(true);
    const zeroText = await bodyOf(b.id);
    expect(zeroText).not.toContain('\u0000');
    expect(Buffer.byteLength(zeroText, 'utf8')).toBeLessThanOrEqual(4096);
    expect(zeroText.length).toBeGreaterThan(1000);
  });
});

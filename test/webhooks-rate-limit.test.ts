import { describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { closeAfterEach, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { driver } from './helpers/db.js';
import { startSink } from './helpers/sink.js';
import { allSendouts, createCustomer, deliverAll, getWebhook, mgmt, privateTargets } from './helpers/sendouts.js';

/**
 * Per-endpoint rate limits (our extension, as Svix and Convoy have them): at most `rate_limit` attempts to an
 * endpoint start within one second of the clock; the others wait for the following seconds, without an attempt
 * counted. Time is the injected clock's, never slept on; receivers are real HTTP servers.
 */
const start = new Date('2025-03-03T09:00:00.250Z');
const second = 1000;

const closing = closeAfterEach();

async function setup() {
  const clock = fixedClock(start);
  const t = closing(await startTessera({ clock, env: privateTargets }));
  const p: TestProject = await t.createProject();
  const sink = closing(await startSink());
  return { t, clock, p, sink };
}

async function webhook(t: TestTessera, projectId: string, body: Record<string, unknown>) {
  return mgmt(t, 'POST', `/projects/${projectId}/webhooks`, { events: ['customer.created'], ...body });
}

/** A counter's value from /metrics (the registry is the process's: compare before and after). */
async function counter(t: TestTessera, name: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function customers(t: TestTessera, p: TestProject, n: number, prefix = 'c') {
  for (let i = 0; i < n; i++) await createCustomer(t, p, `${prefix}-${i}`);
}

describe('webhook rate limits', () => {
  it('starts at most rate_limit attempts per second, sends the rest in the following seconds, each once and in order', async () => {
    const { t, clock, p, sink } = await setup();
    const res = await webhook(t, p.id, { target_url: sink.url, rate_limit: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json().rate_limit).toBe(3);
    await customers(t, p, 8);
    const heldBefore = await counter(t, 'tessera_delivery_rate_limited_total');

    const perSecond: number[] = [];
    for (let s = 0; s < 5; s++) {
      clock.set(new Date(start.getTime() + s * second));
      const before = sink.received.length;
      await deliverAll(t);
      perSecond.push(sink.received.length - before);
    }
    expect(perSecond).toEqual([3, 3, 2, 0, 0]);
    // Held back once each: the 5 beyond the first second's allowance, already spread over the next two seconds;
    // operators see it in /metrics.
    expect((await counter(t, 'tessera_delivery_rate_limited_total')) - heldBefore).toBe(5);
    // Each sendout once, in the order the customers were created; a wait is not an attempt.
    expect(sink.received.map((r) => r.json.data.customer.source_id)).toEqual([...Array(8).keys()].map((i) => `c-${i}`));
    const rows = await allSendouts(t, p.id);
    expect(rows.map((s) => [s.status, s.attempts])).toEqual(Array(8).fill(['sent', 1]));
  });

  it('spreads a backlog over the following seconds rather than making it all due again at once', async () => {
    const { t, clock, p, sink } = await setup();
    const w = (await webhook(t, p.id, { target_url: sink.url, rate_limit: 2 })).json();
    await customers(t, p, 7);
    await deliverAll(t);
    expect(sink.received).toHaveLength(2);
    const waiting = (await allSendouts(t, p.id, 'status=pending')).map((s) => Date.parse(s.next_attempt_at) - Date.parse('2025-03-03T09:00:00.000Z'));
    // Two per second: 1 s, 1 s, 2 s, 2 s, 3 s after the start of the claim's second.
    expect(waiting.sort((a, b) => a - b)).toEqual([1, 1, 2, 2, 3].map((s) => s * second));
    expect(w.id).toMatch(/^wh_/);
    clock.set(new Date(start.getTime() + 10 * second));
    // Long after: everything is due, and the limit still holds in the second it is sent.
    await deliverAll(t);
    expect(sink.received).toHaveLength(4);
  });

  it('holds back only the limited endpoint: another endpoint of the project gets everything in the same claim', async () => {
    const { t, p, sink } = await setup();
    const other = closing(await startSink());
    expect((await webhook(t, p.id, { target_url: sink.url, rate_limit: 1 })).statusCode).toBe(200);
    expect((await webhook(t, p.id, { target_url: other.url })).statusCode).toBe(200);
    await customers(t, p, 6);
    expect(await t.tessera.services.delivery.deliverDue('w1')).toBe(7);
    expect(sink.received).toHaveLength(1);
    expect(other.received).toHaveLength(6);
  });

  it('keeps the limit when several workers claim in the same second', async () => {
    const { t, p, sink } = await setup();
    await webhook(t, p.id, { target_url: sink.url, rate_limit: 4 });
    await customers(t, p, 20);
    // Four claims of five at once: each gets sendouts of its own (SKIP LOCKED), all of the same endpoint.
    const claims = await Promise.all(
      ['w1', 'w2', 'w3', 'w4'].map(async (owner) => {
        const { claimed, held, done } = await t.tessera.services.delivery.start(owner, 5);
        await done;
        return { claimed, held };
      }),
    );
    expect(claims.reduce((a, c) => a + c.claimed, 0)).toBe(4);
    expect(claims.reduce((a, c) => a + c.claimed + c.held, 0)).toBe(20);
    expect(sink.received).toHaveLength(4);
    expect(new Set(sink.received.map((r) => r.headers['webhook-id'])).size).toBe(4);
  });

  // Claims that overlap for real: a transaction holds the endpoint's counter while four claims, each with sendouts of
  // its own, reach it; when it lets go, they must see one another's counts (a claim reading a stale count would
  // start four more each).
  it.skipIf(driver !== 'postgres')('keeps the limit when claims wait on one another for the counter', async () => {
    const { t, p, sink } = await setup();
    const w = (await webhook(t, p.id, { target_url: sink.url, rate_limit: 4 })).json();
    await customers(t, p, 20);
    let release!: () => void;
    let locked!: () => void;
    const lockedNow = new Promise<void>((r) => (locked = r));
    const holder = t.testDb.db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM sendout_rate_limits WHERE source_id = $1 FOR UPDATE', [w.id]);
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await lockedNow;
    const claiming = Promise.all(
      ['w1', 'w2', 'w3', 'w4'].map(async (owner) => {
        const { claimed, held, done } = await t.tessera.services.delivery.start(owner, 5);
        await done;
        return { claimed, held };
      }),
    );
    const waiting = async () =>
      Number((await t.testDb.db.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n);
    for (let i = 0; i < 200 && (await waiting()) < 4; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await waiting()).toBe(4);
    release();
    await holder;
    const claims = await claiming;
    expect(claims.reduce((a, c) => a + c.claimed, 0)).toBe(4);
    expect(claims.reduce((a, c) => a + c.claimed + c.held, 0)).toBe(20);
    expect(sink.received).toHaveLength(4);
  });

  it('counts retries against the limit like first attempts', async () => {
    const { t, clock, p, sink } = await setup();
    sink.setHandler((_, i) => ({ status: i === 0 ? 500 : 200 }));
    await webhook(t, p.id, { target_url: sink.url, rate_limit: 1 });
    await customers(t, p, 1, 'a');
    await deliverAll(t);
    const [retrying] = await allSendouts(t, p.id);
    expect(retrying).toMatchObject({ status: 'retrying', attempts: 1 });
    // Ten minutes on, the retry and a new sendout are both due: one starts in this second, the other in the next.
    clock.set(new Date(start.getTime() + 10 * 60 * second));
    await customers(t, p, 1, 'b');
    await deliverAll(t);
    expect(sink.received.map((r) => r.json.data.customer.source_id)).toEqual(['a-0', 'a-0']);
    clock.set(new Date(start.getTime() + 10 * 60 * second + second));
    await deliverAll(t);
    expect(sink.received.map((r) => r.json.data.customer.source_id)).toEqual(['a-0', 'a-0', 'b-0']);
  });

  it('applies a changed limit from the next claim; PUT without rate_limit removes it', async () => {
    const { t, clock, p, sink } = await setup();
    const w = (await webhook(t, p.id, { target_url: sink.url, rate_limit: 1 })).json();
    await customers(t, p, 3);
    await deliverAll(t);
    expect(sink.received).toHaveLength(1);
    const put = await mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${w.id}`, { target_url: sink.url, events: ['customer.created'], rate_limit: 3 });
    expect(put.statusCode).toBe(200);
    expect(put.json().rate_limit).toBe(3);
    // The two held back were due at +1 s and +2 s; at +2 s both go, within the new limit.
    clock.set(new Date(start.getTime() + 2 * second));
    await deliverAll(t);
    expect(sink.received).toHaveLength(3);
    // PUT replaces the configuration: without rate_limit, the endpoint has none.
    const cleared = await mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${w.id}`, { target_url: sink.url, events: ['customer.created'] });
    expect(cleared.json().rate_limit).toBeNull();
    await customers(t, p, 5, 'd');
    await deliverAll(t);
    expect(sink.received).toHaveLength(8);
  });

  it('refuses rate limits that are not a whole number from 1 to 10,000, with a 400 naming the property', async () => {
    const { t, p, sink } = await setup();
    for (const bad of [0, -1, 1.5, '5', 10_001, true]) {
      const res = await webhook(t, p.id, { target_url: sink.url, rate_limit: bad });
      expect(res.statusCode, String(bad)).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect(res.json().details ?? res.json().message).toContain('rate_limit');
    }
    const okRes = await webhook(t, p.id, { target_url: sink.url, rate_limit: null });
    expect(okRes.statusCode).toBe(200);
    expect((await getWebhook(t, p.id, okRes.json().id)).rate_limit).toBeNull();
    const max = await webhook(t, p.id, { target_url: sink.url, rate_limit: 10_000 });
    expect((await getWebhook(t, p.id, max.json().id)).rate_limit).toBe(10_000);
  });

  it('forgets the limit of a deleted endpoint (its counter row goes with it)', async () => {
    const { t, p, sink } = await setup();
    const w = (await webhook(t, p.id, { target_url: sink.url, rate_limit: 5 })).json();
    const count = async () => Number((await t.testDb.db.query<{ n: string }>('SELECT count(*) AS n FROM sendout_rate_limits WHERE source_id = $1', [w.id])).rows[0]!.n);
    expect(await count()).toBe(1);
    expect((await mgmt(t, 'DELETE', `/projects/${p.id}/webhooks/${w.id}`)).statusCode).toBe(204);
    expect(await count()).toBe(0);
  });
});

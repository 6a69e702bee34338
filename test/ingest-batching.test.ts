/**
 * Group commit of POST /v1/events seen from outside: a burst that mixes projects, a race on one new customer,
 * unknown customers and refused metadata; then the fallback that writes items alone when a batch transaction fails.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { compose, createServices, type Tessera } from '../src/compose.js';
import { loadConfig } from '../src/config/index.js';
import { systemClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import type { Cause } from '../src/modules/event-log/index.js';
import type { Db, Queryable, QueryResult } from '../src/store/db.js';
import { defineSchema, managementHeaders } from './helpers/app.js';
import { createTestDb, type TestDb } from './helpers/db.js';

/** Metadata carrying this makes the probe fail the custom_events insert of its transaction, in the database. */
const POISON = 'poison-7f3a';

/**
 * The Db under the app, observed: the projects of each custom_events insert (one per batch written), the size of
 * each poisoned insert (replaced by a statement PostgreSQL refuses, so the transaction really aborts), and a way
 * to hold the next transaction back until the test lets it go.
 */
function createProbe(inner: Db) {
  const batches: string[][] = [];
  const poisoned: number[] = [];
  let gate: Promise<void> | undefined;
  const wrap = (tx: Queryable): Queryable => ({
    exec: (sql) => tx.exec(sql),
    query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      if (!sql.includes('INSERT INTO custom_events')) return tx.query<T>(sql, params);
      const payload = String(params?.[0]);
      const rows = JSON.parse(payload) as Array<{ project_id: string }>;
      if (!payload.includes(POISON)) {
        batches.push(rows.map((r) => r.project_id));
        return tx.query<T>(sql, params);
      }
      poisoned.push(rows.length);
      return tx.query<T>('SELECT 1 / 0');
    },
  });
  const db: Db = {
    kind: inner.kind,
    query: inner.query.bind(inner),
    exec: inner.exec.bind(inner),
    listen: inner.listen.bind(inner),
    close: inner.close.bind(inner),
    async transaction(fn) {
      const held = gate;
      gate = undefined;
      await held;
      return inner.transaction((tx) => fn(wrap(tx)));
    },
  };
  const hold = (): (() => void) => {
    let release = () => {};
    gate = new Promise((resolve) => (release = resolve));
    return release;
  };
  return { db, batches, poisoned, hold };
}

/**
 * Fires a burst with its first batch held until every request has passed its schema check, so the others queue
 * behind it. Without the hold a PGlite transaction completes within one turn of the event loop: no request could
 * arrive while a batch is written, and the burst would go one event per transaction.
 */
async function burst<T>(requests: number, fire: () => Promise<T>): Promise<T> {
  const schemas = tessera.services.schemas;
  const check = schemas.check;
  const release = probe.hold();
  let checked = 0;
  schemas.check = async (...args) => {
    try {
      return await check(...args);
    } finally {
      // One macrotask later every checked request has reached the batcher.
      if (++checked === requests) setImmediate(release);
    }
  };
  return fire().finally(() => (schemas.check = check));
}

type Project = { id: string; headers: Record<string, string> };

const config = loadConfig({
  TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'],
  TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'],
  TESSERA_LOG_LEVEL: 'silent',
  // One transaction at a time, as on PGlite: on PostgreSQL a second write slot would take whichever requests
  // arrive while the first batch is held, and how they split between batches would depend on timing.
  TESSERA_WRITE_CONCURRENCY: '1',
});
let testDb: TestDb;
let probe: ReturnType<typeof createProbe>;
let tessera: Tessera;
let A: Project;
let B: Project;

const inject = (p: Project, method: 'GET' | 'POST', url: string, payload?: object) =>
  tessera.app.inject({ method, url, headers: p.headers, ...(payload ? { payload } : {}) });
const track = (p: Project, payload: object) => inject(p, 'POST', '/v1/events', payload);
const total = async (p: Project): Promise<number> => (await inject(p, 'GET', '/v1/customers?limit=1')).json().total;

type Activity = { type: string; group_id: string; data: { data: { customer: Attrs; event?: { id: string; metadata: { n: number } } } } };
async function activity(p: Project, customerId: string): Promise<Activity[]> {
  const res = await inject(p, 'GET', `/v1/customers/${customerId}/activity?order=created_at&limit=100`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().has_more).toBe(false);
  return res.json().data;
}

beforeAll(async () => {
  testDb = await createTestDb();
  probe = createProbe(testDb.db);
  tessera = await compose(config, { db: probe.db, logger: createLogger('silent') });
  const project = async (name: string): Promise<Project> => {
    const res = await tessera.app.inject({ method: 'POST', url: '/management/v1/projects', headers: managementHeaders, payload: { name } });
    const raw = res.json();
    await defineSchema(tessera.app, raw.id, 'tick', { n: { type: 'number', optional: false } });
    return { id: raw.id, headers: { 'x-app-id': raw.server_side_key.app_id, 'x-app-token': raw.server_side_key.app_token } };
  };
  A = await project('Burst A');
  B = await project('Burst B');
});
afterAll(async () => {
  await tessera?.close();
  await testDb?.drop();
});

/** The customer attributes this suite sends, and how an upsert merges them. */
type Attrs = { name?: string | null; email?: string | null; metadata?: Record<string, unknown> };
type State = Required<Attrs>;
const pick = (c: Attrs): State => ({ name: c.name ?? null, email: c.email ?? null, metadata: c.metadata ?? {} });
function apply(s: State, a: Attrs): State {
  const metadata = { ...s.metadata };
  for (const [k, v] of Object.entries(a.metadata ?? {})) {
    if (v === null) delete metadata[k];
    else metadata[k] = v;
  }
  return { name: a.name !== undefined ? a.name : s.name, email: a.email !== undefined ? a.email : s.email, metadata };
}

/**
 * Replays a customer's activity: custom events in recorded order, each applying the attributes its request sent.
 * Returns what the activity must be (created first, updated only before an event that changed something, each
 * showing the state of that moment) and the state after each event.
 */
function replay(acts: Activity[], sent: Attrs[]) {
  let state: State | undefined;
  const expected: Array<{ type: string; group_id: string; customer: State }> = [];
  const after = new Map<number, State>();
  for (const a of acts.filter((x) => x.type === 'customer.custom_event')) {
    const n = a.data.data.event!.metadata.n;
    const next = apply(state ?? pick({}), sent[n]!);
    if (!state) expected.push({ type: 'customer.created', group_id: a.group_id, customer: next });
    else if (!isDeepStrictEqual(next, state)) expected.push({ type: 'customer.updated', group_id: a.group_id, customer: next });
    expected.push({ type: 'customer.custom_event', group_id: a.group_id, customer: next });
    after.set(n, next);
    state = next;
  }
  return { expected, after, final: state };
}

type Shot = { p: () => Project; payload: { customer: Record<string, unknown> }; want: 200 | 400 | 404 };

describe('a burst of concurrent events', () => {
  const sentA: Attrs[] = [
    { name: 'Ada' }, { name: 'Ada' }, {}, { name: 'Bea' }, { metadata: { tier: 'gold' } }, { metadata: { tier: 'gold' } },
    { name: 'Ada', metadata: { tier: null } }, { email: 'ada@example.com' }, { name: 'Ada' }, { metadata: { visits: 1 } },
    { metadata: { visits: 2 } }, {},
  ];
  const sentB: Attrs[] = [{ name: 'Bo' }, { name: 'Bo' }, { metadata: { b: 1 } }, {}, { name: 'Bo', email: 'bo@example.com' }, { metadata: { b: 1 } }];

  it('lands each event once in its project, with one customer per new source_id and only real updates', async () => {
    const existing = (await inject(B, 'POST', '/v1/customers', { source_id: 'b-existing' })).json();
    const ev = (customer: Record<string, unknown>, metadata: Record<string, unknown>) => ({ event: 'tick', customer, metadata });
    const groups: Shot[][] = [
      sentA.map((a, n) => ({ p: () => A, payload: ev({ source_id: 'racer', ...a }, { n }), want: 200 })),
      sentB.map((a, n) => ({ p: () => B, payload: ev({ source_id: 'racer', ...a }, { n }), want: 200 })),
      Array.from({ length: 8 }, (_, i) => ({ p: () => A, payload: ev({ source_id: `solo-${i}`, name: `Solo ${i}` }, { n: i }), want: 200 })),
      Array.from({ length: 5 }, (_, i) => ({ p: () => A, payload: ev({ id: `cust_missing_${i}`, source_id: `ghost-${i}` }, { n: i }), want: 404 })),
      Array.from({ length: 5 }, (_, i) => ({ p: () => A, payload: ev({ source_id: `bad-${i}` }, { n: `x${i}` }), want: 400 })),
      [{ p: () => A, payload: ev({ id: existing.id }, { n: 0 }), want: 404 }],
      Array.from({ length: 2 }, (_, i) => ({ p: () => B, payload: ev({ id: existing.id, metadata: { seen: i } }, { n: i }), want: 200 })),
      [{ p: () => B, payload: ev({ source_id: 'bad-b' }, { n: 'no' }), want: 400 }],
    ];
    // Round robin over the groups, so projects and outcomes mix within batches.
    const shots: Shot[] = [];
    for (let i = 0; shots.length < groups.flat().length; i++) for (const g of groups) if (g[i]) shots.push(g[i]!);
    expect(shots).toHaveLength(40);
    const before = probe.batches.length;

    const res = await burst(shots.length, () => Promise.all(shots.map((s) => track(s.p(), s.payload))));

    expect(res.map((r) => r.statusCode)).toEqual(shots.map((s) => s.want));
    // The burst was written in batches, not one event per transaction, and a batch served both projects.
    const batches = probe.batches.slice(before);
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
    expect(batches.some((b) => b.includes(A.id) && b.includes(B.id))).toBe(true);
    shots.forEach((s, i) => {
      const body = res[i]!.json();
      if (s.want === 404) expect(body).toMatchObject({ key: 'not_found', resource_type: 'customer', resource_id: s.payload.customer.id });
      if (s.want === 400) expect(body).toMatchObject({ key: 'metadata_validation_failed' });
    });
    // Nothing of a refused event is stored, not even its customer.
    for (const key of ['ghost-0', 'ghost-4', 'bad-0', 'bad-4']) expect((await inject(A, 'GET', `/v1/customers/${key}`)).statusCode).toBe(404);
    expect((await inject(B, 'GET', '/v1/customers/bad-b')).statusCode).toBe(404);
    expect(await total(A)).toBe(1 + 8);
    expect(await total(B)).toBe(1 + 1);

    // Every accepted event is exactly one customer.custom_event of its customer, grouped under its own request.
    for (const p of [A, B]) {
      const accepted = res.filter((r, i) => r.statusCode === 200 && shots[i]!.p() === p);
      const byCustomer = new Map<string, LightMyRequestResponse[]>();
      for (const r of accepted) byCustomer.set(r.json().customer.id, [...(byCustomer.get(r.json().customer.id) ?? []), r]);
      for (const [customerId, mine] of byCustomer) {
        const acts = await activity(p, customerId);
        const recorded = acts.filter((a) => a.type === 'customer.custom_event').map((a) => [a.data.data.event!.id, a.group_id]);
        const sent = mine.map((r) => [r.json().id, r.headers['x-request-id']]);
        const byId = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0]));
        expect(recorded.sort(byId)).toEqual(sent.sort(byId));
        const created = acts.findIndex((a) => a.type === 'customer.created');
        expect(created).toBeGreaterThanOrEqual(0);
        expect(created).toBeLessThan(acts.findIndex((a) => a.type === 'customer.custom_event'));
      }
    }

    // The race on one new source_id, per project: one customer, and the activity replays as the upserts applied.
    for (const [p, other, sent] of [[A, B, sentA], [B, A, sentB]] as const) {
      const mine = res.filter((r, i) => shots[i]!.p() === p && shots[i]!.payload.customer.source_id === 'racer');
      expect(mine).toHaveLength(sent.length);
      const id = mine[0]!.json().customer.id;
      expect(new Set(mine.map((r) => r.json().customer.id))).toEqual(new Set([id]));
      expect((await inject(p, 'GET', '/v1/customers/racer')).json().id).toBe(id);
      expect((await inject(other, 'GET', `/v1/customers/${id}`)).statusCode).toBe(404);
      const acts = await activity(p, id);
      const { expected, after, final } = replay(acts, sent);
      expect(acts.map((a) => ({ type: a.type, group_id: a.group_id, customer: pick(a.data.data.customer) }))).toEqual(expected);
      for (const r of mine) expect(pick(r.json().customer)).toEqual(after.get(r.json().metadata.n));
      expect(pick((await inject(p, 'GET', '/v1/customers/racer')).json())).toEqual(final);
    }
  });
});

describe('a batch whose transaction fails', () => {
  const cause = (projectId: string, groupId: string): Cause => ({ projectId, groupId, source: { channel: 'API' } });

  it('is written again item by item, so only the item that broke it fails', async () => {
    // A second events service on the same database, with one batch in flight at a time on either driver.
    const services = createServices(probe.db, { ...config, writeConcurrency: 1 }, systemClock);
    onTestFinished(() => services.close());
    const { events } = services;
    const before = await total(A);
    // Loads the schema cache: the tracks below reach the batcher without touching the database.
    await events.track(cause(A.id, 'warm-up'), { event: 'tick', customer: { source_id: 'fb-warm' }, metadata: { n: -1 } });
    probe.poisoned.length = 0;

    const release = probe.hold();
    const outcomes = Promise.allSettled(
      Array.from({ length: 6 }, (_, n) =>
        events.track(cause(A.id, `fb-request-${n}`), {
          event: 'tick',
          customer: { source_id: `fb-${n}`, name: `Fallback ${n}` },
          metadata: n === 3 ? { n, tag: POISON } : { n },
        }),
      ),
    );
    // fb-0 is being written (held); the other five wait for the next batch. One macrotask lets them all arrive.
    await new Promise<void>((resolve) => setImmediate(resolve));
    release();
    const settled = await outcomes;
    // The poisoned item broke a batch of five, then failed again alone.
    expect(probe.poisoned).toEqual([5, 1]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(String((settled[3] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
    expect(await total(A)).toBe(before + 1 + 5);
    expect((await inject(A, 'GET', '/v1/customers/fb-3')).statusCode).toBe(404);
    for (const n of [0, 1, 2, 4, 5]) {
      const customer = (await inject(A, 'GET', `/v1/customers/fb-${n}`)).json();
      expect(customer.name).toBe(`Fallback ${n}`);
      const acts = await activity(A, customer.id);
      expect(acts.map((a) => [a.type, a.group_id])).toEqual([
        ['customer.created', `fb-request-${n}`],
        ['customer.custom_event', `fb-request-${n}`],
      ]);
    }
  });

  it('answers 500 only to the request that broke it, through the API', async () => {
    // Fresh key and schema caches: the requests reach the batcher in the order sent, the last one behind the others.
    expect((await track(B, { event: 'tick', customer: { source_id: 'api-fb-warm' }, metadata: { n: -1 } })).statusCode).toBe(200);
    probe.poisoned.length = 0;
    const before = await total(B);
    const payload = (n: number) => ({ event: 'tick', customer: { source_id: `api-fb-${n}` }, metadata: n === 9 ? { n, tag: POISON } : { n } });
    const res = await burst(10, () => Promise.all(Array.from({ length: 10 }, (_, n) => track(B, payload(n)))));
    expect(res.map((r) => r.statusCode)).toEqual(Array.from({ length: 10 }, (_, n) => (n === 9 ? 500 : 200)));
    expect(res[9]!.json()).toMatchObject({ key: 'internal_error', request_id: res[9]!.headers['x-request-id'] });
    // It broke a batch shared with others, then failed alone.
    expect(Math.max(...probe.poisoned)).toBeGreaterThan(1);
    expect(probe.poisoned.at(-1)).toBe(1);
    expect(await total(B)).toBe(before + 9);
    expect((await inject(B, 'GET', '/v1/customers/api-fb-9')).statusCode).toBe(404);
    for (const n of [0, 8]) {
      const id = res[n]!.json().customer.id;
      const acts = await activity(B, id);
      expect(acts.filter((a) => a.type === 'customer.custom_event').map((a) => a.group_id)).toEqual([res[n]!.headers['x-request-id']]);
    }
  });
});

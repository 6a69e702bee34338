/**
 * /v1/segments as an API: listing, errors, which segments can be edited, background recomputation after a filter
 * change, customers leaving every segment when deleted, evaluation of new customers, project isolation, the
 * 100-filter-segment limit, and the customer.segment.entered / left activity data against the official schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { maxFilterSegments } from '../src/modules/segments/index.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent, warnIfSpecAbsent } from './helpers/conformance.js';

const minute = 60_000;
const clock = fixedClock(new Date('2026-02-02T10:00:00.000Z'));
let t: TestTessera;

beforeAll(async () => {
  t = await startTessera({ clock });
});
afterAll(() => t.close());

function client(p: TestProject) {
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
  return {
    call,
    get: (url: string) => call('GET', url),
    post: (url: string, payload: object) => call('POST', url, payload),
    put: (url: string, payload: object) => call('PUT', url, payload),
    del: (url: string) => call('DELETE', url),
    async segment(body: object): Promise<Record<string, any>> {
      const res = await call('POST', '/v1/segments', body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    },
    async customer(body: object): Promise<Record<string, any>> {
      const res = await call('POST', '/v1/customers', body);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    },
    /** Source ids of a segment's members, from GET /v1/customers?segment_id=. */
    async members(segmentId: string): Promise<string[]> {
      const res = await call('GET', `/v1/customers?segment_id=${segmentId}&limit=100`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().customers.map((c: { source_id: string }) => c.source_id).sort();
    },
    async segmentsOf(customer: string): Promise<string[]> {
      const res = await call('GET', `/v1/customers/${customer}/segments`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data.map((s: { id: string }) => s.id).sort();
    },
  };
}

async function syncAll(): Promise<void> {
  for (let i = 0; i < 1000; i++) if ((await t.tessera.services.segments.syncStep()) === 0) return;
  throw new Error('segment sync did not finish');
}

/** The number a segment's memberships are stored under (read while the segment exists). */
async function numOf(segmentId: string): Promise<number> {
  const { rows } = await t.testDb.db.query<{ num: number }>('SELECT num FROM segments WHERE id = $1', [segmentId]);
  return rows[0]!.num;
}

/** Customers whose stored membership row names this segment number, in it or as left: a deleted segment must leave none. */
async function storedMemberships(num: number): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM customer_segments WHERE $1 = ANY (segments) OR $1 = ANY (left_segments)',
    [num],
  );
  return rows[0]!.n;
}

/** Runs the background sweep of deleted segments' numbers until it has nothing left to do. */
async function sweepAll(): Promise<void> {
  for (let i = 0; i < 1000; i++) if ((await t.tessera.services.segments.sweepStep()) === 0) return;
  throw new Error('segment sweep did not finish');
}

async function tombstones(): Promise<number> {
  return (await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM segment_tombstones')).rows[0]!.n;
}

const tierIs = (tier: string) => ({ junction: 'and', 'metadata.tier': { conditions: { $is: [tier] } } });

describe('GET /v1/segments', () => {
  let api: ReturnType<typeof client>;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    api = client(await t.createProject());
    for (const [name, type] of [['p1', 'passive'], ['s1', 'static'], ['a1', 'auto-update'], ['p2', 'passive'], ['a2', 'auto-update']] as const) {
      clock.advance(minute);
      const body = type === 'static' ? { name, type, customers: [] } : { name, type, filter: tierIs(name) };
      ids[name] = (await api.segment(body)).id;
    }
  });

  it('lists newest first by default, oldest first with order=created_at, with the total', async () => {
    const res = await api.get('/v1/segments');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ object: 'list', data_ref: 'data', total: 5 });
    expect(body.data.map((s: { name: string }) => s.name)).toEqual(['a2', 'p2', 'a1', 's1', 'p1']);
    expect(body.data[0]).toMatchObject({ id: ids.a2, object: 'segment', type: 'auto-update', filter: tierIs('a2') });
    const asc = (await api.get('/v1/segments?order=created_at')).json();
    expect(asc.data.map((s: { name: string }) => s.name)).toEqual(['p1', 's1', 'a1', 'p2', 'a2']);
    expect((await api.get('/v1/segments?order=updated_at')).statusCode).toBe(400);
  });

  it('filters by type', async () => {
    for (const [type, names] of [['passive', ['p1', 'p2']], ['auto-update', ['a1', 'a2']], ['static', ['s1']]] as const) {
      const body = (await api.get(`/v1/segments?type=${type}&order=created_at`)).json();
      expect(body.total, type).toBe(names.length);
      expect(body.data.map((s: { name: string }) => s.name), type).toEqual(names);
      expect(body.data.every((s: { type: string }) => s.type === type)).toBe(true);
    }
    expect((await api.get('/v1/segments?type=active')).statusCode).toBe(400);
  });

  it('pages with limit and page; total counts all matches, also past the last page', async () => {
    const page = (n: number) => api.get(`/v1/segments?order=created_at&limit=2&page=${n}`).then((r) => r.json());
    const pages = [await page(1), await page(2), await page(3)];
    expect(pages.map((b) => b.data.map((s: { name: string }) => s.name))).toEqual([['p1', 's1'], ['a1', 'p2'], ['a2']]);
    for (const b of pages) expect(b.total).toBe(5);
    const beyond = await page(4);
    expect(beyond.data).toEqual([]);
    expect(beyond.total).toBe(5);
    expect((await api.get('/v1/segments?limit=101')).statusCode).toBe(400);
    expect((await api.get('/v1/segments?limit=0')).statusCode).toBe(400);
  });

  it('refuses the starting_after cursor (and other unknown parameters) with 400 instead of ignoring it', async () => {
    const cursor = await api.get('/v1/segments?starting_after=2024-01-01T00:00:00.000Z');
    expect(cursor.statusCode, cursor.body).toBe(400);
    expect(cursor.json()).toMatchObject({ key: 'invalid_query_params', details: expect.stringContaining('starting_after') });
    expect(cursor.json().details).toContain('page');
    expect((await api.get('/v1/segments?colour=red')).statusCode).toBe(400);
  });
});

describe('GET, PUT and DELETE /v1/segments/{id}', () => {
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    api = client(await t.createProject());
  });

  it('answers 404 with resource_type segment for an unknown id, on every verb', async () => {
    for (const res of [await api.get('/v1/segments/seg_unknown'), await api.put('/v1/segments/seg_unknown', { name: 'x' }), await api.del('/v1/segments/seg_unknown')]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'segment', resource_id: 'seg_unknown' });
    }
    expect((await api.get('/v1/customers?segment_id=seg_unknown')).json()).toMatchObject({ code: 404, resource_type: 'segment' });
  });

  it('updates only passive segments; auto-update and static ones are refused with 400 and left unchanged', async () => {
    await api.customer({ source_id: 'u1', metadata: { tier: 'gold' } });
    const auto = await api.segment({ name: 'auto', type: 'auto-update', filter: tierIs('gold') });
    const fixed = await api.segment({ name: 'fixed', type: 'static', customers: ['u1'] });
    const passive = await api.segment({ name: 'passive', type: 'passive', filter: tierIs('gold') });
    for (const s of [auto, fixed]) {
      const res = await api.put(`/v1/segments/${s.id}`, { name: 'renamed', filter: tierIs('silver') });
      expect(res.statusCode, s.type).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect((await api.get(`/v1/segments/${s.id}`)).json()).toMatchObject({ name: s.name, filter: s.filter });
    }
    clock.advance(minute);
    const renamed = await api.put(`/v1/segments/${passive.id}`, { name: 'renamed' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: passive.id, name: 'renamed', type: 'passive', filter: tierIs('gold'), updated_at: clock.now().toISOString() });
    expect((await api.get(`/v1/segments/${passive.id}`)).json()).toMatchObject({ name: 'renamed', filter: tierIs('gold') });
    const bad = await api.put(`/v1/segments/${passive.id}`, { filter: { junction: 'xor', name: { conditions: { $is: 'a' } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toContain('junction');
    // The type cannot change: refused, naming it, and nothing else of the request is applied.
    const promote = await api.put(`/v1/segments/${passive.id}`, { name: 'promoted', type: 'auto-update' });
    expect(promote.statusCode, promote.body).toBe(400);
    expect(promote.json()).toMatchObject({ code: 400, key: 'invalid_payload', details: expect.stringMatching(/type/) });
    expect((await api.get(`/v1/segments/${passive.id}`)).json()).toMatchObject({ type: 'passive', name: 'renamed' });
    // Sending its own type is no change.
    expect((await api.put(`/v1/segments/${passive.id}`, { type: 'passive', name: 'same type' })).statusCode).toBe(200);
  });

  it('recomputes a passive segment in the background after a filter change: who no longer matches leaves', async () => {
    for (const [sid, tier] of [['g1', 'gold'], ['g2', 'gold'], ['s1', 'silver'], ['b1', 'bronze']]) await api.customer({ source_id: sid, metadata: { tier, group: 'recompute' } });
    const seg = await api.segment({
      name: 'gold',
      type: 'passive',
      filter: { junction: 'and', 'metadata.group': { conditions: { $is: 'recompute' } }, 'metadata.tier': { conditions: { $in: ['gold'] } } },
    });
    await syncAll();
    expect(await api.members(seg.id)).toEqual(['g1', 'g2']);

    clock.advance(minute);
    const silverFilter = { junction: 'and', 'metadata.group': { conditions: { $is: 'recompute' } }, 'metadata.tier': { conditions: { $in: ['gold', 'silver'] } } };
    const res = await api.put(`/v1/segments/${seg.id}`, { filter: silverFilter });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ filter: silverFilter, sync: { status: 'IN_PROGRESS', processed: 0 } });
    // Real-time traffic meanwhile reads the segment as it is now.
    expect((await api.put('/v1/customers/b1', { metadata: { seen: true } })).statusCode).toBe(200);
    // A second change in the same millisecond, before the background work ran: the last filter counts.
    const bronzeFilter = { junction: 'and', 'metadata.group': { conditions: { $is: 'recompute' } }, 'metadata.tier': { conditions: { $in: ['silver', 'bronze'] } } };
    expect((await api.put(`/v1/segments/${seg.id}`, { filter: bronzeFilter })).statusCode).toBe(200);
    await syncAll();
    const done = (await api.get(`/v1/segments/${seg.id}`)).json();
    expect(done).toMatchObject({ filter: bronzeFilter, sync: { status: 'DONE' } });
    expect(done.sync.processed).toBe(done.sync.total);
    expect(await api.members(seg.id)).toEqual(['b1', 's1']);
    // A rename keeps the finished recomputation as it is.
    expect((await api.put(`/v1/segments/${seg.id}`, { name: 'silver and bronze' })).json()).toMatchObject({ sync: done.sync });
    expect((await api.get(`/v1/segments/${seg.id}`)).json()).toMatchObject({ name: 'silver and bronze', sync: done.sync });

    // From then on the new filter is kept up to date in real time.
    await api.put('/v1/customers/g1', { metadata: { tier: 'bronze' } });
    await api.put('/v1/customers/s1', { metadata: { tier: 'gold' } });
    expect(await api.members(seg.id)).toEqual(['b1', 'g1']);
    // Passive: no segment events name it.
    for (const sid of ['g1', 'g2', 's1', 'b1']) {
      const activity = (await api.get(`/v1/customers/${sid}/activity?limit=100`)).json().data;
      expect(activity.filter((a: any) => a.type.startsWith('customer.segment') && a.data.data.segment.id === seg.id), sid).toEqual([]);
    }
  });

  it('deletes a segment with 204: it and its memberships are gone', async () => {
    await api.customer({ source_id: 'del-1', metadata: { tier: 'platinum' } });
    const seg = await api.segment({ name: 'platinum', type: 'auto-update', filter: tierIs('platinum') });
    await api.post('/v1/customers', { source_id: 'del-2', metadata: { tier: 'platinum' } });
    expect(await api.segmentsOf('del-2')).toContain(seg.id);
    const num = await numOf(seg.id);
    expect(await storedMemberships(num)).toBe(1);
    expect((await api.del(`/v1/segments/${seg.id}`)).statusCode).toBe(204);
    expect((await api.get(`/v1/segments/${seg.id}`)).statusCode).toBe(404);
    expect(await api.segmentsOf('del-2')).not.toContain(seg.id);
    // The number stays in its former members' rows (invisible: numbers are never reused) until the worker sweeps it out.
    expect(await tombstones()).toBe(1);
    await sweepAll();
    expect(await storedMemberships(num)).toBe(0);
    expect(await tombstones()).toBe(0);
    expect((await api.del(`/v1/segments/${seg.id}`)).statusCode).toBe(404);
    // Its pending background computation is gone with it.
    await syncAll();
  });
});

describe('deleting a project', () => {
  it('deletes its segments and their memberships', async () => {
    const p = await t.createProject();
    const api = client(p);
    const seg = await api.segment({ name: 'gold', type: 'auto-update', filter: tierIs('gold') });
    await syncAll();
    await api.customer({ source_id: 'gone-1', metadata: { tier: 'gold' } });
    const num = await numOf(seg.id);
    expect(await storedMemberships(num)).toBe(1);
    const res = await t.app.inject({ method: 'DELETE', url: `/management/v1/projects/${p.id}`, headers: managementHeaders });
    expect(res.statusCode, res.body).toBe(204);
    // Gone with the customers at once; the sweep then finds nothing to do and clears the tombstone.
    expect(await storedMemberships(num)).toBe(0);
    await sweepAll();
    expect(await tombstones()).toBe(0);
  });
});

describe('customers and segments', () => {
  let p: TestProject;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    p = await t.createProject();
    api = client(p);
    await defineSchema(t.app, p.id, 'visit', {});
  });

  it('removes a deleted customer from every segment', async () => {
    const ann = await api.customer({ source_id: 'ann', name: 'Ann', metadata: { tier: 'gold' } });
    await api.customer({ source_id: 'bob', name: 'Bob', metadata: { tier: 'gold' } });
    const auto = await api.segment({ name: 'auto', type: 'auto-update', filter: tierIs('gold') });
    const passive = await api.segment({ name: 'passive', type: 'passive', filter: { junction: 'and', name: { conditions: { $starts_with: 'A' } } } });
    const windowed = await api.segment({
      name: 'visitors',
      type: 'auto-update',
      filter: { junction: 'and', 'events.visit.count': { conditions: { $more_than_equal: [1] }, timeframe: { last_days: 7 } } },
    });
    const fixed = await api.segment({ name: 'static', type: 'static', customers: ['ann', 'bob'] });
    await syncAll();
    await api.post('/v1/events', { event: 'visit', customer: { source_id: 'ann' } });
    await api.post('/v1/events', { event: 'visit', customer: { source_id: 'bob' } });
    expect(await api.segmentsOf('ann')).toEqual([auto.id, passive.id, windowed.id, fixed.id].sort());

    expect((await api.del('/v1/customers/ann')).statusCode).toBe(204);
    const gone = await api.get(`/v1/customers/${ann.id}/segments`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ key: 'not_found', resource_type: 'customer' });
    // Kept as a 404 (README, Behaviour): not the segments a customer never seen would qualify for, as DIGEST c.4 says.
    const never = await api.get('/v1/customers/never-seen-anywhere/segments');
    expect(never.statusCode).toBe(404);
    expect(never.json()).toMatchObject({ key: 'not_found', resource_type: 'customer', resource_id: 'never-seen-anywhere' });
    expect(await api.members(auto.id)).toEqual(['bob']);
    expect(await api.members(passive.id)).toEqual([]);
    expect(await api.members(windowed.id)).toEqual(['bob']);
    expect(await api.members(fixed.id)).toEqual(['bob']);
    expect((await api.get(`/v1/customers?segment_id=${fixed.id}`)).json().total).toBe(1);
    // Not merely hidden by the customer list: no membership and no pending re-check remain behind.
    const left = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_segments WHERE customer_id = $1', [ann.id]);
    expect(left.rows[0]!.n).toBe(0);
    const checks = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM segment_rechecks WHERE customer_id = $1', [ann.id]);
    expect(checks.rows[0]!.n).toBe(0);
    // A new customer under the same source_id starts outside the static segment.
    await api.customer({ source_id: 'ann', name: 'Ann' });
    expect(await api.segmentsOf('ann')).toEqual([passive.id]);
  });

  it('evaluates a new customer against every filter segment as it is created', async () => {
    const auto = await api.segment({ name: 'no vip', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is_unknown: '' } } } });
    const passive = await api.segment({ name: 'no vip (passive)', type: 'passive', filter: { junction: 'and', 'metadata.vip': { conditions: { $is_unknown: '' } } } });
    const vips = await api.segment({ name: 'vips', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } });
    await syncAll();
    // No background work in between: membership is decided in the creating transaction.
    await api.customer({ source_id: 'plain' });
    await api.customer({ source_id: 'vip', metadata: { vip: true } });
    await api.post('/v1/events', { event: 'visit', customer: { source_id: 'by-event' } });
    expect(await api.segmentsOf('plain')).toEqual(expect.arrayContaining([auto.id, passive.id]));
    expect(await api.segmentsOf('plain')).not.toContain(vips.id);
    expect(await api.segmentsOf('by-event')).toEqual(expect.arrayContaining([auto.id, passive.id]));
    expect(await api.segmentsOf('vip')).toContain(vips.id);
    expect(await api.segmentsOf('vip')).not.toContain(auto.id);
    expect(await api.members(auto.id)).toEqual(expect.arrayContaining(['by-event', 'plain']));
    expect(await api.members(auto.id)).not.toContain('vip');
    // Entered is recorded for the auto-update segments only, after customer.created.
    const activity = (await api.get('/v1/customers/plain/activity?order=created_at&limit=100')).json().data;
    const entered = activity.filter((a: { type: string }) => a.type === 'customer.segment.entered').map((a: any) => a.data.data.segment.id);
    expect(entered).toContain(auto.id);
    expect(entered).not.toContain(passive.id);
    expect(activity[0].type).toBe('customer.created');
  });
});

describe('project isolation', () => {
  it("keeps each project's segments and members to itself; names may repeat across projects", async () => {
    const a = client(await t.createProject());
    const b = client(await t.createProject());
    await a.customer({ source_id: 'same', metadata: { tier: 'gold' } });
    const segA = await a.segment({ name: 'Gold', type: 'auto-update', filter: tierIs('gold') });
    const segB = await b.segment({ name: 'Gold', type: 'auto-update', filter: tierIs('gold') });
    expect(segB.id).not.toBe(segA.id);
    await syncAll();
    await b.customer({ source_id: 'same', metadata: { tier: 'gold' } });
    await b.customer({ source_id: 'b-only', metadata: { tier: 'gold' } });

    for (const res of [await b.get(`/v1/segments/${segA.id}`), await b.put(`/v1/segments/${segA.id}`, { name: 'x' }), await b.del(`/v1/segments/${segA.id}`), await b.get(`/v1/customers?segment_id=${segA.id}`)]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ resource_type: 'segment' });
    }
    expect((await b.get('/v1/segments')).json()).toMatchObject({ total: 1, data: [{ id: segB.id }] });
    expect((await a.get('/v1/segments')).json()).toMatchObject({ total: 1, data: [{ id: segA.id }] });
    expect(await a.members(segA.id)).toEqual(['same']);
    expect(await b.members(segB.id)).toEqual(['b-only', 'same']);
    expect(await a.segmentsOf('same')).toEqual([segA.id]);
    expect(await b.segmentsOf('same')).toEqual([segB.id]);
    // A static segment cannot list another project's customers.
    const foreign = await b.post('/v1/segments', { name: 'x', type: 'static', customers: [(await a.get('/v1/customers/same')).json().id] });
    expect(foreign.statusCode).toBe(400);
    expect((await a.get(`/v1/segments/${segA.id}`)).statusCode).toBe(200);
  });

  it("a static segment's key is a customer's id, else a source_id: one customer per key, as GET /v1/customers/{key} reads it", async () => {
    const api = client(await t.createProject());
    const ann = (await api.customer({ source_id: 'key-ann' })).id;
    // Another customer whose source_id is ann's id.
    await api.customer({ source_id: ann });
    const seg = await api.segment({ name: 'keys', type: 'static', customers: ['key-ann', 'key-ann', ann] });
    expect(await api.members(seg.id)).toEqual(['key-ann']);
    expect((await api.get(`/v1/segments/${seg.id}`)).json()).toMatchObject({ sync: { total: 1 } });
  });
});

describe('the limit of filter segments per project', () => {
  it(`refuses the ${maxFilterSegments + 1}st auto-update or passive segment; static ones do not count`, async () => {
    expect(maxFilterSegments).toBe(100);
    const api = client(await t.createProject());
    const other = client(await t.createProject());
    await api.segment({ name: 'static 0', type: 'static', customers: [] });
    await api.segment({ name: 'auto 0', type: 'auto-update', filter: tierIs('x') });
    for (let i = 1; i < maxFilterSegments; i++) await api.segment({ name: `passive ${i}`, type: 'passive', filter: tierIs(`t${i}`) });
    for (const type of ['passive', 'auto-update']) {
      const res = await api.post('/v1/segments', { name: 'one too many', type, filter: tierIs('y') });
      expect(res.statusCode, type).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    }
    expect((await api.get('/v1/segments?limit=1')).json().total).toBe(maxFilterSegments + 1);
    // Static segments still can be made, and the limit is per project.
    await api.segment({ name: 'static 1', type: 'static', customers: [] });
    await other.segment({ name: 'elsewhere', type: 'passive', filter: tierIs('y') });
    // Deleting one makes room for one.
    const last = (await api.get('/v1/segments?type=passive&limit=1')).json().data[0];
    expect((await api.del(`/v1/segments/${last.id}`)).statusCode).toBe(204);
    await api.segment({ name: 'room again', type: 'auto-update', filter: tierIs('y') });
    expect((await api.post('/v1/segments', { name: 'and full again', type: 'passive', filter: tierIs('z') })).statusCode).toBe(400);
    await syncAll();
  });

  it('lets only one of several simultaneous creations take the last place', async () => {
    const api = client(await t.createProject());
    for (let i = 1; i < maxFilterSegments; i++) await api.segment({ name: `passive ${i}`, type: 'passive', filter: tierIs(`t${i}`) });
    // Enough open connections that no creation waits to connect while another commits.
    await Promise.all(Array.from({ length: 8 }, () => t.testDb.db.query('SELECT pg_sleep(0.05)')));
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.post('/v1/segments', { name: `racer ${i}`, type: i % 2 ? 'passive' : 'auto-update', filter: tierIs(`r${i}`) })),
    );
    expect(racers.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400, 400, 400]);
    expect((await api.get('/v1/segments?limit=1')).json().total).toBe(maxFilterSegments);
    await syncAll();
  });
});

warnIfSpecAbsent('segments-api');

describe('customer.segment.entered and customer.segment.left activity data', () => {
  it('carries the customer and the segment as the official schema has them', async () => {
    const api = client(await t.createProject());
    const seg = await api.segment({ name: 'Gold members', type: 'auto-update', filter: tierIs('gold') });
    await syncAll();
    const c = await api.customer({ source_id: 'schema-1', name: 'Zoë', email: 'zoe@example.com', metadata: { tier: 'gold' } });
    await api.put('/v1/customers/schema-1', { metadata: { tier: 'silver' } });
    const activity = (await api.get('/v1/customers/schema-1/activity?order=created_at&limit=100')).json().data;
    const entered = activity.find((a: { type: string }) => a.type === 'customer.segment.entered');
    const left = activity.find((a: { type: string }) => a.type === 'customer.segment.left');
    expect(entered && left, JSON.stringify(activity.map((a: { type: string }) => a.type))).toBeTruthy();
    for (const a of [entered, left]) {
      expect(a.data.data.segment).toEqual({ id: seg.id, name: 'Gold members', object: 'segment' });
      expect(a.data.data.customer).toMatchObject({ id: c.id, source_id: 'schema-1', name: 'Zoë', object: 'customer' });
    }
    expect(entered.data.data.customer.metadata).toEqual({ tier: 'gold' });
    // The customer as they were when they left.
    expect(left.data.data.customer.metadata).toEqual({ tier: 'silver' });

    if (!specPresent) return;
    // The fair check of spec/README.md: null accepted where a type is given; required keys, types and enums count.
    const spec = loadSpec();
    for (const [name, a] of [['EventCustomerSegmentEnteredData', entered], ['EventCustomerSegmentLeftData', left]] as const) {
      const validate = spec.compile(name);
      expectValid(validate, a.data.data, name);
      // Not vacuous: the essentials are enforced.
      const broken = structuredClone(a.data.data);
      broken.segment.object = 'customer';
      expect(validate(broken)).toBe(false);
      expect(validate({ ...a.data.data, customer: { ...a.data.data.customer, object: 'segment' } })).toBe(false);
      expect(validate({ customer: a.data.data.customer })).toBe(false);
    }
  });
});

describe('GET /v1/segments narrowed', () => {
  it('by ids and filters[id|name|type]; other filters are 400', async () => {
    const p = await t.createProject();
    const c = client(p);
    const a = await c.segment({ name: 'Listed A', type: 'static', customers: [] });
    const b = await c.segment({ name: 'Listed B', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } });
    const d = await c.segment({ name: 'Listed C', type: 'static', customers: [] });
    const names = async (q: string) => {
      const res = await c.get(`/v1/segments?limit=100&${q}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data.map((s: any) => s.name).sort();
    };
    expect(await names(`ids=${a.id}&ids=${d.id}`)).toEqual(['Listed A', 'Listed C']);
    expect(await names(`filters[id][conditions][$is]=${b.id}`)).toEqual(['Listed B']);
    expect(await names('filters[name][conditions][$in][0]=Listed A&filters[name][conditions][$in][1]=Listed B')).toEqual(['Listed A', 'Listed B']);
    expect(await names('filters[type][conditions][$is_not]=static')).toEqual(['Listed B']);
    expect((await c.get('/v1/segments?filters[type][conditions][$is]=static&limit=1')).json().total).toBe(2);
    expect((await c.get('/v1/segments?filters[created_at][conditions][$after]=2020-01-01')).statusCode).toBe(400);
    expect((await c.get('/v1/segments?filters[name][conditions][$starts_with]=L')).statusCode).toBe(400);
  });
});

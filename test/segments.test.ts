import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const day = 86_400_000;

describe('segments kept up to date in real time', () => {
  const clock = fixedClock(new Date('2026-05-01T12:00:00Z'));
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: p.server });
  const activityTypes = async (c: string) =>
    (await get(`/v1/customers/${c}/activity?order=created_at&limit=100`)).json().data.map((a: { type: string }) => a.type);

  /** Lets the background computation of new segments finish, as the worker would. */
  const drainSync = async () => {
    while ((await t.tessera.services.segments.syncStep()) > 0);
  };

  beforeAll(async () => {
    t = await startTessera({ clock });
    p = await t.createProject();
    await defineSchema(t.app, p.id, 'review', { stars: { type: 'number', optional: true } });
  });
  afterAll(() => t.close());

  it("records each customer's segment entries with the group id of the request that caused them, also when requests share a transaction", async () => {
    const seg = (await post('/v1/segments', { name: 'Batched', type: 'auto-update', filter: { junction: 'and', 'metadata.batch': { conditions: { $is: ['yes'] } } } })).json();
    await drainSync();
    // Sent at once: group commit writes most of them in one transaction.
    const names = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
    const answers = await Promise.all(names.map((n) => post('/v1/events', { event: 'review', customer: { source_id: n, metadata: { batch: 'yes' } } })));
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    const groups = new Set<string>();
    for (const n of names) {
      const activity = (await get(`/v1/customers/${n}/activity?order=created_at&limit=100`)).json().data as Array<{ type: string; group_id: string; data: any }>;
      const entered = activity.filter((a) => a.type === 'customer.segment.entered' && a.data.data.segment.id === seg.id);
      expect(entered, n).toHaveLength(1);
      const own = activity.find((a) => a.type === 'customer.custom_event')!;
      expect(entered[0]!.group_id, n).toBe(own.group_id);
      groups.add(own.group_id);
    }
    expect(groups.size).toBe(names.length);
  });

  it('refuses a filter that cannot be evaluated, saying why', async () => {
    const bad = await post('/v1/segments', { name: 'x', type: 'auto-update', filter: { junction: 'xor', name: { conditions: { $is: 'a' } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ key: 'invalid_payload', details: 'Property .filter has wrong `junction` property. It must be one of: and, or' });
    const field = await post('/v1/segments', { name: 'x', type: 'passive', filter: { junction: 'and', shoe_size: { conditions: { $is: '9' } } } });
    expect(field.statusCode).toBe(400);
    expect(field.json().details).toContain("unknown field 'shoe_size'");
  });

  it('moves customers in and out of an auto-update segment as their metadata changes, recording both', async () => {
    const seg = (await post('/v1/segments', { name: 'Gold', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } } })).json();
    expect(seg).toMatchObject({ object: 'segment', type: 'auto-update', name: 'Gold' });
    await drainSync();
    await post('/v1/customers', { source_id: 'ann', metadata: { tier: 'gold' } });
    await post('/v1/customers', { source_id: 'bob', metadata: { tier: 'silver' } });
    expect((await get('/v1/customers/ann/segments')).json()).toMatchObject({ object: 'list', total: 1, data: [{ id: seg.id, name: 'Gold', object: 'segment' }] });
    expect((await get('/v1/customers/bob/segments')).json().total).toBe(0);
    expect((await get(`/v1/customers?segment_id=${seg.id}`)).json().customers.map((c: { source_id: string }) => c.source_id)).toEqual(['ann']);

    await t.app.inject({ method: 'PUT', url: '/v1/customers/ann', headers: p.server, payload: { metadata: { tier: 'silver' } } });
    expect((await get('/v1/customers/ann/segments')).json().total).toBe(0);
    const types = await activityTypes('ann');
    expect(types).toEqual(['customer.created', 'customer.segment.entered', 'customer.updated', 'customer.segment.left']);
    const entered = (await get('/v1/customers/ann/activity?type=customer.segment.entered')).json().data[0];
    expect(entered.data.data.segment).toEqual({ id: seg.id, name: 'Gold', object: 'segment' });
    expect(entered.data.data.customer).toMatchObject({ source_id: 'ann', object: 'customer' });
  });

  it('leaves a "2 reviews in the last 30 days" segment on the day the older review ages out', async () => {
    const seg = (
      await post('/v1/segments', {
        name: 'Reviewers',
        type: 'auto-update',
        filter: { junction: 'and', 'events.review.count': { conditions: { $more_than_equal: ['2'] }, timeframe: { last_days: 30 } } },
      })
    ).json();
    await drainSync();
    const start = clock.now().getTime();
    await post('/v1/events', { event: 'review', customer: { source_id: 'rita' }, metadata: { stars: 5 } });
    expect((await get('/v1/customers/rita/segments')).json().total).toBe(0);
    clock.set(new Date(start + 10 * day));
    await post('/v1/events', { event: 'review', customer: { source_id: 'rita' }, metadata: { stars: 4 } });
    expect((await get('/v1/customers/rita/segments')).json().data.map((s: { id: string }) => s.id)).toEqual([seg.id]);

    clock.set(new Date(start + 30 * day - 1000));
    await t.tessera.services.segments.runDueChecks();
    expect((await get('/v1/customers/rita/segments')).json().total).toBe(1);
    clock.set(new Date(start + 30 * day + 1));
    expect(await t.tessera.services.segments.runDueChecks()).toBeGreaterThan(0);
    expect((await get('/v1/customers/rita/segments')).json().total).toBe(0);
    expect((await activityTypes('rita')).filter((x: string) => x.startsWith('customer.segment'))).toEqual(['customer.segment.entered', 'customer.segment.left']);
  });

  it('computes a new filter segment among existing customers in the background, with progress', async () => {
    for (let i = 0; i < 5; i++) await post('/v1/customers', { source_id: `old-${i}`, metadata: { n: i } });
    const seg = (await post('/v1/segments', { name: 'Big n', type: 'passive', filter: { junction: 'and', 'metadata.n': { conditions: { $more_than: ['2'] } } } })).json();
    expect(seg.sync.status).toBe('IN_PROGRESS');
    while ((await t.tessera.services.segments.syncStep()) > 0) {
      const now = (await get(`/v1/segments/${seg.id}`)).json();
      if (now.sync.status === 'DONE') break;
    }
    const done = (await get(`/v1/segments/${seg.id}`)).json();
    expect(done.sync).toMatchObject({ status: 'DONE' });
    expect(done.sync.processed).toBe(done.sync.total);
    const members = (await get(`/v1/customers?segment_id=${seg.id}&limit=100`)).json().customers.map((c: { source_id: string }) => c.source_id).sort();
    expect(members).toEqual(['old-3', 'old-4']);
    // Passive: no segment events.
    expect((await activityTypes('old-4')).some((x: string) => x.startsWith('customer.segment'))).toBe(false);
  });

  it('keeps a static segment as listed, and refuses unknown customers', async () => {
    const bad = await post('/v1/segments', { name: 'S', type: 'static', customers: ['ann', 'nobody'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toContain('nobody');
    const seg = (await post('/v1/segments', { name: 'S', type: 'static', customers: ['ann', 'bob'] })).json();
    expect((await get(`/v1/customers?segment_id=${seg.id}`)).json().total).toBe(2);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/segments/${seg.id}`, headers: p.server });
    expect(del.statusCode).toBe(204);
    expect((await get(`/v1/segments/${seg.id}`)).statusCode).toBe(404);
    expect((await get('/v1/customers?segment_id=seg_nope')).statusCode).toBe(404);
  });
});

describe('the background computation of new filter segments', () => {
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const get = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: p.server })).json();
  const step = () => t.tessera.services.segments.syncStep();
  const passive = async (name: string, filter: object) => (await post('/v1/segments', { name, type: 'passive', filter: { junction: 'and', ...filter } })).json().id as string;
  const progress = async (id: string) => (await get(`/v1/segments/${id}`)).sync;

  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
  });
  afterAll(() => t.close());

  it('computes segments created together in the same steps, and one created later from its own start', async () => {
    // More customers than one step takes for a pair of segments (500).
    for (let i = 0; i < 600; i++) await post('/v1/customers', { source_id: `bulk-${i}`, metadata: { n: i } });
    const high = await passive('n >= 300', { 'metadata.n': { conditions: { $more_than_equal: [300] } } });
    const low = await passive('n < 100', { 'metadata.n': { conditions: { $less_than: [100] } } });

    // One step covers the same 500 customers for both.
    expect(await step()).toBe(500);
    expect(await progress(high)).toEqual({ status: 'IN_PROGRESS', processed: 500, total: 600 });
    expect(await progress(low)).toEqual({ status: 'IN_PROGRESS', processed: 500, total: 600 });

    // A segment created now starts from the first customer: it waits for the pair rather than join it midway.
    const mid = await passive('100 <= n < 300', { 'metadata.n': { conditions: { $more_than_equal: [100], $less_than: [300] } } });
    expect(await step()).toBe(100);
    expect(await progress(high)).toMatchObject({ status: 'DONE', processed: 600 });
    expect(await progress(low)).toMatchObject({ status: 'DONE', processed: 600 });
    expect(await progress(mid)).toMatchObject({ status: 'IN_PROGRESS', processed: 0 });
    while ((await step()) > 0);
    expect(await progress(mid)).toEqual({ status: 'DONE', processed: 600, total: 600 });

    for (const [id, n] of [[high, 300], [low, 100], [mid, 200]] as const) expect((await get(`/v1/customers?segment_id=${id}&limit=1`)).total, id).toBe(n);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

describe('a segment still being computed', () => {
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const segmentEvents = async (c: string) =>
    (await t.app.inject({ method: 'GET', url: `/v1/customers/${c}/activity?limit=100`, headers: p.server })).json().data
      .map((a: { type: string }) => a.type)
      .filter((x: string) => x.startsWith('customer.segment'));

  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
    await post('/v1/customers', { source_id: 'early', metadata: { vip: true } });
  });
  afterAll(() => t.close());

  it('records entered events for customers created meanwhile, none for those it computes, and all once it is done', async () => {
    const seg = (await post('/v1/segments', { name: 'VIP', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } })).json();
    expect(seg.sync.status).toBe('IN_PROGRESS');
    await post('/v1/customers', { source_id: 'during', metadata: { vip: true } });
    const members = async () => (await t.app.inject({ method: 'GET', url: `/v1/customers?segment_id=${seg.id}`, headers: p.server })).json().total;
    expect(await members()).toBe(1);
    // A customer created after the segment is no part of its first computation: it entered, as it would after it.
    expect(await segmentEvents('during')).toEqual(['customer.segment.entered']);

    while ((await t.tessera.services.segments.syncStep()) > 0) {
      if ((await t.app.inject({ method: 'GET', url: `/v1/segments/${seg.id}`, headers: p.server })).json().sync.status === 'DONE') break;
    }
    expect(await members()).toBe(2);
    expect(await segmentEvents('early')).toEqual([]);
    expect(await segmentEvents('during')).toEqual(['customer.segment.entered']);
    await post('/v1/customers', { source_id: 'after', metadata: { vip: true } });
    expect(await segmentEvents('after')).toEqual(['customer.segment.entered']);
  });

  it('records live changes made while it runs once each: customers it went past and new ones; never for its own computation', async () => {
    const q = await t.createProject();
    await defineSchema(t.app, q.id, 'signed_up', {});
    const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: q.server, ...(payload ? { payload } : {}) });
    const activity = async (c: string) =>
      (await call('GET', `/v1/customers/${c}/activity?limit=100`)).json().data.map((a: { type: string }) => a.type).filter((x: string) => x.startsWith('customer.segment'));
    for (const c of ['old-1', 'old-2', 'old-3', 'old-4']) expect((await call('POST', '/v1/customers', { source_id: c, metadata: { vip: c === 'old-4' } })).statusCode).toBe(200);
    const seg = (await call('POST', '/v1/segments', { name: 'VIP', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } })).json();
    expect(seg.sync).toEqual({ status: 'IN_PROGRESS', processed: 0, total: 4 });
    // A new customer qualified by a tracked event (the quickstart's step), and one made a member by a later update.
    expect((await call('POST', '/v1/events', { event: 'signed_up', customer: { source_id: 'new-1', metadata: { vip: true } } })).statusCode).toBe(200);
    expect((await call('POST', '/v1/customers', { source_id: 'new-2', metadata: { vip: false } })).statusCode).toBe(200);
    expect((await call('POST', '/v1/customers', { source_id: 'new-2', metadata: { vip: true } })).statusCode).toBe(200);
    // The computation goes past the first existing customer (in id order), which then qualifies.
    const cursorOf = async () => (await t.testDb.db.query<{ sync_cursor: string | null }>('SELECT sync_cursor FROM segments WHERE id = $1', [seg.id])).rows[0]!.sync_cursor;
    while ((await cursorOf()) === null) await t.tessera.services.segments.syncStep(1);
    const passedId = (await cursorOf())!;
    const ids = new Map<string, string>();
    for (const c of ['old-1', 'old-2', 'old-3', 'old-4']) ids.set(c, (await call('GET', `/v1/customers/${c}`)).json().id);
    const passed = [...ids].find(([, id]) => id === passedId)![0];
    expect((await call('POST', '/v1/customers', { source_id: passed, metadata: { vip: true } })).statusCode).toBe(200);
    expect(await activity(passed)).toEqual(passed === 'old-4' ? [] : ['customer.segment.entered']);
    expect(await activity('new-1')).toEqual(['customer.segment.entered']);
    expect(await activity('new-2')).toEqual(['customer.segment.entered']);

    for (let i = 0; i < 20 && (await call('GET', `/v1/segments/${seg.id}`)).json().sync.status !== 'DONE'; i++) await t.tessera.services.segments.syncStep(1);
    const done = (await call('GET', `/v1/segments/${seg.id}`)).json();
    expect(done.sync.status).toBe('DONE');
    expect(done.sync.processed).toBeLessThanOrEqual(done.sync.total);
    // Nothing recorded twice, nothing taken back, and what the computation itself placed recorded nothing.
    const members = (await call('GET', `/v1/customers?segment_id=${seg.id}&limit=100`)).json().customers.map((c: { source_id: string }) => c.source_id).sort();
    expect(members).toEqual([...new Set(['new-1', 'new-2', 'old-4', passed])].sort());
    expect(await activity('new-1')).toEqual(['customer.segment.entered']);
    expect(await activity('new-2')).toEqual(['customer.segment.entered']);
    expect(await activity(passed)).toEqual(passed === 'old-4' ? [] : ['customer.segment.entered']);
    for (const c of ['old-1', 'old-2', 'old-3', 'old-4'].filter((c) => c !== passed)) expect(await activity(c), c).toEqual([]);
  });
});

/**
 * A change is evaluated first against the project's segments as they were last listed, the current list being read
 * with the state: segments created, computed or deleted since must count all the same, from the next change on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

describe('segments created or deleted between two changes', () => {
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: p.server });
  const del = (url: string) => t.app.inject({ method: 'DELETE', url, headers: p.server });
  const segmentActivity = async (c: string) =>
    (await get(`/v1/customers/${c}/activity?order=created_at&limit=100`)).json().data
      .filter((a: { type: string }) => a.type.startsWith('customer.segment'))
      .map((a: { type: string; data: { data: { segment: { name: string } } } }) => `${a.type.slice('customer.segment.'.length)} ${a.data.data.segment.name}`);
  const segmentNames = async (c: string) => (await get(`/v1/customers/${c}/segments`)).json().data.map((s: { name: string }) => s.name).sort();
  const drainSync = async () => {
    while ((await t.tessera.services.segments.syncStep()) > 0);
  };
  const is = (field: string, value: unknown) => ({ junction: 'and', [field]: { conditions: { $is: [value] } } });

  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
  });
  afterAll(() => t.close());

  it('evaluates a change against a segment created after the last one, whatever the change reads', async () => {
    await post('/v1/segments', { name: 'Gold', type: 'auto-update', filter: is('metadata.tier', 'gold') });
    await drainSync();
    // The project's list is read (Gold only).
    await post('/v1/customers', { source_id: 'ann', metadata: { tier: 'silver', score: 1 } });
    expect(await segmentNames('ann')).toEqual([]);

    // A segment on a field no segment of the old list reads: the change alone names none to evaluate.
    await post('/v1/segments', { name: 'High score', type: 'auto-update', filter: is('metadata.score', 9) });
    await drainSync();
    await post('/v1/customers', { source_id: 'ann', metadata: { tier: 'silver', score: 9 } });
    expect(await segmentNames('ann')).toEqual(['High score']);
    expect(await segmentActivity('ann')).toEqual(['entered High score']);

    // A segment on a field the old list reads too: evaluated with the old list first, then again.
    await post('/v1/segments', { name: 'Bronze', type: 'auto-update', filter: is('metadata.tier', 'bronze') });
    await drainSync();
    await post('/v1/customers', { source_id: 'ann', metadata: { tier: 'bronze', score: 9 } });
    expect(await segmentNames('ann')).toEqual(['Bronze', 'High score']);
    expect(await segmentActivity('ann')).toEqual(['entered High score', 'entered Bronze']);
  });

  it("bumps the project's list version with every change to what the list holds, and only then", async () => {
    const q = await t.createProject();
    const call = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: q.server, ...(payload ? { payload } : {}) });
    const version = async () =>
      Number((await t.testDb.db.query<{ v: string }>('SELECT version::text AS v FROM segment_lists WHERE project_id = $1', [q.id])).rows[0]?.v ?? 0);
    expect(await version()).toBe(0);
    for (let i = 0; i < 3; i++) await call('POST', '/v1/customers', { source_id: `c${i}` });
    const passive = (await call('POST', '/v1/segments', { name: 'P', type: 'passive', filter: is('metadata.tier', 'gold') })).json();
    expect(await version()).toBe(1);
    // The background computation's progress is not part of the list; its end (sync status DONE) is.
    await t.testDb.db.query('UPDATE segments SET sync_processed = sync_processed + 1 WHERE id = $1', [passive.id]);
    expect(await version()).toBe(1);
    await drainSync();
    expect(await version()).toBe(2);
    // A new name is a new revision too (segment events carry the name).
    expect((await call('PUT', `/v1/segments/${passive.id}`, { name: 'P2' })).statusCode).toBe(200);
    expect(await version()).toBe(3);
    expect((await call('PUT', `/v1/segments/${passive.id}`, { filter: is('metadata.tier', 'silver') })).statusCode).toBe(200);
    expect(await version()).toBe(4);
    await drainSync();
    expect(await version()).toBe(5);
    expect((await call('DELETE', `/v1/segments/${passive.id}`)).statusCode).toBe(204);
    expect(await version()).toBe(6);
    // Deleting the project deletes its segments and its version with it.
    await call('POST', '/v1/segments', { name: 'A', type: 'auto-update', filter: is('metadata.tier', 'gold') });
    const res = await t.app.inject({ method: 'DELETE', url: `/management/v1/projects/${q.id}`, headers: managementHeaders });
    expect(res.statusCode, res.body).toBe(204);
    expect(await version()).toBe(0);
  });

  it('stops evaluating a segment deleted after the last change, and records nothing for it', async () => {
    const vip = (await post('/v1/segments', { name: 'VIP', type: 'auto-update', filter: is('metadata.vip', true) })).json();
    await drainSync();
    const num = (await t.testDb.db.query<{ num: number }>('SELECT num FROM segments WHERE id = $1', [vip.id])).rows[0]!.num;
    await post('/v1/customers', { source_id: 'bob', metadata: { vip: false } });
    expect(await segmentNames('bob')).toEqual([]);
    expect((await del(`/v1/segments/${vip.id}`)).statusCode).toBe(204);
    await post('/v1/customers', { source_id: 'bob', metadata: { vip: true } });
    expect(await segmentNames('bob')).toEqual([]);
    expect(await segmentActivity('bob')).toEqual([]);
    const { rows } = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_segments WHERE $1 = ANY (segments) OR $1 = ANY (left_segments)', [num]);
    expect(rows[0]!.n).toBe(0);
  });
});

/**
 * The segment entries and exits one change causes are stored together (one event-log row, see event-log/sql.ts) and
 * listed one by one: every record once, in order, with its own id, through filters and id-cursor pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2026-03-01T09:00:00Z'));
let t: TestTessera;
let p: TestProject;
const gold: string[] = [];
let silver: string;
let all: any[];

const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: p.server });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const send = async (method: 'POST' | 'PUT', url: string, payload: object) => {
  const res = await t.app.inject({ method, url, headers: p.server, payload });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const tier = (value: string) => ({ junction: 'and', 'metadata.tier': { conditions: { $is: [value] } } });

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
  for (const name of ['Gold A', 'Gold B', 'Gold C', 'Gold D']) gold.push((await send('POST', '/v1/segments', { name, type: 'auto-update', filter: tier('gold') })).id);
  silver = (await send('POST', '/v1/segments', { name: 'Silver', type: 'auto-update', filter: tier('silver') })).id;
  clock.set(new Date('2026-03-01T10:00:00Z'));
  await send('POST', '/v1/customers', { source_id: 'pam', metadata: { tier: 'gold' } });
  clock.set(new Date('2026-03-01T11:00:00Z'));
  await send('PUT', '/v1/customers/pam', { metadata: { tier: 'silver' } });
  all = (await get('/v1/customers/pam/activity?order=created_at&limit=100')).data;
});
afterAll(() => t.close());

describe('segment changes caused by one change', () => {
  it('are listed one by one, in order, each with its own id, segment and customer', () => {
    expect(all.map((a) => a.type).slice(0, 6)).toEqual(['customer.created', ...gold.map(() => 'customer.segment.entered'), 'customer.updated']);
    // The second change's records follow segment order: four exits and one entry.
    const second = all.slice(6).map((a) => `${a.type} ${a.data.data.segment.id}`);
    expect(second.sort()).toEqual([`customer.segment.entered ${silver}`, ...gold.map((id) => `customer.segment.left ${id}`)].sort());
    expect(new Set(all.slice(1, 5).map((a) => a.data.data.segment.id))).toEqual(new Set(gold));
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    for (const a of all.slice(1, 5)) {
      expect(a.data.data.customer).toMatchObject({ source_id: 'pam', metadata: { tier: 'gold' }, object: 'customer' });
      expect(a.created_at).toBe('2026-03-01T10:00:00.000Z');
      expect(a.group_id).toBe(all[0].group_id);
    }
    for (const a of all.slice(6)) {
      expect(a.data.data.customer).toMatchObject({ source_id: 'pam', metadata: { tier: 'silver' } });
      expect(a.group_id).toBe(all[5].group_id);
    }
  });

  it('are stored as one row per change, not one per segment', async () => {
    const { rows } = await t.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM event_log WHERE project_id = $1 AND type LIKE 'customer.segment.%'`,
      [p.id],
    );
    expect(rows[0]!.n).toBe(2);
  });

  it('keep each simple segment record as [id, entered|left, segment id, segment name]', async () => {
    const { rows } = await t.testDb.db.query<{ pack: unknown[] }>(
      `SELECT data -> '$pack' AS pack FROM event_log WHERE project_id = $1 AND data ? '$pack' ORDER BY seq LIMIT 1`,
      [p.id],
    );
    expect(rows[0]!.pack).toEqual(all.slice(1, 5).map((a) => [a.id, 'entered', a.data.data.segment.id, a.data.data.segment.name]));
  });

  it('read packs stored with object members (as written before the compact form) the same way', async () => {
    const q = await t.createProject();
    const customer = (await t.app.inject({ method: 'POST', url: '/v1/customers', headers: q.server, payload: { source_id: 'old' } })).json();
    const at = '2026-03-01T12:00:00.000Z';
    const hex = Date.parse(at).toString(16).padStart(12, '0');
    const ids = [`evcus_${hex}00000001`, `evcus_${hex}00000002`];
    const member = (id: string, type: string, seg: string) => ({ id, type, entity_id: seg, data: { segment: { id: seg, name: `Seg ${seg}`, object: 'segment' } } });
    await t.testDb.db.query(
      `INSERT INTO event_log (id, project_id, type, customer_id, entity_id, data, event_source, group_id, created_at)
       VALUES ($1, $2, 'customer.segment.entered', $3, 'seg_1', $4::jsonb, '{"channel": "INTERNAL"}', 'g-old', $5)`,
      [ids[0], q.id, customer.id, JSON.stringify({ customer: { id: customer.id, object: 'customer' }, $pack: [member(ids[0]!, 'customer.segment.entered', 'seg_1'), member(ids[1]!, 'customer.segment.left', 'seg_2')] }), at],
    );
    const listed = (await t.app.inject({ method: 'GET', url: '/v1/customers/old/activity?type=customer.segment.left', headers: q.server })).json().data;
    expect(listed.map((a: any) => [a.id, a.type, a.data.data.segment, a.data.data.customer.id])).toEqual([
      [ids[1], 'customer.segment.left', { id: 'seg_2', name: 'Seg seg_2', object: 'segment' }, customer.id],
    ]);
    const after = (await t.app.inject({ method: 'GET', url: `/v1/customers/old/activity?order=created_at&starting_after_id=${ids[0]}`, headers: q.server })).json().data;
    expect(after.map((a: any) => a.id)).toEqual([ids[1]]);
  });

  it.each([1, 2, 3, 4])('are each walked once with pages of %i, oldest first and newest first', async (limit) => {
    for (const order of ['created_at', '-created_at']) {
      const ids: string[] = [];
      let cursor = '';
      for (let guard = 0; guard < 20; guard++) {
        const body = await get(`/v1/customers/pam/activity?order=${order}&limit=${limit}${cursor}`);
        ids.push(...body.data.map((a: { id: string }) => a.id));
        if (!body.has_more) break;
        cursor = `&starting_after_id=${body.more_starting_after}`;
      }
      const expected = all.map((a) => a.id);
      expect(ids).toEqual(order === 'created_at' ? expected : [...expected].reverse());
    }
  });

  it('continue after any one of them, also from the middle of a change', async () => {
    for (let i = 0; i < all.length; i++) {
      const after = (await get(`/v1/customers/pam/activity?order=created_at&limit=100&starting_after_id=${all[i].id}`)).data;
      expect(after.map((a: { id: string }) => a.id)).toEqual(all.slice(i + 1).map((a) => a.id));
    }
  });

  it('filter by type and category', async () => {
    const left = (await get('/v1/customers/pam/activity?type=customer.segment.left&order=created_at')).data;
    expect(left.map((a: { id: string }) => a.id)).toEqual(all.filter((a) => a.type === 'customer.segment.left').map((a) => a.id));
    expect(left).toHaveLength(4);
    const effects = (await get('/v1/customers/pam/activity?category=EFFECT&order=created_at&limit=100')).data;
    expect(effects.map((a: { id: string }) => a.id)).toEqual(all.filter((a) => a.type.startsWith('customer.segment.')).map((a) => a.id));
    const afterFirstLeft = (await get(`/v1/customers/pam/activity?type=customer.segment.left&order=created_at&starting_after_id=${left[0].id}`)).data;
    expect(afterFirstLeft.map((a: { id: string }) => a.id)).toEqual(left.slice(1).map((a: { id: string }) => a.id));
  });

  it('answer 404 for an id of their shape that is not one of them', async () => {
    const id: string = all[3].id;
    const other = id.slice(0, -8) + (parseInt(id.slice(-8), 16) ^ 0xffff).toString(16).padStart(8, '0');
    const res = await t.app.inject({ method: 'GET', url: `/v1/customers/pam/activity?starting_after_id=${other}`, headers: p.server });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_id: other });
  });

  it('answer 404, not 500, for an id of their shape carrying a time no id has (past the year 9999)', async () => {
    const far = 'evcus_ffffffffffff00000000';
    const res = await t.app.inject({ method: 'GET', url: `/v1/customers/pam/activity?starting_after_id=${far}`, headers: p.server });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_id: far });
  });
});

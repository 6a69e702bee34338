/**
 * How memberships are stored (one row per customer, migration 0012): the times a customer entered and left each
 * segment are kept across changes, static segments join the rows of customers already in other segments, and
 * deleting a segment sweeps only its number out of its former members' rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { applyChanges, emptyMemberRow, encodeMemberRow, holdsAny, isIn, parseMemberRow, withoutSegments } from '../src/modules/segments/member-rows.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

describe('a membership row', () => {
  it('enters and leaves segments, keeping when each happened, in segment order', () => {
    const a = applyChanges(emptyMemberRow(), [7, 3], [], '1000');
    expect(encodeMemberRow(a)).toEqual(['3,7', '1000,1000', '', '']);
    expect([isIn(a, 3), isIn(a, 5)]).toEqual([true, false]);
    const b = applyChanges(a, [5], [7, 9], '2000');
    // Leaving a segment it is not in changes nothing.
    expect(encodeMemberRow(b)).toEqual(['3,5', '1000,2000', '7', '2000']);
    // Entering again forgets the exit and takes the new time.
    const c = applyChanges(b, [7], [3], '3000');
    expect(encodeMemberRow(c)).toEqual(['5,7', '2000,3000', '3', '3000']);
    expect(encodeMemberRow(a)).toEqual(['3,7', '1000,1000', '', '']);
  });

  it('reads back what it wrote, and drops swept numbers from both lists', () => {
    const row = applyChanges(applyChanges(emptyMemberRow(), [1, 2, 3], [], '10'), [], [2], '20');
    const text = encodeMemberRow(row).join('|');
    expect(parseMemberRow(text)).toEqual(row);
    expect(parseMemberRow('|||')).toEqual(emptyMemberRow());
    expect(encodeMemberRow(withoutSegments(row, new Set([2, 3])))).toEqual(['1', '10', '', '']);
    expect([holdsAny(row, new Set([2])), holdsAny(row, new Set([3])), holdsAny(row, new Set([4]))]).toEqual([true, true, false]);
  });
});

describe('stored memberships', () => {
  const clock = fixedClock(new Date('2026-04-01T09:00:00.000Z'));
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const put = (url: string, payload: object) => t.app.inject({ method: 'PUT', url, headers: p.server, payload });
  const tierIs = (tier: string) => ({ junction: 'and', 'metadata.tier': { conditions: { $is: [tier] } } });
  const segment = async (body: object): Promise<{ id: string }> => {
    const res = await post('/v1/segments', body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const numOf = async (id: string) => (await t.testDb.db.query<{ num: number }>('SELECT num FROM segments WHERE id = $1', [id])).rows[0]!.num;
  /** A customer's stored row: segment number -> entered (ms), and segment number -> left (ms). */
  async function stored(sourceId: string): Promise<{ in: Record<number, number>; left: Record<number, number> }> {
    const { rows } = await t.testDb.db.query<{ segments: number[]; entered: string[]; left_segments: number[]; left: string[] }>(
      `SELECT m.segments, m.entered_ms::text[] AS entered, m.left_segments, m.left_ms::text[] AS left
         FROM customer_segments m JOIN customers c ON c.id = m.customer_id WHERE c.project_id = $1 AND c.source_id = $2`,
      [p.id, sourceId],
    );
    const r = rows[0];
    if (!r) return { in: {}, left: {} };
    return {
      in: Object.fromEntries(r.segments.map((n, i) => [n, Number(r.entered[i])])),
      left: Object.fromEntries(r.left_segments.map((n, i) => [n, Number(r.left[i])])),
    };
  }
  const at = (iso: string) => {
    clock.set(new Date(iso));
    return Date.parse(iso);
  };

  beforeAll(async () => {
    t = await startTessera({ clock });
    p = await t.createProject();
  });
  afterAll(() => t.close());

  it('keep the time a customer entered each segment and the time it left', async () => {
    const gold = await numOf((await segment({ name: 'Gold', type: 'auto-update', filter: tierIs('gold') })).id);
    const named = await numOf((await segment({ name: 'Named', type: 'passive', filter: { junction: 'and', name: { conditions: { $has_value: '' } } } })).id);
    const t1 = at('2026-04-01T10:00:00.001Z');
    await post('/v1/customers', { source_id: 'ann', name: 'Ann', metadata: { tier: 'gold' } });
    expect(await stored('ann')).toEqual({ in: { [gold]: t1, [named]: t1 }, left: {} });
    const t2 = at('2026-04-02T10:00:00.002Z');
    await put('/v1/customers/ann', { metadata: { tier: 'silver' } });
    expect(await stored('ann')).toEqual({ in: { [named]: t1 }, left: { [gold]: t2 } });
    const t3 = at('2026-04-03T10:00:00.003Z');
    await put('/v1/customers/ann', { metadata: { tier: 'gold' } });
    expect(await stored('ann')).toEqual({ in: { [gold]: t3, [named]: t1 }, left: {} });
  });

  it('add a static segment to the rows of customers already in other segments', async () => {
    const before = await stored('ann');
    const t4 = at('2026-04-04T10:00:00.000Z');
    await post('/v1/customers', { source_id: 'bob' });
    const fixed = await segment({ name: 'Fixed', type: 'static', customers: ['ann', 'bob'] });
    const n = await numOf(fixed.id);
    expect(await stored('ann')).toEqual({ in: { ...before.in, [n]: t4 }, left: {} });
    expect((await stored('bob')).in[n]).toBe(t4);
  });

  it('lose only the deleted segment when it is swept out, and nothing is swept twice', async () => {
    const silver = await segment({ name: 'Silver', type: 'auto-update', filter: tierIs('silver') });
    const s = await numOf(silver.id);
    at('2026-04-05T10:00:00.000Z');
    await post('/v1/customers', { source_id: 'cyd', name: 'Cyd', metadata: { tier: 'silver' } });
    await put('/v1/customers/ann', { metadata: { tier: 'silver' } });
    await put('/v1/customers/ann', { metadata: { tier: 'gold' } });
    const ann = await stored('ann');
    const cyd = await stored('cyd');
    expect(cyd.in[s]).toBeDefined();
    expect(ann.left[s]).toBeDefined();
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/segments/${silver.id}`, headers: p.server })).statusCode).toBe(204);
    while ((await t.tessera.services.segments.sweepStep()) > 0);
    const drop = (m: Record<number, number>) => Object.fromEntries(Object.entries(m).filter(([k]) => Number(k) !== s));
    expect(await stored('ann')).toEqual({ in: drop(ann.in), left: drop(ann.left) });
    expect(await stored('cyd')).toEqual({ in: drop(cyd.in), left: {} });
    expect(await t.tessera.services.segments.sweepStep()).toBe(0);
  });
});

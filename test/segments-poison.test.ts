/**
 * No segment definition can poison a project: operands that would give times outside 0001..9999 are refused when
 * saved (400 naming the field and operand); the worst filters that are accepted, and a broken one stored before
 * these checks existed, leave every write of the project working, and another project's segments computed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { maxRelativeDays } from '../src/modules/segments/filter/index.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2026-02-02T10:00:00.000Z'));
let t: TestTessera;

beforeAll(async () => {
  t = await startTessera({ clock });
});
afterAll(() => t.close());

const call = (p: TestProject, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });

const filterOn = (field: string, conditions: Record<string, unknown>) => ({ [field]: { conditions } });

async function drainBackground(): Promise<void> {
  const s = t.tessera.services.segments;
  for (let i = 0; i < 200; i++) {
    const n = (await s.syncStep()) + (await s.runDueChecks()) + (await s.sweepStep());
    if (n === 0) return;
  }
  throw new Error('background segment work did not settle');
}

/** Writes that every project must keep accepting: a customer, an update, an event, a deletion. */
async function writeEverything(p: TestProject, tag: string): Promise<void> {
  const created = await call(p, 'POST', '/v1/customers', {
    source_id: `${tag}-1`,
    birthdate: '1990-05-01',
    metadata: { due: '9999-12-31T23:59:59.999Z', old: '0001-01-01', n: 1e300, when: '+275760-09-13T00:00:00.000Z', obj: { toString: 1, valueOf: 'x' } },
  });
  expect(created.statusCode, created.body).toBe(200);
  const updated = await call(p, 'PUT', `/v1/customers/${tag}-1`, { name: 'Renamed', metadata: { due: '0001-01-01T00:00:00Z' } });
  expect(updated.statusCode, updated.body).toBe(200);
  const tracked = await call(p, 'POST', '/v1/events', { event: 'visit', customer: { source_id: `${tag}-2`, birthdate: '9999-12-31' } });
  expect(tracked.statusCode, tracked.body).toBe(200);
  const again = await call(p, 'POST', '/v1/events', { event: 'visit', customer: { source_id: `${tag}-1` } });
  expect(again.statusCode, again.body).toBe(200);
  const removed = await call(p, 'DELETE', `/v1/customers/${tag}-2`);
  expect(removed.statusCode, removed.body).toBe(204);
}

describe('filters whose operands leave the storable time range are refused when saved', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await t.createProject();
  });

  const relative = ['$less_than_ago', '$more_than_ago', '$is_days_ago', '$more_than_future', '$less_than_future', '$is_days_in_future'];
  const ordered = ['$more_than', '$less_than', '$more_than_equal', '$less_than_equal'];
  const dateFields = ['created_at', 'birthdate', 'metadata.due', 'events.visit.last_occurred'];
  const cases: Array<[string, string, unknown]> = [];
  for (const field of dateFields) {
    for (const op of relative) cases.push([field, op, 100_000_000], [field, op, -1e8], [field, op, 1e300]);
    // On metadata the ordered comparisons compare numbers, so only the date fields bound them.
    if (!field.startsWith('metadata.')) for (const op of ordered) cases.push([field, op, 99_999_999], [field, op, 1e300]);
  }

  it.each(cases)('%s %s %s answers 400 naming the field and operand', async (field, op, value) => {
    const res = await call(p, 'POST', '/v1/segments', { name: 's', type: 'passive', filter: filterOn(field, { [op]: value }) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(res.json().details).toContain(`.filter.${field}.conditions.${op}`);
    expect(res.json().details).toContain(String(value));
  });

  it.each([
    ['created_at', '$after', '0000-01-01'],
    ['created_at', '$before', '+275760-09-13T00:00:00.000Z'],
    ['birthdate', '$is', '10000-01-01'],
    ['metadata.due', '$after', '-000001-01-01T00:00:00Z'],
    ['created_at', '$is_year', 0],
    ['created_at', '$is_year', 10_000],
    ['birthdate', '$is_month', 13],
    ['birthdate', '$is_day', 8],
    ['birthdate', '$is_day_of_month', 32],
  ])('%s %s %s answers 400', async (field, op, value) => {
    const res = await call(p, 'POST', '/v1/segments', { name: 's', type: 'auto-update', filter: filterOn(field, { [op]: value }) });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().details).toContain(`.filter.${field}.conditions.${op}`);
  });

  it('refuses the same operands when a passive segment is changed with PUT, and keeps the old filter', async () => {
    const created = await call(p, 'POST', '/v1/segments', { name: 'ok', type: 'passive', filter: filterOn('created_at', { $less_than_ago: 30 }) });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().id;
    const res = await call(p, 'PUT', `/v1/segments/${id}`, { filter: filterOn('created_at', { $less_than_ago: 100_000_000 }) });
    expect(res.statusCode, res.body).toBe(400);
    expect((await call(p, 'GET', `/v1/segments/${id}`)).json().filter).toEqual(filterOn('created_at', { $less_than_ago: 30 }));
  });

  it('says which kinds count toward the 100-segment limit', async () => {
    const q = await t.createProject();
    const { rows } = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM segments');
    expect(rows[0]!.n).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 100; i++) {
      const res = await call(q, 'POST', '/v1/segments', { name: `s${i}`, type: 'passive', filter: filterOn('name', { $is: `n${i}` }) });
      expect(res.statusCode, res.body).toBe(200);
    }
    const over = await call(q, 'POST', '/v1/segments', { name: 'one too many', type: 'auto-update', filter: filterOn('name', { $is: 'x' }) });
    expect(over.statusCode).toBe(400);
    expect(over.json().details).toContain('auto-update and passive segments');
  });
});

describe('the worst accepted filters never fail a write', () => {
  it('keeps customers, updates, events and deletions working with filters at every bound, and computes them', async () => {
    const p = await t.createProject();
    await defineSchema(t.app, p.id, 'visit', {});
    const n = maxRelativeDays;
    const worst: Array<Record<string, unknown>> = [];
    for (const field of ['created_at', 'updated_at', 'birthdate', 'metadata.due', 'metadata.when', 'metadata.old', 'events.visit.last_occurred']) {
      for (const op of ['$less_than_ago', '$more_than_ago', '$is_days_ago', '$more_than_future', '$less_than_future', '$is_days_in_future']) {
        worst.push(filterOn(field, { [op]: n }), filterOn(field, { [op]: -n }));
      }
      worst.push(filterOn(field, { $after: '0001-01-01', $before: '9999-12-31T23:59:59.999Z' }));
      worst.push(filterOn(field, { $is_year: 9999, $this_week: '' }));
    }
    worst.push(filterOn('events.visit.count', { $more_than: 1e300 }));
    worst.push({ 'events.visit.count': { conditions: { $less_than: 2 }, timeframe: { last_days: 3650 } } });
    worst.push(filterOn('metadata.n', { $more_than: -1e300, $in: [1e300, '1e300', '', 'x'] }));
    // Metadata objects whose toString is not a function: compared as their JSON.
    worst.push(filterOn('metadata.obj', { $is_not: 'y' }), filterOn('metadata.obj', { $contains: 'x' }), filterOn('metadata.obj', { $is: 0 }));
    // 100 segments at most per project: the worst ones, mixed auto-update and passive.
    const picked = [...worst.slice(-8), ...worst.slice(0, 92)];
    for (const [i, filter] of picked.entries()) {
      const res = await call(p, 'POST', '/v1/segments', { name: `worst ${i}`, type: i % 2 ? 'passive' : 'auto-update', filter });
      expect(res.statusCode, `${JSON.stringify(filter)}: ${res.body}`).toBe(200);
    }
    await writeEverything(p, 'w');
    await drainBackground();
    // Time passes a long way: due re-checks and relative windows at their extremes.
    clock.advance(400 * 86_400_000);
    await drainBackground();
    await writeEverything(p, 'w2');
    await drainBackground();
    const segs = await call(p, 'GET', '/v1/segments?limit=100');
    expect(segs.statusCode).toBe(200);
    // Every filter segment finished its background computation.
    const { rows } = await t.testDb.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM segments WHERE project_id = $1 AND sync_status <> 'DONE'",
      [p.id],
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('a broken filter stored before these checks', () => {
  it('is skipped: writes of its project succeed, its other segments work, and another project is computed meanwhile', async () => {
    const p = await t.createProject();
    const q = await t.createProject();
    await defineSchema(t.app, p.id, 'visit', {});
    await defineSchema(t.app, q.id, 'visit', {});
    // Customers first, so that the new segments have a background computation to run.
    for (const [project, tag] of [[p, 'bp'], [q, 'bq']] as const) {
      for (let i = 0; i < 3; i++) expect((await call(project, 'POST', '/v1/customers', { source_id: `${tag}-${i}`, name: 'Ann' })).statusCode).toBe(200);
    }
    const bad = await call(p, 'POST', '/v1/segments', { name: 'bad', type: 'auto-update', filter: filterOn('created_at', { $less_than_ago: 30 }) });
    expect(bad.statusCode, bad.body).toBe(200);
    // What an older version accepted: an operand that overflows every date.
    await t.testDb.db.query(`UPDATE segments SET filter = $1::jsonb, revision = revision + 1 WHERE id = $2`, [
      JSON.stringify(filterOn('created_at', { $less_than_ago: 1e300 })),
      bad.json().id,
    ]);
    const good = await call(p, 'POST', '/v1/segments', { name: 'good', type: 'auto-update', filter: filterOn('name', { $is: 'Ann' }) });
    const other = await call(q, 'POST', '/v1/segments', { name: 'other', type: 'auto-update', filter: filterOn('name', { $is: 'Ann' }) });
    expect(good.statusCode).toBe(200);
    expect(other.statusCode).toBe(200);
    await drainBackground();
    const members = async (project: TestProject, id: string) =>
      (await call(project, 'GET', `/v1/customers?segment_id=${id}&limit=100`)).json().customers.map((c: { source_id: string }) => c.source_id).sort();
    expect(await members(q, other.json().id)).toEqual(['bq-0', 'bq-1', 'bq-2']);
    expect(await members(p, good.json().id)).toEqual(['bp-0', 'bp-1', 'bp-2']);
    await writeEverything(p, 'b');
    const ann = await call(p, 'POST', '/v1/customers', { source_id: 'bp-new', name: 'Ann' });
    expect(ann.statusCode, ann.body).toBe(200);
    expect(await members(p, good.json().id)).toContain('bp-new');
    expect(await members(p, bad.json().id)).toEqual([]);
    // Deleting it works, and the project goes on.
    expect((await call(p, 'DELETE', `/v1/segments/${bad.json().id}`)).statusCode).toBe(204);
    await writeEverything(p, 'b2');
  });
});

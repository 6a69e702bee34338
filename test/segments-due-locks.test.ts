import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { driver } from './helpers/db.js';

const day = 86_400_000;

// A second connection holding a customer's row needs a server: PGlite runs one transaction at a time.
describe.runIf(driver === 'postgres')('time-based re-checks and concurrent changes', () => {
  const clock = fixedClock(new Date('2026-05-01T12:00:00Z'));
  let t: TestTessera;
  let p: TestProject;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
  const segmentsOf = async (c: string) => (await t.app.inject({ method: 'GET', url: `/v1/customers/${c}/segments`, headers: p.server })).json().total;

  beforeAll(async () => {
    t = await startTessera({ clock });
    p = await t.createProject();
    await defineSchema(t.app, p.id, 'review', {});
  });
  afterAll(() => t.close());

  it('leaves a customer whose row a change holds for the next round instead of waiting, then re-checks it', async () => {
    await post('/v1/segments', {
      name: 'Reviewers',
      type: 'auto-update',
      filter: { junction: 'and', 'events.review.count': { conditions: { $more_than_equal: [2] }, timeframe: { last_days: 30 } } },
    });
    while ((await t.tessera.services.segments.syncStep()) > 0);
    await post('/v1/events', { event: 'review', customer: { source_id: 'lena' } });
    await post('/v1/events', { event: 'review', customer: { source_id: 'lena' } });
    expect(await segmentsOf('lena')).toBe(1);
    clock.set(new Date(clock.now().getTime() + 31 * day));

    const other = new pg.Client({ connectionString: t.testDb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("SELECT id FROM customers WHERE source_id = 'lena' FOR UPDATE");
      // Held by another transaction: the round neither waits nor loses the check.
      expect(await t.tessera.services.segments.runDueChecks()).toBe(1);
      expect(await segmentsOf('lena')).toBe(1);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    expect(await t.tessera.services.segments.runDueChecks()).toBe(1);
    expect(await segmentsOf('lena')).toBe(0);
    expect(await t.tessera.services.segments.runDueChecks()).toBe(0);
  });
});

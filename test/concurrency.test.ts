import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tessera } from '../src/compose.js';
import { defineSchema, startSecondInstance, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { driver } from './helpers/db.js';

interface Activity {
  type: string;
  data: { data: { event?: { metadata: { n: number } } } };
}

async function activityOf(t: { app: TestTessera['app'] }, p: TestProject, key: string, type: string): Promise<Activity[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/customers/${encodeURIComponent(key)}/activity?limit=100&type=${type}`, headers: p.server });
  expect(res.statusCode).toBe(200);
  expect(res.json().has_more).toBe(false);
  return res.json().data;
}

async function countCustomers(t: { app: TestTessera['app'] }, p: TestProject): Promise<number> {
  const res = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server });
  return res.json().total;
}

describe('concurrent writes', () => {
  let t: TestTessera;
  let p: TestProject;
  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
    await defineSchema(t.app, p.id, 'tick', { n: { type: 'number', optional: false } });
  });
  afterAll(() => t.close());

  it('50 events at once for one new source_id make exactly one customer and keep every event', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: p.server,
          payload: { event: 'tick', customer: { source_id: 'racer', name: 'Racer' }, metadata: { n } },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    const ids = new Set(results.map((r) => r.json().customer.id));
    expect(ids.size).toBe(1);

    expect(await countCustomers(t, p)).toBe(1);
    const events = await activityOf(t, p, 'racer', 'customer.custom_event');
    expect(events).toHaveLength(50);
    expect(events.map((e) => e.data.data.event!.metadata.n).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(await activityOf(t, p, 'racer', 'customer.created')).toHaveLength(1);
    // Every request sent the same attributes: nothing changed after the creation.
    expect(await activityOf(t, p, 'racer', 'customer.updated')).toHaveLength(0);
  });

  it('concurrent POST /v1/customers with one source_id upsert a single customer', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'twin', metadata: { n } } }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    const list = await t.app.inject({ method: 'GET', url: '/v1/customers?limit=100', headers: p.server });
    expect(list.json().customers.filter((c: { source_id: string }) => c.source_id === 'twin')).toHaveLength(1);
    expect(await activityOf(t, p, 'twin', 'customer.created')).toHaveLength(1);
    // Every later request changed the metadata: 29 updates, none lost, and the stored value is one of those sent.
    expect(await activityOf(t, p, 'twin', 'customer.updated')).toHaveLength(29);
    const final = (await t.app.inject({ method: 'GET', url: '/v1/customers/twin', headers: p.server })).json();
    expect(Array.from({ length: 30 }, (_, n) => n)).toContain(final.metadata.n);
  });

  it('concurrent events for many different source_ids create one customer each', async () => {
    const before = await countCustomers(t, p);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: p.server,
          payload: { event: 'tick', customer: { source_id: `many-${n % 20}` }, metadata: { n } },
        }),
      ),
    );
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(await countCustomers(t, p)).toBe(before + 20);
    for (const key of ['many-0', 'many-19']) {
      expect(await activityOf(t, p, key, 'customer.custom_event')).toHaveLength(2);
      expect(await activityOf(t, p, key, 'customer.created')).toHaveLength(1);
    }
  });

  it('concurrent updates and a delete of one customer leave a consistent end state', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'doomed' } });
    expect(created.statusCode).toBe(200);
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, n) =>
        t.app.inject({ method: 'PUT', url: '/v1/customers/doomed', headers: p.server, payload: { name: `n${n}` } }),
      ),
      t.app.inject({ method: 'DELETE', url: '/v1/customers/doomed', headers: p.server }),
    ]);
    // Each PUT either ran before the delete (200) or found nothing (404); none failed otherwise.
    expect(results.slice(0, 10).every((r) => r.statusCode === 200 || r.statusCode === 404)).toBe(true);
    expect(results[10]!.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers/doomed', headers: p.server })).statusCode).toBe(404);
  });
});

/** Two Tessera processes on one PostgreSQL database, as in a deployment with several instances. */
describe.skipIf(driver !== 'postgres')('two instances on one PostgreSQL database', () => {
  let t: TestTessera;
  let other: Tessera;
  let p: TestProject;
  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject();
    await defineSchema(t.app, p.id, 'tick', { n: { type: 'number', optional: false } });
    other = await startSecondInstance(t);
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('race to create one customer from both instances and make exactly one', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        (n % 2 === 0 ? t.app : other.app).inject({
          method: 'POST',
          url: '/v1/events',
          headers: p.server,
          payload: { event: 'tick', customer: { source_id: 'shared-racer' }, metadata: { n } },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
    expect(new Set(results.map((r) => r.json().customer.id)).size).toBe(1);
    expect(await countCustomers(t, p)).toBe(1);
    expect(await activityOf(t, p, 'shared-racer', 'customer.custom_event')).toHaveLength(40);
    expect(await activityOf({ app: other.app }, p, 'shared-racer', 'customer.created')).toHaveLength(1);
  });
});

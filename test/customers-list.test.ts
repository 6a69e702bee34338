/** GET /v1/customers: filters, the six orders, page/limit/total/has_more and the starting_after cursor. */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2024-04-01T10:00:00.000Z'));
let t: TestTessera;
let p: TestProject;

/** Creation order differs from both the alphabetical and the update order, so every order is told apart. */
const created: Record<string, string> = {
  charlie: '2024-04-01T10:00:00.000Z',
  alpha: '2024-04-01T10:01:00.000Z',
  echo: '2024-04-01T10:02:00.000Z',
  bravo: '2024-04-01T10:03:00.000Z',
  delta: '2024-04-01T10:04:00.000Z',
};
const updated: Record<string, string> = {
  bravo: '2024-04-02T08:00:00.000Z',
  echo: '2024-04-02T08:01:00.000Z',
  alpha: '2024-04-02T08:02:00.000Z',
  delta: '2024-04-02T08:03:00.000Z',
  charlie: '2024-04-02T08:04:00.000Z',
};
const cities: Record<string, string> = { charlie: 'Warsaw', alpha: 'Warsaw', echo: 'Berlin', bravo: 'Lisbon', delta: 'Berlin' };

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
  for (const [name, at] of Object.entries(created)) {
    clock.set(new Date(at));
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: p.server,
      payload: { source_id: name, name: name.toUpperCase(), email: `${name}@example.com`, address: { city: cities[name] } },
    });
    if (res.statusCode !== 200) throw new Error(res.body);
  }
  for (const [name, at] of Object.entries(updated)) {
    clock.set(new Date(at));
    const res = await t.app.inject({ method: 'PUT', url: `/v1/customers/${name}`, headers: p.server, payload: { metadata: { n: at } } });
    if (res.statusCode !== 200) throw new Error(res.body);
  }
});
afterAll(() => t.close());

const list = (query: string, project: TestProject = p): Promise<LightMyRequestResponse> =>
  t.app.inject({ method: 'GET', url: `/v1/customers${query}`, headers: project.server });

async function sourceIds(query: string): Promise<string[]> {
  const res = await list(query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().customers.map((c: { source_id: string }) => c.source_id);
}

const at = (iso: string) => encodeURIComponent(iso);

describe('GET /v1/customers', () => {
  it('answers the customers list envelope, newest first by default', async () => {
    const res = await list('');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ object: 'list', data_ref: 'customers', total: 5, has_more: false });
    expect(body.customers.map((c: { source_id: string }) => c.source_id)).toEqual(['delta', 'bravo', 'echo', 'alpha', 'charlie']);
    expect(body.customers[0]).toMatchObject({ object: 'customer', created_at: created.delta, updated_at: updated.delta });
  });

  it.each([
    ['created_at', ['charlie', 'alpha', 'echo', 'bravo', 'delta']],
    ['-created_at', ['delta', 'bravo', 'echo', 'alpha', 'charlie']],
    ['updated_at', ['bravo', 'echo', 'alpha', 'delta', 'charlie']],
    ['-updated_at', ['charlie', 'delta', 'alpha', 'echo', 'bravo']],
    ['source_id', ['alpha', 'bravo', 'charlie', 'delta', 'echo']],
    ['-source_id', ['echo', 'delta', 'charlie', 'bravo', 'alpha']],
  ])('orders by %s', async (order, expected) => {
    expect(await sourceIds(`?order=${order}`)).toEqual(expected);
  });

  it('filters by email, ignoring case', async () => {
    expect(await sourceIds('?email=echo@example.com')).toEqual(['echo']);
    expect(await sourceIds('?email=ECHO@Example.com')).toEqual(['echo']);
    expect(await sourceIds('?email=nobody@example.com')).toEqual([]);
  });

  it('filters by name and by city, and counts only the matches in total', async () => {
    expect(await sourceIds('?name=BRAVO')).toEqual(['bravo']);
    const res = await list('?city=Warsaw&order=source_id');
    expect(res.json().customers.map((c: { source_id: string }) => c.source_id)).toEqual(['alpha', 'charlie']);
    expect(res.json().total).toBe(2);
    expect(await sourceIds('?city=Berlin&name=DELTA')).toEqual(['delta']);
  });

  it('filters by created_at[before] and created_at[after], both exclusive', async () => {
    expect(await sourceIds(`?order=created_at&created_at[after]=${at(created.alpha!)}&created_at[before]=${at(created.delta!)}`)).toEqual([
      'echo',
      'bravo',
    ]);
    expect(await sourceIds(`?order=created_at&created_at[before]=${at(created.echo!)}`)).toEqual(['charlie', 'alpha']);
    expect(await sourceIds('?created_at[after]=2024-04-01')).toHaveLength(5);
    expect(await sourceIds('?created_at[after]=2024-04-02')).toEqual([]);
  });

  it('filters by updated_at[before] and updated_at[after]', async () => {
    expect(await sourceIds(`?order=updated_at&updated_at[after]=${at(updated.echo!)}`)).toEqual(['alpha', 'delta', 'charlie']);
    expect(await sourceIds(`?order=updated_at&updated_at[before]=${at(updated.alpha!)}`)).toEqual(['bravo', 'echo']);
    expect(
      await sourceIds(`?order=updated_at&updated_at[after]=${at(updated.bravo!)}&updated_at[before]=${at(updated.charlie!)}`),
    ).toEqual(['echo', 'alpha', 'delta']);
  });

  it('pages with page and limit, telling total and has_more', async () => {
    const pages = [];
    for (const page of [1, 2, 3, 4]) {
      const res = await list(`?order=created_at&limit=2&page=${page}`);
      expect(res.statusCode).toBe(200);
      pages.push(res.json());
    }
    expect(pages.map((b) => b.customers.map((c: { source_id: string }) => c.source_id))).toEqual([
      ['charlie', 'alpha'],
      ['echo', 'bravo'],
      ['delta'],
      [],
    ]);
    expect(pages.map((b) => b.has_more)).toEqual([true, true, false, false]);
    expect(pages.map((b) => b.total)).toEqual([5, 5, 5, 5]);
  });

  it('starting_after without order returns the older customers, newest first', async () => {
    expect(await sourceIds(`?starting_after=${at(created.echo!)}`)).toEqual(['alpha', 'charlie']);
    expect(await sourceIds(`?order=-created_at&starting_after=${at(created.echo!)}`)).toEqual(['alpha', 'charlie']);
  });

  it('starting_after with order=created_at returns the later customers, ascending', async () => {
    expect(await sourceIds(`?order=created_at&starting_after=${at(created.echo!)}`)).toEqual(['bravo', 'delta']);
  });

  it('starting_after (a created_at cursor) with another order is a 400, not a list that leaves out customers never updated', async () => {
    for (const order of ['updated_at', '-updated_at', 'source_id', '-source_id']) {
      const res = await list(`?order=${order}&starting_after=1970-01-01T00:00:00Z`);
      expect(res.statusCode, order).toBe(400);
      expect(res.json()).toMatchObject({ key: 'invalid_query_params', details: expect.stringContaining('created_at') });
    }
  });

  it('walks every customer once by passing the last created_at as starting_after', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const res = await list(`?limit=2${cursor ? `&starting_after=${at(cursor)}` : ''}`);
      const body = res.json();
      seen.push(...body.customers.map((c: { source_id: string }) => c.source_id));
      if (!body.has_more) break;
      cursor = body.customers.at(-1).created_at;
    }
    expect(seen).toEqual(['delta', 'bravo', 'echo', 'alpha', 'charlie']);
  });

  it('walks every customer once when 25 were created in one bulk request (each its own created_at, in the order listed)', async () => {
    const q = await t.createProject();
    clock.set(new Date('2024-05-01T12:00:00.000Z'));
    const made = await t.app.inject({ method: 'POST', url: '/v1/customers/bulk/async', headers: q.server, payload: Array.from({ length: 25 }, (_, i) => ({ source_id: `bulk-${i}` })) });
    expect(made.statusCode).toBe(202);
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const body = (await list(`?limit=10${cursor ? `&starting_after=${at(cursor)}` : ''}`, q)).json();
      seen.push(...body.customers.map((c: { source_id: string }) => c.source_id));
      if (!body.has_more) break;
      cursor = body.customers.at(-1).created_at;
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `bulk-${24 - i}`));
    // None is dated after the request.
    const newest = (await list('?limit=1', q)).json().customers[0];
    expect(newest).toMatchObject({ source_id: 'bulk-24', created_at: '2024-05-01T12:00:00.000Z' });
  });

  it('lists only the calling project’s customers', async () => {
    const other = await t.createProject();
    const res = await list('', other);
    expect(res.json()).toMatchObject({ object: 'list', customers: [], total: 0, has_more: false });
  });

  it('accepts the limits of limit and page', async () => {
    expect((await list('?limit=100')).statusCode).toBe(200);
    expect((await list('?limit=1&page=99')).statusCode).toBe(200);
  });

  it.each([
    ['limit above 100', '?limit=101'],
    ['limit of 0', '?limit=0'],
    ['limit not a number', '?limit=ten'],
    ['page above 99', '?page=100'],
    ['page of 0', '?page=0'],
    ['unknown order', '?order=name'],
    ['created_at[before] not a date', '?created_at[before]=yesterday'],
    ['updated_at[after] not a date', '?updated_at[after]=2024-13-45'],
    ['unknown created_at bound', '?created_at[on]=2024-04-01'],
    ['starting_after not a date', '?starting_after=abc'],
    ['an unknown filters[...] query', '?filters[email][conditions][$is]=alpha@example.com'],
    ['an unknown query parameter', '?colour=red'],
    ['email sent as a list', '?email[]=alpha@example.com'],
    ['name sent as a list', '?name[0]=ALPHA&name[1]=BRAVO'],
  ])('refuses %s with 400 invalid_query_params', async (_what, query) => {
    const res = await list(query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_query_params', message: 'Invalid query params' });
    expect(res.json().details).toEqual(expect.any(String));
  });
});

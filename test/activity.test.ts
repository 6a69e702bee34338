/** GET /v1/customers/{customerId}/activity: what is recorded, its shape, filters and id-cursor pagination. */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-01T10:01:00.000Z';
const T2 = '2024-05-01T10:02:00.000Z';
const clock = fixedClock(new Date(T0));
let t: TestTessera;
let p: TestProject;
let schema: Record<string, any>;

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
  schema = await defineSchema(t.app, p.id, 'order_placed', { amount: { type: 'number', optional: false } });
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PUT';
const call = (method: Method, url: string, payload?: object): Promise<LightMyRequestResponse> =>
  t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });

async function ok(res: Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(200);
  return r;
}

const track = (sourceId: string, amount: number, extra: object = {}) =>
  ok(call('POST', '/v1/events', { event: 'order_placed', customer: { source_id: sourceId }, metadata: { amount }, ...extra }));

async function page(customer: string, query = ''): Promise<{ data: any[]; has_more: boolean; more_starting_after?: string }> {
  return (await ok(call('GET', `/v1/customers/${customer}/activity${query}`))).json();
}

describe('the activities of one customer', () => {
  let created: LightMyRequestResponse;
  let updated: LightMyRequestResponse;
  let tracked: LightMyRequestResponse;
  let customerId: string;

  beforeAll(async () => {
    clock.set(new Date(T0));
    created = await ok(call('POST', '/v1/customers', { source_id: 'ann', name: 'Ann' }));
    customerId = created.json().id;
    clock.set(new Date(T1));
    updated = await ok(call('PUT', '/v1/customers/ann', { name: 'Anna' }));
    clock.set(new Date(T2));
    tracked = await track('ann', 10, { referral: { code: 'REF-1' }, loyalty: { code: 'L-1' }, metadata: { amount: 10, note: 'x' } });
  });

  it('records customer.created, customer.updated and customer.custom_event with Voucherify’s activity shape', async () => {
    const body = await page('ann', '?order=created_at');
    expect(body).toEqual({ object: 'list', data_ref: 'data', data: expect.any(Array), has_more: false });
    const source = { channel: 'API', api_key: { name: 'Server-side key', app_id: p.server['x-app-id'] } };
    const causes = [created, updated, tracked];
    expect(body.data.map((a) => a.type)).toEqual(['customer.created', 'customer.updated', 'customer.custom_event']);
    body.data.forEach((a, i) => {
      expect(a).toEqual({
        id: expect.stringMatching(/^evcus_[0-9a-f]+$/),
        type: a.type,
        data: { data: expect.any(Object), event_source: source },
        created_at: [T0, T1, T2][i],
        group_id: causes[i]!.headers['x-request-id'],
      });
    });
    expect(body.data[0].data.data).toEqual({ customer: expect.objectContaining({ id: customerId, name: 'Ann', object: 'customer' }) });
    expect(body.data[1].data.data).toEqual({ customer: expect.objectContaining({ id: customerId, name: 'Anna', object: 'customer' }) });
  });

  it('gives customer.custom_event the event, its schema, the simple customer and null referral/loyalty', async () => {
    const [act] = (await page('ann', '?type=customer.custom_event')).data;
    const simple = { id: customerId, source_id: 'ann', name: 'Anna', email: null, metadata: {}, object: 'customer' };
    expect(act.data.data).toEqual({
      event: {
        id: expect.stringMatching(/^event_[0-9a-f]+$/),
        object: 'event',
        type: 'order_placed',
        customer: simple,
        referral: { code: 'REF-1' },
        loyalty: { code: 'L-1' },
        metadata: { amount: 10, note: 'x' },
        created_at: T2,
      },
      event_schema: { id: schema.id, name: 'order_placed' },
      customer: simple,
      referral: null,
      loyalty: null,
    });
    expect(act.data.data.event.id).toBe(tracked.json().id);
  });

  it('lists newest first by default, and is the same by id, by source_id and on the deprecated /activities (with its total)', async () => {
    const byId = await page(customerId);
    expect(byId.data.map((a) => a.type)).toEqual(['customer.custom_event', 'customer.updated', 'customer.created']);
    expect(await page('ann')).toEqual(byId);
    expect(await page('ann', '?order=-created_at')).toEqual(byId);
    expect((await ok(call('GET', '/v1/customers/ann/activities'))).json()).toEqual({ ...byId, total: 3 });
    expect((await ok(call('GET', '/v1/customers/ann/activities?type=customer.updated'))).json().total).toBe(1);
  });

  it('filters by type', async () => {
    expect((await page('ann', '?type=customer.updated')).data.map((a) => a.created_at)).toEqual([T1]);
    expect((await page('ann', '?type=customer.deleted')).data).toEqual([]);
  });

  it('filters by category: the caller’s own changes are ACTIONs, and none of them is an EFFECT', async () => {
    expect((await page('ann', '?category=ACTION')).data).toHaveLength(3);
    expect((await page('ann', '?category=ACTION&type=customer.updated')).data.map((a) => a.type)).toEqual(['customer.updated']);
    expect((await page('ann', '?category=EFFECT')).data).toEqual([]);
    expect((await page('ann', '?category=EFFECT&type=customer.created')).data).toEqual([]);
  });

  it('filters by start_date and end_date, both inclusive', async () => {
    const times = async (q: string) => (await page('ann', `?order=created_at&${q}`)).data.map((a) => a.created_at);
    expect(await times(`start_date=${T1}`)).toEqual([T1, T2]);
    expect(await times(`end_date=${T1}`)).toEqual([T0, T1]);
    expect(await times(`start_date=${T1}&end_date=${T1}`)).toEqual([T1]);
    expect(await times('start_date=2024-05-02T00:00:00Z')).toEqual([]);
  });

  it('records the activities a request causes under its request id', async () => {
    const res = await track('newcomer', 1);
    const acts = (await page('newcomer', '?order=created_at')).data;
    expect(acts.map((a) => a.type)).toEqual(['customer.created', 'customer.custom_event']);
    expect(acts.map((a) => a.group_id)).toEqual([res.headers['x-request-id'], res.headers['x-request-id']]);
  });

  it('shows only this customer’s activities', async () => {
    const other = await page('newcomer');
    expect(other.data.every((a) => a.data.data.customer.source_id === 'newcomer')).toBe(true);
    expect((await page('ann')).data.every((a) => a.data.data.customer.id === customerId)).toBe(true);
  });
});

describe('activity pagination', () => {
  const total = 12;

  beforeAll(async () => {
    clock.set(new Date('2024-06-01T00:00:00.000Z'));
    await ok(call('POST', '/v1/customers', { source_id: 'pager' }));
    // Several activities share a created_at, so the order among equal times is exercised too.
    for (let i = 1; i < total; i++) {
      if (i % 3 === 0) clock.advance(1000);
      await track('pager', i);
    }
  });

  async function walk(query: string): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const body = await page('pager', `${query}${cursor ? `&starting_after_id=${cursor}` : ''}`);
      ids.push(...body.data.map((a) => a.id));
      pages.push(body.data.length);
      if (!body.has_more) {
        expect(body).not.toHaveProperty('more_starting_after');
        break;
      }
      expect(body.more_starting_after).toBe(body.data.at(-1).id);
      cursor = body.more_starting_after;
    }
    return { ids, pages };
  }

  it('walks every activity once, oldest first, with order=created_at', async () => {
    const all = (await page('pager', '?order=created_at&limit=100')).data;
    expect(all).toHaveLength(total);
    expect(all.slice(1).map((a) => a.data.data.event.metadata.amount)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const { ids, pages } = await walk('?order=created_at&limit=5');
    expect(pages).toEqual([5, 5, 2]);
    expect(ids).toEqual(all.map((a) => a.id));
  });

  it('walks every activity once, newest first, by default', async () => {
    const all = (await page('pager', '?order=created_at&limit=100')).data.map((a) => a.id);
    const { ids, pages } = await walk('?limit=4');
    expect(pages).toEqual([4, 4, 4]);
    expect(ids).toEqual([...all].reverse());
  });

  it('returns 10 by default and honours limit', async () => {
    const body = await page('pager');
    expect(body.data).toHaveLength(10);
    expect(body.has_more).toBe(true);
    expect((await page('pager', '?limit=1')).data).toHaveLength(1);
    expect((await page('pager', '?limit=100')).has_more).toBe(false);
  });
});

describe('activity errors', () => {
  it('answers 404 about the customer for an unknown customer', async () => {
    const res = await call('GET', '/v1/customers/no-such-customer/activity');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'customer', resource_id: 'no-such-customer' });
  });

  it('answers 404 for an unknown starting_after_id', async () => {
    await ok(call('POST', '/v1/customers', { source_id: 'cursor-owner' }));
    const res = await call('GET', '/v1/customers/cursor-owner/activity?starting_after_id=evcus_000000000000deadbeef');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_id: 'evcus_000000000000deadbeef' });
  });

  it.each([
    ['limit above 100', '?limit=101'],
    ['an unknown order', '?order=type'],
    ['an unknown category', '?category=SIDE_EFFECT'],
    ['a start_date that is no date', '?start_date=soon'],
  ])('refuses %s with 400 invalid_query_params', async (_what, query) => {
    await ok(call('POST', '/v1/customers', { source_id: 'query-errors' }));
    const res = await call('GET', `/v1/customers/query-errors/activity${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_query_params' });
  });
});

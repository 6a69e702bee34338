/** Customers: POST /v1/customers as an upsert, GET/PUT/DELETE by id or source_id, the customer object. */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2024-03-01T10:00:00.000Z'));
let t: TestTessera;
let p: TestProject;

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, payload?: object): Promise<LightMyRequestResponse> =>
  t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });

async function upsert(body: object): Promise<Record<string, any>> {
  const res = await call('POST', '/v1/customers', body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function activity(customer: string): Promise<Record<string, any>[]> {
  const res = await call('GET', `/v1/customers/${customer}/activity?order=created_at&limit=100`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data;
}

const types = async (customer: string) => (await activity(customer)).map((a) => a.type);

describe('POST /v1/customers is an upsert', () => {
  it('returns the same customer for the same source_id and keeps its created_at', async () => {
    const first = await upsert({ source_id: 'same-twice', name: 'Ann' });
    clock.advance(60_000);
    const second = await upsert({ source_id: 'same-twice' });
    expect(first.id).toMatch(/^cust_/);
    expect(second.id).toBe(first.id);
    expect(second.created_at).toBe(first.created_at);
    expect(second.name).toBe('Ann');
  });

  it('changes the fields sent and keeps the others; null clears a field', async () => {
    await upsert({
      source_id: 'partial',
      name: 'Bob',
      email: 'bob@example.com',
      phone: '+48 600 000 000',
      description: 'first',
      birthdate: '1990-05-17',
    });
    const after = await upsert({ source_id: 'partial', email: 'robert@example.com', description: null });
    expect(after).toMatchObject({
      name: 'Bob',
      email: 'robert@example.com',
      phone: '+48 600 000 000',
      description: null,
      birthdate: '1990-05-17',
    });
  });

  it('merges metadata key by key and removes a key sent as null', async () => {
    await upsert({ source_id: 'meta-merge', metadata: { tier: 'gold', visits: 3, vip: true } });
    const after = await upsert({ source_id: 'meta-merge', metadata: { visits: 4, vip: null, region: 'EU' } });
    expect(after.metadata).toEqual({ tier: 'gold', visits: 4, region: 'EU' });
  });

  it('clears the metadata when metadata is null', async () => {
    await upsert({ source_id: 'meta-null', metadata: { tier: 'gold' } });
    expect((await upsert({ source_id: 'meta-null', metadata: null })).metadata).toEqual({});
  });

  it('merges the address field by field and clears it when address is null', async () => {
    await upsert({ source_id: 'addr', address: { city: 'Warsaw', line_1: 'Main 1' } });
    const merged = await upsert({ source_id: 'addr', address: { postal_code: '00-001', line_1: null } });
    expect(merged.address).toMatchObject({ city: 'Warsaw', postal_code: '00-001' });
    expect(merged.address.line_1 ?? null).toBeNull();
    expect((await upsert({ source_id: 'addr', address: null })).address).toBeNull();
    expect((await call('GET', '/v1/customers/addr')).json().address).toBeNull();
  });

  it('accepts birthday as the deprecated alias of birthdate', async () => {
    expect((await upsert({ source_id: 'bday', birthday: '1985-12-24' })).birthdate).toBe('1985-12-24');
  });

  it('records customer.updated only when something actually changed', async () => {
    clock.set(new Date('2024-03-02T08:00:00.000Z'));
    const created = await upsert({ source_id: 'changes', name: 'Cleo', metadata: { a: 1, nested: { y: 1, x: 2 } } });
    expect(created.updated_at).toBeNull();
    clock.advance(60_000);
    const same = await upsert({ source_id: 'changes', name: 'Cleo', metadata: { nested: { y: 1, x: 2 }, a: 1 } });
    expect(same.updated_at).toBeNull();
    expect(await types('changes')).toEqual(['customer.created']);

    clock.advance(60_000);
    const changed = await upsert({ source_id: 'changes', name: 'Cleopatra' });
    expect(changed.updated_at).toBe('2024-03-02T08:02:00.000Z');
    const acts = await activity('changes');
    expect(acts.map((a) => a.type)).toEqual(['customer.created', 'customer.updated']);
    expect(acts[1]!.data.data.customer).toMatchObject({ id: created.id, name: 'Cleopatra', object: 'customer' });

    clock.advance(60_000);
    await upsert({ source_id: 'changes', name: 'Cleopatra', metadata: { a: 1 } });
    expect(await types('changes')).toEqual(['customer.created', 'customer.updated']);
    expect((await call('GET', '/v1/customers/changes')).json().updated_at).toBe('2024-03-02T08:02:00.000Z');
  });

  it('updates the customer named by an existing id', async () => {
    const c = await upsert({ source_id: 'by-id', name: 'Dan' });
    const after = await upsert({ id: c.id, name: 'Daniel' });
    expect(after.id).toBe(c.id);
    expect(after.source_id).toBe('by-id');
    expect(after.name).toBe('Daniel');
  });

  it('answers 404 about the customer for an unknown id, and creates nothing', async () => {
    const res = await call('POST', '/v1/customers', { id: 'cust_unknown', source_id: 'never-made', name: 'Nobody' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 404,
      key: 'not_found',
      message: 'Resource not found',
      resource_id: 'cust_unknown',
      resource_type: 'customer',
    });
    expect(res.json().request_id).toBe(res.headers['x-request-id']);
    expect((await call('GET', '/v1/customers/never-made')).statusCode).toBe(404);
  });

  it('creates a new customer each time when neither id nor source_id is sent', async () => {
    const a = await upsert({ name: 'Anonymous' });
    const b = await upsert({ name: 'Anonymous' });
    expect(a.id).not.toBe(b.id);
    expect(a.source_id).toBeNull();
  });

  it('takes a null id or source_id as not given when the other key names the customer; null for both is a 400', async () => {
    const c = await upsert({ id: null, source_id: 'null-id', name: 'Nell' });
    expect(c).toMatchObject({ source_id: 'null-id', name: 'Nell' });
    const again = await upsert({ id: c.id, source_id: null, name: 'Nelly' });
    expect(again).toMatchObject({ id: c.id, source_id: 'null-id', name: 'Nelly' });
    for (const body of [{ id: null, source_id: null, name: 'x' }, { id: null, name: 'x' }, { source_id: null }]) {
      const res = await call('POST', '/v1/customers', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ key: 'invalid_payload', details: expect.stringMatching(/^Payload names no customer: .* null/) });
    }
  });

  it('refuses a malformed body with 400 invalid_payload', async () => {
    const wrongType = await call('POST', '/v1/customers', { source_id: 'bad', email: 42 });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ code: 400, key: 'invalid_payload', details: 'Property .email must be string or null' });
    const badDate = await call('POST', '/v1/customers', { source_id: 'bad', birthdate: '17/05/1990' });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().key).toBe('invalid_payload');
    expect((await call('GET', '/v1/customers/bad')).statusCode).toBe(404);
  });
});

describe('the customer object', () => {
  it('has Voucherify’s full shape with zero-valued summary, loyalty and referrals', async () => {
    clock.set(new Date('2024-03-03T09:00:00.000Z'));
    const c = await upsert({
      source_id: 'shape',
      name: 'Eve',
      description: 'VIP',
      email: 'eve@example.com',
      phone: '+1 555',
      birthdate: '1970-01-01',
      address: { city: 'Paris', state: null, line_1: 'Rue 1', line_2: null, country: 'FR', postal_code: '75001' },
      metadata: { plan: 'pro' },
    });
    expect(c).toEqual({
      id: expect.stringMatching(/^cust_[0-9a-zA-Z]+$/),
      source_id: 'shape',
      name: 'Eve',
      description: 'VIP',
      email: 'eve@example.com',
      phone: '+1 555',
      birthdate: '1970-01-01',
      address: { city: 'Paris', state: null, line_1: 'Rue 1', line_2: null, country: 'FR', postal_code: '75001' },
      metadata: { plan: 'pro' },
      summary: {
        redemptions: {
          total_redeemed: 0,
          total_failed: 0,
          total_succeeded: 0,
          total_rolled_back: 0,
          total_rollback_failed: 0,
          total_rollback_succeeded: 0,
          gift: { redeemed_amount: 0, amount_to_go: 0 },
          loyalty_card: { redeemed_points: 0, points_to_go: 0 },
        },
        orders: { total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0 },
      },
      loyalty: { points: 0, referred_customers: 0, campaigns: {} },
      referrals: { total: 0, campaigns: [] },
      system_metadata: {},
      created_at: '2024-03-03T09:00:00.000Z',
      updated_at: null,
      object: 'customer',
    });
    expect((await call('GET', `/v1/customers/${c.id}`)).json()).toEqual(c);
  });
});

describe('GET, PUT and DELETE /v1/customers/{customerId}', () => {
  it('finds a customer by id and by source_id', async () => {
    const c = await upsert({ source_id: 'findme', name: 'Finn' });
    const byId = await call('GET', `/v1/customers/${c.id}`);
    const bySource = await call('GET', '/v1/customers/findme');
    expect(byId.statusCode).toBe(200);
    expect(bySource.json()).toEqual(byId.json());
  });

  it('prefers the id when a source_id equals another customer’s id', async () => {
    const a = await upsert({ source_id: 'owner-of-id', name: 'A' });
    await upsert({ source_id: a.id, name: 'B' });
    expect((await call('GET', `/v1/customers/${a.id}`)).json().name).toBe('A');
  });

  it('answers 404 not_found about the customer when it does not exist', async () => {
    const res = await call('GET', '/v1/customers/nobody-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({
      code: 404,
      key: 'not_found',
      details: 'Cannot find customer with id nobody-here',
      resource_id: 'nobody-here',
      resource_type: 'customer',
    });
  });

  it('PUT changes only the fields sent and records customer.updated under the request id', async () => {
    clock.set(new Date('2024-03-04T09:00:00.000Z'));
    const c = await upsert({ source_id: 'put-me', name: 'Gus', email: 'gus@example.com', metadata: { a: 1 } });
    clock.advance(1000);
    const res = await call('PUT', '/v1/customers/put-me', { phone: '123', metadata: { b: 2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: c.id,
      source_id: 'put-me',
      name: 'Gus',
      email: 'gus@example.com',
      phone: '123',
      metadata: { a: 1, b: 2 },
      updated_at: '2024-03-04T09:00:01.000Z',
    });
    const acts = await activity(c.id);
    expect(acts.map((a) => a.type)).toEqual(['customer.created', 'customer.updated']);
    expect(acts[1]!.group_id).toBe(res.headers['x-request-id']);

    const again = await call('PUT', `/v1/customers/${c.id}`, { phone: '123' });
    expect(again.statusCode).toBe(200);
    expect(await types(c.id)).toEqual(['customer.created', 'customer.updated']);
  });

  it('PUT answers 404 for an unknown customer and creates nothing', async () => {
    const res = await call('PUT', '/v1/customers/ghost', { name: 'Ghost' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'customer', resource_id: 'ghost' });
    expect((await call('GET', '/v1/customers/ghost')).statusCode).toBe(404);
  });

  it('DELETE answers 204, then the customer is gone and a customer.deleted event is kept', async () => {
    const c = await upsert({ source_id: 'delete-me', name: 'Hal' });
    const res = await call('DELETE', '/v1/customers/delete-me');
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    expect((await call('GET', `/v1/customers/${c.id}`)).statusCode).toBe(404);
    expect((await call('GET', '/v1/customers/delete-me')).statusCode).toBe(404);
    expect((await call('GET', `/v1/customers/${c.id}/activity`)).statusCode).toBe(404);
    const second = await call('DELETE', `/v1/customers/${c.id}`);
    expect(second.statusCode).toBe(404);
    expect(second.json()).toMatchObject({ key: 'not_found', resource_type: 'customer' });

    // The customer is gone, so its activity is read from the event log directly.
    const { rows } = await t.tessera.db.query<{ id: string; type: string; data: any; group_id: string; event_source: any }>(
      'SELECT id, type, data, group_id, event_source FROM event_log WHERE customer_id = $1 ORDER BY seq',
      [c.id],
    );
    expect(rows.map((r) => r.type)).toEqual(['customer.created', 'customer.deleted']);
    const deleted = rows[1]!;
    expect(deleted.id).toMatch(/^evcus_/);
    expect(deleted.group_id).toBe(res.headers['x-request-id']);
    expect(deleted.data.customer).toMatchObject({ id: c.id, source_id: 'delete-me', name: 'Hal', object: 'customer' });
    expect(deleted.event_source).toEqual({ channel: 'API', api_key: { name: 'Server-side key', app_id: p.server['x-app-id'] } });

    const reborn = await upsert({ source_id: 'delete-me' });
    expect(reborn.id).not.toBe(c.id);
    expect(reborn.name).toBeNull();
  });

  it('keeps customers of other projects out of reach', async () => {
    const c = await upsert({ source_id: 'mine', name: 'Ivy' });
    const other = await t.createProject();
    const res = await t.app.inject({ method: 'GET', url: `/v1/customers/${c.id}`, headers: other.server });
    expect(res.statusCode).toBe(404);
    const viaSource = await t.app.inject({ method: 'GET', url: '/v1/customers/mine', headers: other.server });
    expect(viaSource.statusCode).toBe(404);
  });

  it('refuses requests without a server key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/customers/mine' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 401, key: 'unauthorized', message: 'Unauthorized' });
  });
});

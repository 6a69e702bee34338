/** POST /v1/events: metadata checked against the event's schema, payload validation, and the customer upsert. */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2024-08-01T09:00:00.000Z'));
let t: TestTessera;
let p: TestProject;
let counter = 0;

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'typed', {
    s: { type: 'string', optional: true },
    n: { type: 'number', optional: true },
    d: { type: 'date', optional: true },
    dt: { type: 'datetime', optional: true },
    b: { type: 'boolean', optional: true },
  });
  await defineSchema(t.app, p.id, 'needs', { r: { type: 'number', optional: false }, o: { type: 'string', optional: true } });
});
afterAll(() => t.close());

const send = (payload: object): Promise<LightMyRequestResponse> =>
  t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload });
const getCustomer = (key: string) => t.app.inject({ method: 'GET', url: `/v1/customers/${key}`, headers: p.server });
const fresh = () => `cust-src-${++counter}`;

async function activityTypes(key: string): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/customers/${key}/activity?order=created_at&limit=100`, headers: p.server });
  return res.json().data.map((a: { type: string }) => a.type);
}

function expectRefused(res: LightMyRequestResponse, key: string, details?: string): Record<string, any> {
  expect(res.statusCode, res.body).toBe(key === 'not_found' ? 404 : 400);
  const body = res.json();
  expect(body).toMatchObject({ key, ...(details !== undefined ? { details } : {}) });
  return body;
}

describe('properties named like built-in object properties', () => {
  it('an optional toString or hasOwnProperty not sent is fine; a required constructor not sent is a 400, sent it is kept', async () => {
    await defineSchema(t.app, p.id, 'built_ins', {
      toString: { type: 'string', optional: true },
      hasOwnProperty: { type: 'boolean', optional: true },
      constructor: { type: 'number', optional: false },
    });
    expectRefused(await send({ event: 'built_ins', customer: { source_id: fresh() } }), 'metadata_validation_failed', 'constructor: is required');
    const ok = await send({ event: 'built_ins', customer: { source_id: fresh() }, metadata: { constructor: 3 } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().metadata).toEqual({ constructor: 3 });
    expectRefused(await send({ event: 'built_ins', customer: { source_id: fresh() }, metadata: { constructor: 3, toString: 7 } }), 'metadata_validation_failed', "toString: must be a string (actual value is '7')");
  });
});

describe('metadata is checked against the event schema', () => {
  it.each([
    ['s', 5, "s: must be a string (actual value is '5')"],
    ['n', '5', "n: must be a number (actual value is '5')"],
    ['n', true, "n: must be a number (actual value is 'true')"],
    ['d', '2024-13-01', "d: must be a date in the format YYYY-MM-DD (actual value is '2024-13-01')"],
    ['d', '2024-02-30', "d: must be a date in the format YYYY-MM-DD (actual value is '2024-02-30')"],
    ['d', '2023-02-29', "d: must be a date in the format YYYY-MM-DD (actual value is '2023-02-29')"],
    ['d', '2024-01-31T10:00:00Z', "d: must be a date in the format YYYY-MM-DD (actual value is '2024-01-31T10:00:00Z')"],
    ['dt', '2024-01-31', "dt: must be a datetime in ISO 8601 format, e.g. 2024-01-31T09:30:00.000Z (actual value is '2024-01-31')"],
    ['dt', '2024-02-30T10:00:00Z', "dt: must be a datetime in ISO 8601 format, e.g. 2024-01-31T09:30:00.000Z (actual value is '2024-02-30T10:00:00Z')"],
    ['dt', 'yesterday', "dt: must be a datetime in ISO 8601 format, e.g. 2024-01-31T09:30:00.000Z (actual value is 'yesterday')"],
    ['b', 'true', "b: must be a boolean (actual value is 'true')"],
    ['b', 1, "b: must be a boolean (actual value is '1')"],
  ])('refuses %s = %j with 400 metadata_validation_failed', async (prop, value, details) => {
    const source = fresh();
    const res = await send({ event: 'typed', customer: { source_id: source }, metadata: { [prop]: value } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'metadata_validation_failed', message: 'Metadata validation failed', details });
    // Nothing is written for a refused event: not even its customer.
    expect((await getCustomer(source)).statusCode).toBe(404);
  });

  it.each([
    ['s', 'hello'],
    ['s', ''],
    ['n', 0],
    ['n', -12.75],
    ['d', '2024-02-29'],
    ['dt', '2024-01-31T09:30:00.000Z'],
    ['dt', '2024-01-31T09:30:00+02:00'],
    ['b', false],
  ])('accepts %s = %j and stores it as sent', async (prop, value) => {
    const res = await send({ event: 'typed', customer: { source_id: fresh() }, metadata: { [prop]: value } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().metadata).toEqual({ [prop]: value });
  });

  it('names every violation in details', async () => {
    const res = await send({ event: 'typed', customer: { source_id: fresh() }, metadata: { n: 'x', b: 'no' } });
    const { details } = expectRefused(res, 'metadata_validation_failed');
    expect(details).toContain("n: must be a number (actual value is 'x')");
    expect(details).toContain("b: must be a boolean (actual value is 'no')");
  });

  it('refuses a missing or null required property, with or without metadata', async () => {
    for (const metadata of [{ o: 'x' }, { r: null }, null, undefined]) {
      const res = await send({ event: 'needs', customer: { source_id: fresh() }, ...(metadata !== undefined ? { metadata } : {}) });
      expectRefused(res, 'metadata_validation_failed', 'r: is required');
    }
  });

  it('accepts null for an optional property', async () => {
    const res = await send({ event: 'needs', customer: { source_id: fresh() }, metadata: { r: 1, o: null } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().metadata).toEqual({ r: 1, o: null });
  });

  it('accepts and stores metadata keys the schema does not define', async () => {
    const source = fresh();
    const metadata = { r: 2, extra: 'free', nested: { deep: [1, 2] }, flag: true };
    const res = await send({ event: 'needs', customer: { source_id: source }, metadata });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().metadata).toEqual(metadata);
    const acts = await t.app.inject({
      method: 'GET',
      url: `/v1/customers/${source}/activity?type=customer.custom_event`,
      headers: p.server,
    });
    expect(acts.json().data[0].data.data.event.metadata).toEqual(metadata);
  });

  it('refuses an event without a schema with 400 invalid_payload, and takes it once the schema exists', async () => {
    const res = await send({ event: 'late_schema', customer: { source_id: fresh() } });
    const body = expectRefused(res, 'invalid_payload');
    expect(body.details).toContain('late_schema');
    await defineSchema(t.app, p.id, 'late_schema', {});
    expect((await send({ event: 'late_schema', customer: { source_id: fresh() } })).statusCode).toBe(200);
  });

  it('no longer requires nor type-checks a soft-deleted property, and checks it again once restored', async () => {
    const s = await defineSchema(t.app, p.id, 'soft', { gone: { type: 'number', optional: false } });
    const put = (deleted: boolean) =>
      t.app.inject({
        method: 'PUT',
        url: `/management/v1/projects/${p.id}/custom-event-schemas/${s.id}`,
        headers: managementHeaders,
        payload: { schema: { properties: { gone: { deleted } } } },
      });
    expectRefused(await send({ event: 'soft', customer: { source_id: fresh() } }), 'metadata_validation_failed', 'gone: is required');
    expect((await put(true)).statusCode).toBe(200);
    expect((await send({ event: 'soft', customer: { source_id: fresh() } })).statusCode).toBe(200);
    const typed = await send({ event: 'soft', customer: { source_id: fresh() }, metadata: { gone: 'text' } });
    expect(typed.statusCode).toBe(200);
    expect(typed.json().metadata).toEqual({ gone: 'text' });
    expect((await put(false)).statusCode).toBe(200);
    expectRefused(await send({ event: 'soft', customer: { source_id: fresh() } }), 'metadata_validation_failed', 'gone: is required');
  });

  it('refuses events of a deleted schema', async () => {
    const s = await defineSchema(t.app, p.id, 'deleted_later', {});
    expect((await send({ event: 'deleted_later', customer: { source_id: fresh() } })).statusCode).toBe(200);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/management/v1/projects/${p.id}/custom-event-schemas/${s.id}`,
      headers: managementHeaders,
    });
    expect(del.statusCode).toBe(204);
    expectRefused(await send({ event: 'deleted_later', customer: { source_id: fresh() } }), 'invalid_payload');
  });
});

describe('the payload of POST /v1/events', () => {
  it.each([
    ['a customer without id or source_id', { event: 'typed', customer: { name: 'x' } }, "Property .customer should have required property 'id' or 'source_id'"],
    ['no customer', { event: 'typed' }, "Payload should have required property 'customer'"],
    ['no event', { customer: { source_id: 'x' } }, "Payload should have required property 'event'"],
    ['a referral without code', { event: 'typed', customer: { source_id: 'x' }, referral: {} }, "Property .referral should have required property 'code'"],
    ['a loyalty without code', { event: 'typed', customer: { source_id: 'x' }, loyalty: { foo: 1 } }, "Property .loyalty should have required property 'code'"],
    ['metadata that is no object', { event: 'typed', customer: { source_id: 'x' }, metadata: 'text' }, undefined],
    ['a customer whose id and source_id are both null', { event: 'typed', customer: { id: null, source_id: null } }, 'Property .customer names no customer: id and source_id are null; send one of them'],
    ['a customer whose id is null and no source_id', { event: 'typed', customer: { id: null, name: 'x' } }, 'Property .customer names no customer: id is null and there is no source_id; send one of them'],
  ])('refuses %s with 400 invalid_payload', async (_what, payload, details) => {
    expectRefused(await send(payload), 'invalid_payload', details);
  });

  it('answers 404 about the customer for an unknown customer.id, and creates nothing', async () => {
    const res = await send({ event: 'typed', customer: { id: 'cust_unknown', source_id: 'would-be' } });
    expect(res.json()).toMatchObject({
      code: 404,
      key: 'not_found',
      details: 'Cannot find customer with id cust_unknown',
      resource_id: 'cust_unknown',
      resource_type: 'customer',
    });
    expect((await getCustomer('would-be')).statusCode).toBe(404);
  });

  it('attaches the event to the customer named by id, ignoring a source_id sent with it', async () => {
    const c = (await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'by-id-owner' } })).json();
    const res = await send({ event: 'typed', customer: { id: c.id, source_id: 'other-source' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customer).toMatchObject({ id: c.id, source_id: 'by-id-owner' });
    expect((await getCustomer('other-source')).statusCode).toBe(404);
  });

  it('takes a null id or source_id as not given when the other key names the customer (the spec marks both nullable)', async () => {
    const bySource = await send({ event: 'typed', customer: { id: null, source_id: 'null-id-owner' } });
    expect(bySource.statusCode, bySource.body).toBe(200);
    const c = bySource.json().customer;
    expect(c).toMatchObject({ source_id: 'null-id-owner' });
    const byId = await send({ event: 'typed', customer: { id: c.id, source_id: null } });
    expect(byId.statusCode, byId.body).toBe(200);
    expect(byId.json().customer).toMatchObject({ id: c.id, source_id: 'null-id-owner' });
  });

  it('answers the event object with the simple customer', async () => {
    clock.set(new Date('2024-08-02T10:00:00.000Z'));
    const res = await send({
      event: 'typed',
      customer: { source_id: 'shape-check', name: 'Sam', email: 'sam@example.com', metadata: { tier: 'gold' } },
      referral: { code: 'REF-9', referrer_id: 'cust_referrer' },
      metadata: { s: 'ok' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const customerId = (await getCustomer('shape-check')).json().id;
    expect(res.json()).toEqual({
      id: expect.stringMatching(/^event_[0-9a-f]+$/),
      object: 'event',
      type: 'typed',
      customer: { id: customerId, source_id: 'shape-check', name: 'Sam', email: 'sam@example.com', metadata: { tier: 'gold' }, object: 'customer' },
      referral: { code: 'REF-9', referrer_id: 'cust_referrer' },
      loyalty: null,
      metadata: { s: 'ok' },
      created_at: '2024-08-02T10:00:00.000Z',
    });
  });
});

describe('customer attributes sent with an event', () => {
  it('create the customer when it is unknown', async () => {
    const res = await send({ event: 'typed', customer: { source_id: 'upsert-1', name: 'Uma', address: { city: 'Oslo' } } });
    expect(res.statusCode).toBe(200);
    expect((await getCustomer('upsert-1')).json()).toMatchObject({ name: 'Uma', address: { city: 'Oslo' } });
    expect(await activityTypes('upsert-1')).toEqual(['customer.created', 'customer.custom_event']);
  });

  it('update a known customer as an upsert, recording customer.updated only when something changed', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: p.server,
      payload: { source_id: 'upsert-2', name: 'Vic', email: 'vic@example.com', metadata: { a: 1, b: 2 } },
    });
    const same = await send({ event: 'typed', customer: { source_id: 'upsert-2', name: 'Vic' } });
    expect(same.statusCode).toBe(200);
    expect(await activityTypes('upsert-2')).toEqual(['customer.created', 'customer.custom_event']);

    const changed = await send({ event: 'typed', customer: { source_id: 'upsert-2', name: 'Victor', metadata: { b: null, c: 3 } } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().customer).toMatchObject({ name: 'Victor', email: 'vic@example.com', metadata: { a: 1, c: 3 } });
    expect(await getCustomer('upsert-2').then((r) => r.json())).toMatchObject({
      name: 'Victor',
      email: 'vic@example.com',
      metadata: { a: 1, c: 3 },
    });
    expect(await activityTypes('upsert-2')).toEqual([
      'customer.created',
      'customer.custom_event',
      'customer.updated',
      'customer.custom_event',
    ]);
  });
});

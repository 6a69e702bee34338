/**
 * Metadata schemas of resources: management CRUD, the read API beside event schemas, and campaigns, vouchers and
 * publications refusing metadata that breaks them (400 metadata_validation_failed, nothing written). Also the SDK's
 * metadataSchemas and categories methods.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
const mgmt = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown) =>
  t.app.inject({ method, url: `/management/v1/projects/${p.id}${path}`, headers: managementHeaders, ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('metadata schemas', () => {
  let campaignSchema: any;

  it('are created once per resource, read, updated and listed beside event schemas', async () => {
    const res = await mgmt('POST', '/metadata-schemas', {
      related_object: 'campaign',
      properties: { region: { type: 'string', optional: false, array: true, eq: ['EMEA', 'APAC'] }, budget: { type: 'number', optional: true, gte: 0, lte: 1000 } },
    });
    expect(res.statusCode, res.body).toBe(200);
    campaignSchema = res.json();
    expect(campaignSchema).toMatchObject({ object: 'metadata_schema', related_object: 'campaign', allow_defined_only: false });
    expect(campaignSchema.id).toMatch(/^ms_/);
    expect((await mgmt('POST', '/metadata-schemas', { related_object: 'campaign', properties: {} })).statusCode).toBe(409);
    const put = await mgmt('PUT', `/metadata-schemas/${campaignSchema.id}`, { properties: { note: { type: 'string', optional: true, max_length: 5 } } });
    expect(put.json().properties).toMatchObject({ region: { type: 'string' }, note: { max_length: 5 } });
    expect((await mgmt('PUT', `/metadata-schemas/${campaignSchema.id}`, { properties: { budget: { type: 'string' } } })).statusCode).toBe(400);
    // A property named like a built-in object property is new like any other.
    const builtIn = await mgmt('PUT', `/metadata-schemas/${campaignSchema.id}`, { properties: { constructor: { type: 'string', optional: true } } });
    expect(builtIn.statusCode, builtIn.body).toBe(200);
    expect(builtIn.json().properties.constructor).toMatchObject({ type: 'string' });

    await defineSchema(t.app, p.id, 'sign_up', { plan: { type: 'string', optional: true } });
    const list = (await api('GET', '/v1/metadata-schemas')).json();
    expect(list).toMatchObject({ object: 'list', data_ref: 'schemas', total: 2 });
    expect(list.schemas.map((s: any) => s.related_object).sort()).toEqual(['campaign', 'sign_up']);
    const one = (await api('GET', '/v1/metadata-schemas/campaign')).json();
    expect(one.properties.note).toMatchObject({ maxLength: 5 });
  });

  it('campaigns, vouchers and publications refuse metadata that breaks their schema', async () => {
    const base = { campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 1 } } };
    const missing = await api('POST', '/v1/campaigns', { ...base, name: 'M1', metadata: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ key: 'metadata_validation_failed', details: 'region: is required' });
    const wrong = await api('POST', '/v1/campaigns', { ...base, name: 'M2', metadata: { region: 'EMEA', budget: 5000 } });
    expect(wrong.json().details).toContain("region: must be an array (actual value is 'EMEA')");
    expect(wrong.json().details).toContain('budget: must be less than or equal to 1000');
    expect((await api('GET', '/v1/campaigns/M2')).statusCode).toBe(404);
    const good = await api('POST', '/v1/campaigns', { ...base, name: 'M3', metadata: { region: ['EMEA'] } });
    expect(good.statusCode, good.body).toBe(200);

    await mgmt('POST', '/metadata-schemas', { related_object: 'voucher', allow_defined_only: true, properties: { batch: { type: 'number', optional: true } } });
    const extra = await api('POST', '/v1/vouchers/MS-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 }, metadata: { other: 1 } });
    expect(extra.json()).toMatchObject({ key: 'metadata_validation_failed' });
    expect(extra.json().details).toContain('other: is not defined');
    expect((await api('POST', '/v1/vouchers/MS-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 }, metadata: { batch: 2 } })).statusCode).toBe(200);
    expect((await api('PUT', '/v1/vouchers/MS-1', { metadata: { batch: 'two' } })).json().key).toBe('metadata_validation_failed');

    await mgmt('POST', '/metadata-schemas', { related_object: 'publication', properties: { source: { type: 'string', optional: false } } });
    const pub = await api('POST', '/v1/publications', { voucher: 'MS-1', customer: { source_id: 'ms-ann' }, metadata: {} });
    expect(pub.json()).toMatchObject({ key: 'metadata_validation_failed', details: 'source: is required' });
    expect((await api('GET', '/v1/customers/ms-ann')).statusCode).toBe(404);
    expect((await api('POST', '/v1/publications', { voucher: 'MS-1', customer: { source_id: 'ms-ann' }, metadata: { source: 'web' } })).statusCode).toBe(200);

    // Customers' metadata follows the customer schema on create, upsert and update; nothing is written when it does not.
    await mgmt('POST', '/metadata-schemas', { related_object: 'customer', allow_defined_only: true, properties: { tier: { type: 'string', optional: true } } });
    const bad = await api('POST', '/v1/customers', { source_id: 'ms-bo', metadata: { tier: 3 } });
    expect(bad.json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await api('GET', '/v1/customers/ms-bo')).statusCode).toBe(404);
    expect((await api('POST', '/v1/customers', { source_id: 'ms-bo', metadata: { tier: 'gold' } })).statusCode).toBe(200);
    const undefinedKey = await api('PUT', '/v1/customers/ms-bo', { metadata: { colour: 'red' } });
    expect(undefinedKey.json()).toMatchObject({ key: 'metadata_validation_failed' });
    expect(undefinedKey.json().details).toContain('colour: is not defined');
    expect((await api('GET', '/v1/customers/ms-bo')).json().metadata).toEqual({ tier: 'gold' });
  });

  it("customers are checked as their metadata will be once merged, also when an order or a redemption names them; dates, points and built-in names strictly", async () => {
    const q = await t.createProject();
    const call = (method: 'POST' | 'PUT' | 'GET', url: string, payload?: unknown) => t.app.inject({ method, url, headers: q.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const schema = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${q.id}/metadata-schemas`,
      headers: managementHeaders,
      payload: { related_object: 'customer', allow_defined_only: true, properties: { tier: { type: 'string', eq: ['gold', 'silver'], optional: false }, age: { type: 'number', optional: true }, bday: { type: 'date', optional: true }, loc: { type: 'geopoint', optional: true } } },
    });
    expect(schema.statusCode, schema.body).toBe(200);
    expect((await call('POST', '/v1/customers', { source_id: 'mm-ann', metadata: { tier: 'gold' } })).statusCode).toBe(200);
    // The keys sent merge into the customer's: its tier is still there.
    expect((await call('PUT', '/v1/customers/mm-ann', { metadata: { age: 5 } })).statusCode).toBe(200);
    expect((await call('POST', '/v1/customers', { source_id: 'mm-ann', metadata: { age: 6 } })).statusCode).toBe(200);
    expect((await call('GET', '/v1/customers/mm-ann')).json().metadata).toEqual({ tier: 'gold', age: 6 });
    // A new customer is asked for its required keys; removing one is refused.
    expect((await call('POST', '/v1/customers', { source_id: 'mm-new' })).json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await call('PUT', '/v1/customers/mm-ann', { metadata: { tier: null } })).json().details).toContain('tier: is required');
    // Orders and redemptions that send a customer's metadata are checked the same way; nothing is written.
    const order = await call('POST', '/v1/orders', { source_id: 'mm-o1', amount: 100, customer: { source_id: 'mm-ann', metadata: { tier: 12345, zzz: 'x' } } });
    expect(order.json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await call('GET', '/v1/orders/mm-o1')).statusCode).toBe(404);
    await call('POST', '/v1/vouchers/MM-CODE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 10 } });
    const redeemed = await call('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'MM-CODE' }], order: { amount: 100 }, customer: { source_id: 'mm-ann', metadata: { tier: 999 } } });
    expect(redeemed.json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await call('GET', '/v1/customers/mm-ann')).json().metadata).toEqual({ tier: 'gold', age: 6 });
    // So are tracked events: the event is not stored, the customer neither created nor changed.
    await defineSchema(t.app, q.id, 'mm_seen', {});
    const tracked = await call('POST', '/v1/events', { event: 'mm_seen', customer: { source_id: 'mm-ann', metadata: { age: 'old' } } });
    expect(tracked.json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await call('POST', '/v1/events', { event: 'mm_seen', customer: { source_id: 'mm-ev-new', metadata: { tier: 'bronze' } } })).json()).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    expect((await call('GET', '/v1/customers/mm-ev-new')).statusCode).toBe(404);
    expect((await call('GET', '/v1/customers/mm-ann/activity?type=customer.custom_event')).json().data).toEqual([]);
    expect((await call('POST', '/v1/events', { event: 'mm_seen', customer: { source_id: 'mm-ann', metadata: { age: 7 } } })).statusCode).toBe(200);
    expect((await call('GET', '/v1/customers/mm-ann')).json().metadata).toEqual({ tier: 'gold', age: 7 });
    // An order naming a new customer without metadata creates it (a customer made on the way is not asked for keys).
    expect((await call('POST', '/v1/orders', { source_id: 'mm-o2', amount: 100, customer: { source_id: 'mm-walk-in' } })).statusCode).toBe(200);
    // Impossible dates and points, and keys named like built-ins, are refused.
    for (const metadata of [{ bday: '2024-02-31' }, { loc: '999, -999' }, { constructor: 6 }, { toString: 'x' }]) {
      const res = await call('PUT', '/v1/customers/mm-ann', { metadata });
      expect(res.json(), JSON.stringify(metadata)).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    }
    expect((await call('PUT', '/v1/customers/mm-ann', { metadata: { bday: '2024-02-29', loc: '52.2, 21.0' } })).statusCode).toBe(200);
  });

  it('the SDK lists and gets metadata schemas, and manages categories', async () => {
    const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
    const list: any = await server.metadataSchemas.list();
    expect(list.schemas.map((s: any) => s.related_object)).toEqual(expect.arrayContaining(['campaign', 'voucher', 'publication', 'sign_up']));
    expect(await server.metadataSchemas.get('voucher')).toMatchObject({ related_object: 'voucher', allow_defined_only: true });

    const cat: any = await server.categories.create({ name: 'Seasonal', hierarchy: 1 });
    expect(cat).toMatchObject({ object: 'category', name: 'Seasonal', hierarchy: 1 });
    expect(await server.categories.get(cat.id)).toMatchObject({ id: cat.id });
    expect(await server.categories.update(cat.id, { name: 'Seasonal sales', hierarchy: 2 })).toMatchObject({ name: 'Seasonal sales', hierarchy: 2 });
    expect(((await server.categories.list()) as any).data.map((c: any) => c.name)).toEqual(['Seasonal sales']);
    const c = await api('POST', '/v1/campaigns', { name: 'Categorized', campaign_type: 'DISCOUNT_COUPONS', category_id: cat.id, voucher: { discount: { type: 'AMOUNT', amount_off: 1 } }, metadata: { region: ['APAC'] } });
    expect(c.json()).toMatchObject({ category_id: cat.id, category: 'Seasonal sales', categories: [{ id: cat.id, object: 'category' }] });
    const updated = await api('PUT', `/v1/campaigns/${c.json().id}`, { description: 'x', category_id: cat.id });
    expect(updated.json()).toMatchObject({ category: 'Seasonal sales' });
    await server.categories.delete(cat.id);
    await expect(server.categories.get(cat.id)).rejects.toMatchObject({ code: 404 });
  });
});

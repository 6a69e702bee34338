/**
 * The project's metadata schemas of orders, products and SKUs are enforced, as the customer and campaign ones are:
 * on create, update and import, with the metadata_validation_failed error; nothing is written when refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
const schema = { allow_defined_only: true, properties: { channel: { type: 'number', optional: false } } };

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  for (const related_object of ['order', 'product', 'sku']) {
    const r = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${p.id}/metadata-schemas`, headers: managementHeaders, payload: { related_object, ...schema } });
    expect(r.statusCode, r.body).toBe(200);
  }
});
afterAll(() => t.close());

const refused = (r: { statusCode: number; json(): any }) => {
  expect(r.statusCode).toBe(400);
  expect(r.json()).toMatchObject({ code: 400, key: 'metadata_validation_failed', message: 'Metadata validation failed' });
};

describe('order metadata', () => {
  it('is checked on create and update', async () => {
    refused(await api('POST', '/v1/orders', { source_id: 'ms-o1', amount: 100, metadata: { channel: 'web', x: 1 } }));
    expect((await api('GET', '/v1/orders/ms-o1')).statusCode).toBe(404);
    refused(await api('POST', '/v1/orders', { source_id: 'ms-o1', amount: 100 }));
    const o = await ok('POST', '/v1/orders', { source_id: 'ms-o1', amount: 100, metadata: { channel: 2 } });
    refused(await api('PUT', `/v1/orders/${o.id}`, { metadata: { channel: 2, x: 1 } }));
    expect((await ok('GET', `/v1/orders/${o.id}`)).metadata).toEqual({ channel: 2 });
    // A change that leaves metadata alone is not refused for it.
    expect((await api('PUT', `/v1/orders/${o.id}`, { status: 'PAID' })).statusCode).toBe(200);
  });

  it('a refused order of an import is reported, the others imported', async () => {
    const res = await api('POST', '/v1/orders/import', [
      { source_id: 'ms-i1', amount: 100, metadata: { channel: 1 } },
      { source_id: 'ms-i2', amount: 100, metadata: { channel: 'web' } },
    ]);
    expect(res.statusCode, res.body).toBe(202);
    const r = res.json();
    const action = await ok('GET', `/v1/async-actions/${r.async_action_id}`);
    expect(action.result).toMatchObject({ done_count: 1, failed_count: 1, failed: [{ index: 1, source_id: 'ms-i2' }] });
    expect((await api('GET', '/v1/orders/ms-i2')).statusCode).toBe(404);
  });

  it('a redemption with an order is checked too', async () => {
    await ok('POST', '/v1/vouchers/MS-TEN', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 10 } });
    refused(await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'MS-TEN' }], order: { source_id: 'ms-r1', amount: 100, metadata: { channel: 'web' } } }));
    expect((await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'MS-TEN' }], order: { source_id: 'ms-r1', amount: 100, metadata: { channel: 3 } } })).statusCode).toBe(200);
  });
});

describe('product and SKU metadata', () => {
  it('is checked on create and update', async () => {
    refused(await api('POST', '/v1/products', { source_id: 'ms-p', name: 'P', metadata: { channel: 'web' } }));
    expect((await api('GET', '/v1/products/ms-p')).statusCode).toBe(404);
    const prod = await ok('POST', '/v1/products', { source_id: 'ms-p', name: 'P', metadata: { channel: 1 } });
    refused(await api('PUT', `/v1/products/${prod.id}`, { metadata: { channel: 1, x: true } }));
    refused(await api('POST', '/v1/products/ms-p/skus', { source_id: 'ms-s', metadata: {} }));
    const sku = await ok('POST', '/v1/products/ms-p/skus', { source_id: 'ms-s', metadata: { channel: 5 } });
    refused(await api('PUT', `/v1/products/ms-p/skus/${sku.id}`, { metadata: { channel: 'five' } }));
    expect((await ok('GET', `/v1/skus/${sku.id}`)).metadata).toEqual({ channel: 5 });
  });
});

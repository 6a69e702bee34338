/**
 * Orders refuse what contradicts itself: a `customer` and a `customer_id` naming different customers, and an item
 * whose discount exceeds its own amount (400 invalid_order, nothing written).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('contradictory orders', () => {
  it('customer and a different customer_id: 400, nothing written; the same customer both ways is fine', async () => {
    const ann = await ok('POST', '/v1/customers', { source_id: 'oc-ann' });
    const bob = await ok('POST', '/v1/customers', { source_id: 'oc-bob' });
    const r = await api('POST', '/v1/orders', { source_id: 'oc-1', amount: 100, customer: { source_id: 'oc-ann' }, customer_id: bob.id });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 400, key: 'invalid_order' });
    expect((await api('GET', '/v1/orders/oc-1')).statusCode).toBe(404);
    const fresh = await api('POST', '/v1/orders', { source_id: 'oc-1', amount: 100, customer: { source_id: 'oc-new' }, customer_id: bob.id });
    expect(fresh.statusCode).toBe(400);
    expect((await api('GET', '/v1/customers/oc-new')).statusCode).toBe(404);
    expect((await ok('POST', '/v1/orders', { source_id: 'oc-1', amount: 100, customer: { source_id: 'oc-ann' }, customer_id: ann.id })).customer_id).toBe(ann.id);
  });

  it('an item discount above the item amount: 400, on create and update', async () => {
    const r = await api('POST', '/v1/orders', { source_id: 'oc-2', items: [{ source_id: 'x', quantity: 1, price: 500, discount_amount: 600 }, { source_id: 'y', quantity: 1, price: 1000 }] });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 400, key: 'invalid_order' });
    const o = await ok('POST', '/v1/orders', { source_id: 'oc-2', items: [{ source_id: 'x', quantity: 1, price: 500, discount_amount: 500 }] });
    expect(o.items[0].subtotal_amount).toBe(0);
    expect((await api('PUT', `/v1/orders/${o.id}`, { items: [{ source_id: 'x', amount: 100, discount_amount: 101 }, { source_id: 'y', amount: 1000 }] })).statusCode).toBe(400);
  });
});

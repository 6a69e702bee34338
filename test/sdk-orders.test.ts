/** The official @voucherify/sdk, unchanged and pointed at Tessera with apiUrl: orders, products, validation rules. */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;

/** Runs a call that must fail and returns what the SDK threw. */
async function failure(call: Promise<unknown>): Promise<{ code: number; key: string; details?: string; resource_type?: string }> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as never;
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
});
afterAll(() => t.close());

describe('orders through the SDK', () => {
  it('creates, gets, updates (by id and by source_id) and lists orders', async () => {
    const created: any = await server.orders.create({
      source_id: 'sdk-ord-1',
      status: 'PAID',
      items: [{ source_id: 'sku-1', related_object: 'sku', quantity: 2, price: 2000 }],
      customer: { source_id: 'sdk-ord-cust', name: 'Olga' },
      metadata: { shop: 'online' },
    } as any);
    expect(created).toMatchObject({ object: 'order', source_id: 'sdk-ord-1', status: 'PAID', amount: 4000, total_amount: 4000 });
    expect(await server.orders.get(created.id)).toMatchObject({ id: created.id, items: [{ object: 'order_item', amount: 4000 }] });
    const byId: any = await server.orders.update({ id: created.id, status: 'FULFILLED' } as any);
    expect(byId).toMatchObject({ id: created.id, status: 'FULFILLED', metadata: { shop: 'online' } });
    const bySource: any = await server.orders.update({ source_id: 'sdk-ord-1', metadata: { shop: 'store' } } as any);
    expect(bySource).toMatchObject({ id: created.id, metadata: { shop: 'store' } });
    const list: any = await server.orders.list({ limit: 5 } as any);
    expect(list).toMatchObject({ object: 'list', data_ref: 'orders', total: 1 });
    expect(list.orders[0].id).toBe(created.id);
    const customer: any = await server.customers.get('sdk-ord-cust');
    expect(customer.summary.orders).toMatchObject({ total_amount: 4000, total_count: 1, last_order_amount: 4000 });
    expect(await failure(server.orders.get('ord_nope'))).toMatchObject({ code: 404, key: 'not_found', resource_type: 'order' });
    const imported: any = await server.orders.import([{ source_id: 'sdk-imp-1', amount: 100, status: 'PAID' }] as any);
    expect(imported.async_action_id).toMatch(/^aa_/);
    expect(await server.orders.get('sdk-imp-1')).toMatchObject({ amount: 100, status: 'PAID' });
  });
});

describe('products through the SDK', () => {
  it('creates, gets, updates, lists and deletes products and SKUs; collections', async () => {
    const product: any = await server.products.create({ source_id: 'sdk-prod', name: 'Lamp', price: 5000, metadata: { room: 'desk' } } as any);
    expect(product).toMatchObject({ object: 'product', name: 'Lamp', price: 5000 });
    expect(await server.products.get('sdk-prod')).toMatchObject({ id: product.id });
    expect(await server.products.update({ id: product.id, name: 'Desk lamp' } as any)).toMatchObject({ id: product.id, name: 'Desk lamp' });
    expect(await server.products.update({ source_id: 'sdk-prod', price: 5500 } as any)).toMatchObject({ id: product.id, price: 5500 });
    const sku: any = await server.products.createSku(product.id, { source_id: 'sdk-sku', sku: 'Lamp white', price: 5200 } as any);
    expect(sku).toMatchObject({ object: 'sku', product_id: product.id });
    expect(await server.products.getSku(sku.id)).toMatchObject({ id: sku.id, sku: 'Lamp white' });
    expect(await server.products.updateSku(product.id, { id: sku.id, price: 5300 } as any)).toMatchObject({ price: 5300 });
    expect(await server.products.listSkus(product.id)).toMatchObject({ total: 1 });
    expect(await server.products.list({ limit: 10 } as any)).toMatchObject({ object: 'list', data_ref: 'products' });
    const collection: any = await server.productCollections.create({ name: 'Lamps', type: 'STATIC', products: [{ id: product.id, object: 'product' }] } as any);
    expect(await server.productCollections.listProducts(collection.id)).toMatchObject({ total: 1, data: [{ id: product.id }] });
    expect(await server.productCollections.get(collection.id)).toMatchObject({ name: 'Lamps' });
    await server.productCollections.delete(collection.id);
    await server.products.deleteSku(product.id, sku.id);
    expect(await failure(server.products.getSku(sku.id))).toMatchObject({ code: 404, key: 'not_found' });
    await server.products.delete(product.id);
    expect(await failure(server.products.get(product.id))).toMatchObject({ code: 404, resource_type: 'product' });
  });
});

describe('validation rules through the SDK', () => {
  it('creates, gets, updates, lists and deletes rules; assigns and unassigns', async () => {
    const rule: any = await server.validationRules.create({
      name: 'sdk rule',
      rules: { logic: '1', '1': { name: 'order.amount', conditions: { $more_than: [1000] }, error: { message: 'Spend more' } } },
    } as any);
    expect(rule).toMatchObject({ object: 'validation_rules', name: 'sdk rule' });
    expect(await server.validationRules.get(rule.id)).toMatchObject({ id: rule.id });
    expect(await server.validationRules.update({ id: rule.id, name: 'sdk rule 2' } as any)).toMatchObject({ name: 'sdk rule 2' });
    expect(await server.validationRules.list({ limit: 10 } as any)).toMatchObject({ object: 'list', total: 1 });
    const a: any = await server.validationRules.createAssignment(rule.id, { related_object_type: 'campaign', related_object_id: 'camp_sdk' } as any);
    expect(a).toMatchObject({ object: 'validation_rules_assignment', related_object_id: 'camp_sdk' });
    expect(await server.validationRules.listAssignments(rule.id)).toMatchObject({ total: 1 });
    expect(await server.validationRules.listRulesAssignments({ related_object_id: 'camp_sdk' } as any)).toMatchObject({ total: 1 });
    await server.validationRules.deleteAssignment(rule.id, a.id);
    await server.validationRules.delete(rule.id);
    expect(await failure(server.validationRules.get(rule.id))).toMatchObject({ code: 404, key: 'not_found' });
    expect(await failure(server.validationRules.create({ name: 'bad', rules: { '1': { name: 'order.metadata', conditions: {} } } } as any))).toMatchObject({
      code: 400,
      key: 'invalid_validation_rules',
    });
  });
});

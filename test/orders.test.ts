/**
 * Orders through the API on both stores: create / upsert / get / update / list, amounts in minor units, the
 * customer's summary.orders (PAID and FULFILLED only), segments on `orders.*` re-evaluated as orders change,
 * exact summaries under concurrent orders of one customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });

async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<any> {
  const r = await api(method, url, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('orders', () => {
  it('creates an order: item amounts from price × quantity, order amount from the items, the customer upserted', async () => {
    const o = await ok('POST', '/v1/orders', {
      source_id: 'ord-1',
      items: [
        { source_id: 'sku-a', related_object: 'sku', quantity: 2, price: 1250 },
        { source_id: 'not-in-catalog', related_object: 'product', quantity: 1, amount: 3000, discount_amount: 500, metadata: { gift: true } },
      ],
      metadata: { channel: 'web' },
      customer: { source_id: 'ord-alice', name: 'Alice' },
    });
    expect(o).toMatchObject({
      object: 'order',
      source_id: 'ord-1',
      status: 'CREATED',
      amount: 5500,
      initial_amount: 5500,
      discount_amount: 0,
      items_discount_amount: 500,
      total_discount_amount: 500,
      total_amount: 5000,
      metadata: { channel: 'web' },
      customer: { id: expect.stringMatching(/^cust_/), object: 'customer' },
      referrer_id: null,
    });
    expect(o.id).toMatch(/^ord_/);
    expect(o.items).toEqual([
      { object: 'order_item', source_id: 'sku-a', related_object: 'sku', quantity: 2, price: 1250, amount: 2500, subtotal_amount: 2500 },
      {
        object: 'order_item',
        source_id: 'not-in-catalog',
        related_object: 'product',
        quantity: 1,
        amount: 3000,
        discount_amount: 500,
        subtotal_amount: 2500,
        metadata: { gift: true },
      },
    ]);
    const customer = await ok('GET', `/v1/customers/ord-alice`);
    expect(customer.id).toBe(o.customer_id);
    expect(customer.name).toBe('Alice');
    // CREATED orders do not count in the summary.
    expect(customer.summary.orders).toEqual({ total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0 });
    expect(await ok('GET', `/v1/orders/${o.id}`)).toEqual(o);
    expect(await ok('GET', `/v1/orders/ord-1`)).toEqual(o);
  });

  it('POST with an existing source_id updates that order; with an unknown id answers 404', async () => {
    const first = await ok('POST', '/v1/orders', { source_id: 'ord-up', amount: 1000 });
    const again = await ok('POST', '/v1/orders', { source_id: 'ord-up', amount: 1200, status: 'PAID' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ amount: 1200, total_amount: 1200, status: 'PAID' });
    expect(again.updated_at).not.toBeNull();
    const missing = await api('POST', '/v1/orders', { id: 'ord_missing', amount: 1 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'order', resource_id: 'ord_missing' });
  });

  it('updates only what is sent; items replace the old ones and set the amount', async () => {
    const o = await ok('POST', '/v1/orders', { source_id: 'ord-put', amount: 2000, metadata: { a: 1 } });
    const u = await ok('PUT', `/v1/orders/${o.id}`, { status: 'FULFILLED' });
    expect(u).toMatchObject({ status: 'FULFILLED', amount: 2000, metadata: { a: 1 } });
    const v = await ok('PUT', `/v1/orders/ord-put`, { items: [{ quantity: 3, price: 100 }] });
    expect(v).toMatchObject({ amount: 300, total_amount: 300, status: 'FULFILLED' });
    expect((await api('PUT', '/v1/orders/ord_nope', { status: 'PAID' })).statusCode).toBe(404);
  });

  it('refuses bad input with 400s in the error shape', async () => {
    const neg = await api('POST', '/v1/orders', { amount: -5 });
    expect(neg.statusCode).toBe(400);
    expect(neg.json()).toMatchObject({ code: 400, key: 'invalid_payload', request_id: expect.any(String) });
    const status = await api('POST', '/v1/orders', { status: 'SHIPPED' });
    expect(status.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(status.json().details).toContain('status');
    const discount = await api('POST', '/v1/orders', { amount: 100, discount_amount: 150 });
    expect(discount.json()).toMatchObject({ code: 400, key: 'invalid_order' });
    const anon = await api('POST', '/v1/orders', { amount: 100, customer: { name: 'Nobody' } });
    expect(anon.json()).toMatchObject({ code: 400, key: 'invalid_customer' });
    const unknown = await api('POST', '/v1/orders', { amount: 100, customer_id: 'cust_unknown' });
    expect(unknown.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'customer' });
    const huge = await api('POST', '/v1/orders', { items: [{ quantity: 1e9, price: 1e15 }] });
    expect(huge.json()).toMatchObject({ code: 400, key: 'invalid_order' });
    const ancient = await api('POST', '/v1/orders', { amount: 1, created_at: '0000-01-01T00:00:00Z' });
    expect(ancient.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    const noProduct = await api('POST', '/v1/orders', { items: [{ product_id: 'prod_missing', quantity: 1 }] });
    expect(noProduct.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'product', resource_id: 'prod_missing' });
    const tooMany = await api('POST', '/v1/orders', { items: Array.from({ length: 501 }, () => ({ quantity: 1 })) });
    expect(tooMany.statusCode).toBe(400);
  });

  it('refuses a decimal price of an item product or SKU (prices are whole minor units) with 400, wherever an order is sent', async () => {
    const product = { source_id: 'p-float', override: true, price: 1.5 };
    const decimal = await api('POST', '/v1/orders', { source_id: 'o-float', items: [{ quantity: 2, product }] });
    expect(decimal.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(decimal.json().details).toContain('price');
    const sku = { source_id: 's-float', override: true, price: 99.5 };
    expect((await api('POST', '/v1/orders', { items: [{ quantity: 1, product: { source_id: 'p-int', override: true }, sku }] })).json()).toMatchObject({ code: 400 });
    const redemption = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'ANY' }], order: { items: [{ quantity: 1, product: { ...product, price: 99.5 } }] } });
    expect(redemption.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', '/v1/orders/import', [{ source_id: 'o-int', amount: 5 }, { items: [{ quantity: 2, product }] }])).statusCode).toBe(400);
    expect((await api('POST', '/v1/orders', { items: [{ quantity: 1, product: { ...product, price: 1e16 } }] })).statusCode).toBe(400);
    expect((await api('GET', '/v1/products/p-float')).statusCode).toBe(404);
    expect(await ok('POST', '/v1/orders', { items: [{ quantity: 2, product: { ...product, price: 150 } }] })).toMatchObject({ amount: 300 });
  });

  it('lists orders newest first with total and has_more, and in the asked order', async () => {
      const q = await t.createProject();
      const mk = (source_id: string, created_at: string) =>
        t.app.inject({ method: 'POST', url: '/v1/orders', headers: q.server, payload: { source_id, created_at, amount: 100 } });
      for (const [i, d] of ['2024-01-01', '2024-01-03', '2024-01-02'].entries()) expect((await mk(`L${i}`, `${d}T00:00:00.000Z`)).statusCode).toBe(200);
      const list = (query: string) => t.app.inject({ method: 'GET', url: `/v1/orders${query}`, headers: q.server }).then((r) => r.json());
      const page = await list('?limit=2');
      expect(page).toMatchObject({ object: 'list', data_ref: 'orders', total: 3, has_more: true });
      expect(page.orders.map((o: any) => o.source_id)).toEqual(['L1', 'L2']);
      expect((await list('?limit=2&page=2')).orders.map((o: any) => o.source_id)).toEqual(['L0']);
      expect((await list('?order=created_at')).orders.map((o: any) => o.source_id)).toEqual(['L0', 'L2', 'L1']);
      expect((await t.app.inject({ method: 'GET', url: '/v1/orders?limit=0', headers: q.server })).statusCode).toBe(400);
  });
});

describe('summary.orders', () => {
  it('counts PAID and FULFILLED orders: total, count, floor average, the last one by creation time', async () => {
    const customer = { source_id: 'sum-bob' };
    const a = await ok('POST', '/v1/orders', { customer, amount: 1000, status: 'PAID', created_at: '2024-03-01T10:00:00.000Z' });
    await ok('POST', '/v1/orders', { customer, amount: 2001, status: 'FULFILLED', created_at: '2024-03-02T10:00:00.000Z' });
    const c = await ok('POST', '/v1/orders', { customer, amount: 9999, status: 'CREATED', created_at: '2024-03-03T10:00:00.000Z' });
    let s = (await ok('GET', '/v1/customers/sum-bob')).summary.orders;
    expect(s).toEqual({ total_amount: 3001, total_count: 2, average_amount: 1500, last_order_amount: 2001, last_order_date: '2024-03-02T10:00:00.000Z' });
    // Paying the later order makes it the last; canceling the first removes it.
    await ok('PUT', `/v1/orders/${c.id}`, { status: 'PAID' });
    await ok('PUT', `/v1/orders/${a.id}`, { status: 'CANCELED' });
    s = (await ok('GET', '/v1/customers/sum-bob')).summary.orders;
    expect(s).toEqual({ total_amount: 12000, total_count: 2, average_amount: 6000, last_order_amount: 9999, last_order_date: '2024-03-03T10:00:00.000Z' });
    // Discounts count: the summary adds what was paid (total_amount).
    await ok('PUT', `/v1/orders/${c.id}`, { discount_amount: 999 });
    expect((await ok('GET', '/v1/customers/sum-bob')).summary.orders).toMatchObject({ total_amount: 11001, last_order_amount: 9000 });
  });

  it('an update with items and no amount sets the amount from the new items (0 for none), and the summary follows', async () => {
    const o = await ok('POST', '/v1/orders', { customer: { source_id: 'empty-ed' }, status: 'PAID', items: [{ quantity: 1, price: 500 }] });
    expect((await ok('GET', '/v1/customers/empty-ed')).summary.orders.total_amount).toBe(500);
    const emptied = await ok('PUT', `/v1/orders/${o.id}`, { items: [] });
    expect(emptied).toMatchObject({ items: [], amount: 0, initial_amount: 0, total_amount: 0 });
    expect((await ok('GET', '/v1/customers/empty-ed')).summary.orders).toMatchObject({ total_amount: 0, total_count: 1, last_order_amount: 0 });
    const unpriced = await ok('PUT', `/v1/orders/${o.id}`, { amount: 800, items: [{ source_id: 'unpriced', related_object: 'product', quantity: 1 }] });
    expect(unpriced).toMatchObject({ amount: 800 });
    expect(await ok('PUT', `/v1/orders/${o.id}`, { items: [{ source_id: 'unpriced', related_object: 'product', quantity: 2 }] })).toMatchObject({ amount: 0 });
    expect(await ok('PUT', `/v1/orders/${o.id}`, { amount: 300 })).toMatchObject({ amount: 300 });
    expect(await ok('PUT', `/v1/orders/${o.id}`, { metadata: { kept: true } })).toMatchObject({ amount: 300 });
    expect((await ok('GET', '/v1/customers/empty-ed')).summary.orders.total_amount).toBe(300);
  });

  it('moving an order to another customer moves it between their summaries', async () => {
    const o = await ok('POST', '/v1/orders', { customer: { source_id: 'mv-1' }, amount: 700, status: 'PAID' });
    expect((await ok('GET', '/v1/customers/mv-1')).summary.orders.total_amount).toBe(700);
    await ok('PUT', `/v1/orders/${o.id}`, { customer: { source_id: 'mv-2' } });
    expect((await ok('GET', '/v1/customers/mv-1')).summary.orders.total_count).toBe(0);
    expect((await ok('GET', '/v1/customers/mv-2')).summary.orders).toMatchObject({ total_amount: 700, total_count: 1 });
  });

  it('stays exact when many orders of one customer are paid at once', async () => {
    await ok('POST', '/v1/customers', { source_id: 'race-carol' });
    const n = 24;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => api('POST', '/v1/orders', { source_id: `race-${i}`, customer: { source_id: 'race-carol' }, amount: 100 + i, status: 'PAID' })),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    const s = (await ok('GET', '/v1/customers/race-carol')).summary.orders;
    const want = Array.from({ length: n }, (_, i) => 100 + i).reduce((x, y) => x + y, 0);
    expect(s).toMatchObject({ total_count: n, total_amount: want });
    const { rows } = await t.testDb.db.query<{ n: number; s: number }>(
      `SELECT count(*)::int AS n, sum(amount)::float8 AS s FROM orders WHERE project_id = $1 AND customer_id = (SELECT id FROM customers WHERE project_id = $1 AND source_id = 'race-carol')`,
      [p.id],
    );
    expect(rows[0]).toEqual({ n, s: want });
    // Added one by one, the summary is what counting the orders gives, the last order included.
    const last = await t.testDb.db.query<{ amount: number; at: Date }>(
      `SELECT total_amount::float8 AS amount, created_at AS at FROM orders WHERE project_id = $1 AND customer_id = (SELECT id FROM customers WHERE project_id = $1 AND source_id = 'race-carol') ORDER BY created_at DESC, id DESC LIMIT 1`,
      [p.id],
    );
    expect(s).toMatchObject({ last_order_amount: last.rows[0]!.amount, last_order_date: new Date(last.rows[0]!.at).toISOString() });
    // A change of status recounts: the canceled order leaves the summary.
    await ok('PUT', '/v1/orders/race-0', { status: 'CANCELED' });
    expect((await ok('GET', '/v1/customers/race-carol')).summary.orders).toMatchObject({ total_count: n - 1, total_amount: want - 100 });
  });

  it('concurrent creations with one source_id make one order', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => api('POST', '/v1/orders', { source_id: 'same-src', amount: 10 + i })));
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    const { rows } = await t.testDb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE project_id = $1 AND source_id = 'same-src'`, [p.id]);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('segments on orders.*', () => {
  it('a customer enters and leaves an auto-update segment as orders are paid and canceled', async () => {
    const seg = await ok('POST', '/v1/segments', {
      name: 'Big spenders',
      type: 'auto-update',
      filter: { junction: 'and', 'orders.total_amount': { conditions: { $more_than: [5000] } } },
    });
    const countSeg = await ok('POST', '/v1/segments', {
      name: 'Two orders',
      type: 'auto-update',
      filter: { junction: 'and', 'summary.orders.total_count': { conditions: { $more_than_equal: [2] } } },
    });
    // Let both segments finish their (empty-project-independent) initial computation.
    while ((await t.tessera.services.segments.syncStep()) > 0);
    const member = async (segId: string) => (await ok('GET', '/v1/customers/seg-dan/segments')).data.some((s: any) => s.id === segId);
    const first = await ok('POST', '/v1/orders', { customer: { source_id: 'seg-dan' }, amount: 3000, status: 'PAID' });
    expect(await member(seg.id)).toBe(false);
    const second = await ok('POST', '/v1/orders', { customer: { source_id: 'seg-dan' }, amount: 2500, status: 'CREATED' });
    expect(await member(seg.id)).toBe(false);
    await ok('PUT', `/v1/orders/${second.id}`, { status: 'PAID' });
    expect(await member(seg.id)).toBe(true);
    expect(await member(countSeg.id)).toBe(true);
    await ok('PUT', `/v1/orders/${first.id}`, { status: 'CANCELED' });
    expect(await member(seg.id)).toBe(false);
    expect(await member(countSeg.id)).toBe(false);
    // A new customer whose first order is paid and big enters at once (its state is read after the summary).
    await ok('POST', '/v1/orders', { customer: { source_id: 'seg-eve', name: 'Eve' }, amount: 6000, status: 'PAID' });
    expect((await ok('GET', '/v1/customers/seg-eve/segments')).data.map((x: any) => x.id)).toEqual(expect.arrayContaining([seg.id]));
    const activity = await ok('GET', '/v1/customers/seg-dan/activity?limit=50');
    const types = activity.data.map((a: any) => a.type);
    expect(types).toEqual(expect.arrayContaining(['customer.order.created', 'customer.order.paid', 'customer.order.updated', 'customer.order.canceled', 'customer.segment.entered', 'customer.segment.left']));
  });
});

describe('orders import', () => {
  it('imports historical orders without order events; summaries and segments follow; failures reported', async () => {
    const seg = await ok('POST', '/v1/segments', {
      name: 'Importers',
      type: 'auto-update',
      filter: { junction: 'and', 'orders.total_count': { conditions: { $more_than_equal: [2] } } },
    });
    while ((await t.tessera.services.segments.syncStep()) > 0);
    const r = await api('POST', '/v1/orders/import', [
      { source_id: 'imp-1', status: 'PAID', amount: 1000, customer: { source_id: 'imp-fay' }, created_at: '2023-01-01T00:00:00.000Z' },
      { source_id: 'imp-2', status: 'FULFILLED', amount: 500, customer: { source_id: 'imp-fay' }, created_at: '2023-02-01T00:00:00.000Z' },
      { source_id: 'imp-3', amount: 1, customer_id: 'cust_nobody' },
    ]);
    expect(r.statusCode, r.body).toBe(202);
    const { async_action_id } = r.json();
    expect(async_action_id).toMatch(/^aa_/);
    const action = await ok('GET', `/v1/async-actions/${async_action_id}`);
    expect(action).toMatchObject({ status: 'DONE', progress: 100, result: { done_count: 2, failed_count: 1, failed: [{ index: 2, source_id: 'imp-3' }] } });
    expect((await api('GET', '/v1/orders/imp-3')).statusCode).toBe(404);
    const fay = await ok('GET', '/v1/customers/imp-fay');
    expect(fay.summary.orders).toEqual({ total_amount: 1500, total_count: 2, average_amount: 750, last_order_amount: 500, last_order_date: '2023-02-01T00:00:00.000Z' });
    expect((await ok('GET', '/v1/customers/imp-fay/segments')).data.map((x: any) => x.id)).toEqual(expect.arrayContaining([seg.id]));
    const types = (await ok('GET', '/v1/customers/imp-fay/activity?limit=50')).data.map((a: any) => a.type);
    expect(types.filter((x: string) => x.startsWith('customer.order.') || x === 'customer.created')).toEqual([]);
    expect(types).toContain('customer.segment.entered');
    expect((await api('POST', '/v1/orders/import', [])).statusCode).toBe(400);
  });

  it('reports an order whose value the database refuses as a failure of that order and keeps the others', async () => {
    // The API's schema refuses such a price first; the import itself must still not lose the other orders.
    const cause = { projectId: p.id, groupId: 'v-import-db-value', source: { channel: 'API' as const } };
    const bad = { source_id: 'imp-db-bad', items: [{ quantity: 2, product: { source_id: 'imp-p-float', override: true, price: 1.5 } }] };
    const { async_action_id } = await t.tessera.services.orders.importMany(cause, [{ source_id: 'imp-db-ok', amount: 700 }, bad]);
    const action = await ok('GET', `/v1/async-actions/${async_action_id}`);
    expect(action).toMatchObject({ status: 'DONE', result: { done_count: 1, failed_count: 1, failed: [{ index: 1, source_id: 'imp-db-bad' }] } });
    expect(action.result.failed[0].reason).toContain('1.5');
    expect(await ok('GET', '/v1/orders/imp-db-ok')).toMatchObject({ amount: 700 });
    expect((await api('GET', '/v1/orders/imp-db-bad')).statusCode).toBe(404);
    expect((await api('GET', '/v1/products/imp-p-float')).statusCode).toBe(404);
  });
});

/**
 * GET /v1/product-collections/{id}/products pages (limit, page, order) and shows its items as the spec's
 * ProductWithoutSkus and SkuWithProduct; a static collection's members are resolved when it is saved (source_ids to
 * ids, unknown ones refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2024-05-01T10:00:00.000Z'));
let t: TestTessera;
let p: TestProject;
const products: any[] = [];
let sku: any;

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
async function ok(method: 'GET' | 'POST', url: string, payload?: object): Promise<any> {
  const r = await api(method, url, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
  for (const n of [1, 2, 3, 4, 5]) {
    clock.advance(1000);
    products.push(await ok('POST', '/v1/products', { source_id: `cp-${n}`, name: `P${n}`, price: n * 100, metadata: { line: 'cp' } }));
  }
  clock.advance(1000);
  sku = await ok('POST', '/v1/products/cp-1/skus', { source_id: 'cp-1-s', sku: 'S', price: 90 });
});
afterAll(() => t.close());

describe('listing a collection', () => {
  it('an auto-update collection pages with limit, page and order', async () => {
    const c = await ok('POST', '/v1/product-collections', { name: 'CP', type: 'AUTO_UPDATE', filter: { junction: 'and', 'metadata.line': { conditions: { $is: ['cp'] } } } });
    const first = await ok('GET', `/v1/product-collections/${c.id}/products?limit=2`);
    expect(first).toMatchObject({ object: 'list', data_ref: 'data', total: 5 });
    expect(first.data.map((x: any) => x.source_id)).toEqual(['cp-1', 'cp-2']);
    const third = await ok('GET', `/v1/product-collections/${c.id}/products?limit=2&page=3`);
    expect(third.data.map((x: any) => x.source_id)).toEqual(['cp-5']);
    const newest = await ok('GET', `/v1/product-collections/${c.id}/products?limit=2&order=-created_at`);
    expect(newest.data.map((x: any) => x.source_id)).toEqual(['cp-5', 'cp-4']);
    // A product is shown without its SKUs (ProductWithoutSkus), not with an empty list.
    expect(first.data[0]).not.toHaveProperty('skus');
    expect(first.data[0]).toMatchObject({ id: products[0].id, object: 'product', price: 100 });
    expect((await api('GET', `/v1/product-collections/${c.id}/products?limit=0`)).json()).toMatchObject({ code: 400 });
  });

  it('a static collection pages over its products and SKUs; a SKU comes with its product', async () => {
    const c = await ok('POST', '/v1/product-collections', { name: 'Picked', type: 'STATIC', products: [{ id: products[2].id, object: 'product' }, { id: sku.id, object: 'sku', product_id: products[0].id }, { id: products[1].id, object: 'product' }] });
    const all = await ok('GET', `/v1/product-collections/${c.id}/products`);
    expect(all.total).toBe(3);
    expect(all.data.map((x: any) => x.id)).toEqual([products[1].id, products[2].id, sku.id]);
    expect(all.data[2]).toMatchObject({ object: 'sku', id: sku.id, product_id: products[0].id, product: { id: products[0].id, source_id: 'cp-1', object: 'product' } });
    expect(all.data[2].product).not.toHaveProperty('skus');
    const second = await ok('GET', `/v1/product-collections/${c.id}/products?limit=2&page=2`);
    expect(second).toMatchObject({ total: 3 });
    expect(second.data.map((x: any) => x.id)).toEqual([sku.id]);
  });
});

describe('static collection members are resolved when saved', () => {
  it('a source_id is stored as the id, and the collection lists the product', async () => {
    const c = await ok('POST', '/v1/product-collections', { name: 'By source', type: 'STATIC', products: [{ id: 'cp-4', object: 'product' }, { id: 'cp-1-s', object: 'sku' }] });
    expect(c.products).toEqual([{ id: products[3].id, object: 'product' }, { id: sku.id, object: 'sku', product_id: products[0].id }]);
    expect((await ok('GET', `/v1/product-collections/${c.id}/products`)).data.map((x: any) => x.id)).toEqual([products[3].id, sku.id]);
  });

  it('an unknown product or SKU is refused with 404, and nothing is saved', async () => {
    const nope = await api('POST', '/v1/product-collections', { name: 'Nope', type: 'STATIC', products: [{ id: 'prod_nope', object: 'product' }] });
    expect(nope.statusCode).toBe(404);
    expect(nope.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'product', resource_id: 'prod_nope' });
    const noSku = await api('POST', '/v1/product-collections', { name: 'Nope', type: 'STATIC', products: [{ id: 'sku_nope', object: 'sku' }] });
    expect(noSku.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'sku', resource_id: 'sku_nope' });
    const list = await ok('GET', '/v1/product-collections?limit=100');
    expect(list.data.map((x: any) => x.name)).not.toContain('Nope');
  });
});

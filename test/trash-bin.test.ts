/**
 * The bin (/v1/trash-bin): campaigns, vouchers, products and SKUs deleted without `force` are kept with every row
 * their delete cascaded to; an entry is listed, deleted for good, or restored exactly as it was. With `force` the
 * delete is final. Lists validate against the official schema.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { apiSpecValidator } from './helpers/api-spec.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let other: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
const { api, ok } = requestsOf(() => ({ t, p }));
const official = apiSpecValidator('readOnly-openAPI');
const any = (x: unknown) => x as never;

/** Every row of these tables (the project's own and its dependents'), as JSON in a stable order. */
async function rowsOf(tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await t.testDb.db.query<{ j: unknown }>(`SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY to_jsonb(x)::text), '[]'::jsonb) AS j FROM ${table} x`);
    out[table] = JSON.stringify(rows[0]!.j);
  }
  return out;
}
const binned = async (query = '') => ok('GET', `/v1/trash-bin${query}`);

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  other = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
});
afterAll(() => t.close());

describe('the bin', () => {
  it('a loyalty program deleted without force goes to the bin with its cards, rules and ledger, and comes back exactly', async () => {
    const program = await ok('POST', '/v1/loyalties', { name: 'Binned club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'BIN-', length: 8 } } });
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 10 } }]);
    const card = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'bin-member' } })).code;
    await ok('POST', `/v1/loyalties/${program.id}/members/${card}/balance`, { points: 120 });
    const tables = ['campaigns', 'vouchers', 'earning_rules', 'loyalty_transactions', 'campaign_joins'];
    const before = await rowsOf(tables);

    const deleted = await api('DELETE', `/v1/campaigns/${program.id}`);
    expect(deleted.statusCode).toBe(202);
    expect((await api('GET', `/v1/campaigns/${program.id}`)).statusCode).toBe(404);
    expect((await api('GET', `/v1/loyalties/members/${card}`)).statusCode).toBe(404);
    expect(await t.testDb.db.query('SELECT 1 FROM loyalty_transactions t JOIN vouchers v ON v.id = t.voucher_id WHERE v.code = $1', [card])).toMatchObject({ rows: [] });

    const list = await binned();
    official('TrashBinListResponseBody', list);
    const entry = list.data.find((e: any) => e.resource_id === program.id);
    expect(entry).toMatchObject({ resource_type: 'campaign', object: 'campaign', resource_name: 'Binned club', resource_parent_id: null, deleted_by_user_id: null });
    expect(entry.id).toMatch(/^tbe_/);
    expect(await ok('GET', `/v1/trash-bin/${entry.id}`)).toEqual(entry);

    expect(await ok('POST', `/v1/trash-bin/${entry.id}/restore`)).toEqual(entry);
    expect(await rowsOf(tables)).toEqual(before);
    expect((await ok('GET', `/v1/loyalties/members/${card}`)).loyalty_card).toMatchObject({ points: 120, balance: 120 });
    expect((await ok('GET', `/v1/campaigns/${program.id}`)).name).toBe('Binned club');
    // The entry is gone once restored.
    expect((await api('GET', `/v1/trash-bin/${entry.id}`)).statusCode).toBe(404);
    expect((await api('POST', `/v1/trash-bin/${entry.id}/restore`)).json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'bin_entry' });
  });

  it('force deletes for good: no entry; the SDK passes force through', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Forced', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 }, code_config: { pattern: 'FRC-####' } }, vouchers_count: 3 });
    const standalone = await ok('POST', '/v1/vouchers/FORCED-ONE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    await server.campaigns.delete(c.id, { force: true });
    await server.vouchers.delete(standalone.code, { force: true });
    const product = await ok('POST', '/v1/products', { name: 'Forced product', source_id: 'forced-product' });
    await server.products.delete(product.id, { force: true });
    const club = await ok('POST', '/v1/loyalties', { name: 'Forced club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'FCL-', length: 8 } } });
    await server.loyalties.delete(club.id, { force: true });
    const ids = (await binned('?limit=100')).data.map((e: any) => e.resource_id);
    expect(ids).not.toContain(c.id);
    expect(ids).not.toContain(standalone.id);
    expect(ids).not.toContain(product.id);
    expect(ids).not.toContain(club.id);
    expect((await api('GET', `/v1/campaigns/${c.id}`)).statusCode).toBe(404);
    expect(await t.testDb.db.query('SELECT 1 FROM vouchers WHERE campaign_id = $1', [c.id])).toMatchObject({ rows: [] });
    // Without force, through the SDK: into the bin.
    const kept = await ok('POST', '/v1/vouchers/KEPT-ONE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    await server.vouchers.delete(kept.code);
    expect((await binned('?limit=100')).data.map((e: any) => e.resource_id)).toContain(kept.id);
  });

  it('a code taken again since its deletion blocks the restore with 409, changing nothing, until it is free again', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Codes', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    const v = await ok('POST', `/v1/campaigns/${c.id}/vouchers/REUSED-1`, {});
    expect((await api('DELETE', '/v1/vouchers/REUSED-1')).statusCode).toBe(204);
    const entry = (await binned('?order=-id')).data[0];
    expect(entry).toMatchObject({ resource_type: 'voucher', resource_id: v.id, resource_name: 'REUSED-1', resource_parent_id: c.id });
    // The code is free at once: a new voucher takes it.
    await ok('POST', '/v1/vouchers/REUSED-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    const refused = await api('POST', `/v1/trash-bin/${entry.id}/restore`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 409, key: 'duplicate_found', resource_id: entry.id });
    expect(refused.json().details).toContain('a voucher with code REUSED-1 exists again');
    expect(refused.json().details).not.toMatch(/_unique|_key\b|constraint/);
    expect(await ok('GET', `/v1/trash-bin/${entry.id}`)).toEqual(entry);
    await api('DELETE', '/v1/vouchers/REUSED-1?force=true');
    await ok('POST', `/v1/trash-bin/${entry.id}/restore`);
    expect(await ok('GET', '/v1/vouchers/REUSED-1')).toMatchObject({ id: v.id, campaign_id: c.id });
  });

  it('a campaign whose category was deleted while it was in the bin comes back without the category, as the delete would have left it', async () => {
    const cat = await ok('POST', '/v1/categories', { name: 'Seasonal', hierarchy: 1 });
    const kept = await ok('POST', '/v1/categories', { name: 'Evergreen', hierarchy: 2 });
    const c = await ok('POST', '/v1/campaigns', { name: 'Binned with category', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', category_id: cat.id, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/CAT-CODE-1`, { category_id: kept.id });
    expect((await api('DELETE', `/v1/campaigns/${c.id}`)).statusCode).toBeLessThan(300);
    const entry = (await binned('?order=-id')).data[0];
    expect(entry).toMatchObject({ resource_type: 'campaign', resource_id: c.id });
    expect((await api('DELETE', `/v1/categories/${cat.id}`)).statusCode).toBe(204);
    await ok('POST', `/v1/trash-bin/${entry.id}/restore`);
    const back = await ok('GET', `/v1/campaigns/${c.id}`);
    expect(back).toMatchObject({ id: c.id, name: 'Binned with category' });
    expect(back.category_id ?? null).toBeNull();
    // A category still there stays named.
    expect(await ok('GET', '/v1/vouchers/CAT-CODE-1')).toMatchObject({ category_id: kept.id });
  });

  it('products and SKUs: an SKU names its product as parent; it cannot come back once its product is gone for good', async () => {
    const product = await ok('POST', '/v1/products', { name: 'Mug', source_id: 'bin-mug', price: 1500 });
    const blue = await ok('POST', `/v1/products/${product.id}/skus`, { sku: 'Blue mug', source_id: 'bin-mug-blue' });
    const red = await ok('POST', `/v1/products/${product.id}/skus`, { sku: 'Red mug', source_id: 'bin-mug-red' });
    expect((await api('DELETE', `/v1/products/${product.id}/skus/${blue.id}`)).statusCode).toBe(204);
    const skuEntry = (await binned('?order=-id')).data[0];
    expect(skuEntry).toMatchObject({ resource_type: 'sku', object: 'sku', resource_id: blue.id, resource_name: 'Blue mug', resource_parent_id: product.id });

    // The product goes to the bin with its remaining SKU, and comes back with it.
    expect((await api('DELETE', `/v1/products/${product.id}`)).statusCode).toBe(204);
    const productEntry = (await binned('?order=-id')).data[0];
    expect(productEntry).toMatchObject({ resource_type: 'product', resource_id: product.id, resource_name: 'Mug', resource_parent_id: null });
    expect((await api('GET', `/v1/skus/${red.id}`)).statusCode).toBe(404);
    await ok('POST', `/v1/trash-bin/${productEntry.id}/restore`);
    expect((await ok('GET', `/v1/products/${product.id}`)).skus.data.map((s: any) => s.id)).toEqual([red.id]);

    // Deleted for good, the product takes its SKUs; the binned SKU has nothing to come back to.
    expect((await api('DELETE', `/v1/products/${product.id}?force=true`)).statusCode).toBe(204);
    const orphan = await api('POST', `/v1/trash-bin/${skuEntry.id}/restore`);
    expect(orphan.statusCode).toBe(404);
    expect(orphan.json()).toMatchObject({ key: 'not_found', resource_id: skuEntry.id });
    expect(orphan.json().details).toContain(`its product ${product.id} is gone`);
    expect(orphan.json().details).not.toContain('fkey');
    expect(await ok('GET', `/v1/trash-bin/${skuEntry.id}`)).toEqual(skuEntry);
  });

  it('a restore refused names the resource in the way, not a database constraint', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Named again, twice', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    expect((await api('DELETE', `/v1/campaigns/${c.id}`)).statusCode).toBeLessThan(300);
    const campaignEntry = (await binned('?order=-id')).data[0];
    await ok('POST', '/v1/campaigns', { name: 'Named again, twice', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    const named = await api('POST', `/v1/trash-bin/${campaignEntry.id}/restore`);
    expect(named.statusCode).toBe(409);
    expect(named.json().details).toContain('a campaign with name Named again, twice exists again');
    const product = await ok('POST', '/v1/products', { name: 'Cup', source_id: 'bin-cup' });
    expect((await api('DELETE', `/v1/products/${product.id}`)).statusCode).toBe(204);
    const productEntry = (await binned('?order=-id')).data[0];
    await ok('POST', '/v1/products', { name: 'Other cup', source_id: 'bin-cup' });
    const sourced = await api('POST', `/v1/trash-bin/${productEntry.id}/restore`);
    expect(sourced.statusCode).toBe(409);
    expect(sourced.json().details).toContain('a product with source ID bin-cup exists again');
  });

  it('deletes racing on one campaign or product: one wins, the others find nothing, the bin holds one entry', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Raced', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    for (const code of ['RACE-1', 'RACE-2', 'RACE-3']) await ok('POST', `/v1/campaigns/${c.id}/vouchers/${code}`, {});
    const product = await ok('POST', '/v1/products', { name: 'Raced product', source_id: 'raced-product' });
    await ok('POST', `/v1/products/${product.id}/skus`, { sku: 'Raced SKU', source_id: 'raced-sku' });
    const campaignTries = await Promise.all(Array.from({ length: 6 }, () => api('DELETE', `/v1/campaigns/${c.id}`)));
    const productTries = await Promise.all(Array.from({ length: 6 }, () => api('DELETE', `/v1/products/${product.id}`)));
    expect(campaignTries.map((r) => r.statusCode).sort()).toEqual([202, 404, 404, 404, 404, 404]);
    expect(productTries.map((r) => r.statusCode).sort()).toEqual([204, 404, 404, 404, 404, 404]);
    const entries = async (resourceId: string) => (await t.testDb.db.query<{ id: string }>('SELECT id FROM trash_bin WHERE resource_id = $1', [resourceId])).rows;
    expect(await entries(c.id)).toHaveLength(1);
    expect(await entries(product.id)).toHaveLength(1);
    const kept = async (entryId: string, table: string) =>
      Number((await t.testDb.db.query<{ n: string }>('SELECT coalesce(sum(jsonb_array_length(rows)), 0) AS n FROM trash_bin_rows WHERE entry_id = $1 AND table_name = $2', [entryId, table])).rows[0]!.n);
    expect(await kept((await entries(c.id))[0]!.id, 'vouchers')).toBe(3);
    expect(await kept((await entries(product.id))[0]!.id, 'skus')).toBe(1);
  });

  it('lists by id with a cursor and filters; an entry is deleted for good; other projects see nothing', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) await ok('POST', '/v1/products', { name, source_id: `page-${name}` });
    const products = (await ok('GET', '/v1/products?limit=100')).products.filter((x: any) => x.name.startsWith('Page '));
    for (const x of products) expect((await api('DELETE', `/v1/products/${x.id}`)).statusCode).toBe(204);
    const all = (await binned('?limit=100&filters[resource_type][conditions][$in][0]=product')).data;
    expect(all.every((e: any) => e.resource_type === 'product')).toBe(true);
    const ids = all.map((e: any) => e.id);
    expect(ids).toEqual([...ids].sort());
    const first = await binned('?limit=2&filters[resource_type][conditions][$is]=product');
    official('TrashBinListResponseBody', first);
    expect(first).toMatchObject({ object: 'list', data_ref: 'data', total: 2, has_more: true, more_starting_after: ids[1] });
    const rest = await binned(`?limit=100&filters[resource_type][conditions][$is]=product&starting_after_id=${ids[1]}`);
    expect(rest.data.map((e: any) => e.id)).toEqual(ids.slice(2));
    expect((await binned('?order=-id&limit=100')).data.map((e: any) => e.id)).toEqual(expect.arrayContaining(ids));
    const named = await binned('?filters[resource_name][conditions][$in][0]=Page B');
    expect(named.data.map((e: any) => e.resource_name)).toEqual(['Page B']);

    const bad = await api('GET', '/v1/trash-bin?filters[color][conditions][$is]=red');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ key: 'invalid_query_params' });
    expect((await api('GET', '/v1/trash-bin?order=name')).statusCode).toBe(400);

    const gone = named.data[0];
    const otherSees = await t.app.inject({ method: 'GET', url: '/v1/trash-bin?limit=100', headers: other.server });
    expect(otherSees.json().data).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/trash-bin/${gone.id}`, headers: other.server })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/v1/trash-bin/${gone.id}/restore`, headers: other.server })).statusCode).toBe(404);

    expect((await api('DELETE', `/v1/trash-bin/${gone.id}`)).statusCode).toBe(204);
    expect((await api('DELETE', `/v1/trash-bin/${gone.id}`)).statusCode).toBe(404);
    expect(await t.testDb.db.query('SELECT 1 FROM trash_bin_rows WHERE entry_id = $1', [gone.id])).toMatchObject({ rows: [] });
  });
});

describe('the bin\'s retention', () => {
  const clock = fixedClock(new Date('2026-03-01T12:00:00Z'));
  let r: TestTessera;
  let q: TestProject;
  beforeAll(async () => {
    r = await startTessera({ clock, env: { TESSERA_BIN_RETENTION_DAYS: '7' } });
    q = await r.createProject();
  });
  afterAll(() => r.close());
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => r.app.inject({ method, url, headers: q.server, ...(payload ? { payload } : {}) });
  const entryNames = async () => (await call('GET', '/v1/trash-bin?limit=100')).json().data.map((e: { resource_name: string }) => e.resource_name);

  it('deletes entries older than TESSERA_BIN_RETENTION_DAYS for good, with their kept rows; 0 keeps them', async () => {
    expect(r.tessera.worker.jobs.map((j) => j.name)).toContain('trash-bin.retention');
    for (const code of ['OLD-1', 'NEW-1']) {
      expect((await call('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } })).statusCode).toBe(200);
    }
    expect((await call('DELETE', '/v1/vouchers/OLD-1')).statusCode).toBe(204);
    clock.set(new Date('2026-03-05T12:00:00Z'));
    expect((await call('DELETE', '/v1/vouchers/NEW-1')).statusCode).toBe(204);
    // 7 days and a minute after the first deletion: it goes, the second (3 days later) stays.
    clock.set(new Date('2026-03-08T12:01:00Z'));
    await r.tessera.worker.start();
    await r.tessera.worker.stop();
    expect(await entryNames()).toEqual(['NEW-1']);
    expect(Number((await r.testDb.db.query<{ n: string }>('SELECT count(DISTINCT entry_id) AS n FROM trash_bin_rows')).rows[0]!.n)).toBe(1);
    const keep = await startTessera({ env: { TESSERA_BIN_RETENTION_DAYS: '0' } });
    try {
      expect(keep.tessera.worker.jobs.map((j) => j.name)).not.toContain('trash-bin.retention');
    } finally {
      await keep.close();
    }
  });
});

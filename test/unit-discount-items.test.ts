/**
 * UNIT discounts and the catalog, on both stores: a code giving away a product or SKU the catalog does not know is
 * refused when it is saved (create, update, import), as rules naming unknown products are; ADD_MISSING_ITEMS finds
 * the order's line of its product or SKU however the line names it (by id, by source_id with related_object, by
 * product / sku objects), instead of adding the item again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok, api } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

const unit = (unit_type: string, effect = 'ADD_MISSING_ITEMS') => ({ type: 'UNIT', unit_off: 1, unit_type, effect });

describe('UNIT discounts naming the catalog', () => {
  it('refuses a product or SKU the catalog does not know, on create, update and import', async () => {
    const prod = await ok('POST', '/v1/products', { source_id: 'ud-mug', name: 'Mug', price: 900 });
    const sku = await ok('POST', '/v1/products/ud-mug/skus', { source_id: 'ud-mug-red' });
    for (const [i, key] of [prod.id, 'ud-mug', sku.id, 'ud-mug-red'].entries()) await ok('POST', `/v1/vouchers/UD-OK-${i}`, { type: 'DISCOUNT_VOUCHER', discount: unit(key) });

    const unknown = await api('POST', '/v1/vouchers/UD-BAD', { type: 'DISCOUNT_VOUCHER', discount: unit('prod_nope') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'product', resource_id: 'prod_nope' });
    expect((await api('GET', '/v1/vouchers/UD-BAD')).statusCode).toBe(404);
    const many = await api('POST', '/v1/vouchers/UD-MANY', { type: 'DISCOUNT_VOUCHER', discount: { type: 'UNIT', effect: 'ADD_MANY_ITEMS', units: [{ unit_off: 1, unit_type: prod.id, effect: 'ADD_NEW_ITEMS' }, { unit_off: 1, unit_type: 'sku_nope', effect: 'ADD_NEW_ITEMS' }] } });
    expect(many.statusCode).toBe(404);
    expect(many.json()).toMatchObject({ key: 'not_found', resource_type: 'sku', resource_id: 'sku_nope' });

    const update = await api('PUT', '/v1/vouchers/UD-OK-0', { discount: unit('prod_gone') });
    expect(update.statusCode).toBe(404);
    expect(update.json()).toMatchObject({ key: 'not_found', resource_id: 'prod_gone' });
    expect((await ok('GET', '/v1/vouchers/UD-OK-0')).discount.unit_type).toBe(prod.id);
    // A GET sent back whole still saves, and another known product does.
    const shown = await ok('GET', '/v1/vouchers/UD-OK-0');
    await ok('PUT', '/v1/vouchers/UD-OK-0', { ...shown, metadata: { kept: true } });
    expect((await ok('PUT', '/v1/vouchers/UD-OK-0', { discount: unit(sku.id) })).discount.unit_type).toBe(sku.id);

    const campaign = await ok('POST', '/v1/campaigns', { name: 'UD camp', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    expect((await api('POST', '/v1/vouchers/UD-CAMP', { campaign_id: campaign.id, discount: unit('prod_nope') })).statusCode).toBe(404);

    await api('POST', '/v1/vouchers/import', [
      { code: 'UD-IMP-OK', type: 'DISCOUNT_VOUCHER', discount: unit(prod.id) },
      { code: 'UD-IMP-BAD', type: 'DISCOUNT_VOUCHER', discount: unit('prod_nope') },
    ]);
    expect((await api('GET', '/v1/vouchers/UD-IMP-OK')).statusCode).toBe(200);
    expect((await api('GET', '/v1/vouchers/UD-IMP-BAD')).statusCode).toBe(404);
  });

  it("refuses them in campaigns' codes (create and update) and promotion tiers (create and update)", async () => {
    const prod = await ok('POST', '/v1/products', { source_id: 'ud-cup', name: 'Cup', price: 500 });
    const campaign = (name: string, key: string) => api('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: unit(key) } });
    const bad = await campaign('UD bad', 'prod_nope');
    expect(bad.statusCode).toBe(404);
    expect(bad.json()).toMatchObject({ key: 'not_found', resource_type: 'product', resource_id: 'prod_nope' });
    expect((await api('GET', '/v1/campaigns/UD bad')).statusCode).toBe(404);
    const good = await campaign('UD good', prod.id);
    expect(good.statusCode).toBe(200);
    expect((await api('PUT', `/v1/campaigns/${good.json().id}`, { voucher: { type: 'DISCOUNT_VOUCHER', discount: unit('sku_nope') } })).statusCode).toBe(404);
    expect((await ok('GET', `/v1/campaigns/${good.json().id}`)).voucher.discount.unit_type).toBe(prod.id);

    const tier = (key: string) => ({ name: `T ${key}`, banner: 'T', action: { discount: unit(key, 'ADD_NEW_ITEMS') } });
    expect((await api('POST', '/v1/campaigns', { name: 'UD promo bad', campaign_type: 'PROMOTION', promotion: { tiers: [tier('prod_nope')] } })).statusCode).toBe(404);
    const promo = await ok('POST', '/v1/campaigns', { name: 'UD promo', campaign_type: 'PROMOTION', promotion: { tiers: [tier('ud-cup')] } });
    expect((await api('POST', `/v1/promotions/${promo.id}/tiers`, tier('prod_nope'))).statusCode).toBe(404);
    expect((await api('PUT', `/v1/promotions/tiers/${promo.promotion.tiers[0].id}`, { action: { discount: unit('prod_nope', 'ADD_NEW_ITEMS') } })).statusCode).toBe(404);
    await ok('POST', `/v1/promotions/${promo.id}/tiers`, tier(prod.id));
  });
});

describe('ADD_MISSING_ITEMS and the order line of its item', () => {
  it('finds the line however it names the product or SKU, in validations and redemptions', async () => {
    const prod = await ok('POST', '/v1/products', { source_id: 'am-mug', name: 'Mug', price: 900 });
    const sku = await ok('POST', '/v1/products/am-mug/skus', { source_id: 'am-mug-red', price: 800 });
    const cases: Array<[string, Record<string, unknown>, number]> = [
      [prod.id, { source_id: 'am-mug', related_object: 'product', quantity: 1, price: 900 }, 900],
      [prod.id, { source_id: 'am-mug', quantity: 1, price: 900 }, 900],
      ['am-mug', { product_id: prod.id, quantity: 1, price: 900 }, 900],
      [prod.id, { product: { source_id: 'am-mug' }, quantity: 1, price: 900 }, 900],
      [sku.id, { source_id: 'am-mug-red', related_object: 'sku', quantity: 1, price: 800 }, 800],
      ['am-mug-red', { sku_id: sku.id, quantity: 1, price: 800 }, 800],
    ];
    for (const [i, [unit_type, line, price]] of cases.entries()) {
      const code = `AM-${i}`;
      await ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: unit(unit_type) });
      const body = { redeemables: [{ object: 'voucher', id: code }], order: { items: [line] } };
      const v = await ok('POST', '/v1/validations', body);
      expect(v.order.items, `${i}: ${JSON.stringify(v.order.items)}`).toHaveLength(1);
      expect(v.order).toMatchObject({ amount: price, items_discount_amount: price, total_amount: 0 });
      expect(v.order.items[0]).toMatchObject({ quantity: 1, amount: price, discount_amount: price });
      const r = await ok('POST', '/v1/redemptions', body);
      expect(r.order.items, `${i}: ${JSON.stringify(r.order.items)}`).toHaveLength(1);
      expect(r.order).toMatchObject({ amount: price, total_amount: 0 });
    }
    // A line of another kind with the same source id is not the unit's: a SKU line is not the product's line.
    await ok('POST', '/v1/products', { source_id: 'am-twin', name: 'Twin', price: 500 });
    const twin = await ok('POST', '/v1/products/am-mug/skus', { source_id: 'am-twin', price: 700 });
    await ok('POST', '/v1/vouchers/AM-TWIN', { type: 'DISCOUNT_VOUCHER', discount: unit('am-twin') });
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'AM-TWIN' }], order: { items: [{ source_id: 'am-twin', related_object: 'sku', quantity: 1, price: 700 }] } });
    expect(v.order.items).toHaveLength(2);
    expect(twin.id).toMatch(/^sku_/);
  });

  it("finds a SKU's line that an earlier UNIT discount of the stack added", async () => {
    await ok('POST', '/v1/products', { source_id: 'am-pen', name: 'Pen', price: 300 });
    const sku = await ok('POST', '/v1/products/am-pen/skus', { source_id: 'am-pen-blue', price: 300 });
    for (const code of ['AM-PEN-1', 'AM-PEN-2']) await ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: unit(sku.id) });
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'AM-PEN-1' }, { object: 'voucher', id: 'AM-PEN-2' }], order: { items: [{ source_id: 'am-other', quantity: 1, price: 1000 }] } });
    expect(v.order.items).toHaveLength(2);
    expect(v.order.items[1]).toMatchObject({ quantity: 1, amount: 300, discount_amount: 300 });
  });
});

/**
 * Discount targets: a validation rule's applicable_to chooses the order lines an item discount touches (products,
 * SKUs, collections; excluded ones; the cheapest or most expensive), on both stores, through validations,
 * redemptions, the legacy validate and qualifications. Rules store their targets with both keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const ids: Record<string, string> = {};

const { api, ok } = requestsOf(() => ({ t, p }));

/** A voucher with this discount, guarded by a rule with these targets. */
async function targeted(code: string, discount: Record<string, unknown>, applicable_to: Record<string, unknown>) {
  const v = await ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount });
  const rule = await ok('POST', '/v1/validation-rules', { name: `targets of ${code}`, applicable_to });
  await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
  return rule;
}

// Shoes (two SKUs), a shirt and a mug: lines named the way shops send them (source ids, SKUs by source id).
const order = {
  amount: 23000,
  items: [
    { source_id: 'shoe', related_object: 'product', quantity: 1, price: 10000 },
    { source_id: 'shoe-43', related_object: 'sku', product_id: undefined, quantity: 1, price: 8000 },
    { source_id: 'shirt', quantity: 1, price: 4000 },
    { source_id: 'mug', quantity: 1, price: 1000 },
  ],
};
const validate = (code: string, o: object = order) => ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code }], order: o });
const discounts = (v: any) => v.order.items.map((i: any) => i.discount_amount ?? 0);

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  ids.shoe = (await ok('POST', '/v1/products', { source_id: 'shoe', name: 'Shoe', price: 10000, metadata: { kind: 'footwear' } })).id;
  ids.shoe43 = (await ok('POST', '/v1/products/shoe/skus', { source_id: 'shoe-43', price: 8000 })).id;
  ids.shirt = (await ok('POST', '/v1/products', { source_id: 'shirt', name: 'Shirt', price: 4000, metadata: { kind: 'apparel' } })).id;
  ids.mug = (await ok('POST', '/v1/products', { source_id: 'mug', name: 'Mug', price: 1000, metadata: { kind: 'kitchen' } })).id;
});
afterAll(() => t.close());

describe('rules store their targets with both keys', () => {
  it('fills id and source_id from the catalog, and refuses unknown products, SKUs and collections', async () => {
    const rule = await ok('POST', '/v1/validation-rules', {
      name: 'Shoes and a shirt',
      applicable_to: { included: [{ object: 'product', source_id: 'shoe' }, { object: 'sku', id: ids.shoe43 }], excluded: [{ object: 'product', id: ids.shirt }] },
    });
    expect(rule.applicable_to.included).toEqual([
      { object: 'product', id: ids.shoe, source_id: 'shoe' },
      { object: 'sku', id: ids.shoe43, source_id: 'shoe-43', product_id: ids.shoe, product_source_id: 'shoe' },
    ]);
    expect(rule.applicable_to.excluded).toEqual([{ object: 'product', id: ids.shirt, source_id: 'shirt' }]);
    expect((await ok('GET', `/v1/validation-rules/${rule.id}`)).applicable_to.included[0]).toEqual({ object: 'product', id: ids.shoe, source_id: 'shoe' });
    const unknown = await api('POST', '/v1/validation-rules', { name: 'Ghost', applicable_to: { included: [{ object: 'product', source_id: 'ghost' }] } });
    expect(unknown.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'product', resource_id: 'ghost' });
    const noKey = await api('POST', '/v1/validation-rules', { name: 'Nameless', applicable_to: { included: [{ object: 'sku' }] } });
    expect(noKey.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(noKey.json().details).toContain('applicable_to.included[0]');
    const badObject = await api('POST', '/v1/validation-rules', { name: 'Odd', applicable_to: { included: [{ object: 'category', id: 'x' }] } });
    expect(badObject.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    const noCollection = await api('PUT', `/v1/validation-rules/${rule.id}`, { applicable_to: { included: [{ object: 'products_collection', id: 'pc_nope' }] } });
    expect(noCollection.json()).toMatchObject({ code: 404, resource_type: 'products_collection' });
    // The refused update changed nothing.
    expect((await ok('GET', `/v1/validation-rules/${rule.id}`)).applicable_to.excluded).toHaveLength(1);
  });
});

describe('item discounts touch only their targets', () => {
  it('a percent off a product discounts its lines and its SKUs lines, and lists the targets', async () => {
    await targeted('SHOES-10', { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ITEMS' }, { included: [{ object: 'product', id: ids.shoe }] });
    const v = await validate('SHOES-10');
    expect(v.valid).toBe(true);
    expect(discounts(v)).toEqual([1000, 800, 0, 0]);
    expect(v.order).toMatchObject({ items_discount_amount: 1800, total_discount_amount: 1800, total_amount: 21200 });
    expect(v.redeemables[0].applicable_to).toEqual({ object: 'list', data_ref: 'data', total: 1, data: [{ object: 'product', id: ids.shoe, source_id: 'shoe' }] });
    expect(v.redeemables[0].inapplicable_to).toMatchObject({ total: 0, data: [] });
    // Without the rule the same discount takes 10% of every line.
    await ok('POST', '/v1/vouchers/ALL-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ITEMS' } });
    expect(discounts(await validate('ALL-10'))).toEqual([1000, 800, 400, 100]);
  });

  it('a SKU target, by source id, matches only that SKU', async () => {
    await targeted('SKU-OFF', { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ITEMS' }, { included: [{ object: 'sku', source_id: 'shoe-43' }] });
    expect(discounts(await validate('SKU-OFF'))).toEqual([0, 500, 0, 0]);
  });

  it('included_all with an exclusion discounts every other line, and lists the exclusion', async () => {
    await targeted('NOT-MUGS', { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS' }, { included_all: true, excluded: [{ object: 'product', source_id: 'mug' }] });
    const v = await validate('NOT-MUGS');
    expect(discounts(v)).toEqual([5000, 4000, 2000, 0]);
    expect(v.redeemables[0].inapplicable_to).toMatchObject({ total: 1, data: [{ object: 'product', id: ids.mug, source_id: 'mug' }] });
  });

  it('the cheapest and the most expensive of the matching lines', async () => {
    const shoes = { object: 'product', id: ids.shoe };
    await targeted('CHEAPEST', { type: 'PERCENT', percent_off: 100, effect: 'APPLY_TO_ITEMS' }, { included: [{ ...shoes, effect: 'APPLY_TO_CHEAPEST' }] });
    await targeted('PRICIEST', { type: 'AMOUNT', amount_off: 300, effect: 'APPLY_TO_ITEMS' }, { included: [{ ...shoes, effect: 'APPLY_TO_MOST_EXPENSIVE' }] });
    expect(discounts(await validate('CHEAPEST'))).toEqual([0, 8000, 0, 0]);
    expect(discounts(await validate('PRICIEST'))).toEqual([300, 0, 0, 0]);
  });

  it('an amount shared proportionally goes to the targeted lines only', async () => {
    await targeted('SPLIT', { type: 'AMOUNT', amount_off: 900, effect: 'APPLY_TO_ITEMS_PROPORTIONALLY' }, { included: [{ object: 'product', id: ids.shoe }] });
    expect(discounts(await validate('SPLIT'))).toEqual([500, 400, 0, 0]);
  });

  it('collections: static and auto-update, and a rule that requires an item of a collection', async () => {
    const kitchen = await ok('POST', '/v1/product-collections', { name: 'Kitchen', type: 'AUTO_UPDATE', filter: { junction: 'and', 'metadata.kind': { conditions: { $in: ['kitchen'] } } } });
    const picked = await ok('POST', '/v1/product-collections', { name: 'Picked', type: 'STATIC', products: [{ id: ids.shoe43, object: 'sku', product_id: ids.shoe }, { id: ids.shirt, object: 'product' }] });
    await targeted('KITCHEN', { type: 'AMOUNT', amount_off: 200, effect: 'APPLY_TO_ITEMS' }, { included: [{ object: 'products_collection', id: kitchen.id }] });
    await targeted('PICKED', { type: 'AMOUNT', amount_off: 100, effect: 'APPLY_TO_ITEMS' }, { included: [{ object: 'products_collection', id: picked.id }] });
    expect(discounts(await validate('KITCHEN'))).toEqual([0, 0, 0, 200]);
    expect(discounts(await validate('PICKED'))).toEqual([0, 100, 100, 0]);
    // `order.items.any` naming a collection holds when a line belongs to it.
    const v = await ok('POST', '/v1/vouchers/WITH-MUG', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Needs a kitchen item', rules: { '1': { name: 'order.items.any', conditions: { $is: [{ id: kitchen.id, object: 'products_collection' }] } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    expect((await validate('WITH-MUG')).valid).toBe(true);
    const noMug = { amount: 4000, items: [{ source_id: 'shirt', quantity: 1, price: 4000 }] };
    expect((await validate('WITH-MUG', noMug)).redeemables[0]).toMatchObject({ status: 'INAPPLICABLE', result: { error: { key: 'order_rules_violated' } } });
  });

  it('item rules without targets match lines that name their product or SKU by source id', async () => {
    const v = await ok('POST', '/v1/vouchers/WITH-SHIRT', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Needs a shirt', rules: { '1': { name: 'order.items.any', conditions: { $is: [{ id: ids.shirt, object: 'product' }] } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    const shirt = { amount: 2000, items: [{ source_id: 'shirt', quantity: 1, price: 2000 }] };
    expect((await validate('WITH-SHIRT', shirt)).valid).toBe(true);
    const redeemed = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'WITH-SHIRT' }], order: shirt });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect((await validate('WITH-SHIRT', { amount: 1000, items: [{ source_id: 'mug', quantity: 1, price: 1000 }] })).valid).toBe(false);
    const v43 = await ok('POST', '/v1/vouchers/WITH-43', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const sized = await ok('POST', '/v1/validation-rules', { name: 'Needs size 43', rules: { '1': { name: 'order.items.any', conditions: { $is: [{ id: ids.shoe43, object: 'sku' }] } } } });
    await ok('POST', `/v1/validation-rules/${sized.id}/assignments`, { related_object_type: 'voucher', related_object_id: v43.id });
    expect((await validate('WITH-43', { amount: 8000, items: [{ source_id: 'shoe-43', related_object: 'sku', quantity: 1, price: 8000 }] })).valid).toBe(true);
  });

  it("targets' limits: units and amount per line, units shared from the cheapest or priciest, an amount shared", async () => {
    const bulk = { amount: 19000, items: [{ source_id: 'shirt', quantity: 4, price: 4000 }, { source_id: 'mug', quantity: 3, price: 1000 }] };
    const half = { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS' };
    const all = { type: 'PERCENT', percent_off: 100, effect: 'APPLY_TO_ITEMS' };
    const shirts = { object: 'product', source_id: 'shirt' };
    await targeted('TWO-SHIRTS', half, { included: [{ ...shirts, quantity_limit: 2 }] });
    await targeted('SHIRT-CAP', half, { included: [{ ...shirts, amount_limit: 1500 }] });
    expect(discounts(await validate('TWO-SHIRTS', bulk))).toEqual([4000, 0]);
    expect(discounts(await validate('SHIRT-CAP', bulk))).toEqual([1500, 0]);
    const both = await ok('POST', '/v1/product-collections', { name: 'Shirts and mugs', type: 'STATIC', products: [{ id: ids.shirt, object: 'product' }, { id: ids.mug, object: 'product' }] });
    const group = { object: 'products_collection', id: both.id };
    await targeted('THREE-CHEAP', all, { included: [{ ...group, aggregated_quantity_limit: 3, effect: 'APPLY_FROM_CHEAPEST' }] });
    await targeted('THREE-DEAR', all, { included: [{ ...group, aggregated_quantity_limit: 3, effect: 'APPLY_FROM_MOST_EXPENSIVE' }] });
    await targeted('SHARED-CAP', half, { included: [{ ...group, aggregated_amount_limit: 2500 }] });
    expect(discounts(await validate('THREE-CHEAP', bulk))).toEqual([0, 3000]);
    expect(discounts(await validate('THREE-DEAR', bulk))).toEqual([12000, 0]);
    expect(discounts(await validate('SHARED-CAP', bulk))).toEqual([2500, 0]);
    // A FIXED discount at a target's own price: shirts at 30.00 each, mugs at the discount's own 8.00.
    await targeted('FIXED-PRICES', { type: 'FIXED', fixed_amount: 800, effect: 'APPLY_TO_ITEMS' }, { included: [{ ...shirts, price: 3000 }, { object: 'product', source_id: 'mug' }] });
    expect(discounts(await validate('FIXED-PRICES', bulk))).toEqual([4000, 600]);
    // The limits are stored and shown with the targets.
    expect((await validate('TWO-SHIRTS', bulk)).redeemables[0].applicable_to.data).toEqual([{ object: 'product', id: ids.shirt, source_id: 'shirt', quantity_limit: 2 }]);
  });

  it('an order without any targeted line is order_rules_violated, with the rule own message', async () => {
    const v = await ok('POST', '/v1/vouchers/MUGS-ONLY', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100, effect: 'APPLY_TO_ITEMS' } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Mugs', error: { message: 'Add a mug' }, applicable_to: { included: [{ object: 'product', source_id: 'mug' }] } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    const noMug = { amount: 4000, items: [{ source_id: 'shirt', quantity: 1, price: 4000 }] };
    const res = await validate('MUGS-ONLY', noMug);
    expect(res.valid).toBe(false);
    expect(res.redeemables[0]).toMatchObject({ status: 'INAPPLICABLE', result: { error: { code: 400, key: 'order_rules_violated', error: { message: 'Add a mug' } } } });
    const refused = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'MUGS-ONLY' }], order: noMug });
    expect(refused.json()).toMatchObject({ code: 400, key: 'order_rules_violated' });
    // An order-wide discount with targets is not refused: targets choose lines, and it has none to choose.
    await targeted('ORDER-WIDE', { type: 'AMOUNT', amount_off: 100 }, { included: [{ object: 'product', source_id: 'mug' }] });
    expect((await validate('ORDER-WIDE', noMug)).order.total_discount_amount).toBe(100);
  });

  it('redemptions store what the validation computed; the legacy validate lists the targets', async () => {
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SHOES-10' }], order: { ...order, source_id: 'targets-1' } });
    expect(r.order).toMatchObject({ items_discount_amount: 1800, total_amount: 21200 });
    expect(r.order.items.map((i: any) => i.discount_amount ?? 0)).toEqual([1000, 800, 0, 0]);
    const stored = await ok('GET', '/v1/orders/targets-1');
    expect(stored).toMatchObject({ status: 'PAID', items_discount_amount: 1800 });
    const legacy = await ok('POST', '/v1/vouchers/SHOES-10/validate', { order });
    expect(legacy).toMatchObject({ valid: true, applicable_to: { total: 1, data: [{ object: 'product', id: ids.shoe }] } });
  });

  it('qualifications apply each targeted discount to its lines and list its targets', async () => {
    const q = await ok('POST', '/v1/qualifications', { order, scenario: 'AUDIENCE_ONLY' });
    expect(q.redeemables.data).toEqual([]);
    const tier = await ok('POST', '/v1/campaigns', {
      name: 'Shoe week',
      campaign_type: 'PROMOTION',
      promotion: { tiers: [{ name: 'Shoes 20%', banner: 'Shoes 20%', action: { discount: { type: 'PERCENT', percent_off: 20, effect: 'APPLY_TO_ITEMS' } } }] },
    });
    const tierId = tier.promotion.tiers[0].id;
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Shoe week targets', applicable_to: { included: [{ object: 'product', source_id: 'shoe' }] } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: tierId });
    const after = await ok('POST', '/v1/qualifications', { order, scenario: 'AUDIENCE_ONLY' });
    expect(after.redeemables.data).toHaveLength(1);
    expect(after.redeemables.data[0]).toMatchObject({ id: tierId, object: 'promotion_tier', applicable_to: { total: 1, data: [{ object: 'product', id: ids.shoe }] } });
    expect(after.redeemables.data[0].order.items.map((i: any) => i.discount_amount ?? 0)).toEqual([2000, 1600, 0, 0]);
  });
});

/**
 * What validations and redemptions answer for validation rules, on both stores: item rules with every selection
 * operator ($is, $in, $is_not, $not_in, $from), the order total rules read, and which rule a failure names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const ids: Record<string, string> = {};
const { api, ok } = requestsOf(() => ({ t, p }));

/** A voucher guarded by a new rule with this rule set. */
async function guarded(code: string, rules: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const v = await ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 5 } });
  const rule = await ok('POST', '/v1/validation-rules', { name: `rule of ${code}`, rules, ...extra });
  await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
  return rule;
}
const validate = async (code: string, order: object, customer?: object) =>
  (await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code }], order, ...(customer ? { customer } : {}) })).redeemables[0];
const line = (source_id: string, price = 1000) => ({ source_id, quantity: 1, price, amount: price });
const orderOf = (...sources: string[]) => ({ amount: sources.length * 1000, items: sources.map((s) => line(s)) });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  ids.mug = (await ok('POST', '/v1/products', { source_id: 'mug', name: 'Mug', price: 1000, metadata: { kind: 'kitchen' } })).id;
  ids.pan = (await ok('POST', '/v1/products', { source_id: 'pan', name: 'Pan', price: 1000, metadata: { kind: 'kitchen' } })).id;
  ids.shirt = (await ok('POST', '/v1/products', { source_id: 'shirt', name: 'Shirt', price: 1000, metadata: { kind: 'apparel' } })).id;
  ids.kitchen = (await ok('POST', '/v1/product-collections', { name: 'Kitchen', type: 'AUTO_UPDATE', filter: { junction: 'and', 'metadata.kind': { conditions: { $in: ['kitchen'] } } } })).id;
});
afterAll(() => t.close());

describe('item rules select items with $is_not, $not_in and $from', () => {
  it('order.items.any $not_in: an order whose only line is the excluded product is inapplicable', async () => {
    await guarded('ANY-NOT-MUG', { '1': { name: 'order.items.any', conditions: { $not_in: [{ id: ids.mug, object: 'product' }] } } });
    expect(await validate('ANY-NOT-MUG', orderOf('mug'))).toMatchObject({ status: 'INAPPLICABLE', result: { error: { key: 'order_rules_violated' } } });
    expect((await validate('ANY-NOT-MUG', orderOf('mug', 'shirt'))).status).toBe('APPLICABLE');
    await guarded('ANY-ISNOT-MUG', { '1': { name: 'order.items.any', conditions: { $is_not: [{ id: ids.mug, object: 'product' }] } } });
    expect((await validate('ANY-ISNOT-MUG', orderOf('mug'))).status).toBe('INAPPLICABLE');
    expect((await validate('ANY-ISNOT-MUG', orderOf('shirt'))).status).toBe('APPLICABLE');
  });

  it('order.items.any $from: only an item of the collection passes', async () => {
    await guarded('ANY-KITCHEN', { '1': { name: 'order.items.any', conditions: { $from: [ids.kitchen] } } });
    expect((await validate('ANY-KITCHEN', orderOf('shirt'))).status).toBe('INAPPLICABLE');
    expect((await validate('ANY-KITCHEN', orderOf('shirt', 'pan'))).status).toBe('APPLICABLE');
  });

  it('none, every, cheapest and most_expensive read the same operators', async () => {
    // none $not_in: no item other than the mug (the order holds only mugs).
    await guarded('ONLY-MUGS', { '1': { name: 'order.items.none', conditions: { $not_in: [{ id: ids.mug, object: 'product' }] } } });
    expect((await validate('ONLY-MUGS', orderOf('mug'))).status).toBe('APPLICABLE');
    expect((await validate('ONLY-MUGS', orderOf('mug', 'shirt'))).status).toBe('INAPPLICABLE');
    // every $from: every item of the order is of the collection.
    await guarded('ALL-KITCHEN', { '1': { name: 'order.items.every', conditions: { $from: [ids.kitchen] } } });
    expect((await validate('ALL-KITCHEN', orderOf('mug', 'pan'))).status).toBe('APPLICABLE');
    expect((await validate('ALL-KITCHEN', orderOf('mug', 'shirt'))).status).toBe('INAPPLICABLE');
    // every $is_not: no item of the order is the shirt.
    await guarded('NO-SHIRT', { '1': { name: 'order.items.every', conditions: { $is_not: [{ id: ids.shirt, object: 'product' }] } } });
    expect((await validate('NO-SHIRT', orderOf('mug', 'pan'))).status).toBe('APPLICABLE');
    expect((await validate('NO-SHIRT', orderOf('mug', 'shirt'))).status).toBe('INAPPLICABLE');
    // most_expensive $not_in: the dearest line is not the shirt.
    await guarded('DEAR-NOT-SHIRT', { '1': { name: 'order.items.most_expensive', conditions: { $not_in: [{ id: ids.shirt, object: 'product' }] } } });
    const dearShirt = { amount: 3000, items: [line('shirt', 2000), line('mug', 1000)] };
    const dearMug = { amount: 3000, items: [line('shirt', 1000), line('mug', 2000)] };
    expect((await validate('DEAR-NOT-SHIRT', dearShirt)).status).toBe('INAPPLICABLE');
    expect((await validate('DEAR-NOT-SHIRT', dearMug)).status).toBe('APPLICABLE');
  });

  it('a redemption is refused like the validation', async () => {
    const r = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'ANY-NOT-MUG' }], order: orderOf('mug') });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ key: 'order_rules_violated' });
  });

  it('operators that select no items are refused when the rule is saved', async () => {
    const r = await api('POST', '/v1/validation-rules', { name: 'Nonsense', rules: { '1': { name: 'order.items.any', conditions: { $more_than: [3] } } } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ key: 'invalid_validation_rules' });
    expect(r.json().message + r.json().details).toContain('$more_than');
  });
});

describe('order.total_amount is the order amount less its discounts', () => {
  const under100 = { '1': { name: 'order.total_amount', conditions: { $less_than: [100] } } };

  it('validations and redemptions read amount less discount_amount and the items discounts', async () => {
    await guarded('TOTAL-UNDER-100', under100);
    expect((await validate('TOTAL-UNDER-100', { amount: 150, discount_amount: 60 })).status).toBe('APPLICABLE');
    expect((await validate('TOTAL-UNDER-100', { amount: 150 })).status).toBe('INAPPLICABLE');
    const items = [{ source_id: 'mug', quantity: 1, price: 150, amount: 150, discount_amount: 60 }];
    expect((await validate('TOTAL-UNDER-100', { amount: 150, items })).status).toBe('APPLICABLE');
    const r = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'TOTAL-UNDER-100' }], order: { amount: 150, discount_amount: 60 } });
    expect(r.statusCode, r.body).toBe(200);
  });

  it('an existing order is read with its total_amount', async () => {
    const order = await ok('POST', '/v1/orders', { source_id: 'total-90', amount: 150, items: [{ source_id: 'mug', quantity: 1, price: 150, amount: 150, discount_amount: 60 }] });
    expect(order.total_amount).toBe(90);
    await guarded('TOTAL-STORED', under100);
    expect((await validate('TOTAL-STORED', { id: order.id })).status).toBe('APPLICABLE');
    expect((await validate('TOTAL-STORED', { source_id: 'total-90' })).status).toBe('APPLICABLE');
  });

  it('POST /v1/validation-rules/{id}/validation reads it too', async () => {
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Total under 1.00', rules: under100 });
    expect((await ok('POST', `/v1/validation-rules/${rule.id}/validation`, { order: { amount: 150, discount_amount: 60 } })).valid).toBe(true);
    expect((await ok('POST', `/v1/validation-rules/${rule.id}/validation`, { order: { amount: 150 } })).valid).toBe(false);
  });
});

describe('a failure under `not` names the rule that made the formula false', () => {
  const wholesale = { name: 'customer.metadata', property: 'type', conditions: { $is: ['wholesale'] }, error: { message: 'Wholesalers excluded' } };
  const bigSpend = { name: 'order.amount', conditions: { $more_than: [1000] }, error: { message: 'Spend over 10.00' } };
  const redeem = (code: string, type: string, amount: number) =>
    api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: `c-${type}`, metadata: { type } }, order: { amount } });

  it('not 1 and 2: a retail customer spending too little is told about the spend', async () => {
    const rule = await guarded('NOT-WHOLESALE', { logic: 'not 1 and 2', '1': wholesale, '2': bigSpend });
    const r = await redeem('NOT-WHOLESALE', 'retail', 10);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ key: 'order_rules_violated', details: `order does not match validation rules: ${rule.id} (rule 2, order.amount)`, error: { message: 'Spend over 10.00' } });
    const w = await redeem('NOT-WHOLESALE', 'wholesale', 5000);
    expect(w.json()).toMatchObject({ key: 'customer_rules_violated', details: `customer does not match validation rules: ${rule.id} (rule 1, customer.metadata)`, error: { message: 'Wholesalers excluded' } });
    expect((await redeem('NOT-WHOLESALE', 'retail', 5000)).statusCode).toBe(200);
  });

  it('not 1: the rule that holds is the one named', async () => {
    const rule = await guarded('ONLY-NOT-WHOLESALE', { logic: 'not 1', '1': wholesale });
    const r = await redeem('ONLY-NOT-WHOLESALE', 'wholesale', 10);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ key: 'customer_rules_violated', details: `customer does not match validation rules: ${rule.id} (rule 1, customer.metadata)`, error: { message: 'Wholesalers excluded' } });
    const v = await validate('ONLY-NOT-WHOLESALE', { amount: 10 }, { metadata: { type: 'wholesale' } });
    expect(v).toMatchObject({ status: 'INAPPLICABLE', result: { error: { key: 'customer_rules_violated', error: { message: 'Wholesalers excluded' } } } });
  });
});

describe('time frames are checked when saved', () => {
  it('a malformed $timeframe is 400; a well-formed one is kept', async () => {
    for (const spec of ['garbage', '2024-11-12T14:59:23.019Z;P1D', '2024-11-12T14:59:23.019Z;P1M;PT1H', 'yesterday;P1D;PT1H']) {
      const r = await api('POST', '/v1/validation-rules', { name: `Frame ${spec}`, rules: { '1': { name: 'order.amount', conditions: { $timeframe: [spec] } } } });
      expect(r.statusCode, spec).toBe(400);
      expect(r.json()).toMatchObject({ key: 'invalid_validation_rules' });
    }
    await ok('POST', '/v1/validation-rules', { name: 'Happy hour', rules: { '1': { name: 'order.amount', conditions: { $timeframe: ['2024-11-12T14:59:23.019Z;P1D;PT1H'] } } } });
  });
});

describe('collection membership is read on every path that checks rules', () => {
  // A static collection of the pan and an auto-update one of the kitchen products; rules naming them with $from,
  // and a rule whose discount targets the static collection.
  const anyFrom = (collection: string) => ({ '1': { name: 'order.items.any', conditions: { $from: [collection] } } });
  const qualified = async (order: object) => (await ok('POST', '/v1/qualifications', { scenario: 'ALL', order })).redeemables.data.map((r: any) => r.id);

  it('POST /v1/validation-rules/{id}/validation answers as the validation does', async () => {
    const picked = (await ok('POST', '/v1/product-collections', { name: 'Picked pans', type: 'STATIC', products: [{ id: ids.pan, object: 'product' }] })).id;
    for (const collection of [ids.kitchen!, picked]) {
      const rule = await guarded(`FROM-${collection}`, anyFrom(collection));
      for (const [order, want] of [[orderOf('shirt'), false], [orderOf('shirt', 'pan'), true]] as const) {
        expect((await validate(`FROM-${collection}`, order)).status, `${collection} validation`).toBe(want ? 'APPLICABLE' : 'INAPPLICABLE');
        expect((await ok('POST', `/v1/validation-rules/${rule.id}/validation`, { order })).valid, `${collection} rule validation`).toBe(want);
      }
    }
    // A rule whose targets are a collection's items: an order without one is refused as the validation refuses it.
    const targeted = await ok('POST', '/v1/validation-rules', { name: 'Pans only', applicable_to: { included: [{ object: 'products_collection', id: picked }] }, rules: { '1': { name: 'order.items.any', conditions: { $from: [picked] } } } });
    expect((await ok('POST', `/v1/validation-rules/${targeted.id}/validation`, { order: orderOf('pan') })).valid).toBe(true);
    expect((await ok('POST', `/v1/validation-rules/${targeted.id}/validation`, { order: orderOf('mug') })).valid).toBe(false);
  });

  it('POST /v1/qualifications and the campaigns examine keep what the validation keeps', async () => {
    const promo = (await ok('POST', '/v1/campaigns', { name: 'Kitchen days', campaign_type: 'PROMOTION' })).id;
    const tier = (await ok('POST', `/v1/promotions/${promo}/tiers`, { name: 'Kitchen 1 off', action: { discount: { type: 'AMOUNT', amount_off: 100 } } })).id;
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Kitchen tier', rules: anyFrom(ids.kitchen!) });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: tier });
    const tierValid = async (order: object) => (await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: tier }], order })).valid;
    expect(await tierValid(orderOf('shirt', 'pan'))).toBe(true);
    expect(await tierValid(orderOf('shirt'))).toBe(false);
    expect(await qualified(orderOf('shirt', 'pan'))).toContain(tier);
    expect(await qualified(orderOf('shirt'))).not.toContain(tier);
    // A code campaign guarded by the rule: the campaigns examine (POST /v1/campaigns/qualification) reads it too.
    const camp = (await ok('POST', '/v1/campaigns', { name: 'Kitchen codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } })).id;
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'campaign', related_object_id: camp });
    const examined = async (order: object) => (await ok('POST', '/v1/campaigns/qualification', { order })).data.map((c: any) => c.id);
    expect(await examined(orderOf('shirt', 'pan'))).toContain(camp);
    expect(await examined(orderOf('shirt'))).not.toContain(camp);
  });
});

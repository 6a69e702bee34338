/**
 * A discount's `effect` is one of its type's effects (the official DiscountAmount/Percent/Fixed/Unit enums) wherever
 * a discount comes in: codes, campaigns, promotion tiers, imports. A code stored earlier with another effect still reads.
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

const wrong = [
  { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ORDERS' },
  { type: 'PERCENT', percent_off: 10, effect: 'BOGUS' },
  { type: 'AMOUNT', amount_off: 500, effect: 'ADD_MISSING_ITEMS' },
  { type: 'FIXED', fixed_amount: 500, effect: 'APPLY_TO_ITEMS_PROPORTIONALLY' },
  { type: 'UNIT', unit_off: 1, unit_type: 'prod_x', effect: 'APPLY_TO_ORDER' },
  { type: 'UNIT', effect: 'ADD_MANY_ITEMS', units: [{ unit_off: 1, unit_type: 'prod_x', effect: 'ADD_MANY_ITEMS' }] },
  { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ITEMS', aggregated_amount_limit: -3 },
  { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ITEMS', aggregated_amount_limit: -3 },
];

describe('discount effects', () => {
  it('refuses an effect its discount type has not, and a negative aggregated_amount_limit, on a code', async () => {
    for (const [i, discount] of wrong.entries()) {
      const res = await api('POST', `/v1/vouchers/TYPO-${i}`, { type: 'DISCOUNT_VOUCHER', discount });
      expect(res.statusCode, JSON.stringify(discount)).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect(res.json().details, JSON.stringify(discount)).toMatch(/effect|aggregated_amount_limit/);
    }
    const typo = await api('POST', '/v1/vouchers/TYPO-X', { type: 'DISCOUNT_VOUCHER', discount: wrong[0] });
    expect(typo.json().details).toContain('APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY');
    expect((await api('GET', '/v1/vouchers/TYPO-0')).statusCode).toBe(404);
  });

  it('takes every effect of the spec for its type', async () => {
    const right = [
      ...['APPLY_TO_ORDER', 'APPLY_TO_ITEMS', 'APPLY_TO_ITEMS_PROPORTIONALLY', 'APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY', 'APPLY_TO_ITEMS_BY_QUANTITY'].map((effect) => ({ type: 'AMOUNT', amount_off: 500, effect, aggregated_amount_limit: 0 })),
      ...['APPLY_TO_ORDER', 'APPLY_TO_ITEMS'].map((effect) => ({ type: 'PERCENT', percent_off: 5, effect })),
      ...['APPLY_TO_ORDER', 'APPLY_TO_ITEMS'].map((effect) => ({ type: 'FIXED', fixed_amount: 500, effect })),
      ...['ADD_MISSING_ITEMS', 'ADD_NEW_ITEMS', 'ADD_SAME_ITEMS'].map((effect) => ({ type: 'UNIT', unit_off: 1, unit_type: 'prod_free', effect })),
      { type: 'UNIT', effect: 'ADD_MANY_ITEMS', units: [{ unit_off: 1, unit_type: 'prod_free', effect: 'ADD_NEW_ITEMS' }, { unit_off: 2, unit_type: 'prod_free', effect: 'ADD_MISSING_ITEMS' }] },
    ];
    // UNIT discounts name a product the catalog knows (here by its source id).
    await ok('POST', '/v1/products', { source_id: 'prod_free', name: 'Free', price: 100 });
    for (const [i, discount] of right.entries()) await ok('POST', `/v1/vouchers/RIGHT-${i}`, { type: 'DISCOUNT_VOUCHER', discount });
  });

  it('refuses them in campaigns (create and update), promotion tiers and JSON imports', async () => {
    const bad = { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ORDERS' };
    const c = await api('POST', '/v1/campaigns', { name: 'Bad effect', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: bad } });
    expect(c.statusCode).toBe(400);
    const good = await ok('POST', '/v1/campaigns', { name: 'Good effect', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } } });
    expect((await api('PUT', `/v1/campaigns/${good.id}`, { voucher: { type: 'DISCOUNT_VOUCHER', discount: bad } })).statusCode).toBe(400);
    expect((await api('POST', '/v1/campaigns', { name: 'Bad promo', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'T', banner: 'T', action: { discount: bad } }] } })).statusCode).toBe(400);
    const promo = await ok('POST', '/v1/campaigns', { name: 'Promo', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'T', banner: 'T', action: { discount: { type: 'AMOUNT', amount_off: 100 } } }] } });
    expect((await api('POST', `/v1/promotions/${promo.id}/tiers`, { name: 'U', banner: 'U', action: { discount: bad } })).statusCode).toBe(400);
    const tier = promo.promotion.tiers[0];
    expect((await api('PUT', `/v1/promotions/tiers/${tier.id}`, { action: { discount: bad } })).statusCode).toBe(400);
    // An import refuses the item (listed among the refused codes) and creates nothing for it.
    await api('POST', '/v1/vouchers/import', [{ code: 'IMP-BAD', type: 'DISCOUNT_VOUCHER', discount: bad }]);
    expect((await api('GET', '/v1/vouchers/IMP-BAD')).statusCode).toBe(404);
  });

  it('still reads, validates and updates a code stored earlier with an effect outside its type', async () => {
    const v = await ok('POST', '/v1/vouchers/OLD-ODD', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    await t.testDb.db.query(`UPDATE vouchers SET overrides = jsonb_set(overrides, '{discount,effect}', '"APPLY_TO_ORDERS"') WHERE id = $1`, [v.id]);
    const read = await ok('GET', '/v1/vouchers/OLD-ODD');
    expect(read.discount.effect).toBe('APPLY_TO_ORDERS');
    await ok('GET', '/v1/vouchers?limit=100');
    await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'OLD-ODD' }], order: { amount: 5000 } });
    const changed = await ok('PUT', '/v1/vouchers/OLD-ODD', { metadata: { note: 'kept' } });
    expect(changed.metadata).toEqual({ note: 'kept' });
  });
});

/**
 * What a discount reads besides the order, through validations and redemptions on both stores: its formulas read
 * the customer's, the request's, the voucher's and the campaign's metadata and the voucher's publish count; a UNIT
 * discount prices units the order has no line of from the catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok } = requestsOf(() => ({ t, p }));

const stackOf = (code: string, extra: Record<string, unknown> = {}) => ({ redeemables: [{ object: 'voucher', id: code }], order: { amount: 5000 }, ...extra });
/** What the validation and then the redemption take off. */
async function takenOff(code: string, extra: Record<string, unknown> = {}) {
  const v = await ok('POST', '/v1/validations', stackOf(code, extra));
  expect(v.valid).toBe(true);
  const r = await ok('POST', '/v1/redemptions', stackOf(code, extra));
  return [v.order.total_discount_amount, r.order.total_discount_amount];
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('discount formulas', () => {
  it("read the customer's, the request's, the voucher's and the campaign's metadata and the publish count", async () => {
    const formula = (code: string, amount_off_formula: string, extra: Record<string, unknown> = {}) =>
      ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100, amount_off_formula }, ...extra });
    await ok('POST', '/v1/customers', { source_id: 'formula-ann', metadata: { k: 5 } });
    await formula('F-CUST', 'CUSTOMER_METADATA("k")');
    expect(await takenOff('F-CUST', { customer: { source_id: 'formula-ann' } })).toEqual([500, 500]);
    await formula('F-REDEEM', 'REDEMPTION_METADATA("k")');
    expect(await takenOff('F-REDEEM', { metadata: { k: 3 } })).toEqual([300, 300]);
    await formula('F-VOUCHER', 'VOUCHER_METADATA("k")', { metadata: { k: 7 } });
    expect(await takenOff('F-VOUCHER')).toEqual([700, 700]);
    const c = await ok('POST', '/v1/campaigns', {
      name: 'Formula campaign',
      campaign_type: 'DISCOUNT_COUPONS',
      type: 'STATIC',
      metadata: { k: 9 },
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100, amount_off_formula: 'CAMPAIGN_METADATA("k")' } },
    });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/F-CAMP`, {});
    expect(await takenOff('F-CAMP')).toEqual([900, 900]);
    await formula('F-PUB', 'VOUCHER_PUBLISH_COUNT * 2');
    await ok('POST', '/v1/publications', { voucher: 'F-PUB', customer: { source_id: 'formula-ann' } });
    expect(await takenOff('F-PUB')).toEqual([200, 200]);
    // Without the metadata the static value stands.
    expect(await takenOff('F-REDEEM')).toEqual([100, 100]);
  });
});

describe('UNIT discounts', () => {
  it('price the units an order lacks from the catalog: a product or SKU by id or source id', async () => {
    const shirt = await ok('POST', '/v1/products', { source_id: 'unit-shirt', name: 'Shirt', price: 2000 });
    await ok('POST', '/v1/products', { source_id: 'unit-cap', name: 'Cap', price: 1500 });
    const red = await ok('POST', '/v1/products/unit-cap/skus', { source_id: 'unit-cap-red' });
    await ok('POST', '/v1/products/unit-cap/skus', { source_id: 'unit-cap-blue', price: 1200 });
    const unit = (code: string, unit_type: string) => ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'UNIT', unit_off: 2, unit_type, effect: 'ADD_NEW_ITEMS' } });
    await unit('UNIT-SHIRT', shirt.id);
    const v = await ok('POST', '/v1/validations', stackOf('UNIT-SHIRT'));
    expect(v.order.items).toEqual([expect.objectContaining({ quantity: 2, price: 2000, amount: 4000, discount_amount: 4000 })]);
    expect(await takenOff('UNIT-SHIRT')).toEqual([4000, 4000]);
    await unit('UNIT-CAP', 'unit-cap');
    expect(await takenOff('UNIT-CAP')).toEqual([3000, 3000]);
    // A SKU without its own price has its product's.
    await unit('UNIT-RED', red.id);
    expect(await takenOff('UNIT-RED')).toEqual([3000, 3000]);
    await unit('UNIT-BLUE', 'unit-cap-blue');
    expect(await takenOff('UNIT-BLUE')).toEqual([2400, 2400]);
  });
});

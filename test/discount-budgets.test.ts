/**
 * Campaign budgets of discount targets (`product_campaign_quantity_limit`, `product_customer_campaign_quantity_limit`):
 * the units of a target's products that a campaign's discounts may take off orders in all, and per customer. A
 * validation discounts only what is left; a redemption spends the units it discounted in one guarded statement
 * (concurrent redemptions never overspend), a rollback gives them back, and an order none of whose units is left is
 * refused as order_rules_violated. Both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tessera } from '../src/compose.js';
import { startSecondInstance, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { driver } from './helpers/db.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));

/** A campaign whose code BUDGET-<name> takes half off the items its rule targets. */
async function budgetCampaign(name: string, target: Record<string, unknown>) {
  const c = await ok('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS' } } });
  const rule = await ok('POST', '/v1/validation-rules', { name: `budget of ${name}`, applicable_to: { included: [target] } });
  await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'campaign', related_object_id: c.id });
  await ok('POST', `/v1/campaigns/${c.id}/vouchers/BUDGET-${name.toUpperCase()}`, {});
  return { campaign: c, code: `BUDGET-${name.toUpperCase()}` };
}
const line = (source_id: string, quantity: number, price: number) => ({ source_id, related_object: 'product', quantity, price });
const redeem = (code: string, customer: string, items: object[]) =>
  api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: customer }, order: { items } });
const validate = (code: string, customer: string, items: object[]) => ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: customer }, order: { items } });
const counter = async (customerId = '') =>
  (await t.testDb.db.query<{ n: string }>(`SELECT coalesce(sum(count), 0)::text AS n FROM redemption_counters WHERE object_id LIKE 'bud:%' AND customer_id = $1`, [customerId])).rows[0]!.n;

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  for (const [source_id, price] of [['boot', 10000], ['cup', 1000], ['tee', 2000]] as const) await ok('POST', '/v1/products', { source_id, name: source_id, price });
});
afterAll(() => t.close());

describe('a campaign-wide budget of discounted units', () => {
  it('discounts what is left, spends it at redemption, refuses when none is left, and gets it back on rollback', async () => {
    const { code } = await budgetCampaign('Boots', { object: 'product', source_id: 'boot', product_campaign_quantity_limit: 3 });
    const two = [line('boot', 2, 10000)];
    // A validation spends nothing.
    expect((await validate(code, 'bud-ann', two)).order.total_discount_amount).toBe(10000);
    const first = await redeem(code, 'bud-ann', two);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().order.total_discount_amount).toBe(10000);
    // One unit is left: two boots get half off one of them.
    expect((await validate(code, 'bud-bob', two)).order.total_discount_amount).toBe(5000);
    const second = await redeem(code, 'bud-bob', two);
    expect(second.json().order.total_discount_amount).toBe(5000);
    expect(await counter()).toBe('3');
    // None left: refused, and a validation says so.
    const third = await redeem(code, 'bud-cy', two);
    expect(third.statusCode).toBe(400);
    expect(third.json()).toMatchObject({ key: 'order_rules_violated' });
    expect(third.json().details).toContain('budget');
    const refused = await validate(code, 'bud-cy', two);
    expect(refused.valid).toBe(false);
    expect(refused.inapplicable_redeemables[0].result.error).toMatchObject({ key: 'order_rules_violated' });
    // A rollback gives its units back, exactly.
    await ok('POST', `/v1/redemptions/${first.json().redemptions[0].id}/rollback`, {});
    expect(await counter()).toBe('1');
    expect((await validate(code, 'bud-cy', [line('boot', 3, 10000)])).order.total_discount_amount).toBe(10000);
  });
});

describe('a per-customer budget', () => {
  it('gives each customer their own units', async () => {
    const { code } = await budgetCampaign('Cups', { object: 'product', source_id: 'cup', product_customer_campaign_quantity_limit: 1 });
    const three = [line('cup', 3, 1000)];
    expect((await redeem(code, 'cup-ann', three)).json().order.total_discount_amount).toBe(500);
    expect((await redeem(code, 'cup-ann', three)).json()).toMatchObject({ key: 'order_rules_violated' });
    expect((await redeem(code, 'cup-bob', three)).json().order.total_discount_amount).toBe(500);
  });
});

describe('a budget per product of a collection', () => {
  it('gives each product of the collection its own units', async () => {
    const boot = await ok('GET', '/v1/products/boot');
    const cup = await ok('GET', '/v1/products/cup');
    const col = await ok('POST', '/v1/product-collections', { name: 'Boots and cups', type: 'STATIC', products: [{ id: boot.id, object: 'product' }, { id: cup.id, object: 'product' }] });
    const { code } = await budgetCampaign('Pairs', { object: 'products_collection', id: col.id, product_in_collection_campaign_quantity_limit: 1 });
    const order = [line('boot', 2, 10000), line('cup', 2, 1000)];
    // One boot and one cup: half off each.
    const first = await redeem(code, 'pair-ann', order);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().order.total_discount_amount).toBe(5000 + 500);
    // Cups only: the boots' unit is spent, the cups' too.
    expect((await redeem(code, 'pair-bob', [line('cup', 1, 1000)])).json()).toMatchObject({ key: 'order_rules_violated' });
    await ok('POST', `/v1/redemptions/${first.json().redemptions[0].id}/rollback`, {});
    expect((await validate(code, 'pair-bob', [line('cup', 1, 1000)])).order.total_discount_amount).toBe(500);
  });
});

describe('two codes of one campaign in one stack', () => {
  it('share its budget: the second discounts what the first left, and the redemption spends exactly that', async () => {
    await ok('POST', '/v1/products', { source_id: 'mitt', name: 'mitt', price: 1000 });
    const c = await ok('POST', '/v1/campaigns', {
      name: 'Mitts', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100, effect: 'APPLY_TO_ITEMS_BY_QUANTITY' } },
    });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'budget of mitts', applicable_to: { included: [{ object: 'product', source_id: 'mitt', product_campaign_quantity_limit: 3 }] } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'campaign', related_object_id: c.id });
    for (const code of ['BUD1', 'BUD2']) await ok('POST', `/v1/campaigns/${c.id}/vouchers/${code}`, {});
    const both = { redeemables: [{ object: 'voucher', id: 'BUD1' }, { object: 'voucher', id: 'BUD2' }], customer: { source_id: 'mitt-ann' }, order: { items: [line('mitt', 2, 1000)] } };
    // 3 units of the budget: the first code takes 2 (1.00 off each), the second the 1 left.
    const v = await ok('POST', '/v1/validations', both);
    expect(v.valid).toBe(true);
    expect(v.order.total_discount_amount).toBe(300);
    expect(v.redeemables.map((r: any) => r.status)).toEqual(['APPLICABLE', 'APPLICABLE']);
    const r = await api('POST', '/v1/redemptions', both);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().order.total_discount_amount).toBe(300);
    const spent = await t.testDb.db.query<{ n: string }>(`SELECT coalesce(sum(count), 0)::text AS n FROM redemption_counters WHERE object_id LIKE $1`, [`bud:${c.id}:%`]);
    expect(spent.rows[0]!.n).toBe('3');
    // Nothing is left: a new stack is refused.
    expect((await api('POST', '/v1/redemptions', both)).json()).toMatchObject({ code: 400, key: 'order_rules_violated' });
  });
});

describe('a budget per promotion tier', () => {
  it("each tier spends its own units, the campaign's budget holds across its tiers, and a rollback gives both back", async () => {
    await ok('POST', '/v1/products', { source_id: 'hat', name: 'hat', price: 4000 });
    const rule = (name: string, target: Record<string, unknown>) => ok('POST', '/v1/validation-rules', { name, applicable_to: { included: [{ object: 'product', source_id: 'hat', ...target }] } });
    const tierLimit = await rule('hats per tier', { product_promotion_tier_quantity_limit: 2, product_campaign_quantity_limit: 3 });
    const perCustomer = await rule('hats per tier and customer', { product_customer_promotion_tier_quantity_limit: 1 });
    const half = { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS' };
    const promo = await ok('POST', '/v1/campaigns', {
      name: 'Hat days', campaign_type: 'PROMOTION',
      promotion: { tiers: [{ name: 'Hats A', action: { discount: half }, validation_rules: [tierLimit.id] }, { name: 'Hats B', action: { discount: half }, validation_rules: [tierLimit.id] }] },
    });
    const [a, b] = promo.promotion.tiers;
    const redeemTier = (tier: string, customer: string, quantity = 1) =>
      api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_tier', id: tier }], customer: { source_id: customer }, order: { items: [line('hat', quantity, 4000)] } });
    const first = await redeemTier(a.id, 'hat-1');
    expect(first.statusCode, first.body).toBe(200);
    expect((await redeemTier(a.id, 'hat-2')).statusCode).toBe(200);
    // Tier A's 2 units are spent; tier B has its own, but the campaign's 3 leave it one.
    const third = await redeemTier(a.id, 'hat-3');
    expect(third.statusCode).toBe(400);
    expect(third.json().details).toContain("campaign's or promotion tier's budget");
    const fromB = await redeemTier(b.id, 'hat-3', 2);
    expect(fromB.json().order.total_discount_amount).toBe(2000);
    expect((await redeemTier(b.id, 'hat-4')).statusCode).toBe(400);
    // A rollback of tier A's first gives one unit back to tier A and to the campaign: A takes it, then the
    // campaign's 3 are spent again and B (one unit left of its own) gets nothing.
    await ok('POST', `/v1/redemptions/${first.json().redemptions[0].id}/rollback`, {});
    expect((await redeemTier(a.id, 'hat-4')).statusCode).toBe(200);
    expect((await redeemTier(a.id, 'hat-5')).statusCode).toBe(400);
    expect((await redeemTier(b.id, 'hat-5')).statusCode).toBe(400);
    // Per customer and tier: one unit each.
    const promo2 = await ok('POST', '/v1/campaigns', { name: 'Hat nights', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Night hats', action: { discount: half }, validation_rules: [perCustomer.id] }] } });
    const night = promo2.promotion.tiers[0].id;
    expect((await redeemTier(night, 'hat-ann', 3)).json().order.total_discount_amount).toBe(2000);
    expect((await redeemTier(night, 'hat-ann')).statusCode).toBe(400);
    expect((await redeemTier(night, 'hat-bob')).statusCode).toBe(200);
  });
});

describe('budgets given by formulas', () => {
  it("computes the bound on the order and the customer's metadata, and falls back to the number when it cannot", async () => {
    await ok('POST', '/v1/products', { source_id: 'scarf', name: 'scarf', price: 3000 });
    const { code } = await budgetCampaign('Scarves', {
      object: 'product', source_id: 'scarf',
      product_customer_campaign_quantity_limit: 1,
      product_customer_campaign_quantity_limit_formula: 'CUSTOMER_METADATA("scarves")',
    });
    await ok('POST', '/v1/customers', { source_id: 'scarf-vip', metadata: { scarves: 3 } });
    await ok('POST', '/v1/customers', { source_id: 'scarf-plain', metadata: {} });
    const five = [line('scarf', 5, 3000)];
    // 3 for the customer whose metadata says so; 1 (the number) for one without it.
    expect((await validate(code, 'scarf-vip', five)).order.total_discount_amount).toBe(3 * 1500);
    expect((await validate(code, 'scarf-plain', five)).order.total_discount_amount).toBe(1500);
    expect((await redeem(code, 'scarf-vip', [line('scarf', 2, 3000)])).json().order.total_discount_amount).toBe(3000);
    expect((await validate(code, 'scarf-vip', five)).order.total_discount_amount).toBe(1500);
    const big = await budgetCampaign('Big scarves', { object: 'product', source_id: 'scarf', product_campaign_quantity_limit_formula: 'IF(ORDER_AMOUNT > 100;4;1)' });
    expect((await validate(big.code, 'scarf-plain', five)).order.total_discount_amount).toBe(4 * 1500);
    expect((await validate(big.code, 'scarf-plain', [line('scarf', 2, 3000)])).order.total_discount_amount).toBe(1500);
    const bad = await api('POST', '/v1/validation-rules', { name: 'bad budget', applicable_to: { included: [{ object: 'product', source_id: 'scarf', product_campaign_quantity_limit: -1 }] } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('under concurrency', () => {
  it('12 clients racing for 5 units: exactly 5 redemptions discount one each, and the counter says 5', async () => {
    const { code } = await budgetCampaign('Tees', { object: 'product', source_id: 'tee', product_campaign_quantity_limit: 5 });
    const before = Number(await counter());
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => redeem(code, `tee-${i}`, [line('tee', 1, 2000)])));
    const won = answers.filter((a) => a.statusCode === 200);
    expect(won).toHaveLength(5);
    for (const a of won) expect(a.json().order.total_discount_amount).toBe(1000);
    for (const a of answers.filter((x) => x.statusCode !== 200)) expect(a.json()).toMatchObject({ key: 'order_rules_violated' });
    expect(Number(await counter()) - before).toBe(5);
    // The redemptions standing record the units they took: 5 in all.
    const { rows } = await t.testDb.db.query<{ n: string }>(
      `SELECT coalesce(sum((u ->> 3)::int), 0)::text AS n FROM redemptions r CROSS JOIN LATERAL jsonb_array_elements(r.spent -> 'units') AS x(u)
        WHERE r.status = 'SUCCEEDED' AND r.spent ? 'units' AND u ->> 0 LIKE 'bud:%'  AND r.voucher_id = (SELECT id FROM vouchers WHERE code = $1)`,
      [code],
    );
    expect(rows[0]!.n).toBe('5');
  });
});

/** Two Tessera instances on one PostgreSQL database: their batches spend the same counter in separate transactions. */
describe.skipIf(driver !== 'postgres')('two instances racing for one budget', () => {
  let other: Tessera;
  beforeAll(async () => {
    other = await startSecondInstance(t);
  });
  afterAll(async () => {
    await other?.close();
  });

  it('40 redemptions of 1 unit from both instances for 7 units: exactly 7 succeed', async () => {
    await ok('POST', '/v1/products', { source_id: 'sock', name: 'sock', price: 500 });
    const { code } = await budgetCampaign('Socks', { object: 'product', source_id: 'sock', product_campaign_quantity_limit: 7 });
    const before = Number(await counter());
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        (n % 2 === 0 ? t.app : other.app).inject({
          method: 'POST',
          url: '/v1/redemptions',
          headers: p.server,
          payload: { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: `sock-${n}` }, order: { items: [line('sock', 1, 500)] } },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(7);
    expect(answers.every((a) => a.statusCode === 200 || a.json().key === 'order_rules_violated')).toBe(true);
    expect(Number(await counter()) - before).toBe(7);
  });
});


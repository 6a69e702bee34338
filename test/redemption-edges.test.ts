/**
 * Edges of redemptions found by reading the code against the README: limit rules that share a counter count a
 * redemption once and give it back once; odd bounds neither fail nor overflow; discounts without their value, and
 * limits beyond the counters' range, are refused up front; a deleted customer's publications still list; a gift
 * redemption of a card deleted for good still rolls back. Counted in rows afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

const discount = { type: 'PERCENT', percent_off: 10 };
async function campaignWithRules(name: string, rules: Array<Record<string, unknown>>) {
  const c = await ok('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount } });
  await ok('POST', `/v1/campaigns/${c.id}/vouchers/${name}-1`, {});
  for (const [i, conditions] of rules.entries()) {
    const rule = await ok('POST', '/v1/validation-rules', { name: `${name} rule ${i}`, rules: { '1': { name: 'redemption.count.per_customer', conditions }, logic: '1' } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'campaign', related_object_id: c.id });
  }
  return c;
}
const redeem = (code: string, customer: string) => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: customer }, order: { amount: 1000 } });
const counters = async (objectId: string) =>
  (await t.testDb.db.query<{ count: number }>('SELECT count FROM redemption_counters WHERE object_id = $1', [objectId])).rows.map((r) => Number(r.count));

describe('redemption edges', () => {
  it('counts a redemption once on a counter two limit rules share, under the tighter bound, and gives it back once', async () => {
    const c = await campaignWithRules('TWIN', [{ $less_than: [5] }, { $less_than: [2] }]);
    const first = await redeem('TWIN-1', 'ann');
    expect(first.statusCode, first.body).toBe(200);
    expect((await redeem('TWIN-1', 'ann')).statusCode).toBe(200);
    const third = await redeem('TWIN-1', 'ann');
    expect(third.statusCode).toBe(400);
    expect(third.json().key).toBe('redemption_rules_violated');
    expect(await counters(c.id)).toEqual([2]);
    // A rollback gives exactly one back: the counter equals the live redemptions again.
    const id = first.json().redemptions[0].id;
    expect((await api('POST', `/v1/redemptions/${id}/rollback`, {})).statusCode).toBe(200);
    expect(await counters(c.id)).toEqual([1]);
    expect((await redeem('TWIN-1', 'ann')).statusCode).toBe(200);
    expect((await redeem('TWIN-1', 'ann')).statusCode).toBe(400);
    expect(await counters(c.id)).toEqual([2]);
  });

  it('judges two codes of one campaign in a stack as the redemption spends them: one campaign limit, counted for each', async () => {
    const c = await campaignWithRules('PAIR', [{ $less_than: [2] }]);
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/PAIR-2`, {});
    const both = { redeemables: [{ object: 'voucher', id: 'PAIR-1' }, { object: 'voucher', id: 'PAIR-2' }], order: { amount: 1000 } };
    // A customer with no redemption has room for both.
    expect((await ok('POST', '/v1/validations', { ...both, customer: { source_id: 'pair-cy' } })).valid).toBe(true);
    expect((await api('POST', '/v1/redemptions', { ...both, customer: { source_id: 'pair-cy' } })).statusCode).toBe(200);
    // One with one redemption has room for one: the validation says so, as the redemption does, and nothing is spent.
    expect((await redeem('PAIR-1', 'pair-bea')).statusCode).toBe(200);
    const v = await ok('POST', '/v1/validations', { ...both, customer: { source_id: 'pair-bea' } });
    expect(v.valid).toBe(false);
    expect(v.inapplicable_redeemables).toEqual([expect.objectContaining({ id: 'PAIR-2', status: 'INAPPLICABLE', result: expect.objectContaining({ error: expect.objectContaining({ key: 'redemption_rules_violated' }) }) })]);
    const refused = await api('POST', '/v1/redemptions', { ...both, customer: { source_id: 'pair-bea' } });
    expect(refused.json().key).toBe('redemption_rules_violated');
    expect((await counters(c.id)).sort()).toEqual([1, 2]);
  });

  it('reads fractional, huge and numeric-string bounds as whole counts, never failing the redemption', async () => {
    await campaignWithRules('FRAC', [{ $less_than: [2.5] }]);
    for (let i = 0; i < 3; i++) expect((await redeem('FRAC-1', 'bob')).statusCode).toBe(200);
    expect((await redeem('FRAC-1', 'bob')).json()).toMatchObject({ code: 400, key: 'redemption_rules_violated' });
    // A numeric string bound is the number.
    await campaignWithRules('TEXT', [{ $less_than: ['1'] }]);
    expect((await redeem('TEXT-1', 'bob')).statusCode).toBe(200);
    expect((await redeem('TEXT-1', 'bob')).json()).toMatchObject({ code: 400, key: 'redemption_rules_violated' });
    await campaignWithRules('TEXT2', [{ $less_than_or_equal: [' 1 '] }]);
    for (let i = 0; i < 2; i++) expect((await redeem('TEXT2-1', 'bob')).statusCode).toBe(200);
    expect((await redeem('TEXT2-1', 'bob')).statusCode).toBe(400);
    await campaignWithRules('HUGE', [{ $less_than: [1e10] }]);
    const huge = await redeem('HUGE-1', 'bob');
    expect(huge.statusCode, huge.body).toBe(200);
  });

  it('refuses discounts without their value and limits beyond the counters, wherever a code or tier takes one', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Values', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount } });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/VAL-1`, {});
    const promo = await ok('POST', '/v1/campaigns', { name: 'Promo values', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Ten', action: { discount: { type: 'AMOUNT', amount_off: 1000 } } }] } });
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', `/v1/campaigns/${c.id}/vouchers/VAL-2`, { discount: { type: 'AMOUNT' } }, /amount_off/],
      ['PUT', '/v1/vouchers/VAL-1', { discount: { type: 'PERCENT' } }, /percent_off/],
      ['PUT', '/v1/vouchers/VAL-1', { discount: { type: 'UNIT', units: 5 } }, /units/],
      ['PUT', '/v1/vouchers/VAL-1', { redemption: { quantity: 3_000_000_000 } }, /quantity/],
      ['POST', `/v1/promotions/${promo.id}/tiers`, { name: 'Fixed', action: { discount: { type: 'FIXED' } } }, /fixed_amount/],
    ];
    for (const [method, url, body, detail] of cases) {
      const res = await api(method as 'POST' | 'PUT', url, body);
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)}: ${res.body}`).toBe(400);
      expect(res.json().details).toMatch(detail);
    }
    // The code kept its discount, and redeems.
    expect((await ok('GET', '/v1/vouchers/VAL-1')).discount).toMatchObject(discount);
    expect((await redeem('VAL-1', 'cy')).statusCode).toBe(200);
  });

  it('counts the redemptions a code had while unlimited once a limit applies to it, its own or its campaign\'s', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Open', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount } });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/OPEN-1`, {});
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/OPEN-2`, {});
    for (let i = 0; i < 3; i++) expect((await redeem('OPEN-1', `d${i}`)).statusCode).toBe(200);
    await ok('PUT', '/v1/vouchers/OPEN-1', { redemption: { quantity: 3 } });
    expect((await ok('GET', '/v1/vouchers/OPEN-1')).redemption).toMatchObject({ quantity: 3, redeemed_quantity: 3 });
    expect((await redeem('OPEN-1', 'd9')).json()).toMatchObject({ code: 400, key: 'quantity_exceeded' });
    await ok('PUT', '/v1/vouchers/OPEN-1', { redemption: { quantity: 4 } });
    expect((await redeem('OPEN-1', 'd9')).statusCode).toBe(200);
    expect((await redeem('OPEN-1', 'd10')).statusCode).toBe(400);
    // The campaign's limit, for its codes without one of their own (a rolled-back redemption does not count).
    const two = await redeem('OPEN-2', 'e1');
    await redeem('OPEN-2', 'e2');
    await ok('POST', `/v1/redemptions/${two.json().redemptions[0].id}/rollback`, {});
    await ok('PUT', `/v1/campaigns/${c.id}`, { voucher: { redemption: { quantity: 2 } } });
    expect((await ok('GET', '/v1/vouchers/OPEN-2')).redemption).toMatchObject({ quantity: 2, redeemed_quantity: 1 });
    expect((await redeem('OPEN-2', 'e3')).statusCode).toBe(200);
    expect((await redeem('OPEN-2', 'e4')).json()).toMatchObject({ key: 'quantity_exceeded' });
    expect((await ok('GET', '/v1/vouchers/OPEN-1')).redemption).toMatchObject({ quantity: 4, redeemed_quantity: 4 });
  });

  it("campaign.redemptions.* and campaign.orders.* rules read the campaign's standing redemptions", async () => {
    const campaignOf = async (name: string, rule: Record<string, unknown>) => {
      const c = await ok('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { type: 'DISCOUNT_VOUCHER', discount } });
      for (const n of [1, 2, 3]) await ok('POST', `/v1/campaigns/${c.id}/vouchers/${name}${n}`, {});
      const r = await ok('POST', '/v1/validation-rules', { name: `${name} rule`, rules: { '1': rule } });
      await ok('POST', `/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'campaign', related_object_id: c.id });
    };
    await campaignOf('CC', { name: 'campaign.redemptions.count', conditions: { $less_than: [1] } });
    const first = await redeem('CC1', 'cc-ann');
    expect(first.statusCode, first.body).toBe(200);
    expect((await redeem('CC2', 'cc-bob')).json()).toMatchObject({ code: 400, key: 'redemption_rules_violated' });
    // A rolled-back redemption no longer counts.
    await ok('POST', `/v1/redemptions/${first.json().redemptions[0].id}/rollback`, {});
    expect((await redeem('CC2', 'cc-bob')).statusCode).toBe(200);
    await campaignOf('CD', { name: 'campaign.redemptions.customers_count.daily', conditions: { $less_than: [2] } });
    for (const [code, who] of [['CD1', 'cd-ann'], ['CD2', 'cd-ann'], ['CD3', 'cd-bob']]) expect((await redeem(code!, who!)).statusCode).toBe(200);
    expect((await redeem('CD1', 'cd-cy')).statusCode).toBe(400);
    // Orders of 10.00, 10% off each: 20.00 of orders, 2.00 of discounts make the third too many.
    await campaignOf('CO', { name: 'campaign.orders.amount', conditions: { $less_than: [2000] } });
    await campaignOf('CA', { name: 'campaign.orders.amount_discounted', conditions: { $less_than: [200] } });
    for (const prefix of ['CO', 'CA']) {
      expect((await redeem(`${prefix}1`, 'co-ann')).statusCode).toBe(200);
      expect((await redeem(`${prefix}2`, 'co-ann')).statusCode).toBe(200);
      expect((await redeem(`${prefix}3`, 'co-ann')).statusCode).toBe(400);
    }
  });

  it("takes no credits by hand that a validation session reserves, and the session's redemption gets them", async () => {
    await ok('POST', '/v1/vouchers/GIFT-HELD', { type: 'GIFT_VOUCHER', gift: { amount: 1000 } });
    const held = await ok('POST', '/v1/validations', { order: { amount: 800 }, redeemables: [{ object: 'voucher', id: 'GIFT-HELD', gift: { credits: 800 } }], session: { type: 'LOCK', key: 'ssn-held' } });
    expect(held.valid).toBe(true);
    const taken = await api('POST', '/v1/vouchers/GIFT-HELD/balance', { amount: -300 });
    expect(taken.statusCode).toBe(400);
    expect(taken.json()).toMatchObject({ key: 'gift_amount_exceeded' });
    // What is not reserved can go.
    expect(await ok('POST', '/v1/vouchers/GIFT-HELD/balance', { amount: -200 })).toMatchObject({ balance: 800 });
    const r = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'GIFT-HELD', gift: { credits: 800 } }], order: { amount: 800 }, session: { key: 'ssn-held' } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await ok('GET', '/v1/vouchers/GIFT-HELD')).gift).toMatchObject({ balance: 0 });
  });

  it('lists codes of a category, their own or their campaign\'s, by id or name; an unknown one lists none', async () => {
    const shoes = await ok('POST', '/v1/categories', { name: 'Shoes', hierarchy: 1 });
    const hats = await ok('POST', '/v1/categories', { name: 'Hats', hierarchy: 2 });
    const c = await ok('POST', '/v1/campaigns', { name: 'Footwear', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', category_id: shoes.id, voucher: { type: 'DISCOUNT_VOUCHER', discount } });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/SHOE-1`, {});
    await ok('POST', '/v1/vouchers/HAT-1', { type: 'DISCOUNT_VOUCHER', discount, category_id: hats.id });
    const codes = async (q: string) => (await ok('GET', `/v1/vouchers?limit=100&${q}`)).vouchers.map((v: any) => v.code).sort();
    expect(await codes(`category=${shoes.id}`)).toEqual(['SHOE-1']);
    expect(await codes('category=Hats')).toEqual(['HAT-1']);
    expect(await codes('category=Socks')).toEqual([]);
  });

  it('keeps a gift balance within what answers carry exactly (2^53 - 1)', async () => {
    await ok('POST', '/v1/vouchers/GIFT-BIG', { type: 'GIFT_VOUCHER', gift: { amount: 1e15 } });
    for (let i = 0; i < 8; i++) await ok('POST', '/v1/vouchers/GIFT-BIG/balance', { amount: 1e15 });
    const over = await api('POST', '/v1/vouchers/GIFT-BIG/balance', { amount: 1e15 });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ key: 'invalid_payload' });
    expect(over.json().details).toMatch(/at most 9,007,199,254,740,991/);
    expect((await ok('GET', '/v1/vouchers/GIFT-BIG')).gift).toMatchObject({ balance: 9e15 });
  });

  it("lists a deleted customer's publications, naming the customer by id", async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Gone', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount } });
    const pub = await ok('POST', '/v1/publications', { campaign: { name: c.name }, customer: { source_id: 'leaver' } });
    expect((await api('DELETE', `/v1/customers/${pub.customer_id}`)).statusCode).toBe(204);
    const list = await ok('GET', `/v1/publications?campaign=${c.name}`);
    expect(list.publications).toHaveLength(1);
    expect(list.publications[0]).toMatchObject({ id: pub.id, customer_id: pub.customer_id, tracking_id: null, customer: { id: pub.customer_id, object: 'customer' } });
  });

  it('rolls back a gift redemption of a card deleted for good', async () => {
    await ok('POST', '/v1/vouchers/GIFT-GONE', { type: 'GIFT_VOUCHER', gift: { amount: 5000 } });
    const r = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'GIFT-GONE', gift: { credits: 1000 } }], order: { amount: 1000 } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await api('DELETE', '/v1/vouchers/GIFT-GONE?force=true')).statusCode).toBe(204);
    const back = await api('POST', `/v1/redemptions/${r.json().redemptions[0].id}/rollback`, {});
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ object: 'redemption_rollback', result: 'SUCCESS', status: 'SUCCEEDED' });
  });

  it('refuses to roll back while the code is in the bin (its refund would be lost), and rolls back once it is restored', async () => {
    await ok('POST', '/v1/vouchers/GIFT-BINNED', { type: 'GIFT_VOUCHER', gift: { amount: 1000 }, redemption: { quantity: 5 } });
    const r = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'GIFT-BINNED', gift: { credits: 300 } }], order: { amount: 300 } });
    expect(r.statusCode, r.body).toBe(200);
    const redemptionId = r.json().redemptions[0].id;
    expect((await api('DELETE', '/v1/vouchers/GIFT-BINNED')).statusCode).toBe(204);
    const refused = await api('POST', `/v1/redemptions/${redemptionId}/rollback`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ key: 'resource_in_use' });
    expect(refused.json().details).toContain('in the bin');
    expect((await ok('GET', `/v1/redemptions/${redemptionId}`)).status).toBe('SUCCEEDED');
    const entry = (await ok('GET', '/v1/trash-bin')).data.find((e: any) => e.resource_name === 'GIFT-BINNED' || e.resource_id === r.json().redemptions[0].voucher?.id);
    expect(entry, 'the bin entry').toBeDefined();
    expect((await api('POST', `/v1/trash-bin/${entry.id}/restore`, {})).statusCode).toBeLessThan(300);
    expect((await api('POST', `/v1/redemptions/${redemptionId}/rollback`, {})).statusCode).toBe(200);
    expect(await ok('GET', '/v1/vouchers/GIFT-BINNED')).toMatchObject({ gift: { balance: 1000 }, redemption: { redeemed_quantity: 0 } });
  });

  it('names the redeemable that refused a stack in its FAILED redemption, not the first one of the request', async () => {
    await ok('POST', '/v1/vouchers/FIRST-OK', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const expired = await ok('POST', '/v1/vouchers/EXPD', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, start_date: '2020-01-01T00:00:00Z', expiration_date: '2020-02-01T00:00:00Z' });
    const refused = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'FIRST-OK' }, { object: 'voucher', id: 'EXPD' }], order: { amount: 5000 } });
    expect(refused.json().key).toBe('voucher_expired');
    expect((await ok('GET', '/v1/redemptions?voucher=FIRST-OK')).redemptions).toEqual([]);
    const [failed] = (await ok('GET', '/v1/redemptions?voucher=EXPD')).redemptions;
    expect(failed).toMatchObject({ status: 'FAILED', failure_code: 'voucher_expired', related_object_type: 'voucher', related_object_id: expired.id, voucher: expect.objectContaining({ code: 'EXPD' }) });
    // A disabled promotion tier after a good code: the tier is named, and no voucher.
    const promo = await ok('POST', '/v1/campaigns', { name: 'Edges promo', campaign_type: 'PROMOTION' });
    const tier = await ok('POST', `/v1/promotions/${promo.id}/tiers`, { name: 'Off tier', action: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    await ok('POST', `/v1/promotions/tiers/${tier.id}/disable`);
    const byTier = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'FIRST-OK' }, { object: 'promotion_tier', id: tier.id }], order: { amount: 5000 } });
    expect(byTier.json().key).toBe('promotion_inactive');
    expect((await ok('GET', '/v1/redemptions?voucher=FIRST-OK')).redemptions).toEqual([]);
    const all = (await ok('GET', '/v1/redemptions?result=FAILURE')).redemptions;
    const tierFailure = all.find((r: any) => r.failure_code === 'promotion_inactive');
    expect(tierFailure).toMatchObject({ related_object_type: 'promotion_tier', related_object_id: tier.id, promotion_tier: expect.objectContaining({ id: tier.id }) });
    expect(tierFailure.voucher ?? null).toBeNull();
  });
});

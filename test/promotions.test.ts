/**
 * Promotion tiers of PROMOTION campaigns: CRUD, enable/disable, hierarchy, their webhooks validated against the
 * official schemas, and tiers validated and redeemed (stacked with a code), with validation rules assigned to them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let campaignId: string;

const types = ['campaign.promotion_tier.created', 'campaign.promotion_tier.updated', 'campaign.promotion_tier.enabled', 'campaign.promotion_tier.disabled', 'campaign.promotion_tier.deleted', 'redemption.succeeded'];

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

const order = { amount: 20000, items: [{ source_id: 'sku-1', quantity: 4, price: 5000 }] };

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  campaignId = (await ok('POST', '/v1/campaigns', { name: 'Summer promo', campaign_type: 'PROMOTION' })).id;
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('promotion tiers', () => {
  it('creates tiers in hierarchy order, lists, gets, updates, disables, enables and deletes them', async () => {
    const a = await ok('POST', `/v1/promotions/${campaignId}/tiers`, { name: '10 off over 100', banner: 'Save 10', action: { discount: { type: 'AMOUNT', amount_off: 1000 } } });
    const b = await ok('POST', `/v1/promotions/${campaignId}/tiers`, { name: '5%', action: { discount: { type: 'PERCENT', percent_off: 5 } }, metadata: { tag: 'x' } });
    expect(a).toMatchObject({ id: expect.stringMatching(/^promo_/), object: 'promotion_tier', hierarchy: 1, active: true, campaign: { id: campaignId }, banner: 'Save 10' });
    expect(b.hierarchy).toBe(2);
    const list = await ok('GET', `/v1/promotions/${campaignId}/tiers`);
    expect(list).toMatchObject({ object: 'list', data_ref: 'tiers', total: 2 });
    expect(list.tiers.map((x: any) => x.id)).toEqual([a.id, b.id]);
    expect((await ok('GET', '/v1/promotions/tiers')).total).toBe(2);
    expect((await ok('PUT', `/v1/promotions/tiers/${b.id}`, { name: 'Five percent', hierarchy: 0 + 3 })).name).toBe('Five percent');
    expect((await ok('POST', `/v1/promotions/tiers/${b.id}/disable`)).active).toBe(false);
    expect((await ok('GET', '/v1/promotions/tiers?is_available=true')).total).toBe(1);
    expect((await ok('POST', `/v1/promotions/tiers/${b.id}/enable`)).active).toBe(true);
    expect((await api('DELETE', `/v1/promotions/tiers/${b.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/promotions/tiers/${b.id}`)).json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'promotion_tier' });
  });

  it('refuses tiers on a campaign that is not a PROMOTION, and tiers without a name or discount', async () => {
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Coupons', campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    expect((await api('POST', `/v1/promotions/${coupons.id}/tiers`, { name: 'x', action: { discount: { type: 'AMOUNT', amount_off: 1 } } })).json()).toMatchObject({ code: 400, key: 'invalid_campaign' });
    expect((await api('POST', `/v1/promotions/${campaignId}/tiers`, { action: { discount: { type: 'AMOUNT', amount_off: 1 } } })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', `/v1/promotions/${campaignId}/tiers`, { name: 'no discount' })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
  });

  it('a tier is validated and redeemed stacked with a code; its validation rule applies with its message', async () => {
    const tier = await ok('POST', `/v1/promotions/${campaignId}/tiers`, { name: 'Big orders', action: { discount: { type: 'AMOUNT', amount_off: 1500 } } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Over 150', rules: { '1': { name: 'order.amount', conditions: { $more_than: [15000] }, error: { message: 'Orders over 150 only' } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: tier.id });
    await ok('POST', '/v1/vouchers/PROMO-CODE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } });
    const small = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: tier.id }], order: { amount: 10000 } });
    expect(small.valid).toBe(false);
    expect(small.redeemables[0].result.error).toMatchObject({ key: 'order_rules_violated', error: { message: 'Orders over 150 only' } });
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: tier.id }, { object: 'voucher', id: 'PROMO-CODE' }], order });
    expect(v.valid).toBe(true);
    // 20000 - 1500 = 18500, then 10% = 1850.
    expect(v.order).toMatchObject({ total_discount_amount: 3350, total_amount: 16650 });
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_tier', id: tier.id }, { object: 'voucher', id: 'PROMO-CODE' }], order, customer: { source_id: 'promo-pia' } });
    expect(r.redemptions[0]).toMatchObject({ related_object_type: 'promotion_tier', related_object_id: tier.id, promotion_tier: { id: tier.id, campaign: { id: campaignId } } });
    expect(r.order).toMatchObject({ status: 'PAID', total_amount: 16650 });
    // The tier's summary counts what it did: one redemption, on an order of 200.00, taking 15.00 off.
    const summary = { redemptions: { total_redeemed: 1 }, orders: { total_amount: 20000, total_discount_amount: 1500 } };
    expect((await ok('GET', `/v1/promotions/tiers/${tier.id}`)).summary).toEqual(summary);
    expect((await ok('GET', `/v1/promotions/${campaignId}/tiers`)).tiers.find((x: any) => x.id === tier.id).summary).toEqual(summary);
    const back = await ok('POST', `/v1/redemptions/${r.parent_redemption.id}/rollbacks`, {});
    expect(back.rollbacks).toHaveLength(2);
    expect((await ok('GET', `/v1/promotions/tiers/${tier.id}`)).summary.redemptions.total_redeemed).toBe(0);
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_tier', id: tier.id }], order, customer: { source_id: 'promo-pia' } });
    await ok('POST', `/v1/promotions/tiers/${tier.id}/disable`);
    expect((await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_tier', id: tier.id }], order })).json()).toMatchObject({ code: 400, key: 'promotion_inactive' });
    expect((await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_tier', id: 'promo_missing' }], order })).json()).toMatchObject({ code: 404, resource_type: 'promotion_tier' });
  });
});

describe('a PROMOTION campaign created with its tiers', () => {
  it('creates the campaign and its tiers together, and shows the tiers as they are', async () => {
    const created = await ok('POST', '/v1/campaigns', {
      name: 'Tiered at once',
      campaign_type: 'PROMOTION',
      promotion: { tiers: [{ name: 'Five off', banner: '5 off', action: { discount: { type: 'AMOUNT', amount_off: 500 } } }, { name: 'Ten percent', action: { discount: { type: 'PERCENT', percent_off: 10 } }, metadata: { a: 1 } }] },
    });
    expect(created.promotion).toMatchObject({ object: 'list', data_ref: 'tiers', total: 2, has_more: false });
    expect(created.promotion.tiers.map((x: any) => [x.name, x.hierarchy, x.campaign_id])).toEqual([['Five off', 1, created.id], ['Ten percent', 2, created.id]]);
    const tierId = created.promotion.tiers[1].id;
    await ok('PUT', `/v1/promotions/tiers/${tierId}`, { name: 'Ten percent off' });
    expect((await ok('GET', `/v1/campaigns/${created.id}`)).promotion.tiers.map((x: any) => x.name)).toEqual(['Five off', 'Ten percent off']);
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: tierId }], order });
    expect(v.order.total_discount_amount).toBe(2000);
  });

  it('refuses the whole request when one tier is bad, naming it, and creates nothing', async () => {
    const res = await api('POST', '/v1/campaigns', { name: 'Half bad', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'fine', action: { discount: { type: 'AMOUNT', amount_off: 1 } } }, { name: 'no discount' }] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toContain('promotion.tiers[1]');
    expect((await api('GET', '/v1/campaigns/Half%20bad')).statusCode).toBe(404);
    const typed = await api('POST', '/v1/campaigns', { name: 'Typed', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 7, action: { discount: { type: 'AMOUNT', amount_off: 1 } } }] } });
    expect(typed.statusCode).toBe(400);
  });
});

describe('qualifications', () => {
  it('lists what applies to a customer and an order by scenario; unknown scenarios are refused', async () => {
    const tier = await ok('POST', `/v1/promotions/${campaignId}/tiers`, { name: 'Everyone 2 off', action: { discount: { type: 'AMOUNT', amount_off: 200 } } });
    const gated = await ok('POST', `/v1/promotions/${campaignId}/tiers`, { name: 'VIP 5 off', action: { discount: { type: 'AMOUNT', amount_off: 500 } } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'VIP tier', rules: { '1': { name: 'customer.metadata', property: 'vip', conditions: { $is: [true] } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: gated.id });
    await ok('POST', '/v1/vouchers/QUAL-MINE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 300 } });
    await ok('POST', '/v1/publications', { voucher: 'QUAL-MINE', customer: { source_id: 'qual-quin', metadata: { vip: false } } });
    const all = await ok('POST', '/v1/qualifications', { customer: { source_id: 'qual-quin' }, order, scenario: 'ALL' });
    const ids = all.redeemables.data.map((r: any) => r.id);
    expect(ids).toContain('QUAL-MINE');
    expect(ids).toContain(tier.id);
    expect(ids).not.toContain(gated.id);
    expect(all.redeemables.data.find((r: any) => r.id === tier.id)).toMatchObject({ object: 'promotion_tier', result: { discount: { amount_off: 200 } }, order: { total_amount: 19800 } });
    const wallet = await ok('POST', '/v1/qualifications', { customer: { source_id: 'qual-quin' }, order, scenario: 'CUSTOMER_WALLET' });
    expect(wallet.redeemables.data.map((r: any) => r.object)).toEqual(['voucher']);
    const audience = await ok('POST', '/v1/qualifications', { customer: { source_id: 'qual-quin' }, order, scenario: 'AUDIENCE_ONLY' });
    expect(audience.redeemables.data.every((r: any) => r.object === 'promotion_tier')).toBe(true);
    expect((await ok('POST', '/v1/qualifications', { order, scenario: 'PROMOTION_STACKS' })).redeemables.total).toBe(0);
    const bad = await api('POST', '/v1/qualifications', { order, scenario: 'EVERYTHING' });
    expect(bad.json()).toMatchObject({ code: 400, key: 'invalid_payload', details: expect.stringContaining('PRODUCTS_DISCOUNT_BY_CUSTOMER') });
  });
});

describe.skipIf(!specPresent)('promotion tier webhooks conform to OpenAPIWebhooks.json', () => {
  it('campaign.promotion_tier.* and a tier redemption validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type), type).toContain(type);
    for (const payload of got) v.check(payload);
    const redeemed = got.find((g) => g.type === 'redemption.succeeded' && g.data.promotion_tier)!;
    expect(redeemed.data.promotion_tier).toMatchObject({ name: 'Big orders' });
  });
});

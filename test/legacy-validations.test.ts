/**
 * Voucherify's older single-object routes that the official SDK still calls, unchanged and pointed at Tessera:
 * promotion validation (all tiers, one tier), the tier redemption, a voucher's redemptions, and the client-side
 * validate (by code and without one) and redeem.
 */
import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let apiUrl: string;
let server: ReturnType<typeof VoucherifyServerSide>;
let client: ReturnType<typeof VoucherifyClientSide>;
let small: any;
let big: any;
let vip: any;

const order = { amount: 10000, items: [{ source_id: 'legacy-sku', quantity: 2, price: 5000 }] };

/** What the SDK threw, for calls that must fail. */
const failure = (call: Promise<unknown>) => call.then(() => { throw new Error('expected a failure'); }, (e: any) => e);

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
  apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  client = VoucherifyClientSide({ clientApplicationId: p.client['x-client-application-id'], clientSecretKey: p.client['x-client-token'], apiUrl, origin: 'shop.example.com' });
  const campaign: any = await server.campaigns.create({ name: 'Legacy promo', campaign_type: 'PROMOTION' } as any);
  // Hierarchy 2 is created first: the answer lists tiers by hierarchy, not by creation.
  big = await server.promotions.tiers.create(campaign.id, { name: 'Big spender', banner: '20 off big orders', hierarchy: 2, action: { discount: { type: 'AMOUNT', amount_off: 2000 } }, validation_rules: [] } as any);
  small = await server.promotions.tiers.create(campaign.id, { name: 'Everyone', hierarchy: 1, action: { discount: { type: 'AMOUNT', amount_off: 500 } } } as any);
  // A tier only for gold customers, by a validation rule on the customer's metadata.
  const rule: any = await server.validationRules.create({ name: 'gold only', rules: { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } }, logic: '1' }, error: { message: 'Gold members only' } } as any);
  vip = await server.promotions.tiers.create(campaign.id, { name: 'Gold', hierarchy: 3, action: { discount: { type: 'PERCENT', percent_off: 50 } } } as any);
  await server.validationRules.createAssignment(rule.id, { related_object_type: 'promotion_tier', related_object_id: vip.id } as any);
  await server.customers.create({ source_id: 'legacy-gold', metadata: { tier: 'gold' } } as any);
  await server.customers.create({ source_id: 'legacy-plain', metadata: { tier: 'none' } } as any);
  await server.vouchers.create({ code: 'LEGACY-TEN', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, redemption: { quantity: 3 } } as any);
});
afterAll(() => t.close());

describe('promotion validation (POST /v1/promotions/validation)', () => {
  it('lists the tiers that apply to the customer and order, by hierarchy, each with the order after it alone', async () => {
    const res: any = await server.promotions.validate({ customer: { source_id: 'legacy-plain' }, order } as any);
    expect(res.valid).toBe(true);
    expect(res.tracking_id).toBe('legacy-plain');
    expect(res.promotions.map((x: any) => x.id)).toEqual([small.id, big.id]);
    const [first, second] = res.promotions;
    expect(first).toMatchObject({ valid: true, object: 'promotion_tier', name: 'Everyone', hierarchy: 1, discount: { type: 'AMOUNT', amount_off: 500 }, discount_amount: 500, order: { amount: 10000, total_amount: 9500 } });
    expect(second).toMatchObject({ name: 'Big spender', banner: '20 off big orders', discount_amount: 2000, order: { total_amount: 8000 }, campaign: { object: 'campaign', active: true } });
  });

  it('includes a tier guarded by a rule only for the customer the rule admits', async () => {
    const gold: any = await server.promotions.validate({ customer: { source_id: 'legacy-gold' }, order } as any);
    expect(gold.promotions.map((x: any) => x.id)).toEqual([small.id, big.id, vip.id]);
    expect(gold.promotions[2]).toMatchObject({ discount_amount: 5000, order: { total_amount: 5000 } });
  });

  it('is not valid when no tier applies, and spends nothing', async () => {
    const toggle = (id: string, what: string) => t.app.inject({ method: 'POST', url: `/v1/promotions/tiers/${id}/${what}`, headers: p.server });
    await toggle(small.id, 'disable');
    await toggle(big.id, 'disable');
    try {
      const res: any = await server.promotions.validate({ customer: { source_id: 'legacy-plain' }, order } as any);
      expect(res).toEqual({ valid: false, tracking_id: 'legacy-plain', promotions: [] });
    } finally {
      await toggle(small.id, 'enable');
      await toggle(big.id, 'enable');
    }
    const redemptions: any = await server.redemptions.list();
    expect(redemptions.redemptions.filter((r: any) => r.related_object_type === 'promotion_tier')).toHaveLength(0);
  });

  it('answers 400 for a malformed order', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/promotions/validation', headers: p.server, payload: { order: { amount: 'lots' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
  });
});

describe('one tier (POST /v1/promotions/tiers/{id}/validation and /redemption)', () => {
  it('validates a tier, and says why not with the rule\'s own message', async () => {
    const validate = async (payload: object) => (await t.app.inject({ method: 'POST', url: `/v1/promotions/tiers/${vip.id}/validation`, headers: p.server, payload })).json();
    const ok = await validate({ customer: { source_id: 'legacy-gold' }, order });
    expect(ok).toMatchObject({ valid: true, id: vip.id, discount_amount: 5000, tracking_id: 'legacy-gold' });
    const no = await validate({ customer: { source_id: 'legacy-plain' }, order });
    expect(no).toMatchObject({ valid: false, id: vip.id, object: 'promotion_tier', error: { key: 'customer_rules_violated', message: 'Gold members only' } });
    expect(typeof no.reason).toBe('string');
    const missing = await t.app.inject({ method: 'POST', url: '/v1/promotions/tiers/promo_nope/validation', headers: p.server, payload: {} });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ key: 'not_found', resource_type: 'promotion_tier', resource_id: 'promo_nope' });
  });

  it('redeems a tier through the SDK (promotions.tiers.redeem) and refuses a customer the rule excludes', async () => {
    const r: any = await server.promotions.tiers.redeem(vip.id, { customer: { source_id: 'legacy-gold' }, order } as any);
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', related_object_type: 'promotion_tier', related_object_id: vip.id, order: { total_amount: 5000 } });
    const refused = await failure(server.promotions.tiers.redeem(vip.id, { customer: { source_id: 'legacy-plain' }, order } as any));
    expect(refused).toMatchObject({ code: 400, key: 'customer_rules_violated' });
  });
});

describe('an unknown customer.id', () => {
  it('answers 404 about the customer on the promotion validations, as on the tier redemption', async () => {
    const body = { customer: { id: 'cust_unknown' }, order };
    for (const url of [`/v1/promotions/tiers/${small.id}/validation`, '/v1/promotions/validation', `/v1/promotions/tiers/${small.id}/redemption`]) {
      const res = await t.app.inject({ method: 'POST', url, headers: p.server, payload: body });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(404);
      expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'customer', resource_id: 'cust_unknown' });
    }
  });
});

describe("a voucher's redemptions (GET /v1/vouchers/{code}/redemption)", () => {
  it('lists them newest first with the quantity and what is redeemed, failures included', async () => {
    const first: any = await server.redemptions.redeem('LEGACY-TEN', { order, customer: { source_id: 'legacy-plain' } } as any);
    const second: any = await server.redemptions.redeem('LEGACY-TEN', { order } as any);
    await server.vouchers.disable('LEGACY-TEN');
    await failure(server.redemptions.redeem('LEGACY-TEN', { order } as any));
    await server.vouchers.enable('LEGACY-TEN');
    const res: any = await server.redemptions.getForVoucher('LEGACY-TEN');
    expect(res).toMatchObject({ object: 'list', data_ref: 'redemption_entries', quantity: 3, redeemed_quantity: 2, total: 3 });
    expect(res.redemption_entries.map((r: any) => r.result)).toEqual(['FAILURE', 'SUCCESS', 'SUCCESS']);
    expect(res.redemption_entries.slice(1).map((r: any) => r.id)).toEqual([second.id, first.id]);
    const paged = await t.app.inject({ method: 'GET', url: '/v1/vouchers/LEGACY-TEN/redemption?limit=1&page=3', headers: p.server });
    expect(paged.json()).toMatchObject({ total: 3, redemption_entries: [{ id: first.id }] });
  });

  it('takes the customer as ?tracking_id= when the body names none', async () => {
    await server.vouchers.create({ code: 'LEGACY-TRACKED', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
    const res = await t.app.inject({ method: 'POST', url: '/v1/vouchers/LEGACY-TRACKED/redemption?tracking_id=legacy-gold', headers: p.server, payload: { order } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'SUCCESS', customer: { source_id: 'legacy-gold' }, tracking_id: 'legacy-gold' });
  });

  it('answers 404 naming the voucher for an unknown code', async () => {
    const err = await failure(server.redemptions.getForVoucher('NO-SUCH-CODE'));
    expect(err).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' });
  });
});

describe('client-side validate and redeem (legacy)', () => {
  it('validates a code sent in the query string, with the order and customer', async () => {
    const ok: any = await client.validate({ code: 'LEGACY-TEN', amount: 10000, items: order.items, customer: { source_id: 'legacy-plain' } } as any);
    expect(ok).toMatchObject({ valid: true, code: 'LEGACY-TEN', discount: { amount_off: 1000 }, order: { amount: 10000, total_amount: 9000 } });
    const bad: any = await client.validate('NO-SUCH-CODE');
    expect(bad).toMatchObject({ valid: false, code: 'NO-SUCH-CODE', error: { key: 'not_found' } });
  });

  it('without a code validates the promotion tiers', async () => {
    const res: any = await client.validate({ amount: 10000, customer: { source_id: 'legacy-plain' } } as any);
    expect(res.valid).toBe(true);
    expect(res.promotions.map((x: any) => x.id)).toEqual([small.id, big.id]);
  });

  it('lists the promotion tiers a storefront may show (GET /client/v1/promotions/tiers)', async () => {
    const headers = { ...p.client, origin: 'https://shop.example.com' };
    const res = await t.app.inject({ method: 'GET', url: '/client/v1/promotions/tiers?is_available=true&limit=2', headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ object: 'list', data_ref: 'tiers', total: 3, has_more: true });
    expect(res.json().tiers.map((x: any) => x.id)).toEqual([small.id, big.id]);
    const unsigned = await t.app.inject({ method: 'GET', url: '/client/v1/promotions/tiers', headers: { origin: 'https://shop.example.com' } });
    expect(unsigned.statusCode).toBe(401);
  });

  it('answers 400 for a query the order cannot be made of', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/client/v1/validate?code=LEGACY-TEN&amount=lots', headers: { ...p.client, origin: 'https://shop.example.com' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ key: 'invalid_query_params' });
  });

  it('redeems only when the project allows client-side redeeming', async () => {
    const off = await failure(client.redeem('LEGACY-TEN', { order, customer: { source_id: 'legacy-client' } } as any));
    expect(off).toMatchObject({ code: 403 });
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['shop.example.com'], client_redeem_enabled: true } });
    const r: any = await client.redeem('LEGACY-TEN', { order, customer: { source_id: 'legacy-client' } } as any);
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', voucher: { code: 'LEGACY-TEN' }, customer: { source_id: 'legacy-client' } });
    expect((await server.vouchers.get('LEGACY-TEN')).redemption).toMatchObject({ redeemed_quantity: 3 });
  });
});

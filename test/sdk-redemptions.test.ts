/**
 * The official @voucherify/sdk, unchanged and pointed at Tessera with apiUrl: validations, redemptions (legacy and
 * stackable), rollbacks, promotion tiers, qualifications, and the client-side validate and redeem.
 */
import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let apiUrl: string;
let server: ReturnType<typeof VoucherifyServerSide>;

const order = { amount: 10000, items: [{ source_id: 'sdk-sku', quantity: 2, price: 5000 }] };

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  await server.vouchers.create({ code: 'SDK-TEN', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, redemption: { quantity: 2 } } as any);
  await server.vouchers.create({ code: 'SDK-GIFT', type: 'GIFT_VOUCHER', gift: { amount: 4000 } } as any);
});
afterAll(() => t.close());

describe('validations and redemptions through the SDK', () => {
  it('validates a voucher (legacy) and a stack', async () => {
    const one: any = await server.validations.validateVoucher('SDK-TEN', { order } as any);
    expect(one).toMatchObject({ valid: true, code: 'SDK-TEN', discount: { amount_off: 1000 } });
    const stack: any = await server.validations.validateStackable({ redeemables: [{ object: 'voucher', id: 'SDK-TEN' }, { object: 'voucher', id: 'SDK-GIFT', gift: { credits: 500 } }], order } as any);
    expect(stack).toMatchObject({ valid: true, order: { total_amount: 8500 } });
  });

  it('redeems (legacy and stackable), gets, lists and rolls back', async () => {
    const r: any = await server.redemptions.redeem('SDK-TEN', { order, customer: { source_id: 'sdk-sue' } } as any);
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', voucher: { code: 'SDK-TEN' } });
    expect(await server.redemptions.get(r.id)).toMatchObject({ id: r.id });
    const rb: any = await server.redemptions.rollback(r.id, { reason: 'sdk test' });
    expect(rb).toMatchObject({ object: 'redemption_rollback', redemption: r.id, reason: 'sdk test' });
    const s: any = await server.redemptions.redeemStackable({ redeemables: [{ object: 'voucher', id: 'SDK-TEN' }, { object: 'voucher', id: 'SDK-GIFT', gift: { credits: 500 } }], order } as any);
    expect(s.redemptions).toHaveLength(2);
    const back: any = await server.redemptions.rollbackStackable(s.parent_redemption.id, { reason: 'stack back' });
    expect(back.rollbacks).toHaveLength(2);
    expect((await server.vouchers.get('SDK-GIFT')).gift).toMatchObject({ balance: 4000 });
    const list: any = await server.redemptions.list();
    expect(list.total).toBeGreaterThanOrEqual(3);
    await expect(server.redemptions.rollback(r.id)).rejects.toMatchObject({ code: 400, key: 'already_rolled_back' });
  });

  it('promotion tiers and qualifications', async () => {
    const campaign: any = await server.campaigns.create({ name: 'SDK promo', campaign_type: 'PROMOTION' } as any);
    const tier: any = await server.promotions.tiers.create(campaign.id, { name: 'SDK tier', action: { discount: { type: 'AMOUNT', amount_off: 300 } } } as any);
    expect(tier).toMatchObject({ object: 'promotion_tier', name: 'SDK tier' });
    expect((await server.promotions.tiers.list(campaign.id)).tiers).toHaveLength(1);
    expect(await server.promotions.tiers.get(tier.id)).toMatchObject({ id: tier.id });
    expect(await server.promotions.tiers.update({ id: tier.id, name: 'SDK tier 2' } as any)).toMatchObject({ name: 'SDK tier 2' });
    const q: any = await server.qualifications.checkEligibility({ order, scenario: 'AUDIENCE_ONLY' } as any);
    expect(q.redeemables.data.map((r: any) => r.id)).toContain(tier.id);
    const redeemed: any = await server.redemptions.redeemStackable({ redeemables: [{ object: 'promotion_tier', id: tier.id }], order } as any);
    expect(redeemed.redemptions[0]).toMatchObject({ related_object_type: 'promotion_tier' });
    await server.promotions.tiers.delete(tier.id);
    await expect(server.promotions.tiers.get(tier.id)).rejects.toMatchObject({ code: 404 });
  });

  it('client-side validate and redeem', async () => {
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['shop.example.com'], client_redeem_enabled: true } });
    const client = VoucherifyClientSide({ clientApplicationId: p.client['x-client-application-id'], clientSecretKey: p.client['x-client-token'], apiUrl, origin: 'shop.example.com' });
    await server.vouchers.create({ code: 'SDK-CLIENT', type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } } as any);
    const v: any = await client.validateStackable({ redeemables: [{ object: 'voucher', id: 'SDK-CLIENT' }], order } as any);
    expect(v).toMatchObject({ valid: true, order: { total_amount: 9000 } });
    const r: any = await client.redeemStackable({ redeemables: [{ object: 'voucher', id: 'SDK-CLIENT' }], order, customer: { source_id: 'sdk-client-cy' } } as any);
    expect(r.redemptions[0]).toMatchObject({ result: 'SUCCESS', customer: { source_id: 'sdk-client-cy' } });
  });
});

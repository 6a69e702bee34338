/**
 * Campaign summaries (GET /v1/campaigns/{id}/summary): redemptions, rollbacks and validations counted for each
 * type, with the type's own figures (discounts, credits, points, referees), over a period; answers validated against
 * the official schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { apiSpecValidator } from './helpers/api-spec.js';
import { dashboardSession } from './helpers/dashboard-session.js';
import { requestsOf } from './helpers/requests.js';

const clock = fixedClock(new Date('2026-06-10T12:00:00Z'));
let t: TestTessera;
let p: TestProject;
const { ok, api } = requestsOf(() => ({ t, p }));
const expectOfficial = apiSpecValidator('campaigns');
const summary = (id: string, q = '') => ok('GET', `/v1/campaigns/${id}/summary${q}`);

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
});
afterAll(() => t.close());

describe('campaign summary', () => {
  it('counts a discount campaign: codes, publications, validations, redemptions, rollbacks, discounts and orders', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Ten off', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, redemption: { quantity: 1 } } });
    for (const code of ['SUM-A', 'SUM-B', 'SUM-C']) await ok('POST', `/v1/campaigns/${c.id}/vouchers/${code}`, {});
    await ok('POST', '/v1/publications', { voucher: 'SUM-A', customer: { source_id: 'sum-ann' } });
    await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'SUM-A' }], order: { amount: 5000 } });
    const a = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SUM-A' }], order: { amount: 5000 } });
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SUM-B' }], order: { amount: 3000 } });
    // SUM-A is used up: its validation and its redemption fail.
    await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'SUM-A' }], order: { amount: 5000 } });
    expect((await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SUM-A' }], order: { amount: 5000 } })).statusCode).toBe(400);
    await ok('POST', `/v1/redemptions/${a.redemptions[0].id}/rollback`, {});
    const s = await summary(c.id);
    expectOfficial('CampaignsSummaryDiscountCampaign', s);
    // The campaign shown counts its codes, as GET /v1/campaigns/{id} does.
    expect(s.campaign.vouchers_count).toBe(3);
    expect(s).toMatchObject({
      object: 'campaign_summary',
      campaign: { id: c.id, name: 'Ten off', object: 'campaign' },
      redemptions: 3,
      redemptions_succeeded: 2,
      redemptions_failed: 1,
      rollbacks: 1,
      rollbacks_succeeded: 1,
      validations: 2,
      validations_succeeded: 1,
      validations_failed: 1,
      vouchers_created: 3,
      publications: 1,
      discounted_amount: 2000,
      rolledback_discounted_amount: 1000,
      orders_amount: 8000,
      orders_rolledback_amount: 5000,
    });
  });

  it('narrows to whole days: start_date and end_date both counted', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Days', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/DAY-1`, {});
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'DAY-1' }], order: { amount: 1000 } });
    clock.set(new Date('2026-06-12T23:59:00Z'));
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'DAY-1' }], order: { amount: 1000 } });
    clock.set(new Date('2026-06-13T00:00:00Z'));
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'DAY-1' }], order: { amount: 1000 } });
    expect((await summary(c.id)).redemptions).toBe(3);
    expect((await summary(c.id, '?start_date=2026-06-11&end_date=2026-06-12')).redemptions).toBe(1);
    expect((await summary(c.id, '?start_date=2026-06-12')).redemptions).toBe(2);
    expect((await summary(c.id, '?end_date=2026-06-10')).redemptions).toBe(1);
    expect((await api('GET', `/v1/campaigns/${c.id}/summary?start_date=tomorrow`)).json()).toMatchObject({ code: 400, key: 'invalid_query_params' });
    expect((await api('GET', `/v1/campaigns/${c.id}/summary?start_date=2026-06-12&end_date=2026-06-11`)).statusCode).toBe(400);
    expect((await api('GET', '/v1/campaigns/camp_none/summary')).json()).toMatchObject({ code: 404, resource_type: 'campaign' });
  });

  it('takes days from 0001-01-01 to 9999-12-30: one beyond is a 400 on the API and said on the dashboard, never a 500', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Far days', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    expect((await summary(c.id, '?start_date=0001-01-01&end_date=9999-12-30')).redemptions).toBe(0);
    for (const q of ['?end_date=9999-12-31', '?start_date=0000-01-01&end_date=0000-01-02', '?start_date=0000-12-31']) {
      const res = await api('GET', `/v1/campaigns/${c.id}/summary${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_query_params', details: expect.stringContaining('from 0001-01-01 to 9999-12-30') });
    }
    const { cookie } = await dashboardSession(t.app, p.id);
    for (const q of ['?to=9999-12-31', '?from=0000-01-01&to=0000-01-02']) {
      const res = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/campaigns/${c.id}${q}`, headers: { cookie } });
      expect(res.statusCode, q).toBe(200);
      expect(res.body).toContain('Choose two days from 0001-01-01 to 9999-12-30, the first not after the second.');
    }
    const far = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/campaigns/${c.id}?from=0001-01-01&to=9999-12-30`, headers: { cookie } });
    expect(far.statusCode).toBe(200);
    expect(far.body).toContain('0001-01-01 – 9999-12-30');
  });

  it('counts a gift card campaign\'s credits and a loyalty program\'s points', async () => {
    const gift = await ok('POST', '/v1/campaigns', { name: 'Gifts', campaign_type: 'GIFT_VOUCHERS', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 5000 } } });
    await ok('POST', `/v1/campaigns/${gift.id}/vouchers/SUM-GIFT`, {});
    await ok('POST', '/v1/vouchers/SUM-GIFT/balance', { amount: 1000 });
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SUM-GIFT', gift: { credits: 2500 } }], order: { amount: 2500 } });
    const g = await summary(gift.id);
    expectOfficial('CampaignsSummaryGiftCampaign', g);
    expect(g).toMatchObject({ vouchers_created: 1, created_vouchers_amount: 5000, amount_added: 1000, amount_redeemed: 2500, amount_rolledback: 0, amount_subtracted: 0 });

    const program = await ok('POST', '/v1/loyalties', { name: 'Summary points', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 10 } } });
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'sum-bob' } })).code;
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 40 });
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: -15 });
    const l = await summary(program.id);
    expectOfficial('CampaignsSummaryLoyaltyCampaign', l);
    expect(l).toMatchObject({ vouchers_created: 1, created_vouchers_points: 10, points_added: 40, points_subtracted: 15, points_expired: 0, publications: 1 });
  });

  it('counts a promotion\'s tiers, their validations and discounts', async () => {
    const promo = await ok('POST', '/v1/campaigns', { name: 'Summary promo', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Three off', action: { discount: { type: 'AMOUNT', amount_off: 300 } } }] } });
    const tier = promo.promotion.tiers[0].id;
    await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: tier }], order: { amount: 2000 } });
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_tier', id: tier }], order: { amount: 2000 } });
    const s = await summary(promo.id);
    expectOfficial('CampaignsSummaryPromotionCampaign', s);
    expect(s).toMatchObject({ redemptions_succeeded: 1, validations_succeeded: 1, discounted_amount: 300, orders_amount: 2000 });
    expect(s).not.toHaveProperty('vouchers_created');
  });
});

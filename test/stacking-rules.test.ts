/**
 * Stacking rules (the project's `stacking_rules`, Voucherify's defaults otherwise): at most 5 applicable
 * redeemables, one per category, an exclusive category's redeemable alone (with joint ones), PARTIAL application,
 * category-hierarchy order and the redeemables limit. Left-out redeemables are SKIPPED with the rule's key, and a
 * redemption spends nothing of them.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestsOf } from './helpers/requests.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
const any = (x: unknown) => x as never;
const cat: Record<string, string> = {};

const { api, ok } = requestsOf(() => ({ t, p }));
async function rules(stacking_rules: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { stacking_rules } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const vouchers = (...codes: string[]) => codes.map((id) => ({ object: 'voucher', id }));
const byStatus = (v: any) => Object.fromEntries(['APPLICABLE', 'SKIPPED', 'INAPPLICABLE'].map((s) => [s, v.redeemables.filter((r: any) => r.status === s).map((r: any) => r.id)]));
const redeemed = async (code: string) => (await ok('GET', `/v1/vouchers/${code}`)).redemption.redeemed_quantity;

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  for (const [name, hierarchy] of [['Exclusive', 1], ['Joint', 2], ['Seasonal', 3]] as const) cat[name] = (await ok('POST', '/v1/categories', { name, hierarchy })).id;
  const make = (code: string, amount: number, category?: string) => ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: amount }, ...(category ? { category } : {}) });
  for (let i = 1; i <= 6; i++) await make(`SR-P${i}`, 10);
  await make('SR-A1', 100, 'Seasonal');
  await make('SR-A2', 100, 'Seasonal');
  await make('SR-EX', 500, 'Exclusive');
  await make('SR-J', 50, 'Joint');
});
afterAll(async () => {
  await t.close();
});

describe('stacking rules', () => {
  it("Voucherify's defaults: 5 applicable redeemables at most, the rest SKIPPED and not spent", async () => {
    const order = { amount: 10_000 };
    const v: any = await server.validations.validateStackable(any({ redeemables: vouchers('SR-P1', 'SR-P2', 'SR-P3', 'SR-P4', 'SR-P5', 'SR-P6'), order }));
    expect(v.valid).toBe(true);
    expect(byStatus(v)).toEqual({ APPLICABLE: ['SR-P1', 'SR-P2', 'SR-P3', 'SR-P4', 'SR-P5'], SKIPPED: ['SR-P6'], INAPPLICABLE: [] });
    expect(v.skipped_redeemables[0].result.details.key).toBe('applicable_redeemables_limit_exceeded');
    expect(v.order.total_discount_amount).toBe(50);
    expect(v.stacking_rules).toMatchObject({ applicable_redeemables_limit: 5, redeemables_application_mode: 'ALL' });
    const r: any = await server.redemptions.redeemStackable(any({ redeemables: vouchers('SR-P1', 'SR-P2', 'SR-P3', 'SR-P4', 'SR-P5', 'SR-P6'), order }));
    expect(r.redemptions).toHaveLength(5);
    expect(r.skipped_redeemables.map((s: any) => s.id)).toEqual(['SR-P6']);
    expect(r.order.total_discount_amount).toBe(50);
    expect(await redeemed('SR-P1')).toBe(1);
    expect(await redeemed('SR-P6')).toBe(0);
  });

  it('one redeemable per category by default; an exclusive category applies alone, joint ones with it', async () => {
    const same = await ok('POST', '/v1/validations', { redeemables: vouchers('SR-A1', 'SR-A2'), order: { amount: 10_000 } });
    expect(byStatus(same)).toEqual({ APPLICABLE: ['SR-A1'], SKIPPED: ['SR-A2'], INAPPLICABLE: [] });
    expect(same.skipped_redeemables[0].result.details.key).toBe('applicable_redeemables_per_category_limit_exceeded');
    // Without exclusive categories, the Exclusive category is like any other.
    const before = await ok('POST', '/v1/validations', { redeemables: vouchers('SR-EX', 'SR-P1', 'SR-J'), order: { amount: 10_000 } });
    expect(byStatus(before).APPLICABLE).toEqual(['SR-EX', 'SR-P1', 'SR-J']);
    const project = await rules({ exclusive_categories: [cat.Exclusive], joint_categories: [cat.Joint] });
    expect(project.stacking_rules).toEqual({ exclusive_categories: [cat.Exclusive], joint_categories: [cat.Joint] });
    const v = await ok('POST', '/v1/validations', { redeemables: vouchers('SR-P1', 'SR-EX', 'SR-J'), order: { amount: 10_000 } });
    expect(byStatus(v)).toEqual({ APPLICABLE: ['SR-EX', 'SR-J'], SKIPPED: ['SR-P1'], INAPPLICABLE: [] });
    expect(v.skipped_redeemables[0].result.details.key).toBe('exclusion_rules_not_met');
    expect(v.order.total_discount_amount).toBe(550);
    const r = await ok('POST', '/v1/redemptions', { redeemables: vouchers('SR-P1', 'SR-EX', 'SR-J'), order: { amount: 10_000 } });
    expect(r.redemptions.map((x: any) => x.voucher.code)).toEqual(['SR-EX', 'SR-J']);
    expect(await redeemed('SR-EX')).toBe(1);
    expect(await redeemed('SR-P1')).toBe(1);
  });

  it("a promotion tier counts in its own category (else its campaign's); an unknown category is refused", async () => {
    await rules({ exclusive_categories: [cat.Exclusive] });
    const promo = await ok('POST', '/v1/campaigns', {
      name: 'Tiers with categories',
      campaign_type: 'PROMOTION',
      promotion: { tiers: [
        { name: 'Exclusive tier', category_id: cat.Exclusive, action: { discount: { type: 'AMOUNT', amount_off: 1000, effect: 'APPLY_TO_ORDER' } } },
        { name: 'Plain tier', action: { discount: { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ORDER' } } },
      ] },
    });
    const tiers = (await ok('GET', `/v1/promotions/${promo.id}/tiers`)).tiers;
    const [ex, plain] = ['Exclusive tier', 'Plain tier'].map((n) => tiers.find((x: any) => x.name === n));
    expect(ex.category_id).toBe(cat.Exclusive);
    // Its object shows the category, as a voucher's does; a tier without one shows none.
    expect(ex.categories).toEqual([expect.objectContaining({ id: cat.Exclusive, name: 'Exclusive', object: 'category' })]);
    expect(plain.categories).toEqual([]);
    expect((await ok('GET', `/v1/promotions/tiers/${ex.id}`)).categories.map((k: any) => k.id)).toEqual([cat.Exclusive]);
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: plain.id }, { object: 'promotion_tier', id: ex.id }], order: { amount: 10_000 } });
    expect(byStatus(v)).toEqual({ APPLICABLE: [ex.id], SKIPPED: [plain.id], INAPPLICABLE: [] });
    expect(v.order.total_discount_amount).toBe(1000);
    // A category is named by id or name, and must exist.
    expect((await api('POST', `/v1/promotions/${promo.id}/tiers`, { name: 'Bad', category_id: 'cat_nope', action: { discount: { type: 'AMOUNT', amount_off: 1 } } })).json()).toMatchObject({ code: 404, key: 'not_found' });
    expect((await ok('POST', `/v1/promotions/${promo.id}/tiers`, { name: 'By name', category_id: 'Seasonal', action: { discount: { type: 'AMOUNT', amount_off: 1 } } })).categories.map((k: any) => k.id)).toEqual([cat.Seasonal]);
    expect((await ok('PUT', `/v1/promotions/tiers/${plain.id}`, { category_id: 'Seasonal' })).categories.map((k: any) => k.id)).toEqual([cat.Seasonal]);
    await ok('PUT', `/v1/promotions/tiers/${plain.id}`, { category_id: null });
    expect((await api('PUT', `/v1/promotions/tiers/${plain.id}`, { category_id: 'cat_nope' })).statusCode).toBe(404);
    await rules({ exclusive_categories: [cat.Exclusive], joint_categories: [cat.Joint] });
  });

  it('PARTIAL application: what does not apply is listed and the rest is redeemed; ALL refuses the whole request', async () => {
    await rules({});
    const all = await api('POST', '/v1/redemptions', { redeemables: vouchers('SR-P2', 'SR-NOPE'), order: { amount: 1000 } });
    expect(all.statusCode).toBe(404);
    expect(await redeemed('SR-P2')).toBe(1);
    await rules({ redeemables_application_mode: 'PARTIAL' });
    const v = await ok('POST', '/v1/validations', { redeemables: vouchers('SR-P2', 'SR-NOPE'), order: { amount: 1000 } });
    expect(v.valid).toBe(true);
    expect(byStatus(v)).toEqual({ APPLICABLE: ['SR-P2'], SKIPPED: [], INAPPLICABLE: ['SR-NOPE'] });
    const r = await ok('POST', '/v1/redemptions', { redeemables: vouchers('SR-P2', 'SR-NOPE'), order: { amount: 1000 } });
    expect(r.redemptions.map((x: any) => x.voucher.code)).toEqual(['SR-P2']);
    expect(r.inapplicable_redeemables.map((x: any) => [x.id, x.result.error.code])).toEqual([['SR-NOPE', 404]]);
    expect(await redeemed('SR-P2')).toBe(2);
    // Nothing applicable: refused even in PARTIAL mode.
    expect((await api('POST', '/v1/redemptions', { redeemables: vouchers('SR-NOPE'), order: { amount: 1000 } })).statusCode).toBe(404);
  });

  it('category hierarchy orders what applies; the redeemables limit and bad rules are refused with a 400', async () => {
    await rules({ applicable_redeemables_limit: 1, redeemables_sorting_rule: 'CATEGORY_HIERARCHY' });
    const v = await ok('POST', '/v1/validations', { redeemables: vouchers('SR-P3', 'SR-A1', 'SR-J'), order: { amount: 10_000 } });
    // Joint (hierarchy 2) before Seasonal (3) before the uncategorized.
    expect(byStatus(v)).toEqual({ APPLICABLE: ['SR-J'], SKIPPED: ['SR-A1', 'SR-P3'], INAPPLICABLE: [] });
    // applicable_redeemables_limit may not exceed redeemables_limit (its default 5 would).
    await rules({ redeemables_limit: 2, applicable_redeemables_limit: 2 });
    const over = await api('POST', '/v1/validations', { redeemables: vouchers('SR-P3', 'SR-P4', 'SR-P5'), order: { amount: 10_000 } });
    expect(over.json()).toMatchObject({ code: 400, key: 'invalid_redeemables' });
    const bad = await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { stacking_rules: { applicable_redeemables_limit: 0 } } });
    expect(bad.statusCode).toBe(400);
    const unknown = await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { stacking_rules: { redeemables_no_effect_rule: 'SKIP' } } });
    expect(unknown.statusCode).toBe(400);
    await rules({});
  });
});

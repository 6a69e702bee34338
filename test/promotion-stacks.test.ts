/**
 * Promotion stacks through the official SDK (promotions.stack): CRUD and the refusals (tiers of another campaign,
 * unknown tiers and stacks, a campaign that is not a PROMOTION), and a stack validated, redeemed and rolled back as
 * the tiers it stands for, in its order.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let campaign: any;
let other: any;
const tiers: any[] = [];
const any = (x: unknown) => x as never;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const order = { amount: 20000, items: [{ source_id: 'sku-1', quantity: 4, price: 5000 }] };

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  campaign = await ok('POST', '/v1/campaigns', { name: 'Stacked promo', campaign_type: 'PROMOTION' });
  other = await ok('POST', '/v1/campaigns', { name: 'Other promo', campaign_type: 'PROMOTION' });
  tiers.push(await ok('POST', `/v1/promotions/${campaign.id}/tiers`, { name: '10 off', action: { discount: { type: 'AMOUNT', amount_off: 1000 } } }));
  tiers.push(await ok('POST', `/v1/promotions/${campaign.id}/tiers`, { name: '10%', action: { discount: { type: 'PERCENT', percent_off: 10 } } }));
  tiers.push(await ok('POST', `/v1/promotions/${other.id}/tiers`, { name: 'elsewhere', action: { discount: { type: 'AMOUNT', amount_off: 1 } } }));
});
afterAll(async () => {
  await t.close();
});

describe('promotion stacks', () => {
  let stack: any;

  it('the SDK creates, gets, lists, updates and deletes stacks', async () => {
    stack = await server.promotions.stack.createInCampaign(campaign.id, any({ name: 'Both', tiers: { ids: [tiers[1].id, tiers[0].id], hierarchy_mode: 'MANUAL' } }));
    expect(stack).toMatchObject({ id: expect.stringMatching(/^stack_/), object: 'promotion_stack', name: 'Both', campaign_id: campaign.id, tiers: { ids: [tiers[1].id, tiers[0].id], hierarchy_mode: 'MANUAL' }, category_id: null, categories: [] });
    expect(await server.promotions.stack.get(campaign.id, stack.id)).toMatchObject({ id: stack.id, name: 'Both' });
    await new Promise((r) => setTimeout(r, 5));
    const spare: any = await server.promotions.stack.createInCampaign(campaign.id, any({ name: 'Just one', tiers: { ids: [tiers[0].id] } }));
    const inCampaign: any = await server.promotions.stack.listInCampaign(campaign.id);
    expect(inCampaign).toMatchObject({ object: 'list', data_ref: 'data', total: 2 });
    expect(inCampaign.data.map((s: any) => s.id)).toEqual([stack.id, spare.id]);
    expect(((await server.promotions.stack.list(any({ order: '-name' }))) as any).data.map((s: any) => s.name)).toEqual(['Just one', 'Both']);
    expect((await ok('GET', `/v1/promotions/${other.id}/stacks`)).total).toBe(0);
    // Created before or after a moment (the second stack's creation).
    const after = new Date(Date.parse(spare.created_at) - 1).toISOString();
    expect((await ok('GET', `/v1/promotions/stacks?created_at[after]=${after}`)).data.map((s: any) => s.id)).toEqual([spare.id]);
    expect((await ok('GET', `/v1/promotions/${campaign.id}/stacks?created_at[before]=${spare.created_at}`)).data.map((s: any) => s.id)).toEqual([stack.id]);
    expect((await api('GET', '/v1/promotions/stacks?updated_at[after]=soon')).statusCode).toBe(400);
    const renamed: any = await server.promotions.stack.update(campaign.id, spare.id, any({ name: 'Only ten off' }));
    expect(renamed).toMatchObject({ name: 'Only ten off', tiers: { ids: [tiers[0].id] }, updated_at: expect.any(String) });
    await server.promotions.stack.delete(campaign.id, spare.id);
    expect((await api('GET', `/v1/promotions/${campaign.id}/stacks/${spare.id}`)).json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'promotion_stack' });
  });

  it('refuses tiers of another campaign, unknown tiers, bad bodies and campaigns that are not promotions', async () => {
    const foreign = await api('POST', `/v1/promotions/${campaign.id}/stacks`, { name: 'x', tiers: { ids: [tiers[0].id, tiers[2].id] } });
    expect(foreign.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', `/v1/promotions/${campaign.id}/stacks`, { name: 'x', tiers: { ids: ['promo_nope'] } })).json()).toMatchObject({ code: 404, resource_type: 'promotion_tier' });
    expect((await api('POST', `/v1/promotions/${campaign.id}/stacks`, { name: 'x', tiers: { ids: [] } })).statusCode).toBe(400);
    expect((await api('POST', `/v1/promotions/${campaign.id}/stacks`, { tiers: { ids: [tiers[0].id] } })).statusCode).toBe(400);
    expect((await api('POST', `/v1/promotions/${campaign.id}/stacks`, { name: 'x', tiers: { ids: [tiers[0].id, tiers[0].id] } })).statusCode).toBe(400);
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Coupons', campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    expect((await api('POST', `/v1/promotions/${coupons.id}/stacks`, { name: 'x', tiers: { ids: [tiers[0].id] } })).json()).toMatchObject({ code: 400, key: 'invalid_campaign' });
    expect((await api('GET', `/v1/promotions/${other.id}/stacks/${stack.id}`)).statusCode).toBe(404);
    // The stack keeps its tiers: nothing refused was stored.
    expect((await ok('GET', `/v1/promotions/${campaign.id}/stacks`)).total).toBe(1);
  });

  it('a stack is validated and redeemed as its tiers in its order, and rolled back whole', async () => {
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: stack.id }], order });
    expect(v.valid).toBe(true);
    expect(v.redeemables.map((r: any) => [r.object, r.id])).toEqual([
      ['promotion_tier', tiers[1].id],
      ['promotion_tier', tiers[0].id],
    ]);
    // 10% of 20000 = 2000 first, then 1000 off: 3000.
    expect(v.order).toMatchObject({ total_discount_amount: 3000, total_amount: 17000 });
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: stack.id }], order, customer: { source_id: 'stack-sam' } });
    expect(r.redemptions.map((x: any) => x.related_object_id)).toEqual([tiers[1].id, tiers[0].id]);
    expect(r.parent_redemption).toMatchObject({ object: 'redemption' });
    const back = await api('POST', `/v1/redemptions/${r.parent_redemption.id}/rollbacks`, {});
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().rollbacks).toHaveLength(2);

    expect((await api('POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: 'stack_nope' }], order })).json()).toMatchObject({ code: 404, resource_type: 'promotion_stack' });
    const mixed = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: stack.id }, { object: 'promotion_tier', id: tiers[0].id }], order });
    expect(mixed.json()).toMatchObject({ code: 400, key: 'invalid_redeemables' });
  });
});

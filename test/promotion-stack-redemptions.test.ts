/**
 * Promotion stacks beyond the SDK round trip of promotion-stacks.test.ts: Voucherify's error shape on every stack
 * route (404 naming promotion_stack, 400 for tiers of another campaign, never a 500), a stack redeemed under one
 * parent redemption (also with one tier) and rolled back as a whole in its order, a refusing tier named by the
 * FAILED redemption, the PROMOTION_STACKS qualification, and the webhooks (promotion_stack filled) validated against
 * the official schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { loadSpec, specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let campaignId: string;
let otherCampaignId: string;
const tiers: Record<string, string> = {};

const types = ['redemption.succeeded', 'redemption.failed', 'redemption.rollback.succeeded'];

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
  campaignId = (await ok('POST', '/v1/campaigns', { name: 'Stacked promo', campaign_type: 'PROMOTION' })).id;
  otherCampaignId = (await ok('POST', '/v1/campaigns', { name: 'Other promo', campaign_type: 'PROMOTION' })).id;
  const tier = async (name: string, discount: Record<string, unknown>, campaign = campaignId) =>
    (await ok('POST', `/v1/promotions/${campaign}/tiers`, { name, action: { discount } })).id as string;
  tiers.tenOff = await tier('10.00 off', { type: 'AMOUNT', amount_off: 1000 });
  tiers.tenPercent = await tier('10%', { type: 'PERCENT', percent_off: 10 });
  tiers.fiveOff = await tier('5.00 off', { type: 'AMOUNT', amount_off: 500 });
  tiers.elsewhere = await tier('Elsewhere', { type: 'AMOUNT', amount_off: 100 }, otherCampaignId);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('promotion stacks', () => {
  it('answers errors in Voucherify shape: unknown stacks, wrong campaign, tiers of another campaign, bad bodies', async () => {
    const s = await ok('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Errors', tiers: { ids: [tiers.tenOff] } });
    const shape = { code: expect.any(Number), key: expect.any(String), message: expect.any(String), details: expect.any(String), request_id: expect.any(String) };
    const missing = await api('GET', `/v1/promotions/${campaignId}/stacks/stack_missing`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ ...shape, code: 404, key: 'not_found', resource_type: 'promotion_stack', resource_id: 'stack_missing' });
    // A stack is found only under its own campaign.
    expect((await api('GET', `/v1/promotions/${otherCampaignId}/stacks/${s.id}`)).json()).toMatchObject({ code: 404, resource_type: 'promotion_stack' });
    expect((await api('PUT', `/v1/promotions/${campaignId}/stacks/stack_missing`, { name: 'x' })).json()).toMatchObject({ code: 404, resource_type: 'promotion_stack' });
    expect((await api('DELETE', `/v1/promotions/${campaignId}/stacks/stack_missing`)).json()).toMatchObject({ code: 404, resource_type: 'promotion_stack' });
    expect((await api('GET', '/v1/promotions/camp_missing/stacks')).json()).toMatchObject({ code: 404, resource_type: 'campaign' });
    const foreign = await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Mixed', tiers: { ids: [tiers.tenOff, tiers.elsewhere] } });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json()).toMatchObject({ ...shape, code: 400, key: 'invalid_payload', details: expect.stringContaining(tiers.elsewhere) });
    expect((await api('PUT', `/v1/promotions/${campaignId}/stacks/${s.id}`, { tiers: { ids: [tiers.elsewhere] } })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Ghost', tiers: { ids: ['promo_missing'] } })).json()).toMatchObject({ code: 404, resource_type: 'promotion_tier' });
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Twice', tiers: { ids: [tiers.tenOff, tiers.tenOff] } })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { tiers: { ids: [tiers.tenOff] } })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'No tiers' })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Empty', tiers: { ids: [] } })).statusCode).toBe(400);
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Auto', tiers: { ids: [tiers.tenOff], hierarchy_mode: 'AUTO' } })).statusCode).toBe(400);
    const many = Array.from({ length: 31 }, (_, i) => `promo_${i}`);
    expect((await api('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Too many', tiers: { ids: many } })).statusCode).toBe(400);
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Not a promotion', campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    expect((await api('POST', `/v1/promotions/${coupons.id}/stacks`, { name: 'x', tiers: { ids: [tiers.tenOff] } })).json()).toMatchObject({ code: 400, key: 'invalid_campaign' });
    expect((await api('GET', '/v1/promotions/stacks?order=sideways')).statusCode).toBe(400);
  });

  it('never answers a 500 to odd requests', async () => {
    const s = await ok('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Odd', tiers: { ids: [tiers.fiveOff] } });
    const odd: [method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown][] = [
      ['GET', '/v1/promotions/stacks?page=100'],
      ['GET', '/v1/promotions/stacks?limit=0'],
      ['GET', '/v1/promotions/stacks?limit=101'],
      ['GET', `/v1/promotions/${campaignId}/stacks?order[]=name`],
      ['GET', `/v1/promotions/%00/stacks`],
      ['GET', `/v1/promotions/${campaignId}/stacks/%F0%9F%92%A5`],
      ['GET', `/v1/promotions/${'x'.repeat(600)}/stacks/${s.id}`],
      ['POST', `/v1/promotions/${campaignId}/stacks`, []],
      ['POST', `/v1/promotions/${campaignId}/stacks`, { name: 'x', tiers: null }],
      ['POST', `/v1/promotions/${campaignId}/stacks`, { name: 'x', tiers: { ids: [1, 2] } }],
      ['POST', `/v1/promotions/${campaignId}/stacks`, { name: 'x', tiers: { ids: 'promo_x' } }],
      ['POST', `/v1/promotions/${campaignId}/stacks`, { name: 'x'.repeat(201), tiers: { ids: [tiers.fiveOff] } }],
      ['POST', `/v1/promotions/${campaignId}/stacks`, { name: 'x', tiers: { ids: ['\u0000'] } }],
      ['PUT', `/v1/promotions/${campaignId}/stacks/${s.id}`, {}],
      ['PUT', `/v1/promotions/${campaignId}/stacks/${s.id}`, { tiers: {} }],
      ['PUT', `/v1/promotions/${campaignId}/stacks/${s.id}`, { category_id: null }],
      ['POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: s.id }] }],
      ['POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: s.id }, { object: 'promotion_stack', id: s.id }] }],
      ['POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: '' }] }],
      ['POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: s.id }], order: { amount: -5 } }],
      ['DELETE', `/v1/promotions/${campaignId}/stacks/${s.id}`],
      ['DELETE', `/v1/promotions/${campaignId}/stacks/${s.id}`],
      ['POST', '/v1/qualifications', { scenario: 'PROMOTION_STACKS' }],
    ];
    for (const [method, url, payload] of odd) {
      const res = await api(method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(500);
      if (res.statusCode >= 400) expect(res.json(), `${method} ${url}`).toMatchObject({ code: res.statusCode, key: expect.any(String), message: expect.any(String), request_id: expect.any(String) });
    }
  });
});

describe('a promotion stack as a redeemable', () => {
  let stackId: string;
  let parentId: string;

  it('validates as its tiers in the stack order, each on what the earlier left', async () => {
    // Percent first, then amount: 20000 - 10% = 18000, then - 1000 = 17000 (the other order would give 17100).
    stackId = (await ok('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Percent then amount', tiers: { ids: [tiers.tenPercent, tiers.tenOff] } })).id;
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: stackId }], order });
    expect(v.valid).toBe(true);
    expect(v.redeemables.map((r: any) => [r.object, r.id, r.status])).toEqual([
      ['promotion_tier', tiers.tenPercent, 'APPLICABLE'],
      ['promotion_tier', tiers.tenOff, 'APPLICABLE'],
    ]);
    expect(v.order).toMatchObject({ total_discount_amount: 3000, total_amount: 17000 });
    const unknown = await api('POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: 'stack_missing' }], order });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'promotion_stack', resource_id: 'stack_missing', request_id: expect.any(String) });
  });

  it('a stack must be alone; an unknown stack is a 404 naming promotion_stack', async () => {
    const withCode = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: stackId }, { object: 'promotion_tier', id: tiers.fiveOff }], order });
    expect(withCode.json()).toMatchObject({ code: 400, key: 'invalid_redeemables' });
    const missing = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: 'stack_missing' }], order });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'promotion_stack', resource_id: 'stack_missing', request_id: expect.any(String) });
  });

  it('redeems every tier under one parent redemption, and the rollback of the parent rolls back all', async () => {
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: stackId }], order: { ...order, source_id: 'stack-order-1' }, customer: { source_id: 'stack-sam' } });
    expect(r.redemptions.map((x: any) => [x.related_object_type, x.related_object_id])).toEqual([
      ['promotion_tier', tiers.tenPercent],
      ['promotion_tier', tiers.tenOff],
    ]);
    parentId = r.parent_redemption.id;
    expect(r.parent_redemption).toMatchObject({ object: 'redemption', related_object_type: 'redemption', related_object_id: parentId, redemption: null, amount: 3000, status: 'SUCCEEDED' });
    expect(r.parent_redemption.related_redemptions.redemptions.map((x: any) => x.id)).toEqual(r.redemptions.map((x: any) => x.id));
    for (const child of r.redemptions) expect(child).toMatchObject({ redemption: parentId, promotion_tier: { campaign: { id: campaignId } } });
    expect(r.redemptions.map((x: any) => x.amount)).toEqual([2000, 1000]);
    expect(r.order).toMatchObject({ status: 'PAID', total_amount: 17000 });
    expect((await ok('GET', `/v1/redemptions/${parentId}`)).id).toBe(parentId);
    // A tier of the stack alone cannot be rolled back: the stack is one redemption.
    expect((await api('POST', `/v1/redemptions/${r.redemptions[0].id}/rollback`)).json()).toMatchObject({ code: 400, key: 'invalid_redemption_parent' });
    const back = await ok('POST', `/v1/redemptions/${parentId}/rollbacks`, { reason: 'returned' });
    expect(back.rollbacks).toHaveLength(2);
    expect(back.rollbacks.map((x: any) => x.redemption)).toEqual(r.redemptions.map((x: any) => x.id));
    expect(back.rollbacks[0]).toMatchObject({ object: 'redemption_rollback', related_object_type: 'promotion_tier', promotion_tier: { id: tiers.tenPercent }, amount: -2000, reason: 'returned' });
    for (const x of [parentId, ...r.redemptions.map((y: any) => y.id)]) expect((await ok('GET', `/v1/redemptions/${x}`)).status).toBe('ROLLED_BACK');
    expect((await api('POST', `/v1/redemptions/${parentId}/rollbacks`)).json()).toMatchObject({ code: 400, key: 'already_rolled_back' });
  });

  it('a stack of one tier still has a parent; a tier that refuses fails the whole stack, recorded as FAILED', async () => {
    const single = (await ok('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'Single', tiers: { ids: [tiers.fiveOff] } })).id;
    const one = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: single }], order });
    expect(one.redemptions).toHaveLength(1);
    expect(one.parent_redemption).toMatchObject({ related_object_type: 'redemption' });
    expect(one.redemptions[0].redemption).toBe(one.parent_redemption.id);
    expect((await ok('POST', `/v1/redemptions/${one.parent_redemption.id}/rollbacks`)).rollbacks).toHaveLength(1);

    const rule = await ok('POST', '/v1/validation-rules', { name: 'Over 300', rules: { '1': { name: 'order.amount', conditions: { $more_than: [30000] }, error: { message: 'Big baskets only' } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: tiers.tenOff });
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: stackId }], order });
    expect(v.valid).toBe(false);
    expect(v.redeemables.map((x: any) => x.status)).toEqual(['SKIPPED', 'INAPPLICABLE']);
    expect(v.inapplicable_redeemables[0]).toMatchObject({ id: tiers.tenOff, result: { error: { key: 'order_rules_violated', error: { message: 'Big baskets only' } } } });
    const refused = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: stackId }], order, customer: { source_id: 'stack-sam' } });
    expect(refused.json()).toMatchObject({ code: 400, key: 'order_rules_violated' });
    const sam = await ok('GET', '/v1/customers/stack-sam');
    const failed = (await ok('GET', `/v1/redemptions?customer=${sam.id}`)).redemptions.find((x: any) => x.result === 'FAILURE');
    expect(failed).toMatchObject({ status: 'FAILED', failure_code: 'order_rules_violated', related_object_type: 'promotion_tier', related_object_id: tiers.tenOff });
  });

  it('a tier deleted after the stack was made answers its own 404 when the stack is redeemed', async () => {
    const gone = (await ok('POST', `/v1/promotions/${campaignId}/tiers`, { name: 'Short-lived', action: { discount: { type: 'AMOUNT', amount_off: 100 } } })).id;
    const s = (await ok('POST', `/v1/promotions/${campaignId}/stacks`, { name: 'With a gone tier', tiers: { ids: [tiers.fiveOff, gone] } })).id;
    expect((await api('DELETE', `/v1/promotions/tiers/${gone}`)).statusCode).toBe(204);
    const res = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'promotion_stack', id: s }], order });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'promotion_tier', resource_id: gone });
  });
});

describe('qualifications', () => {
  it('PROMOTION_STACKS lists the stacks whose every tier applies, with the order after all of them', async () => {
    // tenOff now needs an order over 300.00 (the rule assigned above): only stacks without it qualify at 200.00.
    const small = await ok('POST', '/v1/qualifications', { order, scenario: 'PROMOTION_STACKS' });
    expect(small.redeemables.data.map((r: any) => r.name)).toEqual(['Single']);
    expect(small.redeemables.data[0]).toMatchObject({
      object: 'promotion_stack',
      id: expect.stringMatching(/^stack_/),
      campaign_id: campaignId,
      order: { total_discount_amount: 500, total_amount: 19500 },
      redeemables: [{ object: 'promotion_tier', id: tiers.fiveOff, result: { discount: { amount_off: 500 } } }],
    });
    const big = await ok('POST', '/v1/qualifications', { order: { amount: 40000 }, scenario: 'PROMOTION_STACKS' });
    const percentThenAmount = big.redeemables.data.find((r: any) => r.name === 'Percent then amount');
    // 40000 - 10% = 36000, then - 1000 = 35000.
    expect(percentThenAmount).toMatchObject({ order: { total_amount: 35000 } });
    expect(percentThenAmount.redeemables.map((r: any) => r.id)).toEqual([tiers.tenPercent, tiers.tenOff]);
    // A stack naming a deleted tier never qualifies.
    expect(big.redeemables.data.map((r: any) => r.name)).not.toContain('With a gone tier');
  });
});

describe.skipIf(!specPresent)('promotion stack webhooks conform to OpenAPIWebhooks.json', () => {
  it('redemption.succeeded|failed and redemption.rollback.succeeded name the stack and validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type), type).toContain(type);
    for (const payload of got) v.check(payload);
    const succeeded = got.filter((g) => g.type === 'redemption.succeeded' && g.data.promotion_stack?.name === 'Percent then amount');
    expect(succeeded).toHaveLength(2);
    expect(succeeded.map((g) => g.data.promotion_tier.id).sort()).toEqual([tiers.tenPercent, tiers.tenOff].sort());
    for (const g of succeeded) expect(g.data.promotion_stack).toMatchObject({ id: expect.stringMatching(/^stack_/), campaign: { id: campaignId }, tiers: { ids: [tiers.tenPercent, tiers.tenOff], hierarchy_mode: 'MANUAL' } });
    const rolled = got.filter((g) => g.type === 'redemption.rollback.succeeded' && g.data.promotion_stack?.name === 'Percent then amount');
    expect(rolled).toHaveLength(2);
    expect(rolled.map((g) => g.data.promotion_tier.id).sort()).toEqual([tiers.tenPercent, tiers.tenOff].sort());
    for (const g of rolled) expect(g.data).toMatchObject({ redemption: { status: 'ROLLED BACK' }, redemption_rollback: { reason: 'returned' } });
    const failed = got.find((g) => g.type === 'redemption.failed')!;
    expect(failed.data).toMatchObject({ promotion_tier: { id: tiers.tenOff }, promotion_stack: { name: 'Percent then amount' }, redemption: { failure_code: 'order_rules_violated' } });
    // Voucherify publishes no payload schema for campaign.promotion_stack.*: they are not sent.
    expect(got.some((g) => String(g.type).startsWith('campaign.promotion_stack'))).toBe(false);
  });

  it('customer.redemption.succeeded and .rollback.succeeded of a stack, as the activity records them, validate', async () => {
    const spec = loadSpec();
    const activity = await ok('GET', '/v1/customers/stack-sam/activity');
    for (const type of ['customer.redemption.succeeded', 'customer.redemption.rollback.succeeded']) {
      const validate = spec.compile(spec.entry(type)!.schema_ref);
      const entries = activity.data.filter((a: any) => a.type === type);
      expect(entries, type).toHaveLength(2);
      for (const e of entries) {
        const data = e.data.data ?? e.data;
        expect(data.promotion_stack, type).toMatchObject({ name: 'Percent then amount' });
        expect(validate(data), `${type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });
});

/**
 * `validation_rules` in the body of a new campaign, promotion tier (alone or in a PROMOTION's `promotion.tiers`) or
 * voucher assigns those rules to it in the transaction that creates it, as Voucherify does; the objects list their
 * assignments, and the rules guard validations from the first request.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let apiUrl: string;
let server: ReturnType<typeof VoucherifyServerSide>;
let gold: any;

const failure = (call: Promise<unknown>) => call.then(() => { throw new Error('expected a failure'); }, (e: any) => e);
const order = { amount: 10000 };

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(apiUrl + path, { method, headers: { ...p.server, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  gold = await server.validationRules.create({ name: 'gold only', rules: { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } }, logic: '1' }, error: { message: 'Gold members only' } } as any);
  await server.customers.create({ source_id: 'rc-gold', metadata: { tier: 'gold' } } as any);
  await server.customers.create({ source_id: 'rc-plain', metadata: { tier: 'none' } } as any);
});
afterAll(() => t.close());

describe('validation_rules at creation', () => {
  it('a campaign gets the rule: its codes validate only for the customers the rule admits', async () => {
    const c: any = await server.campaigns.create({
      name: 'Gold coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 1, validation_rules: [gold.id],
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, code_config: { pattern: 'GOLD-####' } },
    } as any);
    expect(c.validation_rules_assignments).toMatchObject({ object: 'list', total: 1, data: [{ rule_id: gold.id, related_object_type: 'campaign', related_object_id: c.id, object: 'validation_rules_assignment' }] });
    const again: any = await server.campaigns.get(c.id);
    expect(again.validation_rules_assignments.data.map((a: any) => a.id)).toEqual(c.validation_rules_assignments.data.map((a: any) => a.id));
    const listed: any = await server.validationRules.listAssignments(gold.id);
    expect(listed.data.map((a: any) => a.related_object_id)).toContain(c.id);
    const rule: any = await server.validationRules.get(gold.id);
    expect(rule.assignments_count).toBeGreaterThanOrEqual(1);
    // A code the campaign holds: the rule guards it from the first validation on.
    const code = (await server.vouchers.create({ campaign_id: c.id } as any) as any).code;
    const plain: any = await server.validations.validateStackable({ customer: { source_id: 'rc-plain' }, order, redeemables: [{ object: 'voucher', id: code }] } as any);
    expect(plain.valid).toBe(false);
    expect(plain.inapplicable_redeemables[0].result.error).toMatchObject({ key: 'customer_rules_violated' });
    const ok: any = await server.validations.validateStackable({ customer: { source_id: 'rc-gold' }, order, redeemables: [{ object: 'voucher', id: code }] } as any);
    expect(ok.valid).toBe(true);
  });

  it('a standalone voucher gets the rules it names', async () => {
    const v: any = await server.vouchers.create({ code: 'RC-SOLO', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, validation_rules: [gold.id] } as any);
    expect(v.validation_rules_assignments).toMatchObject({ total: 1, data: [{ rule_id: gold.id, related_object_type: 'voucher', related_object_id: v.id }] });
    expect((await server.vouchers.get('RC-SOLO') as any).validation_rules_assignments.total).toBe(1);
    const plain: any = await server.validations.validateStackable({ customer: { source_id: 'rc-plain' }, order, redeemables: [{ object: 'voucher', id: 'RC-SOLO' }] } as any);
    expect(plain.valid).toBe(false);
    // The POST /v1/vouchers/{code} form too.
    const { status, body } = await call('POST', '/v1/vouchers/RC-SOLO-2', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, validation_rules: [gold.id] });
    expect(status).toBe(200);
    expect(body.validation_rules_assignments.data[0]).toMatchObject({ rule_id: gold.id, related_object_id: body.id });
    // A code added to a campaign, with its code or a random one, likewise.
    const c: any = await server.campaigns.create({ name: 'Gold adds', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } } as any);
    for (const path of [`/v1/campaigns/${c.id}/vouchers/RC-ADDED`, `/v1/campaigns/${c.id}/vouchers`]) {
      const added = await call('POST', path, { validation_rules: [gold.id] });
      expect(added.status, path).toBe(200);
      expect(added.body.validation_rules_assignments.data).toEqual([expect.objectContaining({ rule_id: gold.id, related_object_type: 'voucher', related_object_id: added.body.id })]);
    }
  });

  it("a PROMOTION's tiers get theirs, created with the campaign or alone", async () => {
    const c: any = await server.campaigns.create({
      name: 'Gold promo', campaign_type: 'PROMOTION',
      promotion: { tiers: [
        { name: 'Everyone', action: { discount: { type: 'AMOUNT', amount_off: 100 } } },
        { name: 'Gold', action: { discount: { type: 'AMOUNT', amount_off: 900 } }, validation_rules: [gold.id] },
      ] },
    } as any);
    const [everyone, goldTier] = c.promotion.tiers;
    const assigned: any = await server.validationRules.listAssignments(gold.id);
    expect(assigned.data.filter((a: any) => a.related_object_type === 'promotion_tier').map((a: any) => a.related_object_id)).toEqual([goldTier.id]);
    expect(everyone.id).not.toBe(goldTier.id);
    const alone: any = await server.promotions.tiers.create(c.id, { name: 'Gold 2', action: { discount: { type: 'AMOUNT', amount_off: 50 } }, validation_rules: [gold.id] } as any);
    expect(alone.validation_rule_assignments).toMatchObject({ total: 1, data: [{ rule_id: gold.id, related_object_type: 'promotion_tier', related_object_id: alone.id }] });
    const plain: any = await server.promotions.validate({ customer: { source_id: 'rc-plain' }, order } as any);
    const shown = plain.promotions.map((x: any) => x.id);
    expect(shown).toContain(everyone.id);
    expect(shown).not.toContain(goldTier.id);
    expect(shown).not.toContain(alone.id);
    const rich: any = await server.promotions.validate({ customer: { source_id: 'rc-gold' }, order } as any);
    expect(rich.promotions.map((x: any) => x.id)).toEqual(expect.arrayContaining([goldTier.id, alone.id]));
  });

  it('a rule that does not exist is 404 and creates nothing', async () => {
    const e = await failure(server.campaigns.create({ name: 'Ghost rule', campaign_type: 'DISCOUNT_COUPONS', validation_rules: ['val_nothere'], voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } } as any));
    expect(e).toMatchObject({ code: 404, key: 'not_found' });
    expect(await failure(server.campaigns.get('Ghost rule'))).toMatchObject({ code: 404 });
    const v = await call('POST', '/v1/vouchers/RC-GHOST', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 }, validation_rules: ['val_nothere'] });
    expect(v.status).toBe(404);
    expect((await call('GET', '/v1/vouchers/RC-GHOST')).status).toBe(404);
    const promo: any = await server.campaigns.create({ name: 'Ghost promo', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'T', action: { discount: { type: 'AMOUNT', amount_off: 1 } }, validation_rules: ['val_nothere'] }] } } as any).catch((err: any) => err);
    expect(promo).toMatchObject({ code: 404 });
    expect(await failure(server.campaigns.get('Ghost promo'))).toMatchObject({ code: 404 });
  });

  it('a campaign takes one rule; updates refuse validation_rules with a pointer to the assignments endpoint', async () => {
    const two = await call('POST', '/v1/campaigns', { name: 'Two rules', campaign_type: 'DISCOUNT_COUPONS', validation_rules: [gold.id, gold.id], voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } });
    expect(two.status).toBe(400);
    const c = await call('POST', '/v1/campaigns', { name: 'Later rule', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } });
    expect(c.body.validation_rules_assignments).toEqual({ object: 'list', data_ref: 'data', data: [], total: 0 });
    const put = await call('PUT', `/v1/campaigns/${c.body.id}`, { validation_rules: [gold.id] });
    expect(put.status).toBe(400);
    expect(put.body).toMatchObject({ key: 'invalid_payload' });
    expect(put.body.message + put.body.details).toContain('/v1/validation-rules/{id}/assignments');
    expect((await call('PUT', '/v1/vouchers/RC-SOLO', { validation_rules: [] })).status).toBe(400);
    const imp = await call('POST', '/v1/vouchers/import', [{ code: 'RC-IMP', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 }, validation_rules: [gold.id] }]);
    expect(imp.status).toBe(400);
  });
});

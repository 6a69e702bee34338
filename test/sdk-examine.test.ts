/**
 * The SDK's deprecated qualification examines (campaigns.qualifications.examine, vouchers.qualifications.examine),
 * unchanged and pointed at Tessera: campaigns whose rules hold for the customer and order, and the customer's codes
 * that apply; validationRules.validate. Both stores.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
const camp: Record<string, string> = {};
const ruleIds: Record<string, string> = {};

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  const campaign = async (name: string, extra: object = {}) =>
    (camp[name] = ((await server.campaigns.create({ name, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } }, ...extra } as any)) as any).id);
  await campaign('For everyone');
  await campaign('Gold only');
  await campaign('Big orders');
  await campaign('Switched off');
  await campaign('Not yet', { start_date: '2099-01-01T00:00:00Z' });
  await server.campaigns.disable(camp['Switched off']!);
  const rule = async (name: string, rules: object, campaignId: string) => {
    const r: any = await server.validationRules.create({ name, rules, error: { message: `${name} customers only` } } as any);
    ruleIds[name] = r.id;
    await server.validationRules.createAssignment(r.id, { related_object_type: 'campaign', related_object_id: campaignId } as any);
  };
  await rule('gold', { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } } }, camp['Gold only']!);
  await rule('big', { '1': { name: 'order.amount', conditions: { $more_than: [50000] } } }, camp['Big orders']!);
  await server.customers.create({ source_id: 'goldie', metadata: { tier: 'gold' } } as any);
  await server.customers.create({ source_id: 'plain' } as any);
  await server.vouchers.create({ code: 'GOLDIE-1', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
  await server.vouchers.create({ code: 'GOLDIE-OFF', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
  for (const voucher of ['GOLDIE-1', 'GOLDIE-OFF']) await server.distributions.publications.create({ voucher, customer: { source_id: 'goldie' } } as any);
  await server.vouchers.disable('GOLDIE-OFF');
});
afterAll(() => t.close());

describe('campaigns.qualifications.examine', () => {
  it('lists the active campaigns valid now whose rules hold for the customer and order', async () => {
    const names = (r: any) => r.data.map((c: any) => c.name).sort();
    const gold: any = await server.campaigns.qualifications.examine({ customer: { source_id: 'goldie' }, order: { amount: 1000 } } as any);
    expect(gold).toMatchObject({ object: 'list', data_ref: 'data' });
    expect(names(gold)).toEqual(['For everyone', 'Gold only']);
    expect(gold.total).toBe(2);
    const plainBig: any = await server.campaigns.qualifications.examine({ customer: { source_id: 'plain' }, order: { amount: 60000 } } as any);
    expect(names(plainBig)).toEqual(['Big orders', 'For everyone']);
    const limited: any = await server.campaigns.qualifications.examine({ customer: { source_id: 'goldie' } } as any, { limit: 1 } as any);
    expect(limited.data).toHaveLength(1);
  });
});

describe('vouchers.qualifications.examine', () => {
  it("lists the customer's codes that would apply, as voucher objects", async () => {
    const r: any = await server.vouchers.qualifications.examine({ customer: { source_id: 'goldie' }, order: { amount: 1000 } } as any);
    expect(r.data.map((v: any) => v.code)).toEqual(['GOLDIE-1']);
    expect(r.data[0]).toMatchObject({ object: 'voucher', code: 'GOLDIE-1', type: 'DISCOUNT_VOUCHER' });
    expect(((await server.vouchers.qualifications.examine({ customer: { source_id: 'plain' } } as any)) as any).data).toEqual([]);
    // The examine route is not a code: no voucher "qualification" appears.
    await expect(server.vouchers.get('qualification')).rejects.toMatchObject({ code: 404 });
  });
});

describe('validationRules.validate', () => {
  it('checks one rule against a stored customer, a customer sent as attributes, and an order', async () => {
    const gold: any = await server.validationRules.validate(ruleIds.gold!, { customer: { source_id: 'goldie' } } as any);
    expect(gold).toMatchObject({ valid: true, rule_id: ruleIds.gold, applicable_to: { object: 'list', total: 0 } });
    const plain: any = await server.validationRules.validate(ruleIds.gold!, { customer: { source_id: 'plain' } } as any);
    expect(plain).toMatchObject({ valid: false, error: { key: 'customer_rules_violated', message: 'gold customers only' } });
    // A customer not stored is checked with what is sent.
    expect(await server.validationRules.validate(ruleIds.gold!, { customer: { source_id: 'walk-in', metadata: { tier: 'gold' } } } as any)).toMatchObject({ valid: true });
    expect(await server.validationRules.validate(ruleIds.big!, { order: { amount: 60000 } } as any)).toMatchObject({ valid: true });
    expect(await server.validationRules.validate(ruleIds.big!, { order: { amount: 100 } } as any)).toMatchObject({ valid: false, error: { key: 'order_rules_violated' } });
    await expect(server.validationRules.validate('val_nope', {} as any)).rejects.toMatchObject({ code: 404 });
    // Nothing was written: the walk-in customer does not exist.
    await expect(server.customers.get('walk-in')).rejects.toMatchObject({ code: 404 });
  });
});

/**
 * PUT /v1/campaigns/{id} and the campaign's code template: the voucher type stays (as campaign_type does), a partial
 * code_config is merged into the one the campaign has, and a smaller code space must still hold the codes it has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok, api } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('campaign voucher template updates', () => {
  it('refuses changing the voucher type of a campaign', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Typed', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } } });
    const res = await api('PUT', `/v1/campaigns/${c.id}`, { voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_campaign' });
    expect(res.json().details).toMatch(/voucher\.type/);
    const after = await ok('GET', `/v1/campaigns/${c.id}`);
    expect(after.voucher.type).toBe('DISCOUNT_VOUCHER');
    expect(after.voucher.gift).toBeUndefined();
    // The same type, sent again, is fine.
    await ok('PUT', `/v1/campaigns/${c.id}`, { voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 700 } } });
    const pub = await ok('POST', '/v1/publications', { campaign: { name: 'Typed' }, customer: { source_id: 'typed-ann' } });
    expect(pub.voucher.type).toBe('DISCOUNT_VOUCHER');
    expect(pub.voucher.discount.amount_off).toBe(700);
  });

  it('merges a partial code_config into the campaign one', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Prefixed', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, code_config: { prefix: 'PRE-', length: 8, charset: 'ABCDEFGH' } } });
    const updated = await ok('PUT', `/v1/campaigns/${c.id}`, { voucher: { code_config: { length: 10 } } });
    expect(updated.voucher.code_config).toMatchObject({ prefix: 'PRE-', length: 10, charset: 'ABCDEFGH' });
    const pub = await ok('POST', '/v1/publications', { campaign: { name: 'Prefixed' }, customer: { source_id: 'prefixed-ann' } });
    expect(pub.voucher.code).toMatch(/^PRE-[A-H]{10}$/);
  });

  it('refuses a code_config whose code space is smaller than the codes the campaign has', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Small', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, code_config: { length: 2, charset: 'AB' } } });
    for (const code of ['SM-1', 'SM-2', 'SM-3']) await ok('POST', `/v1/campaigns/${c.id}/vouchers/${code}`, {});
    const res = await api('PUT', `/v1/campaigns/${c.id}`, { voucher: { code_config: { length: 1 } } });
    expect(res.statusCode).toBe(400);
    expect((await ok('GET', `/v1/campaigns/${c.id}`)).voucher.code_config).toMatchObject({ length: 2 });
    await ok('PUT', `/v1/campaigns/${c.id}`, { voucher: { code_config: { length: 3 } } });
  });
});

/**
 * customer.segment rules at validation and redemption time read the customer's live segment memberships: a
 * customer who enters the segment (its metadata changes) passes, one who leaves it fails with the rule's message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;

const api = (method: 'POST' | 'PUT', url: string, payload: unknown) => t.app.inject({ method, url, headers: p.server, payload: payload as object });
async function ok(method: 'POST' | 'PUT', url: string, payload: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(async () => {
  await t.close();
});

describe('customer.segment rules', () => {
  it('use the segments the customer is in at the moment of the validation and of the redemption', async () => {
    const gold = await ok('POST', '/v1/segments', { name: 'gold', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } } });
    const voucher = await ok('POST', '/v1/vouchers/SEG-GOLD', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Gold only', rules: { '1': { name: 'customer.segment', conditions: { $is: [gold.id] }, error: { message: 'Gold members only' } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: voucher.id });
    const body = { redeemables: [{ object: 'voucher', id: 'SEG-GOLD' }], customer: { source_id: 'seg-c1' }, order: { amount: 10000 } };

    await ok('POST', '/v1/customers', { source_id: 'seg-c1', metadata: { tier: 'silver' } });
    const outside = await ok('POST', '/v1/validations', body);
    expect(outside.valid).toBe(false);
    expect(outside.inapplicable_redeemables[0].result.error).toMatchObject({ key: 'customer_rules_violated', error: { message: 'Gold members only' } });
    const refused = await api('POST', '/v1/redemptions', body);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 400, key: 'customer_rules_violated', error: { message: 'Gold members only' } });

    await ok('POST', '/v1/customers', { source_id: 'seg-c1', metadata: { tier: 'gold' } });
    expect((await ok('POST', '/v1/validations', body)).valid).toBe(true);
    const redeemed = await ok('POST', '/v1/redemptions', body);
    expect(redeemed.redemptions[0]).toMatchObject({ result: 'SUCCESS', voucher: { code: 'SEG-GOLD' } });

    await ok('POST', '/v1/customers', { source_id: 'seg-c1', metadata: { tier: 'bronze' } });
    expect((await ok('POST', '/v1/validations', body)).valid).toBe(false);
  });
});

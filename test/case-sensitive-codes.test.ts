/**
 * The project's `case_sensitive_codes` (Voucherify's project setting; false unless the project is made or changed
 * with true): with true, `Summer10` and `SUMMER10` are two codes and a code is found only as written; with false they
 * are one code, found whatever the case. Creating, reading, validating, redeeming and publishing a code all compare codes the same way, and a
 * project changing the setting compares its codes the new way (refused while two of its codes differ only in case).
 * Both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let exact: TestProject;
let folded: TestProject;
const asExact = requestsOf(() => ({ t, p: exact }));
const asFolded = requestsOf(() => ({ t, p: folded }));
const discount = { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } };
const redeemables = (id: string) => ({ redeemables: [{ object: 'voucher', id }], order: { amount: 1000 } });
const setSensitive = (p: TestProject, value: boolean) =>
  t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { case_sensitive_codes: value } });

beforeAll(async () => {
  t = await startTessera();
  exact = await t.createProject({ case_sensitive_codes: true });
  folded = await t.createProject();
});
afterAll(() => t.close());

describe('case_sensitive_codes: true', () => {
  it('codes differing in case are two codes, each found only as written', async () => {
    const { api, ok } = asExact;
    expect((await ok('POST', '/v1/vouchers/Summer10', discount)).code).toBe('Summer10');
    expect((await ok('POST', '/v1/vouchers/SUMMER10', { ...discount, discount: { type: 'AMOUNT', amount_off: 200 } })).code).toBe('SUMMER10');
    expect((await ok('GET', '/v1/vouchers/Summer10')).discount.amount_off).toBe(100);
    expect((await ok('GET', '/v1/vouchers/SUMMER10')).discount.amount_off).toBe(200);
    const missing = await api('GET', '/v1/vouchers/summer10');
    expect(missing.statusCode, missing.body).toBe(404);

    const v = await ok('POST', '/v1/validations', redeemables('summer10'));
    expect(v.valid).toBe(false);
    expect(v.redeemables[0].result.error).toMatchObject({ code: 404, key: 'not_found' });
    expect((await ok('POST', '/v1/validations', redeemables('Summer10'))).valid).toBe(true);

    expect((await api('POST', '/v1/redemptions', redeemables('summer10'))).statusCode).toBe(404);
    const r = await ok('POST', '/v1/redemptions', redeemables('SUMMER10'));
    expect(r.redemptions[0].voucher.code).toBe('SUMMER10');

    expect((await api('POST', '/v1/publications', { voucher: 'summer10', customer: { source_id: 'cs-ann' } })).statusCode).toBe(404);
    expect((await ok('POST', '/v1/publications', { voucher: 'Summer10', customer: { source_id: 'cs-ann' } })).voucher.code).toBe('Summer10');
  });
});

describe('case_sensitive_codes: false (the default)', () => {
  it('codes differing in case are one code, found whatever the case', async () => {
    const { api, ok } = asFolded;
    const project = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${folded.id}`, headers: managementHeaders });
    expect(project.json().case_sensitive_codes).toBe(false);
    await ok('POST', '/v1/vouchers/Winter10', discount);
    const dup = await api('POST', '/v1/vouchers/WINTER10', discount);
    expect(dup.statusCode, dup.body).toBe(409);
    expect((await ok('GET', '/v1/vouchers/winter10')).code).toBe('Winter10');
    expect((await ok('POST', '/v1/validations', redeemables('WINTER10'))).valid).toBe(true);
    expect((await ok('POST', '/v1/redemptions', redeemables('wInTeR10'))).redemptions[0].voucher.code).toBe('Winter10');
    expect((await ok('POST', '/v1/publications', { voucher: 'winter10', customer: { source_id: 'cs-bob' } })).voucher.code).toBe('Winter10');
  });
});

describe('changing the setting', () => {
  it('is refused (409) while two codes differ only in case, and changes how codes compare otherwise', async () => {
    const clash = await setSensitive(exact, false);
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.json()).toMatchObject({ code: 409, key: 'duplicate_found' });
    const project = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${exact.id}`, headers: managementHeaders });
    expect(project.json().case_sensitive_codes).toBe(true);
    expect((await asExact.api('GET', '/v1/vouchers/summer10')).statusCode).toBe(404);

    expect((await setSensitive(folded, true)).statusCode).toBe(200);
    expect((await asFolded.api('GET', '/v1/vouchers/winter10')).statusCode).toBe(404);
    expect((await asFolded.ok('GET', '/v1/vouchers/Winter10')).code).toBe('Winter10');
    await asFolded.ok('POST', '/v1/vouchers/WINTER10', discount);
  });
});

/**
 * The management API's stacking-rules record (/management/v1/projects/{id}/stacking-rules): Voucherify's defaults
 * until set, set once, changed, read back and sent back unchanged, reset; validations follow it. Both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { apiSpecValidator } from './helpers/api-spec.js';

let t: TestTessera;
let p: TestProject;
const mgmt = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object) =>
  t.app.inject({ method, url: `/management/v1/projects/${p.id}/stacking-rules${path}`, headers: managementHeaders, ...(payload ? { payload } : {}) });
const validate = (codes: string[]) =>
  t.app.inject({ method: 'POST', url: '/v1/validations', headers: p.server, payload: { redeemables: codes.map((id) => ({ object: 'voucher', id })), order: { amount: 10000 } } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  for (const code of ['SRA-1', 'SRA-2', 'SRA-3']) {
    const r = await t.app.inject({ method: 'POST', url: `/v1/vouchers/${code}`, headers: p.server, payload: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    expect(r.statusCode, r.body).toBe(200);
  }
});
afterAll(() => t.close());

describe('stacking-rules record', () => {
  it('lists one record with the defaults, sets it once, changes it, and validations follow', async () => {
    const list = (await mgmt('GET', '')).json();
    expect(list).toMatchObject({ object: 'list', data_ref: 'data', total: 1 });
    const first = list.data[0];
    expect(first).toMatchObject({ applicable_redeemables_limit: 5, redeemables_limit: 30, redeemables_application_mode: 'ALL', redeemables_no_effect_rule: 'REDEEM_ANYWAY', discount_calculation_mode: 'DISCOUNTED_AMOUNT' });
    expect(first.id).toMatch(/^sr_/);
    expect((await mgmt('GET', `/${first.id}`)).json()).toEqual(first);
    expect((await mgmt('GET', '/sr_nope')).json()).toMatchObject({ code: 404, key: 'not_found' });

    const made = await mgmt('POST', '', { applicable_redeemables_limit: 2 });
    expect(made.statusCode, made.body).toBe(200);
    expect(made.json()).toMatchObject({ id: first.id, applicable_redeemables_limit: 2, redeemables_limit: 30 });
    expect(made.json().created_at).toEqual(expect.any(String));
    expect((await mgmt('POST', '', { applicable_redeemables_limit: 3 })).json()).toMatchObject({ code: 409, key: 'duplicate_found' });
    const v = (await validate(['SRA-1', 'SRA-2', 'SRA-3'])).json();
    expect(v.redeemables.map((r: any) => r.status)).toEqual(['APPLICABLE', 'APPLICABLE', 'SKIPPED']);
    expect(v.stacking_rules.applicable_redeemables_limit).toBe(2);

    const changed = await mgmt('PUT', `/${first.id}`, { redeemables_application_mode: 'PARTIAL' });
    expect(changed.json()).toMatchObject({ applicable_redeemables_limit: 2, redeemables_application_mode: 'PARTIAL', created_at: made.json().created_at, updated_at: expect.any(String) });
    // The record read back and sent back unchanged is taken as it is.
    const { id: _id, created_at: _c, updated_at: _u, ...body } = (await mgmt('GET', `/${first.id}`)).json();
    const again = await mgmt('PUT', `/${first.id}`, body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ applicable_redeemables_limit: 2, redeemables_application_mode: 'PARTIAL' });
  });

  it('refuses what Tessera does not do, with a 400 naming the key, and changes nothing', async () => {
    const { id } = (await mgmt('GET', '')).json().data[0];
    const skip = await mgmt('PUT', `/${id}`, { redeemables_no_effect_rule: 'SKIP' });
    expect(skip.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(skip.json().details).toContain('redeemables_no_effect_rule');
    expect((await mgmt('PUT', `/${id}`, { applicable_redeemables_limit: 10, redeemables_limit: 5 })).json()).toMatchObject({ code: 400 });
    expect((await mgmt('PUT', `/${id}`, { colour: 'red' })).json()).toMatchObject({ code: 400 });
    expect((await mgmt('GET', `/${id}`)).json()).toMatchObject({ applicable_redeemables_limit: 2, redeemables_limit: 30 });
    expect((await mgmt('PUT', '/sr_other', { applicable_redeemables_limit: 4 })).json()).toMatchObject({ code: 404 });
  });

  it('DELETE goes back to the defaults (and a new POST is allowed)', async () => {
    const { id } = (await mgmt('GET', '')).json().data[0];
    expect((await mgmt('DELETE', `/${id}`)).statusCode).toBe(204);
    expect((await mgmt('GET', '')).json().data[0]).toMatchObject({ applicable_redeemables_limit: 5, redeemables_application_mode: 'ALL' });
    expect((await validate(['SRA-1', 'SRA-2', 'SRA-3'])).json().redeemables.map((r: any) => r.status)).toEqual(['APPLICABLE', 'APPLICABLE', 'APPLICABLE']);
    expect((await mgmt('POST', '', { applicable_redeemables_limit: 1 })).statusCode).toBe(200);
  });
});

describe('one validation for both routes that set stacking rules', () => {
  const putProject = (stacking_rules: object) =>
    t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { stacking_rules } });

  it("PUT /projects/{id} with stacking_rules makes the record's cross-field checks", async () => {
    const before = (await mgmt('GET', '')).json().data[0];
    const bad = await putProject({ applicable_redeemables_limit: 10, redeemables_limit: 5 });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(bad.json().details).toContain('applicable_redeemables_limit');
    expect((await mgmt('GET', '')).json().data[0]).toMatchObject({ applicable_redeemables_limit: before.applicable_redeemables_limit, redeemables_limit: before.redeemables_limit });
  });

  it('both routes refuse category ids the project does not have (404 category), and take its own', async () => {
    const { id } = (await mgmt('GET', '')).json().data[0];
    for (const res of [await putProject({ exclusive_categories: ['cat_nope'] }), await mgmt('PUT', `/${id}`, { joint_categories: ['cat_nope'] })]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'category', resource_id: 'cat_nope' });
    }
    const made = await t.app.inject({ method: 'POST', url: '/management/v1/projects', headers: managementHeaders, payload: { name: 'SR new', stacking_rules: { exclusive_categories: ['cat_nope'] } } });
    expect(made.statusCode, made.body).toBe(404);
    const cat = await t.app.inject({ method: 'POST', url: '/v1/categories', headers: p.server, payload: { name: 'SR exclusive', hierarchy: 1 } });
    expect(cat.statusCode, cat.body).toBe(200);
    const set = await putProject({ exclusive_categories: [cat.json().id] });
    expect(set.statusCode, set.body).toBe(200);
    const put = await mgmt('PUT', `/${id}`, { joint_categories: [cat.json().id] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ exclusive_categories: [cat.json().id], joint_categories: [cat.json().id] });
    // A category the rules name cannot be deleted; once out of them, it can.
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/categories/${cat.json().id}`, headers: p.server });
    const refused = await del();
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({ key: 'resource_in_use', resource_type: 'category', details: expect.stringContaining('stacking rules') });
    expect((await mgmt('PUT', `/${id}`, { exclusive_categories: [] })).statusCode).toBe(200);
    expect((await del()).statusCode).toBe(409);
    expect((await mgmt('PUT', `/${id}`, { joint_categories: [] })).statusCode).toBe(200);
    expect((await del()).statusCode).toBe(204);
    expect((await del()).statusCode).toBe(404);
  });
});

describe.skipIf(!specPresent)('conformance', () => {
  it('the list and the record match the management schemas', async () => {
    const expectOfficial = apiSpecValidator('management');
    const list = (await mgmt('GET', '')).json();
    expectOfficial('ManagementProjectsStackingRulesListResponseBody', list);
    expectOfficial('ManagementProjectsStackingRules', list.data[0]);
    const { id } = list.data[0];
    expectOfficial('ManagementProjectsStackingRulesUpdateResponseBody', (await mgmt('PUT', `/${id}`, { joint_categories: [] })).json());
  });
});

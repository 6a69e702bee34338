/**
 * /v1/validation-rules and assignments on both stores, and the business_validation_rule.* webhooks as a receiver
 * gets them, validated against OpenAPIWebhooks.json (fair rules of spec/README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent, warnIfSpecAbsent } from './helpers/conformance.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

warnIfSpecAbsent('validation-rules');

const clock = fixedClock(new Date('2024-06-03T09:30:00.000Z'));
let t: TestTessera;
let p: TestProject;
let sink: Sink;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<any> {
  const r = await api(method, url, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

const vipRules = {
  logic: '(1 and 2) or 3',
  '1': { name: 'customer.segment', conditions: { $is: ['seg_vip'] }, error: { message: 'VIPs only' } },
  '2': { name: 'order.amount', conditions: { $more_than: [10000] } },
  '3': { name: 'customer.metadata', property: 'tier', conditions: { $in: ['gold', 'silver'] } },
};

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  const res = await t.app.inject({
    method: 'POST',
    url: `/management/v1/projects/${p.id}/webhooks`,
    headers: managementHeaders,
    payload: {
      target_url: sink.url,
      events: ['business_validation_rule.created', 'business_validation_rule.updated', 'business_validation_rule.deleted', 'business_validation_rule.assignment.created', 'business_validation_rule.assignment.deleted'],
    },
  });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('validation rules', () => {
  let rule: any;
  it('creates, reads, updates and lists rules', async () => {
    rule = await ok('POST', '/v1/validation-rules', { name: 'VIP or gold', rules: vipRules, error: { message: 'Not for you' } });
    expect(rule).toMatchObject({
      object: 'validation_rules',
      name: 'VIP or gold',
      type: 'expression',
      context_type: 'global',
      rules: vipRules,
      error: { message: 'Not for you' },
      applicable_to: { included: [], excluded: [], included_all: false },
      assignments_count: 0,
      created_at: clock.now().toISOString(),
      updated_at: null,
    });
    expect(rule.id).toMatch(/^val_/);
    expect(await ok('GET', `/v1/validation-rules/${rule.id}`)).toEqual(rule);
    const updated = await ok('PUT', `/v1/validation-rules/${rule.id}`, { name: 'VIP or gold 2', applicable_to: { included_all: true } });
    expect(updated).toMatchObject({ name: 'VIP or gold 2', rules: vipRules, applicable_to: { included: [], excluded: [], included_all: true } });
    expect(updated.updated_at).toBe(clock.now().toISOString());
    await ok('POST', '/v1/validation-rules', { name: 'Second', rules: { '1': { name: 'order.amount', conditions: { $more_than: [1] } } } });
    const list = await ok('GET', '/v1/validation-rules?limit=1');
    expect(list).toMatchObject({ object: 'list', data_ref: 'data', total: 2 });
    expect(list.data).toHaveLength(1);
  });

  it('refuses bad rules with invalid_validation_rules and duplicates with 409', async () => {
    const noProperty = await api('POST', '/v1/validation-rules', { name: 'x', rules: { '1': { name: 'custom_event.metadata', conditions: { $is: ['a'] } } } });
    expect(noProperty.statusCode).toBe(400);
    expect(noProperty.json()).toMatchObject({ code: 400, key: 'invalid_validation_rules', details: "Rule 'custom_event.metadata' must have a 'property'" });
    expect((await api('POST', '/v1/validation-rules', { name: 'y', rules: { logic: '1 or 2', '1': { name: 'order.amount', conditions: {} } } })).json()).toMatchObject({ key: 'invalid_validation_rules' });
    const counted = await api('POST', '/v1/validation-rules', { name: 'z', rules: { logic: '1 or 2', '1': { name: 'redemption.count.per_customer', conditions: { $less_than: [1] } }, '2': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } } } });
    expect(counted.json()).toMatchObject({ code: 400, key: 'invalid_validation_rules' });
    expect(counted.json().details).toContain('redemption.count rules count only in a top-level and');
    expect((await api('POST', '/v1/validation-rules', { rules: {} })).json()).toMatchObject({ key: 'invalid_payload' });
    expect((await api('POST', '/v1/validation-rules', { name: 'Second' })).json()).toMatchObject({ code: 409, key: 'duplicate_found' });
    expect((await api('GET', '/v1/validation-rules/val_nope')).json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'validation_rules' });
  });

  it('refuses a formula too long or nesting too deep with invalid_validation_rules', async () => {
    const rule1 = { name: 'order.amount', conditions: { $more_than: [1] } };
    const post = (logic: string) => api('POST', '/v1/validation-rules', { name: 'Deep', rules: { logic, '1': rule1 } });
    for (const logic of ['not '.repeat(10_000) + '1', '('.repeat(100_000) + '1' + ')'.repeat(100_000), 'not '.repeat(101) + '1', '1and'.repeat(50_000) + '1']) {
      const r = await post(logic);
      expect(r.statusCode, r.body.slice(0, 200)).toBe(400);
      expect(r.json()).toMatchObject({ code: 400, key: 'invalid_validation_rules' });
    }
    expect((await post('1and'.repeat(1000) + '1')).statusCode).toBe(200);
    expect((await api('POST', '/v1/validation-rules', { name: 'Deep enough', rules: { logic: '('.repeat(50) + 'not '.repeat(50) + '1' + ')'.repeat(50), '1': rule1 } })).statusCode).toBe(200);
  });

  it('assigns rules to any kind of object by id, lists, refuses a duplicate unless forced, and unassigns', async () => {
    const a = await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'campaign', related_object_id: 'camp_later' });
    expect(a).toMatchObject({ object: 'validation_rules_assignment', rule_id: rule.id, related_object_type: 'campaign', related_object_id: 'camp_later' });
    expect(a.id).toMatch(/^asgm_/);
    const v = await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_id: 'v_code' });
    expect(v.related_object_type).toBe('voucher');
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: 'promo_x' });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'distribution', related_object_id: 'distr_x' });
    const dup = await api('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'campaign', related_object_id: 'camp_later' });
    expect(dup.json()).toMatchObject({ code: 409, key: 'duplicate_found' });
    const forced = await ok('POST', `/v1/validation-rules/${rule.id}/assignments?force=true`, { related_object_type: 'campaign', related_object_id: 'camp_later' });
    expect(forced.id).not.toBe(a.id);
    expect((await ok('GET', `/v1/validation-rules/${rule.id}`)).assignments_count).toBe(4);
    expect(await ok('GET', `/v1/validation-rules/${rule.id}/assignments`)).toMatchObject({ object: 'list', data_ref: 'data', total: 4 });
    expect((await ok('GET', '/v1/validation-rules-assignments?related_object_id=camp_later')).data.map((x: any) => x.id)).toEqual([forced.id]);
    expect((await api('DELETE', `/v1/validation-rules/${rule.id}/assignments/${v.id}`)).statusCode).toBe(204);
    expect((await api('DELETE', `/v1/validation-rules/${rule.id}/assignments/${v.id}`)).statusCode).toBe(404);
    expect((await ok('GET', `/v1/validation-rules/${rule.id}/assignments`)).total).toBe(3);
  });

  it('evaluates what is assigned to an object against a context', async () => {
    const svc = t.tessera.services.validationRules;
    const run = (ctx: object) => t.testDb.db.transaction((tx) => svc.evaluateAssigned(tx, p.id, [{ type: 'campaign', id: 'camp_later' }], ctx, clock.now()));
    expect((await run({ customer: { metadata: { tier: 'gold' } } })).map((r) => r.verdict)).toEqual([{ valid: true }]);
    expect((await run({ customer: { segments: [] }, order: { amount: 50000 } })).map((r) => r.verdict)).toEqual([
      { valid: false, rule: '1', name: 'customer.segment', key: 'customer_rules_violated', message: 'VIPs only' },
    ]);
    expect(await t.testDb.db.transaction((tx) => svc.evaluateAssigned(tx, p.id, [{ type: 'voucher', id: 'v_none' }], {}, clock.now()))).toEqual([]);
  });

  it('assignment.created counts the new assignment when ?force=true finds nothing to replace', async () => {
    const r = await ok('POST', '/v1/validation-rules', { name: 'Forced', rules: {} });
    const first = await ok('POST', `/v1/validation-rules/${r.id}/assignments?force=true`, { related_object_type: 'campaign', related_object_id: 'camp_forced' });
    const again = await ok('POST', `/v1/validation-rules/${r.id}/assignments?force=true`, { related_object_type: 'campaign', related_object_id: 'camp_forced' });
    const second = await ok('POST', `/v1/validation-rules/${r.id}/assignments?force=true`, { related_object_type: 'voucher', related_object_id: 'v_forced' });
    expect((await ok('GET', `/v1/validation-rules/${r.id}`)).assignments_count).toBe(2);
    await deliverAll(t);
    const counted = (id: string) => sink.received.find((x) => x.json.type === 'business_validation_rule.assignment.created' && x.json.data.assignment.id === id)?.json.data.rule.assignments_count;
    expect([counted(first.id), counted(again.id), counted(second.id)]).toEqual([1, 1, 2]);
  });

  it('deleting a rule deletes its assignments', async () => {
    const r = await ok('POST', '/v1/validation-rules', { name: 'Doomed', rules: {} });
    await ok('POST', `/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'campaign', related_object_id: 'camp_doomed' });
    expect((await api('DELETE', `/v1/validation-rules/${r.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/validation-rules/${r.id}`)).statusCode).toBe(404);
    expect((await ok('GET', '/v1/validation-rules-assignments?related_object_id=camp_doomed')).total).toBe(0);
  });

  it('deleting a rule sends assignment.deleted for each assignment it removes', async () => {
    const r = await ok('POST', '/v1/validation-rules', { name: 'Doomed with two', rules: {} });
    const a1 = await ok('POST', `/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'campaign', related_object_id: 'camp_doomed_1' });
    const a2 = await ok('POST', `/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'voucher', related_object_id: 'v_doomed_2' });
    expect((await api('DELETE', `/v1/validation-rules/${r.id}`)).statusCode).toBe(204);
    await deliverAll(t);
    const deleted = sink.received.filter((x) => x.json.type === 'business_validation_rule.assignment.deleted' && x.json.data.rule.id === r.id);
    expect(deleted.map((x) => x.json.data.assignment.id).sort()).toEqual([a1.id, a2.id].sort());
  });

  it('PUT without changes keeps updated_at and sends no business_validation_rule.updated', async () => {
    const r = await ok('POST', '/v1/validation-rules', { name: 'Untouched', rules: vipRules, error: { message: 'No' } });
    const same = await ok('PUT', `/v1/validation-rules/${r.id}`, {});
    expect(same.updated_at ?? null).toBe(r.updated_at ?? null);
    const again = await ok('PUT', `/v1/validation-rules/${r.id}`, { name: 'Untouched', rules: vipRules });
    expect(again.updated_at ?? null).toBe(r.updated_at ?? null);
    await deliverAll(t);
    expect(sink.received.filter((x) => x.json.type === 'business_validation_rule.updated' && x.json.data.rule.id === r.id)).toHaveLength(0);
    const renamed = await ok('PUT', `/v1/validation-rules/${r.id}`, { name: 'Touched' });
    expect(renamed.updated_at).toBeTruthy();
  });
});

describe.skipIf(!specPresent)('business_validation_rule.* webhooks conform to OpenAPIWebhooks.json', () => {
  it('every type was sent and validates: envelope, per-event envelope and data', async () => {
    await deliverAll(t);
    const spec = loadSpec();
    const s = spec.schemas;
    delete s.WebhookProjectSettingPayload.properties.type.enum;
    delete s.WebhookProjectSettingPayload.properties.event.properties.type.enum;
    const types = ['business_validation_rule.created', 'business_validation_rule.updated', 'business_validation_rule.deleted', 'business_validation_rule.assignment.created', 'business_validation_rule.assignment.deleted'];
    for (const type of types) {
      const entry = spec.entry(type)!;
      // DIGEST j.9: per-event envelopes require `name` where they mean `project_id`.
      const req: string[] = s[entry.envelope_schema_ref!].required;
      s[entry.envelope_schema_ref!].required = req.map((k) => (k === 'name' ? 'project_id' : k));
    }
    const envelope = spec.compile('WebhookProjectSettingPayload');
    for (const type of types) {
      const entry = spec.entry(type)!;
      const got = sink.received.filter((r) => r.json.type === type);
      expect(got.length, type).toBeGreaterThan(0);
      const perEvent = spec.compile(entry.envelope_schema_ref!);
      const data = spec.compile(entry.schema_ref);
      for (const r of got) {
        // The assignment schema's related_object_type lists campaign, voucher and earning_rule only.
        if (r.json.data.assignment && !['campaign', 'voucher', 'earning_rule'].includes(r.json.data.assignment.related_object_type)) continue;
        expectValid(envelope, r.json, `${type} envelope`);
        expectValid(perEvent, r.json, `${type} per-event envelope`);
        expectValid(data, r.json.data, `${type} data`);
        expect(r.json.data.rule).toMatchObject({ object: 'validation_rules', id: expect.stringMatching(/^val_/) });
      }
      const broken = structuredClone(got[0]!.json.data);
      broken.rule.object = 5;
      delete broken.rule.id;
      expect(data(broken)).toBe(false);
    }
    const created = sink.received.find((r) => r.json.type === 'business_validation_rule.assignment.created')!.json;
    expect(created.data.assignment).toMatchObject({ validation_status: 'VALID', validation_omitted_rules: [], object: 'validation_rules_assignment' });
  });
});

/**
 * campaign.* and voucher.* webhooks, produced through the API and received over HTTP, validate against the
 * official schemas (fair check of spec/README.md); every type these actions emit is subscribable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent, warnIfSpecAbsent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

warnIfSpecAbsent('campaigns-conformance');

const types = [
  'campaign.created',
  'campaign.updated',
  'campaign.disabled',
  'campaign.enabled',
  'campaign.deleted',
  'campaign.vouchers.generation.completed',
  'voucher.created',
  'voucher.updated',
  'voucher.disabled',
  'voucher.enabled',
  'voucher.deleted',
];

let t: TestTessera;
let p: TestProject;
let sink: Sink;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  const c = (await api('POST', '/v1/campaigns', {
    name: 'Conformance',
    campaign_type: 'DISCOUNT_COUPONS',
    type: 'STATIC',
    vouchers_count: 2,
    voucher: { discount: { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ORDER' }, code_config: { prefix: 'CONF-', length: 6 }, redemption: { quantity: 1 } },
    start_date: '2024-01-01T00:00:00.000Z',
    validity_hours: { daily: [{ start_time: '09:00', expiration_time: '17:00', days_of_week: [1, 2] }] },
    metadata: { k: 'v' },
  })).json();
  while ((await t.tessera.services.generation.step()) > 0);
  await api('PUT', `/v1/campaigns/${c.id}`, { description: 'changed' });
  await api('POST', `/v1/campaigns/${c.id}/disable`, {});
  await api('POST', `/v1/campaigns/${c.id}/enable`, {});
  await api('POST', '/v1/vouchers/CONF-GIFT', { type: 'GIFT_VOUCHER', gift: { amount: 1000, effect: 'APPLY_TO_ORDER' } });
  await api('POST', `/v1/campaigns/${c.id}/vouchers/CONF-OWN`, {});
  await api('PUT', '/v1/vouchers/CONF-GIFT', { metadata: { a: 1 } });
  await api('POST', '/v1/vouchers/CONF-GIFT/disable', {});
  await api('POST', '/v1/vouchers/CONF-GIFT/enable', {});
  await api('DELETE', '/v1/vouchers/CONF-GIFT');
  expect((await api('DELETE', `/v1/campaigns/${c.id}`)).statusCode).toBe(202);
  await deliverAll(t);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe.skipIf(!specPresent)('campaign and voucher webhooks conform to OpenAPIWebhooks.json', () => {
  it('every type arrives and validates: envelope, per-event envelope and data', () => {
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type), type).toContain(type);
    for (const payload of got) {
      v.check(payload, `${payload.type} (${payload.event.entity_id})`);
      expect(payload.source.object).toBe('webhook');
    }
    const completed = got.find((g) => g.type === 'campaign.vouchers.generation.completed')!;
    expect(completed.data).toMatchObject({ count: 2, campaign: { name: 'Conformance', object: 'campaign' } });
    const created = got.find((g) => g.type === 'voucher.created' && g.data.voucher.code === 'CONF-OWN')!;
    expect(created.data.campaign).toMatchObject({ name: 'Conformance' });
    const deleted = got.find((g) => g.type === 'campaign.deleted')!;
    expect(deleted.data.deleted_at).toEqual(expect.any(String));
  });

  it('the validators are not vacuous', () => {
    const v = projectWebhookValidators(['voucher.created', 'campaign.created']);
    const good = sink.received.map((r) => r.json).find((g) => g.type === 'voucher.created')!;
    const bad = structuredClone(good);
    bad.data.voucher.type = 'COUPON';
    expect(v.data('voucher.created')(bad.data)).toBe(false);
    const camp = structuredClone(sink.received.map((r) => r.json).find((g) => g.type === 'campaign.created')!);
    delete camp.data.campaign.vouchers_generation_status;
    expect(v.data('campaign.created')(camp.data)).toBe(false);
  });
});

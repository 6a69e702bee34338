/**
 * Distributions that publish codes (publish_unique_codes), tell about a campaign (notify_promotion), or fire when a
 * code is published (customer.publication.succeeded): what the receiver gets validates against the official
 * schemas, publications carry the distribution, and a campaign out of codes sends nothing while the event stands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent, warnIfSpecAbsent } from './helpers/conformance.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

warnIfSpecAbsent('distributions-purposes');

let t: TestTessera;
let p: TestProject;
let sink: Sink;
const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

const channel = (event_name: string) => ({ type: 'webhook', target_url: sink.url, event_name });
let auto: any;
let other: any;
let segment: any;
const distr: Record<string, any> = {};

function receivedBy(name: string): any[] {
  return sink.received.filter((r) => r.json?.source?.id === distr[name].id).map((r) => r.json);
}

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await defineSchema(t.app, p.id, 'sign_up', {});
  auto = await ok('POST', '/v1/campaigns', { name: 'Welcome codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'HELLO-', length: 6 } } });
  other = await ok('POST', '/v1/campaigns', { name: 'Other', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 1 } } });
  segment = await ok('POST', '/v1/segments', { name: 'VIP', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: 'yes' } } } });
  distr.signup = await ok('POST', '/v1/distributions', { name: 'Sign-up code', purpose: 'publish_unique_codes', campaign_id: auto.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: channel('send-code') });
  distr.vip = await ok('POST', '/v1/distributions', { name: 'VIP code', purpose: 'publish_unique_codes', campaign_id: auto.id, trigger: { type: 'customer.segment.entered', segment_id: segment.id }, channel: channel('vip-code') });
  distr.published = await ok('POST', '/v1/distributions', { name: 'Your code', trigger: { type: 'customer.publication.succeeded', campaign_id: auto.id }, channel: channel('your-code') });
  distr.notify = await ok('POST', '/v1/distributions', { name: 'Tell', purpose: 'notify_promotion', campaign_id: other.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: channel('promo') });

  await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'dp-ann', name: 'Ann' } });
  await ok('POST', '/v1/customers', { source_id: 'dp-ben', metadata: { vip: 'yes' } });
  await ok('POST', '/v1/publications', { campaign: 'Other', customer: { source_id: 'dp-ann' } });
  await deliverAll(t);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('distribution purposes', () => {
  it('responses echo purpose, campaign_id and the trigger as sent', () => {
    expect(distr.signup).toMatchObject({ purpose: 'publish_unique_codes', campaign_id: auto.id, trigger: { type: 'customer.custom_event', event: 'sign_up' } });
    expect(distr.published).toMatchObject({ purpose: 'plain_message', campaign_id: null, trigger: { type: 'customer.publication.succeeded', campaign_id: auto.id } });
    expect(distr.notify).toMatchObject({ purpose: 'notify_promotion', campaign_id: other.id });
  });

  it('publish_unique_codes on a custom event publishes a code and sends it with the event', async () => {
    const [payload, more] = receivedBy('signup');
    expect(more).toBeUndefined();
    expect(payload).toMatchObject({
      type: 'send-code',
      event: { type: 'customer.custom_event' },
      data: {
        event: { type: 'sign_up' },
        customer: { source_id: 'dp-ann' },
        campaign: { id: auto.id, name: 'Welcome codes' },
        voucher: { campaign_id: auto.id, object: 'voucher' },
        publication: { object: 'publication', channel: 'Distribution', metadata: { source_type: 'distribution', source_id: distr.signup.id, distribution_id: distr.signup.id } },
      },
    });
    expect(payload.data.voucher.code).toMatch(/^HELLO-/);
    expect(payload.data.voucher.holder_id).toBe(payload.data.customer.id);
    // The trigger's data and what the purpose adds, nothing of the store's own rows.
    expect(Object.keys(payload.data).sort()).toEqual(['campaign', 'customer', 'event', 'event_schema', 'loyalty', 'publication', 'referral', 'voucher']);
    const list = await ok('GET', '/v1/publications?customer=dp-ann&campaign=Welcome%20codes');
    expect(list.publications).toHaveLength(1);
    expect(list.publications[0].metadata).toEqual({ source_type: 'distribution', source_id: distr.signup.id, distribution_id: distr.signup.id });
  });

  it('publish_unique_codes on entering a segment publishes and sends the code with the segment', () => {
    const [payload] = receivedBy('vip');
    expect(payload.data).toMatchObject({ customer: { source_id: 'dp-ben' }, segment: { id: segment.id }, campaign: { id: auto.id }, publication: { metadata: { distribution_id: distr.vip.id } } });
    expect(Object.keys(payload.data).sort()).toEqual(['campaign', 'customer', 'publication', 'segment', 'voucher']);
  });

  it('customer.publication.succeeded fires for publications of its campaign only, distributions included', () => {
    const got = receivedBy('published');
    expect(got.map((g) => g.data.customer.source_id).sort()).toEqual(['dp-ann', 'dp-ben']);
    for (const g of got) {
      expect(g).toMatchObject({ type: 'your-code', event: { type: 'customer.publication.succeeded' }, data: { campaign: { id: auto.id }, publication: { voucher: { object: 'voucher' } }, voucher: { campaign_id: auto.id } } });
    }
  });

  it('notify_promotion adds the campaign', () => {
    const [payload] = receivedBy('notify');
    expect(payload.data).toMatchObject({ event: { type: 'sign_up' }, campaign: { id: other.id, name: 'Other', object: 'campaign' } });
    expect(payload.data.voucher).toBeUndefined();
  });

  it.skipIf(!specPresent)('every payload validates: WebhookDistributionPayload and the data schema of its event type', () => {
    const spec = loadSpec();
    const envelope = spec.compile('WebhookDistributionPayload');
    const data = new Map<string, ReturnType<typeof spec.compile>>();
    const all = ['signup', 'vip', 'published', 'notify'].flatMap(receivedBy);
    expect(all.length).toBe(5);
    for (const payload of all) {
      const type = payload.event.type as string;
      if (!data.has(type)) data.set(type, spec.compile(spec.entry(type)!.schema_ref));
      expectValid(envelope, payload, `${payload.type} envelope`);
      expectValid(data.get(type)!, payload.data, `${payload.type} data`);
    }
    const broken = structuredClone(receivedBy('published')[0]);
    delete broken.data.publication.voucher;
    expect(data.get('customer.publication.succeeded')!(broken.data)).toBe(false);
  });

  it('a static campaign out of codes sends nothing, and the event is still tracked', async () => {
    const empty = await ok('POST', '/v1/campaigns', { name: 'Empty', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { discount: { type: 'AMOUNT', amount_off: 1 } } });
    await defineSchema(t.app, p.id, 'ping', {});
    distr.empty = await ok('POST', '/v1/distributions', { name: 'Nothing', purpose: 'publish_unique_codes', campaign_id: empty.id, trigger: { type: 'customer.custom_event', event: 'ping' }, channel: channel('none') });
    await ok('POST', '/v1/events', { event: 'ping', customer: { source_id: 'dp-cid' } });
    await deliverAll(t);
    expect(receivedBy('empty')).toHaveLength(0);
    const activity = await ok('GET', '/v1/customers/dp-cid/activity?type=customer.custom_event');
    expect(activity.data).toHaveLength(1);
  });

  it('an expired code is not published: a campaign with only that one sends nothing', async () => {
    const lapsed = await ok('POST', '/v1/campaigns', { name: 'Lapsed', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 1, voucher: { discount: { type: 'AMOUNT', amount_off: 1 } } });
    while ((await t.tessera.services.generation.step()) > 0);
    const { rows } = await t.testDb.db.query<{ code: string }>('SELECT code FROM vouchers WHERE campaign_id = $1', [lapsed.id]);
    await ok('PUT', `/v1/vouchers/${rows[0]!.code}`, { expiration_date: '2020-01-01T00:00:00.000Z' });
    await defineSchema(t.app, p.id, 'lapse', {});
    distr.lapsed = await ok('POST', '/v1/distributions', { name: 'Lapsed code', purpose: 'publish_unique_codes', campaign_id: lapsed.id, trigger: { type: 'customer.custom_event', event: 'lapse' }, channel: channel('lapsed') });
    await ok('POST', '/v1/events', { event: 'lapse', customer: { source_id: 'dp-lapse' } });
    await deliverAll(t);
    expect(receivedBy('lapsed')).toHaveLength(0);
    expect((await ok('GET', `/v1/vouchers/${rows[0]!.code}`)).publish.count).toBe(0);
  });

  it('refuses purposes that cannot work', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ purpose: 'publish_unique_codes', trigger: { type: 'customer.custom_event', event: 'sign_up' } }, "'campaign_id'"],
      [{ purpose: 'publish_unique_codes', campaign_id: auto.id, trigger: { type: 'customer.publication.succeeded' } }, 'needs a custom event or segment trigger'],
      [{ purpose: 'notify_promotion', campaign_id: auto.id, trigger: { type: 'customer.publication.succeeded' } }, 'sends a plain_message'],
      [{ campaign_id: auto.id, trigger: { type: 'customer.custom_event', event: 'sign_up' } }, 'applies to the purposes'],
      [{ trigger: { type: 'customer.custom_event', event: 'sign_up', campaign_id: auto.id } }, 'trigger.campaign_id applies only'],
      [{ purpose: 'bogus', trigger: { type: 'customer.custom_event', event: 'sign_up' } }, 'must be one of'],
    ];
    for (const [body, text] of cases) {
      const res = await api('POST', '/v1/distributions', { name: 'x', channel: channel('x'), ...body });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().details).toContain(text);
    }
    const missing = await api('POST', '/v1/distributions', { name: 'x', channel: channel('x'), purpose: 'notify_promotion', campaign_id: 'camp_nope', trigger: { type: 'customer.custom_event', event: 'sign_up' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ resource_type: 'campaign' });
  });
});

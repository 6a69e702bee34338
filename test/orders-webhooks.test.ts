/**
 * customer.order.created|updated|paid|canceled as receivers get them, over HTTP: from distributions (envelope
 * WebhookDistributionPayload) and from project webhooks subscribed to them (WebhookProjectSettingPayload), data
 * validated against the per-event data schemas of OpenAPIWebhooks.json under the fair rules of spec/README.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent, warnIfSpecAbsent, type ValidateFunction } from './helpers/conformance.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Received, type Sink } from './helpers/sink.js';

warnIfSpecAbsent('orders-webhooks');

const types = ['customer.order.created', 'customer.order.updated', 'customer.order.paid', 'customer.order.canceled'] as const;
type Type = (typeof types)[number];

const clock = fixedClock(new Date('2024-06-03T09:30:00.000Z'));
let t: TestTessera;
let p: TestProject;
let sink: Sink;
let webhook: Record<string, any>;
const distributions = {} as Record<Type, Record<string, any>>;
let narrowed: Record<string, any>;
let order: Record<string, any>;
let customerId: string;
let referrerId: string;
let received: Received[] = [];

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<any> {
  const r = await api(method, url, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  const res = await t.app.inject({
    method: 'POST',
    url: `/management/v1/projects/${p.id}/webhooks`,
    headers: managementHeaders,
    payload: { target_url: sink.url, events: [...types] },
  });
  expect(res.statusCode, res.body).toBe(200);
  webhook = res.json();
  for (const type of types) {
    distributions[type] = await ok('POST', '/v1/distributions', {
      name: type,
      trigger: { type },
      channel: { type: 'webhook', target_url: sink.url, event_name: `flow-${type}` },
    });
  }
  // Narrowed to a segment nobody is in: it never sends.
  const seg = await ok('POST', '/v1/segments', { name: 'VIP', type: 'static', customers: [] });
  narrowed = await ok('POST', '/v1/distributions', {
    name: 'vip paid',
    trigger: { type: 'customer.order.paid', segment_id: seg.id },
    channel: { type: 'webhook', target_url: sink.url, event_name: 'vip-paid' },
  });

  referrerId = (await ok('POST', '/v1/customers', { source_id: 'ow-ref', name: 'Ref' })).id;
  order = await ok('POST', '/v1/orders', {
    source_id: 'ow-1',
    customer: { source_id: 'ow-zoe', name: 'Zoë', email: 'zoe@example.com', metadata: { tier: 'gold' } },
    referrer_id: referrerId,
    items: [{ source_id: 'prod-1', related_object: 'product', quantity: 2, price: 1500, metadata: { size: 'M' } }],
    metadata: { store: 'Kraków' },
  });
  customerId = order.customer_id;
  await ok('PUT', `/v1/orders/${order.id}`, { status: 'PAID' });
  await ok('PUT', `/v1/orders/${order.id}`, { status: 'CANCELED' });
  // An order without a customer records no customer events.
  await ok('POST', '/v1/orders', { source_id: 'ow-anon', amount: 100, status: 'PAID' });
  await deliverAll(t);
  received = sink.received;
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

const fromWebhook = (type: Type) => received.filter((r) => r.json.source.object === 'webhook' && r.json.type === type);
const fromDistribution = (type: Type) => received.filter((r) => r.json.source.id === distributions[type].id);

it('each change sends what it caused: created once, updated twice, paid once, canceled once, to both kinds of receiver', () => {
  expect(types.map((type) => fromWebhook(type).length)).toEqual([1, 2, 1, 1]);
  expect(types.map((type) => fromDistribution(type).length)).toEqual([1, 2, 1, 1]);
  expect(received.filter((r) => r.json.source.id === narrowed.id)).toHaveLength(0);
  expect(received).toHaveLength(10);
  const paid = fromDistribution('customer.order.paid')[0]!.json;
  expect(paid).toMatchObject({
    type: 'flow-customer.order.paid',
    source: { object: 'distribution', id: distributions['customer.order.paid'].id },
    event: { type: 'customer.order.paid', entity_id: customerId },
    data: {
      customer: { id: customerId, source_id: 'ow-zoe', name: 'Zoë', metadata: { tier: 'gold' }, object: 'customer' },
      referrer: { id: referrerId, source_id: 'ow-ref', object: 'customer' },
      order: { id: order.id, status: 'PAID', amount: 3000, total_amount: 3000, customer: { id: customerId, object: 'customer' }, referrer_id: referrerId },
      redemption: null,
    },
  });
  expect(fromWebhook('customer.order.canceled')[0]!.json).toMatchObject({
    type: 'customer.order.canceled',
    source: { object: 'webhook', id: webhook.id },
    event: { type: 'customer.order.canceled', entity_id: order.id },
    data: { order: { status: 'CANCELED' } },
  });
});

/**
 * OrderCalculated is allOf [OrderCalculatedBase, {customer, referrer}], each with additionalProperties: false, so
 * no order with an id satisfies it as published (shown below on the real payload): the mask merges the two branches
 * into one closed object with the base's required keys, which still refuses any unknown key.
 */
function loadValidators() {
  const raw = loadSpec();
  const published = raw.compile('OrderCalculated');
  const spec = loadSpec();
  const s = spec.schemas;
  const [base, extra] = s.OrderCalculated.allOf;
  expect(base.$ref).toBe('#/components/schemas/OrderCalculatedBase');
  expect(extra.additionalProperties).toBe(false);
  expect(s.OrderCalculatedBase.additionalProperties).toBe(false);
  s.OrderCalculated = {
    type: 'object',
    additionalProperties: false,
    properties: { ...s.OrderCalculatedBase.properties, ...extra.properties },
    required: s.OrderCalculatedBase.required,
  };
  delete s.WebhookProjectSettingPayload.properties.type.enum;
  delete s.WebhookProjectSettingPayload.properties.event.properties.type.enum;
  const data = {} as Record<Type, ValidateFunction>;
  const required = {} as Record<Type, string[]>;
  for (const type of types) {
    const entry = spec.entry(type)!;
    expect(entry, type).toBeDefined();
    expect(entry.group).toBe('distribution');
    data[type] = spec.compile(entry.schema_ref);
    required[type] = entry.required_data_keys;
  }
  return { published, data, required, distribution: spec.compile('WebhookDistributionPayload'), projectSettings: spec.compile('WebhookProjectSettingPayload') };
}

describe.skipIf(!specPresent)('order payloads conform to OpenAPIWebhooks.json', () => {
  let v: ReturnType<typeof loadValidators>;
  beforeAll(() => {
    v = loadValidators();
  });

  it.each(types)('%s: envelopes and data validate, with every required data key', (type) => {
    for (const r of fromDistribution(type)) {
      expectValid(v.distribution, r.json, `${type} distribution envelope`);
      expectValid(v.data[type], r.json.data, `${type} distribution data`);
      expect(Object.keys(r.json.data)).toEqual(expect.arrayContaining(v.required[type]));
    }
    for (const r of fromWebhook(type)) {
      expectValid(v.projectSettings, r.json, `${type} webhook envelope`);
      expectValid(v.data[type], r.json.data, `${type} webhook data`);
    }
  });

  it('the published OrderCalculated refuses every real order (why it is masked); the mask still refuses broken ones', () => {
    const good = fromWebhook('customer.order.paid')[0]!.json.data;
    expect(v.published(good.order)).toBe(false);
    const paid = v.data['customer.order.paid'];
    const broken = (mutate: (x: any) => void) => {
      const copy = structuredClone(good);
      mutate(copy);
      return copy;
    };
    expect(paid(good)).toBe(true);
    expect(paid(broken((x) => (x.order.status = 'SHIPPED')))).toBe(false);
    expect(paid(broken((x) => (x.order.surprise = 1)))).toBe(false);
    expect(paid(broken((x) => delete x.order.customer_id))).toBe(false);
    expect(paid(broken((x) => (x.order.amount = '3000')))).toBe(false);
    expect(paid(broken((x) => (x.order.items[0].object = 'item')))).toBe(false);
    expect(paid(broken((x) => delete x.redemption))).toBe(false);
    expect(paid(broken((x) => (x.customer.object = 'client')))).toBe(false);
  });
});

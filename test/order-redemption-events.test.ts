/**
 * customer.order.* events of an order a redemption pays carry that redemption (RedemptionInternal), to project
 * webhooks and to distributions; an order written without a redemption still carries `redemption: null`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent } from './helpers/conformance.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

const types = ['customer.order.created', 'customer.order.paid', 'customer.order.updated'];
let t: TestTessera;
let p: TestProject;
let sink: Sink;
let distributionId: string;
let single: any;
let stacked: any;

async function ok(method: 'GET' | 'POST', url: string, payload?: object): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  distributionId = (await ok('POST', '/v1/distributions', { name: 'paid', trigger: { type: 'customer.order.paid' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'paid' } })).id;
  for (const code of ['RDM1', 'RDM2', 'RDM3']) await ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  single = await ok('POST', '/v1/redemptions', {
    redeemables: [{ object: 'voucher', id: 'RDM1' }],
    customer: { source_id: 'rd-cust' },
    order: { source_id: 'rd-ord-1', amount: 1000, items: [{ source_id: 'rd-sku', quantity: 1, price: 1000 }] },
  });
  stacked = await ok('POST', '/v1/redemptions', {
    redeemables: [{ object: 'voucher', id: 'RDM2' }, { object: 'voucher', id: 'RDM3' }],
    customer: { source_id: 'rd-cust' },
    order: { source_id: 'rd-ord-2', amount: 2000 },
  });
  // Written without a redemption: no redemption to name.
  await ok('POST', '/v1/orders', { source_id: 'rd-ord-3', amount: 500, status: 'PAID', customer: { source_id: 'rd-cust' } });
  await deliverAll(t);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

const got = () => sink.received.map((r) => r.json);
const forOrder = (sourceId: string, type: string, from: 'webhook' | 'distribution') =>
  got().filter((g) => g.event.type === type && g.data.order.source_id === sourceId && g.source.object === from);

describe('an order paid by a redemption', () => {
  it('names the redemption in customer.order.created and .paid (webhooks and distributions)', () => {
    const id = single.redemptions[0].id;
    for (const [type, from] of [['customer.order.created', 'webhook'], ['customer.order.paid', 'webhook'], ['customer.order.paid', 'distribution']] as const) {
      const sent = forOrder('rd-ord-1', type, from);
      expect(sent, `${type} ${from}`).toHaveLength(1);
      expect(sent[0].data.redemption, `${type} ${from}`).toMatchObject({ id, object: 'redemption', result: 'SUCCESS', status: 'SUCCEEDED', customer_id: single.redemptions[0].customer_id, related_object_type: 'voucher', voucher: { code: 'RDM1' } });
    }
    expect(got().filter((g) => g.source.id === distributionId && g.data.order.source_id === 'rd-ord-1')).toHaveLength(1);
  });

  it('a stack names its parent redemption, with the redemptions it holds', () => {
    const [paid] = forOrder('rd-ord-2', 'customer.order.paid', 'webhook');
    expect(paid.data.redemption).toMatchObject({ id: stacked.parent_redemption.id, related_redemptions: { redemptions: stacked.redemptions.map((r: any) => ({ id: r.id })) } });
  });

  it('an order written without a redemption sends redemption null', () => {
    const [paid] = forOrder('rd-ord-3', 'customer.order.paid', 'webhook');
    expect(paid.data.redemption).toBeNull();
  });

  it.skipIf(!specPresent)('every payload validates against OpenAPIWebhooks.json', () => {
    const spec = loadSpec();
    const s = spec.schemas;
    // OrderCalculated's two closed allOf branches refuse every order with an id (see orders-webhooks.test.ts): merged.
    const [base, extra] = s.OrderCalculated.allOf;
    s.OrderCalculated = { type: 'object', additionalProperties: false, properties: { ...s.OrderCalculatedBase.properties, ...extra.properties }, required: s.OrderCalculatedBase.required };
    delete s.WebhookProjectSettingPayload.properties.type.enum;
    delete s.WebhookProjectSettingPayload.properties.event.properties.type.enum;
    expect(base.$ref).toBe('#/components/schemas/OrderCalculatedBase');
    const envelope = { webhook: spec.compile('WebhookProjectSettingPayload'), distribution: spec.compile('WebhookDistributionPayload') };
    const data = Object.fromEntries(types.map((type) => [type, spec.compile(spec.entry(type)!.schema_ref)]));
    expect(got().length).toBeGreaterThanOrEqual(7);
    for (const g of got()) {
      const what = `${g.source.object} ${g.event.type} ${g.data.order.source_id}`;
      expectValid(envelope[g.source.object as 'webhook' | 'distribution'], g, `${what} envelope`);
      expectValid(data[g.event.type]!, g.data, `${what} data`);
    }
  });
});

/**
 * Validation rules assigned to a distribution (related_object_type "distribution") decide whom it sends to: the
 * customer's metadata, the custom event's metadata and the customer's live segments (including one entered by
 * the very event) are checked; the event itself is always recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;

async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const sentTo = (distributionId: string) => sink.received.filter((r) => r.json?.source?.id === distributionId).map((r) => r.json.data.customer.source_id).sort();

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await defineSchema(t.app, p.id, 'review_left', {});
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('validation rules on distributions', () => {
  it('send only to customers and events that pass the rules assigned to the distribution', async () => {
    const channel = { type: 'webhook', target_url: sink.url, event_name: 'thanks' };
    const gold = await ok('POST', '/v1/distributions', { name: 'Gold thanks', trigger: { type: 'customer.custom_event', event: 'review_left' }, channel });
    const video = await ok('POST', '/v1/distributions', { name: 'Video thanks', trigger: { type: 'customer.custom_event', event: 'review_left' }, channel });
    const vip = await ok('POST', '/v1/segments', { name: 'VIP', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: ['yes'] } } } });
    const inVip = await ok('POST', '/v1/distributions', { name: 'VIP thanks', trigger: { type: 'customer.custom_event', event: 'review_left' }, channel });
    const rule = (name: string, rules: Record<string, unknown>) => ok('POST', '/v1/validation-rules', { name, rules });
    const assign = (ruleId: string, id: string) => ok('POST', `/v1/validation-rules/${ruleId}/assignments`, { related_object_type: 'distribution', related_object_id: id });
    await assign((await rule('Gold', { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } } })).id, gold.id);
    await assign((await rule('Video', { '1': { name: 'custom_event.metadata', property: 'kind', conditions: { $is: ['video'] } } })).id, video.id);
    await assign((await rule('In VIP', { '1': { name: 'customer.segment', conditions: { $is: [vip.id] } } })).id, inVip.id);

    await ok('POST', '/v1/events', { event: 'review_left', customer: { source_id: 'dr-gold', metadata: { tier: 'gold' } }, metadata: { kind: 'text' } });
    await ok('POST', '/v1/events', { event: 'review_left', customer: { source_id: 'dr-plain', metadata: { tier: 'silver' } }, metadata: { kind: 'video' } });
    // Enters VIP with this very event: the rule sees the membership made in the same transaction.
    await ok('POST', '/v1/events', { event: 'review_left', customer: { source_id: 'dr-vip', metadata: { vip: 'yes' } }, metadata: {} });
    await deliverAll(t);

    expect(sentTo(gold.id)).toEqual(['dr-gold']);
    expect(sentTo(video.id)).toEqual(['dr-plain']);
    expect(sentTo(inVip.id)).toEqual(['dr-vip']);
    // Every event is recorded, sent or not.
    for (const who of ['dr-gold', 'dr-plain', 'dr-vip']) {
      expect((await ok('GET', `/v1/customers/${who}/activity?type=customer.custom_event`)).data).toHaveLength(1);
    }
  });

  it("an order.paid distribution's item rule reads the order's items (by catalog key and collection)", async () => {
    const channel = { type: 'webhook', target_url: sink.url, event_name: 'paid' };
    const tea = await ok('POST', '/v1/products', { name: 'Tea', source_id: 'dr-tea' });
    const drinks = await ok('POST', '/v1/product-collections', { name: 'Drinks', type: 'STATIC', products: [{ id: tea.id, object: 'product' }] });
    const paid = await ok('POST', '/v1/distributions', { name: 'Drink buyers', trigger: { type: 'customer.order.paid' }, channel });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Needs a drink', rules: { '1': { name: 'order.items.any', conditions: { $is: [{ id: drinks.id, object: 'products_collection' }] } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'distribution', related_object_id: paid.id });
    await ok('POST', '/v1/orders', { amount: 500, status: 'PAID', customer: { source_id: 'dr-tea-buyer' }, items: [{ source_id: 'dr-tea', related_object: 'product', quantity: 1, price: 500 }] });
    await ok('POST', '/v1/orders', { amount: 500, status: 'PAID', customer: { source_id: 'dr-other-buyer' }, items: [{ source_id: 'dr-cake', quantity: 1, price: 500 }] });
    await deliverAll(t);
    expect(sentTo(paid.id)).toEqual(['dr-tea-buyer']);
  });
});

/**
 * Test messages of distributions (POST /v1/distributions/{id}/test): what the distribution would send, with its
 * trigger's data for a named or a sample customer, delivered at once through the usual engine (signed, in the audit
 * log) whatever the distribution's status, never publishing, recording or pausing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';
import { allSendouts, createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let answer = 200;
const { api, ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  sink = await startSink(() => ({ status: answer }));
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'sign_up', {});
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const channel = (template?: Record<string, unknown>) => ({ type: 'webhook', target_url: `${sink.url}/hook`, event_name: 'welcome', ...(template ? { template } : {}) });

describe('distribution test messages', () => {
  it('sends a draft distribution its rendered message for a named customer, signed, without recording or publishing anything', async () => {
    const campaign = await ok('POST', '/v1/campaigns', { name: 'Trial codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'PERCENT', percent_off: 5 }, code_config: { prefix: 'TRY-', length: 6 } } });
    const d = await ok('POST', '/v1/distributions', {
      name: 'Welcome code',
      status: 'DRAFT',
      purpose: 'publish_unique_codes',
      campaign_id: campaign.id,
      trigger: { type: 'customer.custom_event', event: 'sign_up' },
      channel: channel({ greeting: 'Hi {{customer.name}}', code: '{{voucher.code}}', campaign: '{{campaign.name}}', event: '{{event.type}}' }),
    });
    const customer = await ok('POST', '/v1/customers', { source_id: 'trial-ann', name: 'Ann' });
    const before = (await ok('GET', '/v1/customers/trial-ann/activity')).data.length;

    const test = await ok('POST', `/v1/distributions/${d.id}/test`, { customer: 'trial-ann' });
    expect(test).toMatchObject({ object: 'distribution_test', distribution_id: d.id, target_url: `${sink.url}/hook`, sendout_id: expect.stringMatching(/^whs_/) });
    expect(test.message).toMatchObject({ type: 'welcome', data: { greeting: 'Hi Ann', code: 'TEST-CODE-0000', campaign: 'Trial codes', event: 'sign_up' } });

    await deliverAll(t);
    expect(sink.received).toHaveLength(1);
    const got = sink.received[0]!;
    expect(got.json).toEqual(test.message);
    expect(got.headers['x-voucherify-signature']).toMatch(/^[0-9a-f]{64}$/);
    const [sendout] = await allSendouts(t, p.id, `webhook_id=${d.id}`);
    expect(sendout).toMatchObject({ id: test.sendout_id, status: 'sent' });

    // A test is not an event: no activity, no code published, the distribution still a draft.
    expect((await ok('GET', '/v1/customers/trial-ann/activity')).data.length).toBe(before);
    expect((await ok('GET', `/v1/publications?customer=${customer.id}`)).publications).toHaveLength(0);
    expect((await ok('GET', `/v1/distributions/${d.id}`)).status).toBe('DRAFT');
  });

  it('uses a sample customer when none is named, and the given address in place of the customer e-mail', async () => {
    const d = await ok('POST', '/v1/distributions', { name: 'Hello', trigger: { type: 'manual' }, channel: channel({ to: '{{customer.email}}', who: '{{customer.name}}', from: '{{distribution.id}}' }) });
    const sample = await ok('POST', `/v1/distributions/${d.id}/test`);
    expect(sample.message.data).toEqual({ to: 'test.customer@example.com', who: 'Test Customer', from: d.id });
    const mine = await ok('POST', `/v1/distributions/${d.id}/test`, { email: 'me@example.com' });
    expect(mine.message.data.to).toBe('me@example.com');
    // The sample customer is not created.
    expect((await api('GET', '/v1/customers/test-customer')).statusCode).toBe(404);
  });

  it('stands in an order of 100.00 for order triggers, in the status the trigger announces', async () => {
    const d = await ok('POST', '/v1/distributions', { name: 'Thanks', status: 'DRAFT', trigger: { type: 'customer.order.paid' }, channel: channel({ total: '{{order.total_amount}}', status: '{{order.status}}', item: '{{order.items.0.product.name}}' }) });
    const test = await ok('POST', `/v1/distributions/${d.id}/test`, {});
    expect(test.message.data).toEqual({ total: 10000, status: 'PAID', item: 'Test product' });
  });

  it('never pauses the distribution, even when the target answers 410 Gone, while a real message does', async () => {
    answer = 410;
    try {
      // An endpoint of Tessera's alerts: a failed test raises none.
      const alerts = await createWebhook(t, p.id, `${sink.url}/alerts`, ['tessera.sendout.exhausted']);
      const d = await ok('POST', '/v1/distributions', { name: 'Gone', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: channel() });
      await ok('POST', `/v1/distributions/${d.id}/test`, {});
      await deliverAll(t);
      expect(await ok('GET', `/v1/distributions/${d.id}`)).toMatchObject({ status: 'TO SEND', paused_reason: null });
      expect(await allSendouts(t, p.id, `webhook_id=${alerts.id}`)).toEqual([]);
      await ok('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'trial-gone' } });
      await deliverAll(t);
      expect((await ok('GET', `/v1/distributions/${d.id}`)).status).toBe('PAUSED');
      // The real message's failure is announced.
      expect((await allSendouts(t, p.id, `webhook_id=${alerts.id}`)).map((x: any) => x.type)).toEqual(['tessera.sendout.exhausted']);
      // A paused distribution takes tests still (to try a fix before resuming), but its real messages stay unsent.
      const before = sink.received.length;
      answer = 200;
      const test = await ok('POST', `/v1/distributions/${d.id}/test`, {});
      await deliverAll(t);
      expect(sink.received.length).toBe(before + 1);
      expect(sink.received.at(-1)!.json).toMatchObject({ id: expect.any(String), type: 'welcome' });
      expect((await allSendouts(t, p.id, `webhook_id=${d.id}`)).find((s: any) => s.id === test.sendout_id)).toMatchObject({ status: 'sent' });
    } finally {
      answer = 200;
    }
  });

  it('answers 404 for an unknown distribution or customer and 400 for a bad address or an unknown field', async () => {
    const d = await ok('POST', '/v1/distributions', { name: 'Errors', status: 'DRAFT', trigger: { type: 'manual' }, channel: channel() });
    const cases: Array<[string, unknown, number, string]> = [
      ['/v1/distributions/distr_nope/test', {}, 404, 'not_found'],
      [`/v1/distributions/${d.id}/test`, { customer: 'nobody-here' }, 404, 'not_found'],
      [`/v1/distributions/${d.id}/test`, { email: 'not an address' }, 400, 'invalid_payload'],
      [`/v1/distributions/${d.id}/test`, { segment_id: 'seg_x' }, 400, 'invalid_payload'],
    ];
    for (const [url, body, status, key] of cases) {
      const res = await api('POST', url, body);
      expect(res.statusCode, `${url} ${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.json()).toMatchObject({ code: status, key });
    }
  });
});

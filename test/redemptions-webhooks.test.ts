/**
 * What redemptions and rollbacks send: redemption.succeeded|failed, redemption.rollback.succeeded and
 * voucher.gift.transaction.created to project webhooks, customer.redemption.succeeded and
 * customer.redemption.rollback.succeeded to the customer's activity and distributions; every payload validated
 * against the official OpenAPIWebhooks.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { loadSpec, specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;

const types = ['redemption.succeeded', 'redemption.failed', 'redemption.rollback.succeeded', 'redemption.rollback.failed', 'voucher.gift.transaction.created'];

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  await ok('POST', '/v1/campaigns', { name: 'Cards', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 1, voucher: { gift: { amount: 5000 } } });
  while ((await t.tessera.services.generation.step()) > 0);
  const cards = await ok('GET', '/v1/vouchers?campaign=Cards');
  await ok('POST', '/v1/vouchers/WH-TEN', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, redemption: { quantity: 1 } });
  const order = { source_id: 'wh-order', amount: 20000, items: [{ source_id: 'sku-1', quantity: 4, price: 5000 }] };
  const redeemed = await ok('POST', '/v1/redemptions', {
    redeemables: [{ object: 'voucher', id: 'WH-TEN' }, { object: 'voucher', id: cards.vouchers[0].code, gift: { credits: 1500 } }],
    order,
    customer: { source_id: 'wh-wanda', name: 'Wanda' },
  });
  expect((await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'WH-TEN' }], customer: { source_id: 'wh-wanda' } })).statusCode).toBe(400);
  await ok('POST', `/v1/redemptions/${redeemed.parent_redemption.id}/rollbacks`, { reason: 'returned' });
  // Twice: refused, and announced as a failed rollback.
  const again = await api('POST', `/v1/redemptions/${redeemed.parent_redemption.id}/rollbacks`, { reason: 'again' });
  expect(again.json()).toMatchObject({ code: 400, key: 'already_rolled_back' });
  // An unknown redemption is a 404 and announces nothing (there is no redemption to name).
  expect((await api('POST', '/v1/redemptions/r_nothere/rollback', {})).statusCode).toBe(404);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe.skipIf(!specPresent)('redemption webhooks conform to OpenAPIWebhooks.json', () => {
  it('every project webhook type is sent and validates', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type), type).toContain(type);
    for (const payload of got) v.check(payload);
    const succeeded = got.filter((g) => g.type === 'redemption.succeeded');
    expect(succeeded).toHaveLength(2);
    expect(succeeded[0].data).toMatchObject({ customer: { source_id: 'wh-wanda' }, voucher: { code: 'WH-TEN' }, redemption: { result: 'SUCCESS', status: 'SUCCEEDED' }, order: { status: 'PAID' } });
    const failed = got.find((g) => g.type === 'redemption.failed')!;
    expect(failed.data.redemption).toMatchObject({ result: 'FAILURE', status: 'FAILED', failure_code: 'quantity_exceeded' });
    const gifts = got.filter((g) => g.type === 'voucher.gift.transaction.created').map((g) => g.data.transaction.type);
    expect(gifts.sort()).toEqual(['CREDITS_REDEMPTION', 'CREDITS_REFUND']);
    const rolled = got.filter((g) => g.type === 'redemption.rollback.succeeded');
    expect(rolled).toHaveLength(2);
    expect(rolled[0].data.redemption_rollback).toMatchObject({ reason: 'returned' });
    const refused = got.filter((g) => g.type === 'redemption.rollback.failed');
    expect(refused).toHaveLength(1);
    expect(refused[0].data.redemption_rollback).toMatchObject({ result: 'FAILURE', status: 'FAILED', failure_code: 'already_rolled_back', reason: 'again' });
    expect(refused[0].data.redemption).toMatchObject({ status: 'ROLLED BACK' });
    expect(refused[0].data.customer).toMatchObject({ source_id: 'wh-wanda' });
    // The customer's summary counts it: two rollbacks of the stack's redemptions, then one refused.
    expect((await ok('GET', '/v1/customers/wh-wanda')).summary.redemptions).toMatchObject({ total_rollback_succeeded: 2, total_rollback_failed: 1, total_rolled_back: 3 });
  });

  it('customer.redemption.succeeded and .rollback.succeeded, as the activity records them, validate', async () => {
    const spec = loadSpec();
    const activity = await ok('GET', '/v1/customers/wh-wanda/activity');
    for (const type of ['customer.redemption.succeeded', 'customer.redemption.rollback.succeeded']) {
      const validate = spec.compile(spec.entry(type)!.schema_ref);
      const entries = activity.data.filter((a: any) => a.type === type);
      expect(entries, type).toHaveLength(2);
      for (const e of entries) {
        const data = e.data.data ?? e.data;
        expect(validate(data), `${type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });
});

/**
 * A customer permanently deleted (the SDK's customers.deletePermanently): their data, activity, memberships and
 * orders gone, counted in the answer; redemptions kept naming them by id only; a customer.deleted webhook that
 * validates; other customers untouched.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { requestsOf } from './helpers/requests.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let server: ReturnType<typeof VoucherifyServerSide>;
const { ok, api } = requestsOf(() => ({ t, p }));
const rows = async (table: string, customerId: string) =>
  Number((await t.testDb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE customer_id = $1`, [customerId])).rows[0]!.n);

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, ['customer.deleted']);
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  await defineSchema(t.app, p.id, 'visit', {});
  await ok('POST', '/v1/segments', { name: 'Visitors', type: 'auto-update', filter: { junction: 'and', 'metadata.city': { conditions: { $is: ['Oslo'] } } } });
  await ok('POST', '/v1/vouchers/ERASE-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 } });
  for (const who of ['erase-ann', 'erase-bob']) {
    await ok('POST', '/v1/customers', { source_id: who, name: `Name of ${who}`, email: `${who}@example.com`, metadata: { city: 'Oslo' } });
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: who } });
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: who } });
    await ok('POST', '/v1/orders', { source_id: `order-${who}`, amount: 5000, status: 'PAID', customer: { source_id: who } });
  }
  await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'ERASE-10' }], customer: { source_id: 'erase-ann' }, order: { amount: 3000 } });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('permanent deletion', () => {
  it('erases the customer, their events, activity, memberships and orders, and says how many', async () => {
    const ann = await ok('GET', '/v1/customers/erase-ann');
    const redemption = (await ok('GET', `/v1/redemptions?customer=${ann.id}`)).redemptions[0];
    expect(redemption.customer).toMatchObject({ email: 'erase-ann@example.com' });
    const res: any = await server.customers.deletePermanently('erase-ann');
    expect(res).toMatchObject({ object: 'pernament_deletion', related_object: 'customer', related_object_id: ann.id, status: 'DONE' });
    expect(res.id).toMatch(/^del_/);
    // Two visits; one segment; two orders (the one created and the one the redemption made).
    expect(res.data_json).toMatchObject({ events: 2, segments: 1, orders: 2, customer: 1 });
    expect(res.data_json.customer_events).toBeGreaterThanOrEqual(5);
    expect(res.data_json.order_events).toBeGreaterThanOrEqual(2);
    expect(res.data_json.daily_events).toBeGreaterThanOrEqual(1);

    expect((await api('GET', '/v1/customers/erase-ann')).statusCode).toBe(404);
    for (const table of ['custom_events', 'event_log', 'custom_event_days', 'customer_segments', 'orders']) expect(await rows(table, ann.id), table).toBe(0);
    expect((await api('GET', '/v1/orders/order-erase-ann')).statusCode).toBe(404);
    // The redemption stays (the code was spent), naming the customer by id only.
    const kept = await ok('GET', `/v1/redemptions/${redemption.id}`);
    expect(kept.customer).toEqual({ id: ann.id, object: 'customer' });
    expect(kept.tracking_id).toBeNull();
    expect(JSON.stringify(kept)).not.toContain('erase-ann@example.com');
    // Bob is untouched.
    const bob = await ok('GET', '/v1/customers/erase-bob');
    expect(await rows('custom_events', bob.id)).toBe(2);
    expect((await ok('GET', '/v1/customers/erase-bob/activity')).data.length).toBeGreaterThan(0);
    // The same source_id later is a new customer, with nothing of the old one.
    const again = await ok('POST', '/v1/customers', { source_id: 'erase-ann' });
    expect(again.id).not.toBe(ann.id);
    expect(again.summary.orders.total_count).toBe(0);
  });

  it('answers 404 for a customer that does not exist (or was erased)', async () => {
    const res = await api('POST', '/v1/customers/nobody-here/permanent-deletion');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'customer' });
  });

  it.skipIf(!specPresent)('sends customer.deleted with the customer as it was, and it validates', async () => {
    await deliverAll(t);
    const got = sink.received.map((r) => r.json).filter((g) => g.type === 'customer.deleted');
    expect(got).toHaveLength(1);
    expect(got[0].data.customer).toMatchObject({ source_id: 'erase-ann', email: 'erase-ann@example.com' });
    projectWebhookValidators(['customer.deleted']).check(got[0]);
  });
});

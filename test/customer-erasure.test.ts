/**
 * A customer permanently deleted (the SDK's customers.deletePermanently): their data, activity, memberships and
 * orders gone, counted in the answer; redemptions kept naming them by id only; a customer.deleted webhook that
 * validates; other customers untouched.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { requestsOf } from './helpers/requests.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';
import { subscribableTypes } from '../src/modules/webhooks/event-types.js';

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

  it('takes the calls naming the customer out of the API call log, and the answers kept for their idempotency keys', async () => {
    const who = 'erase-cleo';
    const created = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { ...p.server, 'idempotency-key': 'make-cleo' }, payload: { source_id: who, email: 'cleo@example.com' } });
    expect(created.statusCode).toBe(200);
    const id = created.json().id;
    // Refused calls that name her: in a body, in a path, in a query; and one that names someone else.
    expect((await api('POST', '/v1/customers', { source_id: who, email: 12 })).statusCode).toBe(400);
    expect((await api('PUT', `/v1/customers/${id}`, { email: [] })).statusCode).toBe(400);
    expect((await api('GET', `/v1/customers?email=${encodeURIComponent('cleo@example.com')}&limit=0`)).statusCode).toBe(400);
    expect((await api('POST', '/v1/customers', { source_id: 'someone-else', email: 12 })).statusCode).toBe(400);
    const logged = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/api-calls?limit=100`, headers: managementHeaders });
      return res.json().data as Array<{ path: string; request_body: string | null }>;
    };
    const naming = (calls: Array<{ path: string; request_body: string | null }>) =>
      calls.filter((c) => c.path.includes(id) || c.path.includes(encodeURIComponent('cleo@example.com')) || (c.request_body ?? '').includes(who));
    expect(naming(await logged())).toHaveLength(3);
    const keys = async () => Number((await t.testDb.db.query<{ n: string }>("SELECT count(*)::text AS n FROM idempotency_keys WHERE key = 'make-cleo'")).rows[0]!.n);
    expect(await keys()).toBe(1);

    expect((await api('POST', `/v1/customers/${id}/permanent-deletion`)).statusCode).toBe(200);
    const after = await logged();
    expect(naming(after)).toEqual([]);
    expect(after.some((c) => (c.request_body ?? '').includes('someone-else'))).toBe(true);
    expect(await keys()).toBe(0);
  });

  it('answers 404 for a customer that does not exist (or was erased)', async () => {
    const res = await api('POST', '/v1/customers/nobody-here/permanent-deletion');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'customer' });
  });

  it('leaves no personal data of the customer anywhere: activity of others, project records, webhook sendouts', async () => {
    // Everything that copies a customer into stored records: webhooks of every type (sent and pending), a
    // publication, a redemption, loyalty points, and a referral.
    await createWebhook(t, p.id, sink.url, subscribableTypes);
    const cy = { source_id: 'cy-erase-src', name: 'Cyrus Erasable', email: 'cy.erasable@example.org', phone: '+47 555 0199', metadata: { city: 'Oslo', note: 'needle-metadata-q7' } };
    await ok('POST', '/v1/customers', cy);
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: cy.source_id } });
    await ok('POST', '/v1/vouchers/ERASE-CY', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    await ok('POST', '/v1/publications', { voucher: 'ERASE-CY', customer: { source_id: cy.source_id } });
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'ERASE-CY' }], customer: { source_id: cy.source_id }, order: { amount: 3000 } });
    const club = await ok('POST', '/v1/loyalties', { name: 'Erase club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const card = await ok('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: cy.source_id } });
    await ok('POST', `/v1/loyalties/${club.id}/members/${card.code}/balance`, { points: 40 });
    const referral = await ok('POST', '/v1/campaigns', {
      name: 'Erase friends', campaign_type: 'REFERRAL_PROGRAM', type: 'AUTO_UPDATE',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      referral_program: { conversion_event_type: 'custom_event', custom_event: { name: 'visit' } },
    });
    const code = (await ok('POST', '/v1/publications', { campaign: { id: referral.id }, customer: { source_id: 'erase-bob' } })).voucher.code;
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: cy.source_id }, referral: { code } });
    expect((await ok('GET', `/v1/customers/${cy.source_id}`)).referrals.total).toBe(1);
    await deliverAll(t);
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: cy.source_id } }); // pending sendouts too
    // Export files made before: the customers (Cy among others) and the redemptions.
    const exports: string[] = [];
    for (const body of [{ exported_object: 'customer', parameters: { fields: ['id', 'source_id', 'name', 'email', 'metadata'] } }, { exported_object: 'redemption', parameters: { fields: ['id', 'customer_id', 'tracking_id', 'voucher_code'] } }]) {
      exports.push((await ok('POST', '/v1/exports', body)).id);
    }
    while ((await t.tessera.services.exports.step()) > 0);
    const rowsOf = async (id: string) => (await t.testDb.db.query<{ n: number }>('SELECT row_count AS n FROM exports WHERE id = $1', [id])).rows[0]!.n;
    const customersBefore = await rowsOf(exports[0]!);
    const needles = [cy.email, cy.name, cy.phone, cy.metadata.note, cy.source_id];
    /** Every row of every table whose text holds one of the needles, as "table: needle". */
    async function holding(): Promise<string[]> {
      const tables = (await t.testDb.db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).rows;
      const found: string[] = [];
      for (const { t: table } of tables) {
        for (const needle of needles) {
          const { rows } = await t.testDb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}" x WHERE x::text LIKE '%' || $1 || '%'`, [needle]);
          if (rows[0]!.n !== '0') found.push(`${table}: ${needle}`);
        }
      }
      return found;
    }
    expect(await holding()).toEqual(expect.arrayContaining([`sendouts: ${cy.email}`, `export_chunks: ${cy.email}`]));
    // A project-wide record that keeps the customer as a reference to one of their own records (how a batch stores
    // a customer shared by records written together, whichever comes first).
    const cyId = (await ok('GET', `/v1/customers/${cy.source_id}`)).id;
    const { rows: [own] } = await t.testDb.db.query<{ id: string }>(`SELECT id FROM event_log WHERE customer_id = $1 AND data -> 'customer' ? 'email' LIMIT 1`, [cyId]);
    await t.testDb.db.query(
      `INSERT INTO event_log (id, project_id, type, customer_id, entity_id, data, event_source, group_id, created_at)
       VALUES ('evcus_00000000000000000001', $1, 'voucher.published', NULL, 'v_x', $2::jsonb, '{"channel":"API"}'::jsonb, 'g-ref', now())`,
      [p.id, JSON.stringify({ customer: { $ref: own!.id }, voucher: { id: 'v_x', holder_id: cyId } })],
    );
    const before = sink.received.length;
    await server.customers.deletePermanently(cy.source_id);
    // Only the customer.deleted webhook itself still carries them, until it is delivered and its retention ends.
    const left = await holding();
    const deletedSendouts = (await t.testDb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM sendouts WHERE event_type = 'customer.deleted' AND body LIKE '%' || $1 || '%'`, [cy.email])).rows[0]!.n;
    expect(Number(deletedSendouts)).toBeGreaterThan(0);
    expect(left.filter((l) => !l.startsWith('sendouts: '))).toEqual([]);
    // The export files keep their other rows: one customer row fewer.
    expect(await rowsOf(exports[0]!)).toBe(customersBefore - 1);
    const file = (await t.testDb.db.query<{ content: string }>('SELECT string_agg(content, \'\' ORDER BY seq) AS content FROM export_chunks WHERE export_id = $1', [exports[0]!])).rows[0]!.content;
    expect(file).toContain('erase-bob@example.com');
    // No record keeps the customer as a reference to one of their deleted records: those name them by id.
    const dangling = await t.testDb.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM event_log o WHERE o.data -> 'customer' ? '$ref' AND NOT EXISTS (SELECT 1 FROM event_log r WHERE r.id = o.data #>> '{customer,$ref}')`,
    );
    expect(dangling.rows[0]!.n).toBe('0');
    const kept = await t.testDb.db.query<{ data: any }>(`SELECT data FROM event_log WHERE id = 'evcus_00000000000000000001'`);
    expect(kept.rows[0]!.data.customer).toEqual({ id: cyId, object: 'customer' });
    const { rows: others } = await t.testDb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM sendouts WHERE event_type <> 'customer.deleted' AND body LIKE '%' || $1 || '%'`, [cy.email]);
    expect(others[0]!.n).toBe('0');
    // What was pending goes out without them; customer.deleted goes out with the customer as it was.
    await deliverAll(t);
    const sent = sink.received.slice(before).map((r) => r.json);
    expect(sent.some((g) => g.type === 'customer.deleted' && g.data.customer.email === cy.email)).toBe(true);
    expect(sent.filter((g) => g.type !== 'customer.deleted').every((g) => !JSON.stringify(g).includes(cy.email))).toBe(true);
  });

  it.skipIf(!specPresent)('sends customer.deleted with the customer as it was, and it validates', async () => {
    await deliverAll(t);
    const got = sink.received.map((r) => r.json).filter((g) => g.type === 'customer.deleted' && g.data.customer.source_id === 'erase-ann');
    expect(got).toHaveLength(1);
    expect(got[0].data.customer).toMatchObject({ source_id: 'erase-ann', email: 'erase-ann@example.com' });
    projectWebhookValidators(['customer.deleted']).check(got[0]);
  });
});

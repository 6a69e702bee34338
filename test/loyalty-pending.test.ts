/**
 * Pending points with an injected clock: an order.paid rule with pending_points gives its points after N days (not
 * a moment before), an order canceled first cancels them, and the pending_points payloads validate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

const clock = fixedClock(new Date('2026-05-01T12:00:00Z'));
const types = ['voucher.loyalty_card.pending_points.added', 'voucher.loyalty_card.pending_points.activated', 'voucher.loyalty_card.pending_points.canceled', 'voucher.loyalty_card.pending_points.updated'];
let t: TestTessera;
let p: TestProject;
let sink: Sink;

async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const activateDue = async () => {
  let n = 0;
  for (let k; (k = await t.tessera.services.pendingPoints.step(100)) > 0; ) n += k;
  return n;
};

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('pending points', () => {
  it('reach the card exactly N days after the order is paid, or never when it is canceled first', async () => {
    const program = await ok('POST', '/v1/loyalties', { name: 'Waiting', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'WAIT-', length: 6 } } });
    const refused = await t.app.inject({ method: 'POST', url: `/v1/loyalties/${program.id}/earning-rules`, headers: p.server, payload: [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 1 }, pending_points: { period_type: 'DAY', period_value: 365 } }] });
    expect(refused.statusCode).toBe(400);
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 40 }, pending_points: { period_type: 'DAY', period_value: 14 } }]);
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'wait-ann' } })).code;
    const kept = await ok('POST', '/v1/orders', { source_id: 'wait-1', amount: 1000, status: 'PAID', customer: { source_id: 'wait-ann' } });
    const canceled = await ok('POST', '/v1/orders', { source_id: 'wait-2', amount: 1000, status: 'PAID', customer: { source_id: 'wait-ann' } });
    const pending = await ok('GET', `/v1/loyalties/${program.id}/members/${code}/pending-points`);
    expect(pending.data.map((x: any) => [x.order_id, x.points, x.activates_at]).sort()).toEqual(
      [
        [kept.id, 40, '2026-05-15'],
        [canceled.id, 40, '2026-05-15'],
      ].sort(),
    );
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toEqual({ points: 0, balance: 0, pending_points: 80, expired_points: 0, subtracted_points: 0 });
    await ok('PUT', `/v1/orders/${canceled.id}`, { status: 'CANCELED' });
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toMatchObject({ pending_points: 40 });
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${code}/pending-points`)).data.map((x: any) => x.order_id)).toEqual([kept.id]);

    clock.set(new Date('2026-05-15T11:59:59.999Z'));
    expect(await activateDue()).toBe(0);
    clock.set(new Date('2026-05-15T12:00:00Z'));
    expect(await activateDue()).toBe(1);
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toEqual({ points: 40, balance: 40, pending_points: 0, expired_points: 0, subtracted_points: 0 });
    expect((await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data[0]).toMatchObject({ type: 'PENDING_POINTS_ACTIVATION', details: { balance: { points: 40 } } });
    expect(await activateDue()).toBe(0);
    // Canceling the order after its points arrived changes nothing.
    await ok('PUT', `/v1/orders/${kept.id}`, { status: 'CANCELED' });
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card.balance).toBe(40);
  });

  it('are listed per card and per program, and activated, adjusted or canceled by hand', async () => {
    const program = await ok('POST', '/v1/loyalties', { name: 'By hand', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'HAND-', length: 6 } } });
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 25 }, pending_points: { period_type: 'DAY', period_value: 30 } }]);
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'wait-bob' } })).code;
    for (const n of [1, 2, 3]) await ok('POST', '/v1/orders', { source_id: `hand-${n}`, amount: 1000, status: 'PAID', customer: { source_id: 'wait-bob' } });
    const mine = await ok('GET', `/v1/loyalties/members/${code}/pending-points?order=created_at`);
    expect(mine).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(mine.data).toHaveLength(3);
    const [first, second, third] = mine.data.map((x: any) => x.id);
    const paged = await ok('GET', `/v1/loyalties/${program.id}/pending-points?limit=2`);
    expect(paged).toMatchObject({ has_more: true, more_starting_after: second });
    expect(paged.data.map((x: any) => x.id)).toEqual([third, second]);
    expect((await ok('GET', `/v1/loyalties/${program.id}/pending-points?limit=2&starting_after_id=${second}`)).data.map((x: any) => x.id)).toEqual([first]);

    const activated = await ok('POST', `/v1/loyalties/members/${code}/pending-points/${first}/activate`);
    expect(activated).toMatchObject({ points: 25, balance: 25, type: 'loyalty_card', object: 'balance', operation_type: 'MANUAL' });
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card.balance).toBe(25);
    const adjusted = await ok('POST', `/v1/loyalties/members/${code}/pending-points/${second}/balance`, { points: -10 });
    expect(adjusted).toMatchObject({ points: -10, total: 40, object: 'balance', related_object: { type: 'voucher' } });
    const tooMuch = await t.app.inject({ method: 'POST', url: `/v1/loyalties/members/${code}/pending-points/${second}/balance`, headers: p.server, payload: { points: -15 } });
    expect(tooMuch.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    const canceled = await t.app.inject({ method: 'POST', url: `/v1/loyalties/members/${code}/pending-points/${third}/cancel`, headers: p.server });
    expect(canceled.statusCode).toBe(204);
    expect((await ok('GET', `/v1/loyalties/members/${code}/pending-points`)).data.map((x: any) => [x.id, x.points])).toEqual([[second, 15]]);
    // What is no longer pending cannot be touched again; the job activates what is left, with the adjusted points.
    for (const [id, what] of [[first, 'activate'], [third, 'cancel']]) {
      const again = await t.app.inject({ method: 'POST', url: `/v1/loyalties/members/${code}/pending-points/${id}/${what}`, headers: p.server });
      expect(again.json()).toMatchObject({ code: 404, resource_type: 'pending_points' });
    }
    clock.set(new Date('2026-07-01T00:00:00Z'));
    await activateDue();
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toMatchObject({ points: 40, balance: 40 });
  });

  it.skipIf(!specPresent)('pending points payloads validate (webhooks and customer activity)', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type)).toContain(type);
    for (const payload of got) v.check(payload);
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    const activity = (await ok('GET', '/v1/customers/wait-ann/activity?limit=50')).data.filter((a: any) => a.type.startsWith('customer.voucher.loyalty_card.pending_points.'));
    expect(activity.map((a: any) => a.type).sort()).toEqual([
      'customer.voucher.loyalty_card.pending_points.activated',
      'customer.voucher.loyalty_card.pending_points.added',
      'customer.voucher.loyalty_card.pending_points.added',
      'customer.voucher.loyalty_card.pending_points.canceled',
    ]);
    const byHand = (await ok('GET', '/v1/customers/wait-bob/activity?limit=50')).data.filter((a: any) => a.type.startsWith('customer.voucher.loyalty_card.pending_points.'));
    expect(new Set(byHand.map((a: any) => a.type))).toEqual(new Set(['customer.voucher.loyalty_card.pending_points.added', 'customer.voucher.loyalty_card.pending_points.activated', 'customer.voucher.loyalty_card.pending_points.updated', 'customer.voucher.loyalty_card.pending_points.canceled']));
    for (const a of [...activity, ...byHand]) {
      const validate = spec.compile(spec.entry(a.type)!.schema_ref);
      expect(validate(a.data.data), `${a.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("expire once activated, as their earning rule's points do, counted from the activation", async () => {
    clock.set(new Date('2026-06-01T12:00:00Z'));
    const program = await ok('POST', '/v1/loyalties', {
      name: 'Waiting, then expiring',
      type: 'AUTO_UPDATE',
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 1, rounding_type: 'END_OF_MONTH' } }, code_config: { prefix: 'WEXP-', length: 6 } },
    });
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 30 }, pending_points: { period_type: 'DAY', period_value: 14 } }]);
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'wait-exp' } })).code;
    await ok('POST', '/v1/orders', { source_id: 'wait-exp-1', amount: 1000, status: 'PAID', customer: { source_id: 'wait-exp' } });
    clock.set(new Date('2026-06-15T12:00:00Z'));
    expect(await activateDue()).toBe(1);
    // A month from 15 June, rounded to the end of that month.
    const expiring = await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`);
    expect(expiring.data.map((b: any) => [b.bucket.total_points, b.expires_at])).toEqual([[30, '2026-07-31']]);
  });

  it('that a card cannot hold (2^53 - 1 at most) are canceled by the job, and the other cards get theirs', async () => {
    clock.set(new Date('2026-08-01T12:00:00Z'));
    const program = await ok('POST', '/v1/loyalties', { name: 'Full', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'FULL-', length: 6 } } });
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 40 }, pending_points: { period_type: 'DAY', period_value: 1 } }]);
    const rich = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'full-rich' } })).code;
    const ann = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'full-ann' } })).code;
    const max = Number.MAX_SAFE_INTEGER;
    await t.testDb.db.query('UPDATE vouchers SET loyalty_balance = $1, loyalty_points = $1 WHERE code = $2', [max - 5, rich]);
    // The full card's order first, so that its entry comes first in the job's batch.
    await ok('POST', '/v1/orders', { source_id: 'full-1', amount: 1000, status: 'PAID', customer: { source_id: 'full-rich' } });
    clock.set(new Date('2026-08-01T12:00:01Z'));
    await ok('POST', '/v1/orders', { source_id: 'full-2', amount: 1000, status: 'PAID', customer: { source_id: 'full-ann' } });
    clock.set(new Date('2026-08-02T12:00:01Z'));
    expect(await activateDue()).toBe(2);
    expect((await ok('GET', `/v1/loyalties/members/${ann}`)).loyalty_card.balance).toBe(40);
    expect((await ok('GET', `/v1/loyalties/members/${rich}`)).loyalty_card.balance).toBe(max - 5);
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${rich}/pending-points`)).data).toEqual([]);
    expect(await activateDue()).toBe(0);
  });
});

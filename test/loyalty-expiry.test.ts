/**
 * Points expiry with an injected clock: points earned under expiration rules expire exactly when their last valid
 * day ends (not a moment before), points taken meanwhile are taken from the soonest-expiring first, and the
 * points_expired payloads validate against the official webhook schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { expiresOn } from '../src/modules/loyalties/expiration.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

const clock = fixedClock(new Date('2026-01-15T10:00:00Z'));
let t: TestTessera;
let p: TestProject;
let sink: Sink;

async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const expireDue = async () => {
  let n = 0;
  for (let k; (k = await t.tessera.services.pointsExpiry.step(100)) > 0; ) n += k;
  return n;
};

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, ['voucher.loyalty_card.points_expired']);
  expect((await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'visit', schema: { properties: {} } })).statusCode).toBeLessThan(300);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('expiration rules', () => {
  it('compute the last valid day', () => {
    const at = new Date('2026-01-15T10:00:00Z');
    expect(expiresOn(undefined, at)).toBeUndefined();
    expect(expiresOn({ period_type: 'MONTH', period_value: 1 }, at)).toBe('2026-02-15');
    expect(expiresOn({ period_type: 'MONTH', period_value: 1, rounding_type: 'END_OF_MONTH' }, at)).toBe('2026-02-28');
    expect(expiresOn({ period_type: 'MONTH', period_value: 3, rounding_type: 'END_OF_QUARTER' }, at)).toBe('2026-06-30');
    expect(expiresOn({ period_type: 'MONTH', period_value: 1, rounding_type: 'END_OF_HALF_YEAR' }, at)).toBe('2026-06-30');
    expect(expiresOn({ period_type: 'MONTH', period_value: 12, rounding_type: 'END_OF_YEAR' }, at)).toBe('2027-12-31');
    expect(expiresOn({ period_type: 'MONTH', period_value: 0, rounding_type: 'PARTICULAR_MONTH', rounding_value: 3 }, at)).toBe('2026-03-31');
    expect(expiresOn({ period_type: 'MONTH', period_value: 1, rounding_type: 'PARTICULAR_MONTH', rounding_value: 1 }, at)).toBe('2027-01-31');
    expect(expiresOn({ period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 1, fixed_day: 10 }, at)).toBe('2027-01-10');
    expect(expiresOn({ period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 2, fixed_day: 31 }, at)).toBe('2026-02-28');
    expect(expiresOn({ period_type: 'MONTH', period_value: 1 }, new Date('2026-01-31T00:00:00Z'))).toBe('2026-02-28');
  });
});

describe('points expiry', () => {
  it('expires earned points exactly when their last valid day ends; removals spend the soonest-expiring first', async () => {
    const program = await ok('POST', '/v1/loyalties', {
      name: 'Expiring',
      type: 'AUTO_UPDATE',
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 1, rounding_type: 'END_OF_MONTH' } }, code_config: { prefix: 'EXP-', length: 6 } },
    });
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'visit', loyalty: { type: 'FIXED', points: 100 } }]);
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'exp-ann' } })).code;
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: 'exp-ann' } });
    clock.set(new Date('2026-02-03T08:00:00Z'));
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: 'exp-ann' } });
    // Points added by hand do not expire.
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 5 });
    const buckets = await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`);
    expect(buckets.data.map((b: any) => [b.expires_at, b.bucket.total_points])).toEqual([
      ['2026-02-28', 100],
      ['2026-03-31', 100],
    ]);
    // total counts every bucket, not the page's; the path without the program answers the same.
    expect(buckets.total).toBe(2);
    const second = await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration?limit=1&page=2`);
    expect(second).toMatchObject({ total: 2, data: [{ expires_at: '2026-03-31' }] });
    expect(await ok('GET', `/v1/loyalties/members/${code}/points-expiration?limit=1`)).toMatchObject({ total: 2, data: [{ expires_at: '2026-02-28' }] });
    // 30 taken: from the bucket that expires first.
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: -30 });
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`)).data.map((b: any) => b.bucket.total_points)).toEqual([70, 100]);

    clock.set(new Date('2026-02-28T23:59:59.999Z'));
    expect(await expireDue()).toBe(0);
    // The member's card with its figures: balance = points - expired - subtracted - redeemed; what expires next.
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toEqual({ points: 205, balance: 175, pending_points: 0, expired_points: 0, subtracted_points: 30, next_expiration_date: '2026-02-28', next_expiration_points: 70 });
    clock.set(new Date('2026-03-01T00:00:00Z'));
    expect(await expireDue()).toBe(1);
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${code}`)).loyalty_card).toEqual({ points: 205, balance: 105, pending_points: 0, expired_points: 70, subtracted_points: 30, next_expiration_date: '2026-03-31', next_expiration_points: 100 });
    const tx = (await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data[0];
    expect(tx).toMatchObject({ type: 'POINTS_EXPIRATION', source: 'Automation', details: { balance: { points: -70, balance: 105 } } });
    // Nothing more is due until the next bucket's day ends; then it expires, and the card keeps the 5 added by hand.
    expect(await expireDue()).toBe(0);
    clock.set(new Date('2026-04-01T00:00:00Z'));
    expect(await expireDue()).toBe(1);
    // Nothing left to expire: no next expiry.
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toEqual({ points: 205, balance: 5, pending_points: 0, expired_points: 170, subtracted_points: 30 });
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`)).data).toEqual([]);
    const activity = await ok('GET', '/v1/customers/exp-ann/activity?type=customer.voucher.loyalty_card.points_expired');
    expect(activity.data.map((a: any) => a.data.data.points)).toEqual([100, 70]);
  });

  it.skipIf(!specPresent)('points_expired payloads validate (the webhook and the customer activity)', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(['voucher.loyalty_card.points_expired']);
    const got = sink.received.map((r) => r.json).filter((g) => g.type === 'voucher.loyalty_card.points_expired');
    expect(got).toHaveLength(2);
    for (const payload of got) v.check(payload);
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    const validate = spec.compile(spec.entry('customer.voucher.loyalty_card.points_expired')!.schema_ref);
    for (const a of (await ok('GET', '/v1/customers/exp-ann/activity?type=customer.voucher.loyalty_card.points_expired')).data) {
      expect(validate(a.data.data), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('points that expire on the same day share one bucket, expired as one change', async () => {
    clock.set(new Date('2026-04-10T09:00:00Z'));
    const program = (await ok('GET', '/v1/loyalties')).campaigns.find((l: any) => l.name === 'Expiring');
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'exp-bob' } })).code;
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: 'exp-bob' } });
    clock.set(new Date('2026-04-20T09:00:00Z'));
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: 'exp-bob' } });
    const buckets = (await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`)).data;
    expect(buckets.map((b: any) => [b.expires_at, b.bucket.total_points])).toEqual([['2026-05-31', 200]]);
    clock.set(new Date('2026-06-01T00:00:00Z'));
    expect(await expireDue()).toBe(1);
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toMatchObject({ points: 200, balance: 0 });
    const txs = (await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data.filter((t: any) => t.type === 'POINTS_EXPIRATION');
    expect(txs.map((t: any) => t.details.balance.points)).toEqual([-200]);
    const activity = await ok('GET', '/v1/customers/exp-bob/activity?type=customer.voucher.loyalty_card.points_expired');
    expect(activity.data.map((a: any) => [a.data.data.points, a.data.data.buckets.length])).toEqual([[200, 1]]);
  });

  it('points added by hand expire as asked: never by default, on a custom day, or by the program\'s rules', async () => {
    clock.set(new Date('2026-07-10T09:00:00Z'));
    const program = (await ok('GET', '/v1/loyalties')).campaigns.find((l: any) => l.name === 'Expiring');
    const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'exp-cal' } })).code;
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 1 });
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 2, expiration_type: 'NON_EXPIRING' });
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 10, expiration_type: 'CUSTOM_DATE', expiration_date: '2026-07-20' });
    await ok('POST', `/v1/loyalties/${program.id}/members/${code}/balance`, { points: 20, expiration_type: 'CUSTOM_DATE', expiration_date: '2026-07-25T15:00:00Z' });
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 40, expiration_type: 'PROGRAM_RULES' });
    const buckets = await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`);
    expect(buckets.data.map((b: any) => [b.expires_at, b.bucket.total_points])).toEqual([
      ['2026-07-20', 10],
      ['2026-07-25', 20],
      // The program keeps points a month, to the end of that month.
      ['2026-08-31', 40],
    ]);
    const refused = async (body: object) => {
      const res = await t.app.inject({ method: 'POST', url: `/v1/loyalties/members/${code}/balance`, headers: p.server, payload: body });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_add_balance_params' });
    };
    await refused({ points: 5, expiration_type: 'CUSTOM_DATE' });
    await refused({ points: 5, expiration_type: 'CUSTOM_DATE', expiration_date: '2026-07-09' });
    await refused({ points: 5, expiration_type: 'CUSTOM_DATE', expiration_date: 'next week' });
    await refused({ points: 5, expiration_type: 'CUSTOM_DATE', expiration_date: '2026-02-30' });
    await refused({ points: 5, expiration_date: '2026-12-01' });
    // The custom day's points expire when it ends, by the expiry job.
    clock.set(new Date('2026-07-20T23:59:59.999Z'));
    expect(await expireDue()).toBe(0);
    clock.set(new Date('2026-07-21T00:00:00Z'));
    expect(await expireDue()).toBe(1);
    expect((await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card).toMatchObject({ points: 73, balance: 63 });
  });

  it("points transferred in expire by the receiving program's rules, counted from the transfer", async () => {
    clock.set(new Date('2026-07-22T09:00:00Z'));
    const expiring = (await ok('GET', '/v1/loyalties')).campaigns.find((l: any) => l.name === 'Expiring');
    const plain = await ok('POST', '/v1/loyalties', { name: 'Never expiring', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const into = (await ok('POST', `/v1/loyalties/${expiring.id}/members`, { customer: { source_id: 'exp-tia' } })).code;
    const from = (await ok('POST', `/v1/loyalties/${plain.id}/members`, { customer: { source_id: 'exp-tia' } })).code;
    await ok('POST', `/v1/loyalties/members/${from}/balance`, { points: 50 });
    await ok('POST', `/v1/loyalties/${expiring.id}/members/${into}/transfers`, [{ code: from, points: 30 }]);
    const last = expiresOn(expiring.voucher.loyalty_card.expiration_rules, clock.now());
    expect(last).toBeDefined();
    const buckets = await ok('GET', `/v1/loyalties/${expiring.id}/members/${into}/points-expiration`);
    expect(buckets.data.map((b: any) => [b.expires_at, b.bucket.total_points])).toEqual([[last, 30]]);
    // Back into the program without rules: they never expire there.
    await ok('POST', `/v1/loyalties/${plain.id}/members/${from}/transfers`, [{ code: into, points: 10 }]);
    expect((await ok('GET', `/v1/loyalties/${plain.id}/members/${from}/points-expiration`)).data).toEqual([]);
    expect((await ok('GET', `/v1/loyalties/${expiring.id}/members/${into}/points-expiration`)).data.map((b: any) => b.bucket.total_points)).toEqual([20]);
  });

  it('gives the expiry day as stored whatever the time zone of the server, east of UTC too (buckets and their export)', async () => {
    const zone = process.env.TZ;
    // Node reads TZ again when it is set; a day read as a local midnight is a day early here.
    process.env.TZ = 'Asia/Tokyo';
    try {
      clock.set(new Date('2026-06-10T09:00:00Z'));
      const program = (await ok('GET', '/v1/loyalties')).campaigns.find((l: any) => l.name === 'Expiring');
      const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'exp-cy' } })).code;
      await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: 'exp-cy' } });
      const buckets = (await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`)).data;
      expect(buckets.map((b: any) => b.expires_at)).toEqual(['2026-07-31']);
      const created = await ok('POST', `/v1/loyalties/${program.id}/points-expiration/export`, { parameters: { fields: ['points', 'expires_at'] } });
      while ((await t.tessera.services.exports.step()) > 0);
      const done = await ok('GET', `/v1/exports/${created.id}`);
      const file = await t.app.inject({ method: 'GET', url: new URL(done.result.url).pathname + new URL(done.result.url).search });
      expect(file.body.trim().split('\n')).toEqual(['Points,Expires At', '100,2026-07-31']);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

/**
 * Distributions on the loyalty and reward triggers: tier joined/upgraded/downgraded/left, points expired, pending
 * points, gift credits added and reward redemptions fire a distribution (narrowed to one program by trigger.campaign_id when given), and
 * what the receiver gets validates against WebhookDistributionPayload and the data schema of its event type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent } from './helpers/conformance.js';
import { deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

const clock = fixedClock(new Date('2026-03-10T10:00:00Z'));
let t: TestTessera;
let p: TestProject;
let sink: Sink;
let program: any;
let other: any;
let code: string;
const distr: Record<string, any> = {};

async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const receivedBy = (name: string): any[] => sink.received.filter((r) => r.json?.source?.id === distr[name].id).map((r) => r.json);
const channel = (event_name: string) => ({ type: 'webhook', target_url: sink.url, event_name });

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  program = await ok('POST', '/v1/loyalties', {
    name: 'Club',
    type: 'AUTO_UPDATE',
    voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 0, rounding_type: 'END_OF_MONTH' } }, code_config: { prefix: 'CLUB-', length: 6 } },
  });
  other = await ok('POST', '/v1/loyalties', { name: 'Other club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
  await ok('POST', `/v1/loyalties/${program.id}/tiers`, [
    { name: 'Bronze', points: { from: 10, to: 99 } },
    { name: 'Gold', points: { from: 100 } },
  ]);
  const on = (name: string, type: string, campaign_id?: string) => ok('POST', '/v1/distributions', { name, trigger: { type, ...(campaign_id ? { campaign_id } : {}) }, channel: channel(name) });
  distr.joined = await on('tier-joined', 'customer.loyalty.tier.joined', program.id);
  distr.upgraded = await on('tier-upgraded', 'customer.loyalty.tier.upgraded');
  distr.downgraded = await on('tier-downgraded', 'customer.loyalty.tier.downgraded');
  distr.left = await on('tier-left', 'customer.loyalty.tier.left');
  distr.expired = await on('points-expired', 'customer.voucher.loyalty_card.points_expired');
  distr.otherClub = await on('other-club', 'customer.loyalty.tier.joined', other.id);
  const mug = await ok('POST', '/v1/products', { name: 'Mug', source_id: 'mug' });
  const reward = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL', parameters: { product: { id: mug.id } } });
  await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 5 } } });
  distr.reward = await on('reward-redeemed', 'customer.reward_redemptions.completed', program.id);
  distr.credits = await on('credits-added', 'customer.voucher.gift.balance_added');
  const gift = await ok('POST', '/v1/campaigns', { name: 'Credits', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 0 } } });
  const card = (await ok('POST', '/v1/publications', { campaign: { id: gift.id }, customer: { source_id: 'dl-ann' } })).voucher.code;
  await ok('POST', `/v1/vouchers/${card}/balance`, { amount: 1500 });

  code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'dl-ann' } })).code;
  const add = (points: number) => ok('POST', `/v1/loyalties/members/${code}/balance`, { points });
  await add(10); // Bronze: joined
  await add(100); // Gold: upgraded
  await add(-50); // Bronze: downgraded
  await ok('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: reward.id } }); // 55
  await add(-50); // 5: left
  await deliverAll(t);
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('distributions on loyalty and reward triggers', () => {
  it('trigger.campaign_id narrows a loyalty trigger to one program, and is refused elsewhere', async () => {
    expect(distr.joined.trigger).toEqual({ type: 'customer.loyalty.tier.joined', campaign_id: program.id });
    const res = await t.app.inject({ method: 'POST', url: '/v1/distributions', headers: p.server, payload: { name: 'x', trigger: { type: 'customer.order.paid', campaign_id: program.id }, channel: channel('x') } });
    expect(res.statusCode).toBe(400);
    expect(receivedBy('otherClub')).toEqual([]);
  });

  it('tier changes and reward redemptions send their distributions with the event data', () => {
    expect(receivedBy('joined').map((x) => x.data.loyalty_tier.name)).toEqual(['Bronze']);
    expect(receivedBy('upgraded').map((x) => [x.data.loyalty_tier_from.name, x.data.loyalty_tier_to.name])).toEqual([['Bronze', 'Gold']]);
    expect(receivedBy('downgraded').map((x) => [x.data.loyalty_tier_from.name, x.data.loyalty_tier_to.name])).toEqual([['Gold', 'Bronze']]);
    expect(receivedBy('left').map((x) => x.data.loyalty_tier.name)).toEqual(['Bronze']);
    expect(receivedBy('credits').map((x) => [x.data.customer.source_id, x.data.balance.amount])).toEqual([['dl-ann', 1500]]);
    const [redeemed, more] = receivedBy('reward');
    expect(more).toBeUndefined();
    expect(redeemed).toMatchObject({ type: 'reward-redeemed', event: { type: 'customer.reward_redemptions.completed' }, data: { customer: { source_id: 'dl-ann' } } });
  });

  it('expired points send their distribution', async () => {
    expect((await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'visit', schema: { properties: {} } })).statusCode).toBeLessThan(300);
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'visit', loyalty: { type: 'FIXED', points: 7 } }]);
    await ok('POST', '/v1/events', { event: 'visit', customer: { source_id: 'dl-ann' } });
    const txs = (await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data;
    expect(txs.map((x: any) => x.type)).toContain('POINTS_ACCRUAL');
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${code}/points-expiration`)).data.map((b: any) => b.expires_at)).toEqual(['2026-03-31']);
    clock.set(new Date('2026-04-01T00:00:00Z'));
    for (let n; (n = await t.tessera.services.pointsExpiry.step(100)) > 0; );
    await deliverAll(t);
    expect(receivedBy('expired').map((x) => x.data.points)).toEqual([7]);
  });

  it.skipIf(!specPresent)('every payload validates: WebhookDistributionPayload and the data schema of its event type', () => {
    const spec = loadSpec();
    const envelope = spec.compile('WebhookDistributionPayload');
    const all = ['joined', 'upgraded', 'downgraded', 'left', 'expired', 'reward', 'credits'].flatMap(receivedBy);
    // The expiry took the card below Bronze (left) after the visit had brought it back (joined).
    expect(all.length).toBe(9);
    for (const payload of all) {
      expectValid(envelope, payload, `${payload.type} envelope`);
      const entry = spec.entry(payload.event.type);
      if (entry?.schema_ref) expectValid(spec.compile(entry.schema_ref), payload.data, `${payload.type} data`);
    }
  });
});

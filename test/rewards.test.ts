/**
 * Rewards through the official SDK: CRUD, assignments to a loyalty program with a price in points, and members
 * redeeming them: points spent exactly (never below 0 under concurrent redemptions), a limited stock never
 * exceeded, a CAMPAIGN reward's code published to the member, and the reward_redemptions payloads validated.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { apiSpecValidator } from './helpers/api-spec.js';
import { dashboardSession } from './helpers/dashboard-session.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';
import { driver } from './helpers/db.js';
import * as rewardsSql from '../src/modules/rewards/sql.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let server: ReturnType<typeof VoucherifyServerSide>;
const any = (x: unknown) => x as never;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

let program: any;
let coupons: any;

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, ['customer.reward_redemptions.created', 'redemption.succeeded']);
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  program = await ok('POST', '/v1/loyalties', { name: 'Shop club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'SC-', length: 6 } } });
  coupons = await ok('POST', '/v1/campaigns', { name: 'Reward coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, code_config: { prefix: 'RW-', length: 6 } } });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const member = async (source_id: string, points: number) => {
  const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id } })).code;
  if (points > 0) await ok('POST', `/v1/loyalties/members/${code}/balance`, { points });
  return code;
};
const balance = async (code: string) => (await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card.balance;

describe('rewards', () => {
  it('the SDK creates, gets, updates, lists and deletes rewards and assignments; bad input is refused', async () => {
    const made: any = await server.rewards.create(any({ name: 'Coupon 5', type: 'CAMPAIGN', parameters: { campaign: { id: coupons.id } } }));
    expect(made).toMatchObject({ id: expect.stringMatching(/^rew_/), object: 'reward', type: 'CAMPAIGN', stock: null, redeemed: 0 });
    expect(await server.rewards.get(made.id)).toMatchObject({ name: 'Coupon 5' });
    expect(await server.rewards.update(any({ id: made.id, name: 'Coupon 5 EUR' }))).toMatchObject({ name: 'Coupon 5 EUR', updated_at: expect.any(String) });
    expect(((await server.rewards.list(any({}))) as any).data.map((r: any) => r.id)).toContain(made.id);
    const a: any = await server.rewards.createAssignment(made.id, any({ campaign: program.id, parameters: { loyalty: { points: 100 } } }));
    expect(a).toMatchObject({ id: expect.stringMatching(/^rewa_/), reward_id: made.id, related_object_id: program.id, parameters: { loyalty: { points: 100 } } });
    expect(await server.rewards.updateAssignment(made.id, any({ id: a.id, parameters: { loyalty: { points: 120 } } }))).toMatchObject({ parameters: { loyalty: { points: 120 } } });
    expect(((await server.rewards.listAssignments(made.id, any({}))) as any).data).toHaveLength(1);
    expect(((await server.loyalties.listRewardAssignments(program.id, any({}))) as any).data.map((x: any) => x.id)).toEqual([a.id]);
    await server.rewards.deleteAssignment(made.id, a.id);
    await server.rewards.delete(made.id);
    expect((await api('GET', `/v1/rewards/${made.id}`)).json()).toMatchObject({ code: 404, resource_type: 'reward' });
    expect((await api('POST', '/v1/rewards', { name: 'x', type: 'CAMPAIGN', parameters: {} })).statusCode).toBe(400);
    expect((await api('POST', '/v1/rewards', { name: 'x', type: 'CAMPAIGN', parameters: { campaign: { id: 'camp_nope' } } })).statusCode).toBe(404);
    expect((await api('POST', '/v1/rewards', { name: 'x', type: 'GIFT' })).statusCode).toBe(400);
  });

  it('a member redeems a CAMPAIGN reward: the points are spent and a code of the campaign is published to them', async () => {
    const reward = await ok('POST', '/v1/rewards', { name: 'Coupon', type: 'CAMPAIGN', parameters: { campaign: { id: coupons.id } } });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 150 } } });
    const code = await member('rw-ann', 400);
    const r: any = await server.loyalties.redeemReward(program.id, code, any({ reward: { id: reward.id } }));
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', reward: { id: reward.id, voucher: { code: expect.stringMatching(/^RW-/) } } });
    expect(await balance(code)).toBe(250);
    const ann = await ok('GET', '/v1/customers/rw-ann');
    expect((await ok('GET', `/v1/vouchers?customer=${ann.id}&campaign_id=${coupons.id}`)).vouchers.map((v: any) => v.code)).toEqual([r.reward.voucher.code]);
    const tx = (await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data[0];
    expect(tx).toMatchObject({ type: 'POINTS_REDEMPTION', details: { balance: { points: -150, balance: 250 } } });
    // Not enough points: refused, nothing spent, no code.
    const poor = await member('rw-bo', 100);
    const refused = await api('POST', `/v1/loyalties/${program.id}/members/${poor}/redemption`, { reward: { id: reward.id } });
    expect(refused.json()).toMatchObject({ code: 400, key: 'loyalty_card_points_exceeded' });
    expect(await balance(poor)).toBe(100);
    // A reward the program does not offer.
    const other = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL' });
    expect((await api('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: other.id } })).statusCode).toBe(404);
  });

  it('CAMPAIGN rewards of gift credits and of another program\'s points: to the member\'s card, given one first when they hold none', async () => {
    const gift = await ok('POST', '/v1/campaigns', { name: 'Store credit', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 0 } } });
    const partner = await ok('POST', '/v1/loyalties', { name: 'Partner miles', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'PM-', length: 6 } } });
    expect((await api('POST', '/v1/rewards', { name: 'x', type: 'CAMPAIGN', parameters: { campaign: { id: gift.id } } })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect((await api('POST', '/v1/rewards', { name: 'x', type: 'CAMPAIGN', parameters: { campaign: { id: partner.id, balance: 0 } } })).statusCode).toBe(400);
    const credits = await ok('POST', '/v1/rewards', { name: '10 EUR credit', type: 'CAMPAIGN', parameters: { campaign: { id: gift.id, balance: 1000 } } });
    expect(credits.parameters.campaign).toEqual({ id: gift.id, balance: 1000, type: 'GIFT_VOUCHERS' });
    const miles = await ok('POST', '/v1/rewards', { name: '500 miles', type: 'CAMPAIGN', parameters: { campaign: { id: partner.id, balance: 500 } } });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: credits.id, parameters: { loyalty: { points: 100 } } });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: miles.id, parameters: { loyalty: { points: 50 } } });
    const code = await member('rw-gil', 300);
    const cust = await ok('GET', '/v1/customers/rw-gil');
    const first = await ok('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: credits.id } });
    expect(first.reward.voucher).toMatchObject({ campaign_id: gift.id, gift: { balance: 1000 } });
    // Again: the same gift card, credited again.
    await ok('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: credits.id } });
    const cards = (await ok('GET', `/v1/vouchers?customer=${cust.id}&campaign_id=${gift.id}`)).vouchers;
    expect(cards.map((v: any) => v.gift.balance)).toEqual([2000]);
    // Voucherify's older form without the program (the card's), and the program's assignments under reward-assignments.
    const m = await ok('POST', `/v1/loyalties/members/${code}/redemption`, { reward: { id: miles.id } });
    const assignments = await ok('GET', `/v1/loyalties/${program.id}/reward-assignments`);
    const milesAssignment = assignments.data.find((a: any) => a.reward_id === miles.id);
    expect(milesAssignment).toMatchObject({ object: 'reward_assignment', related_object_id: program.id });
    expect(await ok('GET', `/v1/loyalties/${program.id}/reward-assignments/${milesAssignment.id}`)).toEqual(milesAssignment);
    expect(m.reward.voucher).toMatchObject({ campaign_id: partner.id, loyalty_card: { balance: 500 } });
    expect(await balance(code)).toBe(300 - 100 - 100 - 50);
    expect((await ok('GET', `/v1/loyalties/members/${m.reward.voucher.code}/transactions`)).data[0]).toMatchObject({ type: 'POINTS_ACCRUAL', details: { balance: { points: 500 } } });
  });

  it('a MATERIAL reward names a product (and SKU) of the project; the member is answered with them', async () => {
    const cup = await ok('POST', '/v1/products', { name: 'Cup', source_id: 'rw-cup' });
    const large = await ok('POST', `/v1/products/${cup.id}/skus`, { sku: 'Large', source_id: 'rw-cup-l' });
    const plate = await ok('POST', '/v1/products', { name: 'Plate' });
    expect((await api('POST', '/v1/rewards', { name: 'Ghost', type: 'MATERIAL', parameters: { product: { id: 'prod_nope' } } })).json()).toMatchObject({ code: 404, resource_type: 'product' });
    expect((await api('POST', '/v1/rewards', { name: 'Wrong SKU', type: 'MATERIAL', parameters: { product: { id: plate.id, sku_id: large.id } } })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    // By source_id: stored by id.
    const reward = await ok('POST', '/v1/rewards', { name: 'Large cup', type: 'MATERIAL', parameters: { product: { id: 'rw-cup', sku_id: large.id } } });
    expect(reward.parameters).toEqual({ product: { id: cup.id, sku_id: large.id } });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 40 } } });
    const code = await member('rw-gil', 100);
    const r: any = await server.loyalties.redeemReward(program.id, code, any({ reward: { id: reward.id } }));
    expect(r.reward).toMatchObject({ id: reward.id, type: 'MATERIAL', product: { id: cup.id, name: 'Cup', object: 'product' }, sku: { id: large.id, sku: 'Large', product_id: cup.id, object: 'sku' } });
    expect((await ok('GET', `/v1/redemptions/${r.id}`)).reward).toMatchObject({ product: { id: cup.id }, sku: { id: large.id } });
  });

  it('concurrent redemptions spend exactly what the card holds and never more than the stock', async () => {
    const mug = await ok('POST', '/v1/rewards', { name: 'Mug (limited)', type: 'MATERIAL', stock: 3 });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: mug.id, parameters: { loyalty: { points: 10 } } });
    const rich = await member('rw-cy', 1000);
    const results = await Promise.all(Array.from({ length: 8 }, () => api('POST', `/v1/loyalties/${program.id}/members/${rich}/redemption`, { reward: { id: mug.id } })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect((await ok('GET', `/v1/rewards/${mug.id}`)).redeemed).toBe(3);
    expect(await balance(rich)).toBe(970);

    const cheap = await ok('POST', '/v1/rewards', { name: 'Sticker', type: 'MATERIAL' });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: cheap.id, parameters: { loyalty: { points: 30 } } });
    const card = await member('rw-dee', 100);
    const spent = await Promise.all(Array.from({ length: 8 }, () => api('POST', `/v1/loyalties/${program.id}/members/${card}/redemption`, { reward: { id: cheap.id } })));
    expect(spent.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(await balance(card)).toBe(10);
  });

  it.skipIf(!specPresent)('reward redemption payloads validate (the webhook and the customer activity)', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(['customer.reward_redemptions.created', 'redemption.succeeded']);
    const got = sink.received.map((r) => r.json).filter((g) => g.type === 'customer.reward_redemptions.created');
    expect(got.length).toBeGreaterThanOrEqual(4);
    for (const payload of got) v.check(payload);
    // The cards' redemptions too, a MATERIAL reward's product and SKU among them.
    const redeemed = sink.received.map((r) => r.json).filter((g) => g.type === 'redemption.succeeded');
    expect(redeemed.length).toBeGreaterThanOrEqual(4);
    expect(redeemed.some((g) => g.data.redemption.reward?.sku?.sku === 'Large')).toBe(true);
    for (const payload of redeemed) v.check(payload);
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    const validate = spec.compile(spec.entry('customer.reward_redemptions.completed')!.schema_ref);
    const activity = (await ok('GET', '/v1/customers/rw-ann/activity?type=customer.reward_redemptions.completed')).data;
    expect(activity).toHaveLength(1);
    expect(validate(activity[0].data.data), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('a reward redemption is a redemption of the card', () => {
  const expectActivity = apiSpecValidator('readOnly-openAPI');
  const rewardRedemptions = async (rewardId: string) =>
    (await t.tessera.db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM reward_redemptions WHERE reward_id = $1 GROUP BY state ORDER BY state', [rewardId])).rows;

  it('is listed and got, and its rollback gives back the points and the stock unit exactly, once', async () => {
    const lamp = await ok('POST', '/v1/rewards', { name: 'Lamp (one left)', type: 'MATERIAL', stock: 1 });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: lamp.id, parameters: { loyalty: { points: 120 } } });
    const code = await member('rw-fay', 300);
    const r: any = await server.loyalties.redeemReward(program.id, code, any({ reward: { id: lamp.id } }));
    // As Voucherify's examples: the amount and loyalty_card.points are the points paid.
    expect(r).toMatchObject({ object: 'redemption', status: 'SUCCEEDED', amount: 120, loyalty_card: { points: 120 }, reward: { id: lamp.id, type: 'MATERIAL' }, customer: { source_id: 'rw-fay' } });
    expect(await ok('GET', `/v1/redemptions/${r.id}`)).toMatchObject({ id: r.id, status: 'SUCCEEDED', reward: { id: lamp.id } });
    expect((await ok('GET', `/v1/redemptions?voucher=${code}`)).redemptions.map((x: any) => x.id)).toContain(r.id);
    // The dashboard's card page lists it with the points paid and the reward (not as money).
    const { cookie } = await dashboardSession(t.app, p.id);
    const cardPage = (await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/vouchers/${code}`, headers: { cookie } })).body;
    const row = new RegExp(`<tr data-redemption="${r.id}">[\\s\\S]*?</tr>`).exec(cardPage)?.[0] ?? '';
    expect(row).toContain('120 points');
    expect(row).toContain('Lamp (one left)');
    expect((await ok('GET', `/v1/rewards/${lamp.id}`)).redeemed).toBe(1);
    // The one unit is gone: refused without spending.
    expect((await api('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: lamp.id } })).statusCode).toBe(409);
    expect(await balance(code)).toBe(180);
    // A limited reward's stock cannot go below what is redeemed.
    expect((await api('PUT', `/v1/rewards/${lamp.id}`, { stock: 0 })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });

    const back: any = await server.redemptions.rollback(r.id, 'changed my mind');
    expect(back).toMatchObject({ object: 'redemption_rollback', status: 'SUCCEEDED', loyalty_card: { points: 120 }, reward: { id: lamp.id } });
    expect(await balance(code)).toBe(300);
    expect((await ok('GET', `/v1/rewards/${lamp.id}`)).redeemed).toBe(0);
    expect(await rewardRedemptions(lamp.id)).toEqual([{ state: 'ROLLEDBACK', n: 1 }]);
    expect((await api('POST', `/v1/redemptions/${r.id}/rollback`, {})).json()).toMatchObject({ key: 'already_rolled_back' });
    expect(await balance(code)).toBe(300);
    expect((await ok('GET', `/v1/rewards/${lamp.id}`)).redeemed).toBe(0);
    // The unit given back is there to redeem again.
    await ok('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: lamp.id } });
    expect((await ok('GET', `/v1/rewards/${lamp.id}`)).redeemed).toBe(1);

    const rolled = (await ok('GET', '/v1/customers/rw-fay/activity?type=customer.reward_redemptions.rolledback')).data;
    expect(rolled).toHaveLength(1);
    expect(rolled[0].data.data).toMatchObject({ source: back.id, reward: { id: lamp.id }, reward_redemption: { state: 'ROLLEDBACK', source_id: r.id, reward_assignment_id: expect.stringMatching(/^rewa_/) } });
    expectActivity('EventCustomerRewardRedemptionsRolledBack', rolled[0].data.data);
  });

  it('a purchase whose card was deleted for good rolls back and gives its unit back to the stock', async () => {
    const kite = await ok('POST', '/v1/rewards', { name: 'Kite (one left)', type: 'MATERIAL', stock: 1 });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: kite.id, parameters: { loyalty: { points: 50 } } });
    const code = await member('rw-kite', 80);
    const r = await ok('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: kite.id } });
    expect((await ok('GET', `/v1/rewards/${kite.id}`)).redeemed).toBe(1);
    expect((await api('DELETE', `/v1/vouchers/${code}?force=true`)).statusCode).toBe(204);
    expect(await ok('POST', `/v1/redemptions/${r.id}/rollback`, {})).toMatchObject({ object: 'redemption_rollback', status: 'SUCCEEDED' });
    expect((await ok('GET', `/v1/rewards/${kite.id}`)).redeemed).toBe(0);
    expect(await rewardRedemptions(kite.id)).toEqual([{ state: 'ROLLEDBACK', n: 1 }]);
    // The unit is there for another member.
    const other = await member('rw-kite-2', 80);
    await ok('POST', `/v1/loyalties/${program.id}/members/${other}/redemption`, { reward: { id: kite.id } });
    expect((await ok('GET', `/v1/rewards/${kite.id}`)).redeemed).toBe(1);
  });

  it('an unlimited reward takes no lock: concurrent redemptions and rollbacks count exactly', async () => {
    const pen = await ok('POST', '/v1/rewards', { name: 'Pen (unlimited)', type: 'MATERIAL' });
    await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: pen.id, parameters: { loyalty: { points: 10 } } });
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => member(`rw-pen-${i}`, 25)));
    // Each card pays for two pens at most (25 points), asked three times at once.
    const tries = await Promise.all(codes.flatMap((code) => [1, 2, 3].map(() => api('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: pen.id } }))));
    const done = tries.filter((x) => x.statusCode === 200).map((x) => x.json());
    expect(done).toHaveLength(20);
    expect(tries.filter((x) => x.statusCode !== 200).every((x) => x.statusCode === 400 && x.json().key === 'loyalty_card_points_exceeded')).toBe(true);
    // Seven rolled back at once, one of them twice.
    const rollbacks = await Promise.all([...done.slice(0, 7), done[0]].map((x) => api('POST', `/v1/redemptions/${x.id}/rollback`, {})));
    expect(rollbacks.filter((x) => x.statusCode === 200)).toHaveLength(7);
    expect((await ok('GET', `/v1/rewards/${pen.id}`)).redeemed).toBe(13);
    expect(await rewardRedemptions(pen.id)).toEqual([{ state: 'COMPLETED', n: 13 }, { state: 'ROLLEDBACK', n: 7 }]);
    const balances = await Promise.all(codes.map(balance));
    expect(balances.reduce((a, b) => a + b, 0)).toBe(10 * 25 - 13 * 10);
    expect(balances.every((b) => b >= 0)).toBe(true);
  });

  // PGlite runs one transaction at a time: nothing is in flight there while a stock is set.
  it.runIf(driver === 'postgres')('a stock set on an unlimited reward waits for the purchase in flight and counts it', async () => {
    const vase = await ok('POST', '/v1/rewards', { name: 'Vase (unlimited for now)', type: 'MATERIAL' });
    // A purchase in flight: its unit taken and its row written, not committed yet (as a redemption's transaction holds them).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let took: unknown;
    const purchase = t.testDb.db.transaction(async (tx) => {
      took = await rewardsSql.takeStock(tx, { id: vase.id });
      const now = new Date();
      await rewardsSql.insertRewardRedemption(tx, {
        id: `rwrd_race_${vase.id}`, project_id: p.id, redemption_id: `r_race_${vase.id}`, reward_id: vase.id, assignment_id: 'rewa_none', voucher_id: 'v_none',
        campaign_id: null, customer_id: null, points: 10, counted: took === 'counted', state: 'COMPLETED', created_at: now, updated_at: now,
      });
      await held;
    });
    await expect.poll(() => took).toBe('uncounted');
    // A stock of 0 asked meanwhile waits for the purchase, then counts it: refused, as it would be a moment later.
    const setting = api('PUT', `/v1/rewards/${vase.id}`, { stock: 0 });
    let settled = false;
    void setting.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    release();
    await purchase;
    expect((await setting).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(await ok('GET', `/v1/rewards/${vase.id}`)).toMatchObject({ stock: null, redeemed: 1 });
    // A stock of 1 holds: the next purchase finds none left.
    expect(await ok('PUT', `/v1/rewards/${vase.id}`, { stock: 1 })).toMatchObject({ stock: 1, redeemed: 1 });
    expect(await t.testDb.db.transaction((tx) => rewardsSql.takeStock(tx, { id: vase.id }))).toBe(false);
    expect(await rewardRedemptions(vase.id)).toEqual([{ state: 'COMPLETED', n: 1 }]);
  });
});

describe('lists of assignments and tiers', () => {
  it("page a program's and a reward's assignments (total counts all), narrow to one by assignment_id, and order tiers", async () => {
    const club = await ok('POST', '/v1/loyalties', { name: 'Paging club', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const made = [];
    for (const n of [1, 2, 3]) {
      const reward = await ok('POST', '/v1/rewards', { name: `Paging gift ${n}`, type: 'MATERIAL', parameters: { product: { id: (await ok('POST', '/v1/products', { name: `Paging thing ${n}`, price: 100 })).id } } });
      made.push(await ok('POST', `/v1/loyalties/${club.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 10 * n } } }));
    }
    const all = await ok('GET', `/v1/loyalties/${club.id}/rewards`);
    expect(all.data.map((a: any) => a.id)).toEqual(made.map((a) => a.id));
    const second = await ok('GET', `/v1/loyalties/${club.id}/rewards?limit=2&page=2`);
    expect(second).toMatchObject({ total: 3 });
    expect(second.data.map((a: any) => a.id)).toEqual([made[2].id]);
    expect((await ok('GET', `/v1/loyalties/${club.id}/rewards?assignment_id=${made[1].id}`)).data.map((a: any) => a.id)).toEqual([made[1].id]);
    expect((await ok('GET', `/v1/loyalties/${club.id}/reward-assignments?limit=1`)).data).toHaveLength(1);
    const ofAssignment = await ok('GET', `/v1/rewards?assignment_id=${made[1].id}`);
    expect(ofAssignment).toMatchObject({ total: 1 });
    expect(ofAssignment.data.map((r: any) => r.id)).toEqual([made[1].reward_id]);
    const ofReward = await ok('GET', `/v1/rewards/${made[0].reward_id}/assignments?limit=1&page=1`);
    expect(ofReward).toMatchObject({ total: 1 });
    expect((await api('GET', `/v1/loyalties/${club.id}/rewards?limit=0`)).statusCode).toBe(400);

    await ok('POST', `/v1/loyalties/${club.id}/tiers`, [{ name: 'Silver', points: { from: 100, to: 499 } }]);
    await new Promise((r) => setTimeout(r, 5));
    await ok('POST', `/v1/loyalties/${club.id}/tiers`, [{ name: 'Bronze', points: { from: 0, to: 99 } }]);
    const byPoints = await ok('GET', `/v1/loyalties/${club.id}/tiers`);
    expect(byPoints.data.map((x: any) => x.name)).toEqual(['Bronze', 'Silver']);
    const newest = await ok('GET', `/v1/loyalties/${club.id}/tiers?order=-created_at&limit=1`);
    expect(newest).toMatchObject({ total: 2, has_more: true });
    expect(newest.data.map((x: any) => x.name)).toEqual(['Bronze']);
    expect((await ok('GET', `/v1/loyalties/${club.id}/tiers?order=created_at`)).data.map((x: any) => x.name)).toEqual(['Silver', 'Bronze']);
  });
});

/**
 * Loyalty cards as redeemables of /v1/validations and /v1/redemptions (the official SDK's validateStackable and
 * redeemStackable): a card pays for the reward it names. A COIN (pay with points) reward takes what the points are
 * worth off the order; a CAMPAIGN or MATERIAL reward costs its price in the card's program and gives what it is.
 * Rollbacks give the points back exactly (POINTS_REFUND); concurrent redemptions never take a card below 0; the
 * payloads validate against the official schemas.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestsOf } from './helpers/requests.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let server: ReturnType<typeof VoucherifyServerSide>;
const any = (x: unknown) => x as never;
const types = ['redemption.succeeded', 'redemption.failed', 'redemption.rollback.succeeded', 'voucher.loyalty_card.transaction.created'];

const { api, ok } = requestsOf(() => ({ t, p }));
async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

let program: any;
let coin: any;
let coupon: any;
let mug: any;

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  program = await ok('POST', '/v1/loyalties', { name: 'Pay club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'PC-', length: 6 } } });
  // 1 point is worth 10 cents.
  coin = await ok('POST', '/v1/rewards', { name: 'Pay with points', type: 'COIN', parameters: { coin: { exchange_ratio: 0.1 } } });
  expect(coin.parameters).toEqual({ coin: { exchange_ratio: 0.1, points_ratio: 1 } });
  await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: coin.id });
  const coupons = await ok('POST', '/v1/campaigns', { name: 'Club coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, code_config: { prefix: 'CC-', length: 6 } } });
  coupon = await ok('POST', '/v1/rewards', { name: 'Coupon', type: 'CAMPAIGN', parameters: { campaign: { id: coupons.id } } });
  await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: coupon.id, parameters: { loyalty: { points: 150 } } });
  mug = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL' });
  await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: mug.id, parameters: { loyalty: { points: 30 } } });
  await ok('POST', '/v1/vouchers/LR-TEN', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 } });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const member = async (source_id: string, points: number) => {
  const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id } })).code;
  if (points > 0) await ok('POST', `/v1/loyalties/members/${code}/balance`, { points });
  return code as string;
};
const card = async (code: string) => (await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card;

describe('paying with points (COIN rewards)', () => {
  it('validates without spending, then redeems: the points pay what is left of the order, no more', async () => {
    const code = await member('lr-ann', 500);
    const order = { amount: 10_000, items: [{ source_id: 'lr-item', related_object: 'product', quantity: 1, price: 10_000, amount: 10_000 }] };
    const redeemables = [{ object: 'voucher', id: code, reward: { id: coin.id } }];
    const v: any = await server.validations.validateStackable(any({ redeemables, order, customer: { source_id: 'lr-ann' } }));
    expect(v.valid).toBe(true);
    // 500 points at 10 cents each: 50.00 off a 100.00 order.
    expect(v.redeemables[0].result).toMatchObject({ loyalty_card: { points: 500, balance: 500 }, reward: { id: coin.id, type: 'COIN' }, discount: { type: 'AMOUNT', amount_off: 5000 } });
    expect(v.order).toMatchObject({ amount: 10_000, total_discount_amount: 5000, total_amount: 5000 });
    expect((await card(code)).balance).toBe(500);

    const r: any = await server.redemptions.redeemStackable(any({ redeemables, order, customer: { source_id: 'lr-ann' } }));
    const red = r.redemptions[0];
    expect(red).toMatchObject({ result: 'SUCCESS', amount: 500, loyalty_card: { points: 500 }, reward: { id: coin.id, assignment_id: expect.stringMatching(/^rewa_/) }, voucher: { code } });
    expect(r.order).toMatchObject({ total_discount_amount: 5000, total_amount: 5000, status: 'PAID' });
    expect(await card(code)).toMatchObject({ balance: 0, points: 500 });
    const tx = (await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data[0];
    expect(tx).toMatchObject({ type: 'POINTS_REDEMPTION', details: { balance: { points: -500, balance: 0 }, redemption: { id: red.id }, reward: { id: coin.id } } });
  });

  it('takes the fewest points that pay the order, or the points asked for, after the other redeemables', async () => {
    const code = await member('lr-bo', 1000);
    // 30.00 left after LR-TEN's 10.00: 300 points.
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'LR-TEN' }, { object: 'voucher', id: code, reward: { id: coin.id } }], order: { amount: 4000 }, customer: { source_id: 'lr-bo' } });
    expect(r.redemptions.map((x: any) => x.amount)).toEqual([1000, 300]);
    expect(r.order).toMatchObject({ total_discount_amount: 4000, total_amount: 0 });
    expect((await card(code)).balance).toBe(700);
    const asked = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, reward: { id: coin.id, points: 120 } }], order: { amount: 4000 }, customer: { source_id: 'lr-bo' } });
    expect(asked.redemptions[0].amount).toBe(120);
    expect(asked.order).toMatchObject({ total_discount_amount: 1200, total_amount: 2800 });
    expect((await card(code)).balance).toBe(580);
  });

  it('refuses what cannot be paid: no reward, a reward the program does not offer, too many points, no order', async () => {
    const code = await member('lr-cy', 100);
    const refusal = async (redeemable: Record<string, unknown>, order?: Record<string, unknown>) => {
      const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code, ...redeemable }], ...(order ? { order } : {}) });
      expect(v.valid).toBe(false);
      const res = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, ...redeemable }], ...(order ? { order } : {}) });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().key).toBe(v.inapplicable_redeemables[0].result.error.key);
      return res.json();
    };
    expect(await refusal({}, { amount: 1000 })).toMatchObject({ code: 400, key: 'missing_reward' });
    expect(await refusal({ reward: { id: 'rew_nope' } }, { amount: 1000 })).toMatchObject({ code: 404, resource_type: 'reward' });
    const unassigned = await ok('POST', '/v1/rewards', { name: 'Not offered', type: 'MATERIAL' });
    expect(await refusal({ reward: { id: unassigned.id } }, { amount: 1000 })).toMatchObject({ code: 404, resource_type: 'reward_assignment' });
    expect(await refusal({ reward: { id: coin.id, points: 101 } }, { amount: 100_000 })).toMatchObject({ code: 400, key: 'loyalty_card_points_exceeded' });
    expect(await refusal({ reward: { id: coin.id, points: 0 } }, { amount: 1000 })).toMatchObject({ code: 400, key: 'invalid_redeemables' });
    expect(await refusal({ reward: { id: coin.id } })).toMatchObject({ code: 400, key: 'missing_order' });
    expect(await refusal({ reward: { id: coupon.id } }, { amount: 1000 })).toMatchObject({ code: 400, key: 'loyalty_card_points_exceeded' });
    expect((await card(code)).balance).toBe(100);
    const failed = await ok('GET', `/v1/redemptions?voucher=${code}`);
    expect(failed.redemptions.every((x: any) => x.result === 'FAILURE')).toBe(true);
  });

  it("the SDK's redeemReward pays for an order with points too (a redemption of the card, as /v1/redemptions)", async () => {
    const code = await member('lr-gus', 300);
    const r: any = await server.loyalties.redeemReward(program.id, code, any({ reward: { id: coin.id, points: 100 }, order: { amount: 5000 } }));
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', amount: 100, loyalty_card: { points: 100 }, reward: { id: coin.id }, order: { total_discount_amount: 1000, total_amount: 4000 } });
    expect((await card(code)).balance).toBe(200);
    const bad = await api('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: coin.id }, order: { amount: 'lots' } });
    expect(bad.statusCode).toBe(400);
    expect((await api('POST', `/v1/loyalties/${program.id}/members/${code}/redemption`, { reward: { id: coin.id } })).json()).toMatchObject({ code: 400, key: 'missing_order' });
    expect((await card(code)).balance).toBe(200);
  });

  it('refuses a COIN reward with nothing left to pay: no points, no stock unit taken', async () => {
    const scarce = await ok('POST', '/v1/rewards', { name: 'Nothing to pay', type: 'COIN', stock: 5, parameters: { coin: { exchange_ratio: 0.1 } } });
    const club = await ok('POST', '/v1/loyalties', { name: 'Covered club', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 100 } } });
    await ok('POST', `/v1/loyalties/${club.id}/rewards`, { reward: scarce.id });
    const code = (await ok('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: 'lr-covered' } })).code as string;
    await ok('POST', '/v1/vouchers/LR-FULL', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 } });
    const redeemables = [{ object: 'voucher', id: 'LR-FULL' }, { object: 'voucher', id: code, reward: { id: scarce.id } }];
    const v = await ok('POST', '/v1/validations', { redeemables, order: { amount: 1000 }, customer: { source_id: 'lr-covered' } });
    expect(v.valid).toBe(false);
    expect(v.redeemables[1]).toMatchObject({ status: 'INAPPLICABLE', result: { error: { key: 'invalid_redeemables' } } });
    const r = await api('POST', '/v1/redemptions', { redeemables, order: { amount: 1000 }, customer: { source_id: 'lr-covered' } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 400, key: 'invalid_redeemables', details: expect.stringMatching(/nothing is left to pay/) });
    expect((await ok('GET', `/v1/rewards/${scarce.id}`)).redeemed).toBe(0);
    expect((await card(code)).balance).toBe(100);
  });

  it('a COIN reward with a stock pays for that many orders, concurrently too; a rollback gives a unit back', async () => {
    const scarce = await ok('POST', '/v1/rewards', { name: 'Two orders with points', type: 'COIN', stock: 2, parameters: { coin: { exchange_ratio: 0.1 } } });
    const club = await ok('POST', '/v1/loyalties', { name: 'Scarce club', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    await ok('POST', `/v1/loyalties/${club.id}/rewards`, { reward: scarce.id });
    const codes = await Promise.all(['lr-s1', 'lr-s2', 'lr-s3', 'lr-s4'].map(async (source_id) => {
      const code = (await ok('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id } })).code as string;
      await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 100 });
      return code;
    }));
    const paid = await Promise.all(codes.map((code) => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, reward: { id: scarce.id, points: 50 } }], order: { amount: 1000 } })));
    const ok2 = paid.filter((r) => r.statusCode === 200);
    expect(ok2).toHaveLength(2);
    expect(paid.filter((r) => r.statusCode !== 200).every((r) => r.statusCode === 409)).toBe(true);
    expect((await ok('GET', `/v1/rewards/${scarce.id}`)).redeemed).toBe(2);
    // Only the cards that paid spent points.
    expect((await Promise.all(codes.map(card))).map((c: any) => c.balance).sort()).toEqual([100, 100, 50, 50].sort());
    await ok('POST', `/v1/redemptions/${ok2[0]!.json().redemptions[0].id}/rollback`, {});
    expect((await ok('GET', `/v1/rewards/${scarce.id}`)).redeemed).toBe(1);
  });

  it('a rollback gives the points back exactly (POINTS_REFUND: the balance, not the points earned)', async () => {
    const code = await member('lr-dee', 400);
    const r: any = await server.redemptions.redeemStackable(any({ redeemables: [{ object: 'voucher', id: code, reward: { id: coin.id } }], order: { amount: 2500 }, customer: { source_id: 'lr-dee' } }));
    expect(await card(code)).toMatchObject({ balance: 150, points: 400 });
    expect((await ok('GET', `/v1/vouchers/${code}`)).redemption).toMatchObject({ redeemed_points: 250, redeemed_amount: 0 });
    expect((await ok('GET', '/v1/customers/lr-dee')).summary.redemptions.loyalty_card).toEqual({ redeemed_points: 250, points_to_go: 150 });
    const back: any = await server.redemptions.rollback(r.redemptions[0].id, 'order canceled');
    expect(back).toMatchObject({ object: 'redemption_rollback', result: 'SUCCESS', amount: -250, loyalty_card: { points: 250 } });
    expect(await card(code)).toMatchObject({ balance: 400, points: 400 });
    expect((await ok('GET', `/v1/vouchers/${code}`)).redemption.redeemed_points).toBe(0);
    expect((await ok('GET', '/v1/customers/lr-dee')).summary.redemptions.loyalty_card).toEqual({ redeemed_points: 0, points_to_go: 400 });
    const tx = (await ok('GET', `/v1/loyalties/members/${code}/transactions`)).data[0];
    expect(tx).toMatchObject({ type: 'POINTS_REFUND', reason: 'order canceled', details: { balance: { points: 250, balance: 400 }, redemption: { id: r.redemptions[0].id }, rollback: { id: back.id } } });
    expect((await api('POST', `/v1/redemptions/${r.redemptions[0].id}/rollback`, {})).json()).toMatchObject({ key: 'already_rolled_back' });
    expect((await card(code)).balance).toBe(400);
  });
});

describe('CAMPAIGN and MATERIAL rewards through /v1/redemptions', () => {
  it('spends the price and gives the reward: a coupon of the campaign is published to the member', async () => {
    const code = await member('lr-eve', 200);
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, reward: { id: coupon.id } }], customer: { source_id: 'lr-eve' } });
    expect(r.redemptions[0]).toMatchObject({ amount: 150, loyalty_card: { points: 150 }, reward: { id: coupon.id, type: 'CAMPAIGN', voucher: { code: expect.stringMatching(/^CC-/) } } });
    expect((await card(code)).balance).toBe(50);
    // The redemption's voucher is the card after it paid (as a gift card's shows its balance after).
    expect(r.redemptions[0].voucher.loyalty_card).toMatchObject({ points: 200, balance: 50 });
    expect(r.redemptions[0].voucher.redemption).toMatchObject({ redeemed_points: 150 });
    const eve = await ok('GET', '/v1/customers/lr-eve');
    const held = (await ok('GET', `/v1/vouchers?customer=${eve.id}`)).vouchers.map((v: any) => v.code);
    expect(held).toContain(r.redemptions[0].reward.voucher.code);
  });

  it('concurrent redemptions on one card: exactly what the balance pays succeeds; rollbacks interleaved stay exact', async () => {
    const code = await member('lr-fay', 100);
    const results = await Promise.all(Array.from({ length: 8 }, () => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, reward: { id: mug.id } }] })));
    const won = results.filter((r) => r.statusCode === 200);
    expect(won).toHaveLength(3);
    expect(results.filter((r) => r.statusCode !== 200).every((r) => r.json().key === 'loyalty_card_points_exceeded')).toBe(true);
    expect((await card(code)).balance).toBe(10);
    // Roll two back while four more try to spend: balance and rows agree afterwards.
    const ids = won.map((r) => r.json().redemptions[0].id as string);
    await Promise.all([
      ...ids.slice(0, 2).map((id) => api('POST', `/v1/redemptions/${id}/rollback`, {})),
      ...Array.from({ length: 4 }, () => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, reward: { id: mug.id } }] })),
    ]);
    const v = (await ok('GET', `/v1/vouchers/${code}`)).id;
    const spent = await count("SELECT count(*) AS n FROM loyalty_transactions WHERE voucher_id = $1 AND type = 'POINTS_REDEMPTION'", [v]);
    const refunded = await count("SELECT count(*) AS n FROM loyalty_transactions WHERE voucher_id = $1 AND type = 'POINTS_REFUND'", [v]);
    const succeeded = await count("SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'", [v]);
    expect(refunded).toBe(2);
    expect(succeeded).toBe(spent - refunded);
    expect((await card(code)).balance).toBe(100 - 30 * succeeded);
    expect((await ok('GET', `/v1/vouchers/${code}`)).redemption.redeemed_points).toBe(30 * succeeded);
    expect((await card(code)).balance).toBeGreaterThanOrEqual(0);
  });
});

describe.skipIf(!specPresent)('payloads', () => {
  it('redemption, failure, rollback and loyalty transaction webhooks of loyalty cards validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.some((g) => g.type === type), type).toBe(true);
    for (const payload of got) v.check(payload);
    const refund = got.find((g) => g.type === 'voucher.loyalty_card.transaction.created' && g.data.transaction.type === 'POINTS_REFUND');
    expect(refund.data.transaction.details.rollback.id).toMatch(/^rr_/);
    const paid = got.find((g) => g.type === 'redemption.succeeded' && g.data.redemption.reward?.id === coin.id);
    expect(paid.data.voucher.code).toMatch(/^PC-/);
  });
});

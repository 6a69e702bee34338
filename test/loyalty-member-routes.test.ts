/**
 * A member's activity, rewards and a reward assignment's reward, through the official SDK's listMemberActivity,
 * getMemberActivities, listMemberRewards and getRewardDetails: the card's part of its holder's activity (newest
 * first, cursor paging, nothing of the holder's other cards), the program's rewards at the member's tier prices
 * (affordable_only, paging), 404s naming the resource and 400s for bad query params.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { apiSpecValidator } from './helpers/api-spec.js';
import { mgmt } from './helpers/sendouts.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
/** Points expire by this clock; each change moves it on a second, so that records differ in time too. */
const clock = fixedClock(new Date('2026-01-15T10:00:00Z'));

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
async function program(name: string, loyalty_card: Record<string, unknown> = { points: 0 }): Promise<any> {
  return ok('POST', '/v1/loyalties', { name, type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card, code_config: { prefix: `${name.slice(0, 3).toUpperCase()}-`, length: 8 } } });
}
async function member(programId: string, source_id: string): Promise<any> {
  return ok('POST', `/v1/loyalties/${programId}/members`, { customer: { source_id } });
}
async function addPoints(code: string, points: number) {
  clock.advance(1000);
  return ok('POST', `/v1/loyalties/members/${code}/balance`, { points });
}

/** The official response schemas of loyalties.json (fair copy), when the spec folder is there. */
const expectOfficial = apiSpecValidator('loyalties', (schemas) => {
  // MemberActivityData is a oneOf of event payloads without required keys, which no payload can match exactly
  // once: the envelope and each record's own fields are checked, the payloads have their webhook suites.
  schemas.MemberActivityData = {};
  // The type enum spells two types "succceeded"; Tessera sends them as Voucherify's activity and webhooks do.
  schemas.MemberActivity.properties.type.enum.push('customer.redemption.succeeded', 'customer.redemption.rollback.succeeded');
});

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  const res = await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'review_left', schema: { properties: {} } });
  expect(res.statusCode, res.body).toBeLessThan(300);
});
afterAll(() => t.close());

describe("a member's activity", () => {
  let club: any;
  let card: any;
  let other: any;
  let all: any[];

  beforeAll(async () => {
    // Earned points last until the end of the next month.
    club = await program('Club', { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 1, rounding_type: 'END_OF_MONTH' } });
    await ok('POST', `/v1/loyalties/${club.id}/tiers`, [{ name: 'Silver', points: { from: 100, to: 499 } }, { name: 'Gold', points: { from: 500 } }]);
    await ok('POST', `/v1/loyalties/${club.id}/earning-rules`, [{ event: 'review_left', loyalty: { type: 'FIXED', points: 20 } }]);
    const mug = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL' });
    await ok('POST', `/v1/loyalties/${club.id}/rewards`, { reward: mug.id, parameters: { loyalty: { points: 30 } } });
    const coin = await ok('POST', '/v1/rewards', { name: 'Club coins', type: 'COIN', parameters: { coin: { exchange_ratio: 0.1 } } });
    await ok('POST', `/v1/loyalties/${club.id}/rewards`, { reward: coin.id });
    card = await member(club.id, 'act-ann');
    // The same customer in another program with tiers of its own: none of that is this card's activity.
    const second = await program('Second');
    await ok('POST', `/v1/loyalties/${second.id}/tiers`, [{ name: 'Bronze', points: { from: 1 } }]);
    other = await member(second.id, 'act-ann');
    await addPoints(other.code, 40);
    await addPoints(card.code, 150); // joins Silver
    await addPoints(card.code, 400); // 550: upgraded to Gold
    await ok('POST', `/v1/loyalties/${club.id}/members/${card.code}/redemption`, { reward: { id: mug.id } }); // 520: Gold still
    await addPoints(other.code, 5);
    await addPoints(card.code, -100); // 420: downgraded to Silver
    // Paying for an order with 10 points: a redemption of the card (410).
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: card.code, reward: { id: coin.id, points: 10 } }], order: { amount: 1000 }, customer: { source_id: 'act-ann' } });
    clock.advance(1000);
    // Earned last, so that nothing taken before spends them (430).
    await ok('POST', '/v1/events', { event: 'review_left', customer: { source_id: 'act-ann' } });
    // The 20 points earned expire (410: Silver still).
    clock.set(new Date('2026-03-01T00:00:01Z'));
    let expired = 0;
    for (let k; (k = await t.tessera.services.pointsExpiry.step(100)) > 0; ) expired += k;
    expect(expired).toBe(1);
    clock.advance(1000);
    // Another customer's card of the same program.
    await addPoints((await member(club.id, 'act-bo')).code, 600);
    all = (await ok('GET', '/v1/customers/act-ann/activity?limit=100')).data;
  });

  it("lists the records of the holder's activity that concern the card, newest first, in Voucherify's list shape", async () => {
    const res: any = await server.loyalties.listMemberActivity(club.id, card.code, { limit: 100 });
    expect(res).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(res).not.toHaveProperty('more_starting_after');
    expectOfficial('LoyaltiesMemberActivityListResponseBody', res);
    // Exactly the holder's records naming the card, and the tier moves of its program, in the same order.
    const expected = all.filter((a) => a.data.data.voucher?.id === card.id || (a.type.startsWith('customer.loyalty.tier.') && a.data.data.campaign?.id === club.id));
    expect(res.data).toEqual(expected);
    const types = res.data.map((a: any) => a.type);
    expect([...types].reverse()).toEqual([
      'customer.publication.succeeded',
      'customer.voucher.loyalty_card.points_added',
      'customer.loyalty.tier.joined',
      'customer.voucher.loyalty_card.points_added',
      'customer.loyalty.tier.upgraded',
      // The mug: the card's redemption with the reward it paid for.
      'customer.reward_redemptions.created',
      'customer.reward_redemptions.completed',
      'customer.redemption.succeeded',
      'customer.loyalty.tier.downgraded',
      // The points that paid for an order (a COIN reward).
      'customer.reward_redemptions.created',
      'customer.reward_redemptions.completed',
      'customer.redemption.succeeded',
      'customer.voucher.loyalty_card.points_added',
      'customer.rewarded.loyalty_points',
      'customer.voucher.loyalty_card.points_expired',
    ]);
    const times = res.data.map((a: any) => a.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    for (const a of res.data) {
      expect(a.id).toMatch(/^ev[a-z]+_/);
      expect(a.group_id).toMatch(/^v-/);
      // The expiry job's record is the engine's own.
      expect(a.data.event_source).toMatchObject({ channel: a.type.endsWith('points_expired') ? 'INTERNAL' : 'API' });
    }
    expect(res.data[0].data.data).toMatchObject({ points: 20, voucher: { id: card.id } });
    const added = res.data.filter((a: any) => a.type === 'customer.voucher.loyalty_card.points_added').map((a: any) => a.data.data.balance.points);
    expect(added).toEqual([20, 400, 150]);
    // Nothing of the other card, of the other program's tiers, nor what the customer did themselves.
    expect(JSON.stringify(res.data)).not.toContain(other.id);
    expect(types).not.toContain('customer.custom_event');
    expect(types).not.toContain('customer.created');
    expect(res.data.every((a: any) => a.data.data.customer?.source_id === 'act-ann')).toBe(true);
  });

  it('is the same without the program in the path, by card id, and oldest first with order=created_at', async () => {
    const newest: any = await server.loyalties.listMemberActivity(club.id, card.code, { limit: 100 });
    expect(await server.loyalties.listMemberActivity(undefined as never, card.code, { limit: 100 })).toEqual(newest);
    expect(await ok('GET', `/v1/loyalties/members/${card.id}/activity?limit=100`)).toEqual(newest);
    expect(await ok('GET', `/v1/loyalties/${encodeURIComponent(club.name)}/members/${card.code}/activity?limit=100`)).toEqual(newest);
    const oldest: any = await server.loyalties.listMemberActivity(club.id, card.code, { limit: 100, order: 'created_at' });
    expect(oldest.data).toEqual([...newest.data].reverse());
    // Default: 10 at most, newest first.
    expect((await ok('GET', `/v1/loyalties/members/${card.code}/activity`)).data).toEqual(newest.data.slice(0, 10));
  });

  it('pages with limit and starting_after_id, both orders, and every record comes once', async () => {
    for (const order of ['-created_at', 'created_at'] as const) {
      const full: any = await server.loyalties.listMemberActivity(club.id, card.code, { limit: 100, order });
      const seen: any[] = [];
      let after: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page: any = await server.loyalties.listMemberActivity(club.id, card.code, { limit: 2, order, ...(after ? { starting_after_id: after } : {}) });
        seen.push(...page.data);
        if (!page.has_more) {
          expect(page).not.toHaveProperty('more_starting_after');
          break;
        }
        expect(page.data).toHaveLength(2);
        expect(page.more_starting_after).toBe(page.data[1].id);
        after = page.more_starting_after;
      }
      expect(seen).toEqual(full.data);
    }
  });

  it("answers the deprecated getMemberActivities in the envelope the SDK declares, with the total", async () => {
    const newest: any = await server.loyalties.listMemberActivity(club.id, card.code, { limit: 100 });
    const legacy: any = await server.loyalties.getMemberActivities(club.id, card.code);
    expect(legacy).toMatchObject({ object: 'list', data_ref: 'activities', total: newest.data.length });
    expect(legacy.activities).toEqual(newest.data.slice(0, 10).map((a: any) => ({ ...a, object: 'event' })));
    const campaignLess: any = await server.loyalties.getMemberActivities(undefined as never, card.code);
    expect(campaignLess).toEqual(legacy);
    const small = await ok('GET', `/v1/loyalties/members/${card.code}/activities?limit=3`);
    expect(small).toMatchObject({ total: newest.data.length, has_more: true, more_starting_after: newest.data[2].id });
    expect(small.activities).toHaveLength(3);
  });

  it('is empty for a card nobody holds', async () => {
    const lone = await ok('POST', `/v1/campaigns/${club.id}/vouchers/CLU-LONE`, {});
    expect(await server.loyalties.listMemberActivity(club.id, lone.code, {})).toEqual({ object: 'list', data_ref: 'data', data: [], has_more: false });
    expect(await ok('GET', `/v1/loyalties/members/${lone.code}/activities`)).toMatchObject({ activities: [], total: 0 });
  });

  it('answers 404 naming the resource for an unknown program, card or cursor, and 400 for bad query params', async () => {
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } });
    const coupon = await ok('POST', `/v1/campaigns/${coupons.id}/vouchers/ACT-COUPON`, {});
    const notFound: Array<[string, string]> = [
      [`/v1/loyalties/members/NO-SUCH-CARD/activity`, 'voucher'],
      [`/v1/loyalties/${club.id}/members/NO-SUCH-CARD/activity`, 'voucher'],
      [`/v1/loyalties/camp_nosuchprogram/members/${card.code}/activity`, 'campaign'],
      [`/v1/loyalties/${coupons.id}/members/${card.code}/activity`, 'campaign'],
      [`/v1/loyalties/members/${coupon.code}/activity`, 'voucher'],
      // The other program's card is not a member of this one.
      [`/v1/loyalties/${club.id}/members/${other.code}/activity`, 'voucher'],
      [`/v1/loyalties/${club.id}/members/NO-SUCH-CARD/activities`, 'voucher'],
      [`/v1/loyalties/members/${card.code}/activity?starting_after_id=evcus_0000000000000000000000`, 'activity'],
    ];
    for (const [url, resourceType] of notFound) {
      const res = await api('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 404, key: 'not_found', resource_type: resourceType, request_id: expect.any(String) });
    }
    const err: any = await server.loyalties.listMemberActivity(club.id, 'NO-SUCH-CARD', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' });
    for (const q of ['limit=0', 'limit=101', 'limit=ten', 'order=updated_at', 'order=']) {
      const res = await api('GET', `/v1/loyalties/members/${card.code}/activity?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json(), q).toMatchObject({ code: 400, request_id: expect.any(String) });
    }
  });
});

describe("a member's rewards and a reward assignment's reward", () => {
  let shop: any;
  let mug: any;
  let coupon: any;
  let coin: any;
  let assigned: Record<string, any>;

  beforeAll(async () => {
    shop = await program('Shop');
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Shop coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } } });
    const product = await ok('POST', '/v1/products', { name: 'Mug', source_id: 'mug' });
    mug = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL', parameters: { product: { id: product.id } }, stock: 5, attributes: { description: 'A mug' } });
    coupon = await ok('POST', '/v1/rewards', { name: 'Coupon', type: 'CAMPAIGN', parameters: { campaign: { id: coupons.id } } });
    coin = await ok('POST', '/v1/rewards', { name: 'Pay with points', type: 'COIN', parameters: { coin: { exchange_ratio: 0.1 } } });
    const assign = (body: unknown) => {
      clock.advance(1000);
      return ok('POST', `/v1/loyalties/${shop.id}/rewards`, body);
    };
    assigned = {
      mug: await assign({ reward: mug.id, parameters: { loyalty: { points: 30 } } }),
      coupon: await assign({ reward: coupon.id, parameters: { loyalty: { points: 300 } } }),
      coin: await assign({ reward: coin.id }),
    };
    // Gold members pay 200 for the coupon.
    await ok('POST', `/v1/loyalties/${shop.id}/tiers`, [{ name: 'Basic', points: { from: 0, to: 199 } }, { name: 'Gold', points: { from: 200 }, rewards: { [coupon.id]: { type: 'CUSTOM', points: 200 } } }]);
    // A reward of another program is not this member's.
    const elsewhere = await program('Elsewhere');
    const hat = await ok('POST', '/v1/rewards', { name: 'Hat', type: 'MATERIAL' });
    await ok('POST', `/v1/loyalties/${elsewhere.id}/rewards`, { reward: hat.id, parameters: { loyalty: { points: 1 } } });
  });

  it("lists the program's rewards with their assignment and price, oldest assignment first", async () => {
    const card = await member(shop.id, 'rw-ann');
    await addPoints(card.code, 100);
    const res: any = await server.loyalties.listMemberRewards(card.code, {});
    expectOfficial('LoyaltiesMembersRewardsListResponseBody', res);
    expect(res).toMatchObject({ object: 'list', data_ref: 'data', total: 3 });
    expect(res.data.map((d: any) => [d.object, d.reward.id, d.assignment.id, d.assignment.parameters.loyalty.points])).toEqual([
      ['loyalty_reward', mug.id, assigned.mug.id, 30],
      ['loyalty_reward', coupon.id, assigned.coupon.id, 300],
      ['loyalty_reward', coin.id, assigned.coin.id, 0],
    ]);
    expect(res.data[0].reward).toEqual(await ok('GET', `/v1/rewards/${mug.id}`));
    expect(res.data[0].assignment).toEqual(assigned.mug);
    expect(res.data[0].assignment).toMatchObject({ reward_id: mug.id, related_object_id: shop.id, related_object_type: 'campaign', object: 'reward_assignment' });
    // By card id too.
    expect(await ok('GET', `/v1/loyalties/members/${card.id}/rewards`)).toEqual(res);
  });

  it('keeps what the balance pays for with affordable_only, at the tier price', async () => {
    const ann = await member(shop.id, 'rw-bea');
    await addPoints(ann.code, 100);
    const affordable: any = await server.loyalties.listMemberRewards(ann.code, { affordable_only: true });
    expect(affordable.data.map((d: any) => d.reward.id)).toEqual([mug.id, coin.id]);
    expect(affordable.total).toBe(2);
    expect((await server.loyalties.listMemberRewards(ann.code, { affordable_only: false })).total).toBe(3);
    // Gold (250 points): the coupon costs 200 here, so it is affordable and shown at that price.
    const gold = await member(shop.id, 'rw-cy');
    await addPoints(gold.code, 250);
    const golds: any = await server.loyalties.listMemberRewards(gold.code, { affordable_only: true });
    expect(golds.data.map((d: any) => [d.reward.id, d.assignment.parameters.loyalty.points])).toEqual([
      [mug.id, 30],
      [coupon.id, 200],
      [coin.id, 0],
    ]);
    // Nothing affordable on an empty card but what has no price.
    const poor = await member(shop.id, 'rw-dan');
    expect((await ok('GET', `/v1/loyalties/members/${poor.code}/rewards?affordable_only=true`)).data.map((d: any) => d.reward.id)).toEqual([coin.id]);
  });

  it('pages with limit and page, total counting all', async () => {
    const card = await member(shop.id, 'rw-eve');
    const pages = [];
    for (const page of [1, 2, 3, 4]) pages.push(await server.loyalties.listMemberRewards(card.code, { limit: 1, page }));
    expect(pages.map((p: any) => p.data.map((d: any) => d.reward.id))).toEqual([[mug.id], [coupon.id], [coin.id], []]);
    expect(pages.every((p: any) => p.total === 3)).toBe(true);
  });

  it("gives an assignment's reward in its program (by id or name), and 404s naming what is missing", async () => {
    const res = await server.loyalties.getRewardDetails(shop.id, assigned.coupon.id);
    expect(res).toEqual(coupon);
    expectOfficial('LoyaltiesRewardAssignmentsRewardGetResponseBody', res);
    expect(await ok('GET', `/v1/loyalties/${encodeURIComponent(shop.name)}/reward-assignments/${assigned.mug.id}/reward`)).toEqual(await ok('GET', `/v1/rewards/${mug.id}`));
    const club = (await ok('GET', '/v1/loyalties?limit=100')).campaigns.find((c: any) => c.name === 'Club');
    const notFound: Array<[string, string]> = [
      [`/v1/loyalties/${shop.id}/reward-assignments/rewa_nosuchassignment/reward`, 'reward_assignment'],
      // An assignment of another program.
      [`/v1/loyalties/${club.id}/reward-assignments/${assigned.mug.id}/reward`, 'reward_assignment'],
      [`/v1/loyalties/camp_nosuchprogram/reward-assignments/${assigned.mug.id}/reward`, 'campaign'],
      [`/v1/loyalties/members/NO-SUCH-CARD/rewards`, 'voucher'],
    ];
    for (const [url, resourceType] of notFound) {
      const r = await api('GET', url);
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toMatchObject({ code: 404, key: 'not_found', resource_type: resourceType });
    }
    const err: any = await server.loyalties.getRewardDetails(shop.id, 'rewa_nosuchassignment').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 404, resource_type: 'reward_assignment' });
  });

  it('refuses bad query params with a 400', async () => {
    const card = await member(shop.id, 'rw-fay');
    for (const q of ['affordable_only=maybe', 'limit=0', 'limit=101', 'page=0', 'page=x']) {
      const res = await api('GET', `/v1/loyalties/members/${card.code}/rewards?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json(), q).toMatchObject({ code: 400, request_id: expect.any(String) });
    }
  });
});

describe("a program's members list (GET /v1/loyalties/{id}/members)", () => {
  it('narrows by customer (id or source_id), code and ids, and orders as the vouchers list does', async () => {
    const club = await program('Listclub');
    const a = await member(club.id, 'ml-ann');
    clock.advance(1000);
    const b = await member(club.id, 'ml-bob');
    clock.advance(1000);
    const c = await member(club.id, 'ml-cy');
    const codes = async (query: string) => (await ok('GET', `/v1/loyalties/${club.id}/members?limit=100&${query}`)).vouchers.map((v: any) => v.code);
    expect(await codes('')).toEqual([c.code, b.code, a.code]);
    expect(await codes('order=created_at')).toEqual([a.code, b.code, c.code]);
    expect(await codes('customer=ml-bob')).toEqual([b.code]);
    expect(await codes(`customer=${a.holder_id}`)).toEqual([a.code]);
    expect(await codes(`code=${c.code.toLowerCase()}`)).toEqual([c.code]);
    expect((await codes(`ids=${a.id}&ids=${c.id}`)).sort()).toEqual([a.code, c.code].sort());
    expect(await codes(`created_at[after]=${new Date(Date.parse(b.created_at) - 1).toISOString()}`)).toEqual([c.code, b.code]);
    const sdk: any = await server.loyalties.listMembers(club.id, { customer: 'ml-cy' } as any);
    expect(sdk.vouchers.map((v: any) => v.code)).toEqual([c.code]);
    expect((await api('GET', `/v1/loyalties/${club.id}/members?order=points`)).statusCode).toBe(400);
  });
});

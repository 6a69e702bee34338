/**
 * A campaign's transactions (GET /v1/campaigns/{id}/transactions): a gift card campaign's credits and a loyalty
 * program's points, every card's, newest first, paged by cursor; other campaign types are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;

const { ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('campaign transactions', () => {
  it("lists a gift card campaign's transactions across its cards, newest first, with a cursor", async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Gift cards', campaign_type: 'GIFT_VOUCHERS', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/GC-A`, {});
    await ok('POST', `/v1/campaigns/${c.id}/vouchers/GC-B`, {});
    await ok('POST', '/v1/vouchers/GC-A/balance', { amount: 500 });
    await ok('POST', '/v1/vouchers/GC-B/balance', { amount: 200 });
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'GC-A', gift: { credits: 300 } }], order: { amount: 300 } });
    // A standalone card's transaction is not the campaign's.
    await ok('POST', '/v1/vouchers/GC-ALONE', { type: 'GIFT_VOUCHER', gift: { amount: 100 } });
    await ok('POST', '/v1/vouchers/GC-ALONE/balance', { amount: 50 });
    const all = await ok('GET', `/v1/campaigns/${c.id}/transactions`);
    expect(all).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(all.data.map((x: any) => [x.type, x.details.balance.amount])).toEqual([
      ['CREDITS_REDEMPTION', -300],
      ['CREDITS_ADDITION', 200],
      ['CREDITS_ADDITION', 500],
    ]);
    // A card's own list is in time order too (a spend's id and a balance change's differ in prefix).
    expect((await ok('GET', '/v1/vouchers/GC-A/transactions')).data.map((x: any) => x.type)).toEqual(['CREDITS_REDEMPTION', 'CREDITS_ADDITION']);
    const first = await ok('GET', `/v1/campaigns/${encodeURIComponent('Gift cards')}/transactions?limit=2`);
    expect(first).toMatchObject({ has_more: true, more_starting_after: first.data[1].id });
    const rest = await ok('GET', `/v1/campaigns/${c.id}/transactions?limit=2&starting_after_id=${first.more_starting_after}`);
    expect([...first.data, ...rest.data].map((x: any) => x.id)).toEqual(all.data.map((x: any) => x.id));
    // Oldest first, and narrowed to one card by filters[voucher_id].
    expect((await ok('GET', `/v1/campaigns/${c.id}/transactions?order=id`)).data.map((x: any) => x.id)).toEqual([...all.data].reverse().map((x: any) => x.id));
    const cardB = (await ok('GET', '/v1/vouchers/GC-B')).id;
    expect((await ok('GET', `/v1/campaigns/${c.id}/transactions?filters[voucher_id][conditions][$is]=${cardB}`)).data.map((x: any) => x.details.balance.amount)).toEqual([200]);
    const bad = await t.app.inject({ method: 'GET', url: `/v1/campaigns/${c.id}/transactions?filters[type][conditions][$is]=X`, headers: p.server });
    expect(bad.statusCode).toBe(400);
  });

  it("lists a loyalty program's point transactions, also under /v1/loyalties/{id}/transactions", async () => {
    const program = await ok('POST', '/v1/loyalties', { name: 'Points', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const a = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'ct-ann' } })).code;
    const b = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'ct-bob' } })).code;
    await ok('POST', `/v1/loyalties/members/${a}/balance`, { points: 30 });
    await ok('POST', `/v1/loyalties/members/${b}/balance`, { points: 70 });
    const list = await ok('GET', `/v1/campaigns/${program.id}/transactions`);
    expect(list.data.map((x: any) => [x.type, x.details.balance.points])).toEqual([['POINTS_ADDITION', 70], ['POINTS_ADDITION', 30]]);
    expect((await ok('GET', `/v1/loyalties/${program.id}/transactions`)).data.map((x: any) => x.id)).toEqual(list.data.map((x: any) => x.id));
    const oldest = await ok('GET', `/v1/loyalties/${program.id}/transactions?order=id&limit=1`);
    expect(oldest.data.map((x: any) => x.details.balance.points)).toEqual([30]);
    expect((await ok('GET', `/v1/loyalties/${program.id}/transactions?order=id&starting_after_id=${oldest.more_starting_after}`)).data.map((x: any) => x.details.balance.points)).toEqual([70]);
    expect((await ok('GET', `/v1/loyalties/${program.id}/transactions?filters[id][conditions][$is]=${list.data[1].id}`)).data.map((x: any) => x.id)).toEqual([list.data[1].id]);
    expect((await ok('GET', `/v1/loyalties/members/${b}/transactions?order=-id`)).data).toHaveLength(1);
  });

  it('refuses other campaign types and unknown campaigns', async () => {
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Coupons', campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    const res = await t.app.inject({ method: 'GET', url: `/v1/campaigns/${coupons.id}/transactions`, headers: p.server });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ key: 'invalid_campaign' });
    const missing = await t.app.inject({ method: 'GET', url: '/v1/campaigns/camp_nope/transactions', headers: p.server });
    expect(missing.json()).toMatchObject({ code: 404, resource_type: 'campaign' });
  });
});

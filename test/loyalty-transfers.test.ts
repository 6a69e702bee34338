/**
 * Transfers between a customer's cards: each source card's POINTS_TRANSFER_OUT and its POINTS_TRANSFER_IN link to
 * each other (related_transaction_id), name both cards (details.source_voucher / destination_voucher) and keep the
 * transfer's reason and source_id; the holder's activity records customer.voucher.loyalty_card.points_transferred
 * for each card, in the shape of the official EventCustomerLoyaltyCardPointsTransferred.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { apiSpecValidator } from './helpers/api-spec.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok } = requestsOf(() => ({ t, p }));
const expectOfficial = apiSpecValidator('loyalties');

const program = (name: string): Promise<any> =>
  ok('POST', '/v1/loyalties', { name, type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: `${name}-`, length: 6 } } });
const member = async (id: string, source_id: string): Promise<any> => ok('POST', `/v1/loyalties/${id}/members`, { customer: { source_id } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('transfers', () => {
  it('link OUT and IN, name both cards, keep reason and source_id, and record the holder activity', async () => {
    const a = await program('Alpha');
    const b = await program('Beta');
    const c = await program('Gamma');
    const from1 = await member(a.id, 'mover');
    const from2 = await member(b.id, 'mover');
    const into = await member(c.id, 'mover');
    for (const code of [from1.code, from2.code]) await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 50 });
    const moved = await ok('POST', `/v1/loyalties/${c.id}/members/${into.code}/transfers`, [
      { code: from1.code, points: 30, reason: 'merge one', source_id: 'tr-1' },
      { code: from2.code, points: 5, reason: 'merge two', source_id: 'tr-2' },
    ]);
    expect(moved.loyalty_card).toMatchObject({ balance: 35, points: 35 });

    const ins = (await ok('GET', `/v1/loyalties/members/${into.code}/transactions`)).data;
    expect(ins.map((x: any) => x.type)).toEqual(['POINTS_TRANSFER_IN', 'POINTS_TRANSFER_IN']);
    for (const [i, from] of [from1, from2].entries()) {
      const [out] = (await ok('GET', `/v1/loyalties/members/${from.code}/transactions`)).data;
      expect(out).toMatchObject({ type: 'POINTS_TRANSFER_OUT', reason: `merge ${i === 0 ? 'one' : 'two'}`, source_id: `tr-${i + 1}` });
      const inn = ins.find((x: any) => x.related_transaction_id === out.id);
      expect(inn, `the IN of ${from.code}`).toBeDefined();
      expect(out.related_transaction_id).toBe(inn.id);
      expect(inn).toMatchObject({ reason: out.reason, source_id: out.source_id, details: { balance: { points: i === 0 ? 30 : 5 } } });
      for (const x of [out, inn]) {
        expect(x.details.source_voucher).toMatchObject({ id: from.id, code: from.code });
        expect(x.details.destination_voucher).toMatchObject({ id: into.id, code: into.code });
        expectOfficial('LoyaltyCardTransaction', x);
      }
    }

    const activity = (await ok('GET', '/v1/customers/mover/activity?limit=100')).data.filter((x: any) => x.type === 'customer.voucher.loyalty_card.points_transferred');
    expect(activity).toHaveLength(4);
    for (const x of activity) {
      expectOfficial('EventCustomerLoyaltyCardPointsTransferred', x.data.data);
      expect(x.data.data).toMatchObject({ customer: { source_id: 'mover' }, destination_voucher: { id: into.id } });
    }
    // Each card's member activity shows its side of the transfer.
    for (const card of [from1, from2, into]) {
      const own = (await ok('GET', `/v1/loyalties/members/${card.code}/activity`)).data.filter((x: any) => x.type === 'customer.voucher.loyalty_card.points_transferred');
      expect(own.length, card.code).toBe(card === into ? 2 : 1);
      for (const x of own) expect(x.data.data.voucher.id).toBe(card.id);
    }
  });
});

describe("a member's transactions by creation time", () => {
  it('filters[created_at][conditions][$after|$before] narrow the list; other operators and bad dates are 400', async () => {
    const c = await program('Timed');
    const card = await member(c.id, 'timed');
    await ok('POST', `/v1/loyalties/members/${card.code}/balance`, { points: 5 });
    const all = (await ok('GET', `/v1/loyalties/members/${card.code}/transactions`)).data;
    const at = all[0].created_at;
    const q = (op: string, v: string) => `filters[created_at][conditions][${op}]=${encodeURIComponent(v)}`;
    const later = new Date(Date.parse(at) + 1).toISOString();
    const earlier = new Date(Date.parse(at) - 1).toISOString();
    for (const base of [`/v1/loyalties/members/${card.code}/transactions`, `/v1/loyalties/${c.id}/members/${card.code}/transactions`, `/v1/loyalties/${c.id}/transactions`]) {
      expect((await ok('GET', `${base}?${q('$after', earlier)}`)).data.map((x: any) => x.id), base).toEqual(all.map((x: any) => x.id));
      expect((await ok('GET', `${base}?${q('$after', later)}`)).data, base).toEqual([]);
      expect((await ok('GET', `${base}?${q('$before', later)}&${q('$after', earlier)}`)).data.length, base).toBe(all.length);
      expect((await ok('GET', `${base}?${q('$before', earlier)}`)).data, base).toEqual([]);
      for (const bad of [q('$is', at), q('$after', 'yesterday')]) {
        const res = await t.app.inject({ method: 'GET', url: `${base}?${bad}`, headers: p.server });
        expect(res.statusCode, `${bad}: ${res.body}`).toBe(400);
        expect(res.json()).toMatchObject({ key: 'invalid_query_params' });
      }
    }
  });
});

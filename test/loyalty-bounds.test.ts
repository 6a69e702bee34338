/**
 * Loyalty input at its bounds: expiration rules that would make no real date, rule points and ratios beyond what a
 * card carries exactly, a non-boolean `active`, and stocks, prices and tiers beyond their columns are refused with a
 * 400 when saved; an event whose metadata would earn beyond the bound earns nothing and is kept, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
let program: any;

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'stars_given', { stars: { type: 'number', optional: true } });
  program = await ok('POST', '/v1/loyalties', { name: 'Bounds club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'BND-', length: 8 } } });
});
afterAll(() => t.close());

describe('loyalty bounds', () => {
  it('refuses earning rules and programs whose values have no real result, naming the property', async () => {
    const fixed = { event: 'stars_given', loyalty: { type: 'FIXED', points: 10 } };
    const cases: Array<[unknown, RegExp]> = [
      [{ ...fixed, expiration_rules: { period_type: 'MONTH', period_value: 1_000_000_000 } }, /expiration_rules period_value/],
      [{ ...fixed, expiration_rules: { period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 'x' } }, /expiration_rules fixed_month/],
      [{ ...fixed, expiration_rules: { period_type: 'WEEK' } }, /expiration_rules period_type/],
      [{ ...fixed, active: 'x' }, /active must be true or false/],
      [{ event: 'stars_given', loyalty: { type: 'FIXED', points: 1e19 } }, /points must be a positive integer, at most/],
      [{ event: 'stars_given', loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { property: 'stars', every: 1e-320, points: 1 } } } }, /every \(at least 0\.000001\)/],
    ];
    for (const [rule, detail] of cases) {
      const res = await api('POST', `/v1/loyalties/${program.id}/earning-rules`, [rule]);
      expect(res.statusCode, `${JSON.stringify(rule)}: ${res.body}`).toBe(400);
      expect(res.json().details).toMatch(detail);
    }
    const badProgram = await api('POST', '/v1/loyalties', { name: 'Never', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 100000 } } } });
    expect(badProgram.statusCode).toBe(400);
    const hugeCard = await api('POST', '/v1/loyalties', { name: 'Huge', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 1e19 } } });
    expect(hugeCard.statusCode).toBe(400);
    const tier = await api('POST', `/v1/loyalties/${program.id}/tiers`, [{ name: 'Sky', points: { from: 1e19 } }]);
    expect(tier.statusCode).toBe(400);
  });

  it('refuses reward stocks and prices beyond their columns', async () => {
    const stock = await api('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL', stock: 2_147_483_648 });
    expect(stock.statusCode).toBe(400);
    expect(stock.json().details).toMatch(/stock/);
    const reward = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL', stock: 2_147_483_647 });
    const priced = await api('POST', `/v1/loyalties/${program.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 1e19 } } });
    expect(priced.statusCode, priced.body).toBe(400);
    expect(priced.json().details).toMatch(/points/);
  });

  it('earns nothing on an event whose metadata would earn beyond the bound, and keeps the event', async () => {
    await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [
      { event: 'stars_given', loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { property: 'stars', every: 1, points: 10 } } } },
    ]);
    const member = await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'starry' } });
    const huge = await api('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'starry' }, metadata: { stars: 1e300 } });
    expect(huge.statusCode, huge.body).toBe(200);
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${member.code}`)).loyalty_card.points).toBe(0);
    await ok('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'starry' }, metadata: { stars: 3 } });
    expect((await ok('GET', `/v1/loyalties/${program.id}/members/${member.code}`)).loyalty_card.points).toBe(30);
    const events = (await ok('GET', '/v1/customers/starry/activity?limit=100')).data.filter((a: any) => a.type === 'customer.custom_event');
    expect(events).toHaveLength(2);
  });

  it('transfers between two cards in opposite directions at once all go through, and the points add up', async () => {
    const a = await ok('POST', '/v1/loyalties', { name: 'Swap A', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 1000 }, code_config: { prefix: 'SWA-', length: 8 } } });
    const b = await ok('POST', '/v1/loyalties', { name: 'Swap B', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 1000 }, code_config: { prefix: 'SWB-', length: 8 } } });
    const ca = await ok('POST', `/v1/loyalties/${a.id}/members`, { customer: { source_id: 'swapper' } });
    const cb = await ok('POST', `/v1/loyalties/${b.id}/members`, { customer: { source_id: 'swapper' } });
    const moves = Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? api('POST', `/v1/loyalties/${b.id}/members/${cb.code}/transfers`, [{ code: ca.code, points: 10 }])
        : api('POST', `/v1/loyalties/${a.id}/members/${ca.code}/transfers`, [{ code: cb.code, points: 10 }]),
    );
    const answers = await Promise.all(moves);
    expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const balance = async (id: string, code: string) => (await ok('GET', `/v1/loyalties/${id}/members/${code}`)).loyalty_card.balance;
    expect([await balance(a.id, ca.code), await balance(b.id, cb.code)]).toEqual([1000, 1000]);
  });
});

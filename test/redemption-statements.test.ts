/**
 * How many statements a validation and a redemption cost (the bench's realistic request): a budget that keeps the
 * hot path's round trips from creeping back up. Statements are counted by wrapping the store under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { statementLog } from './helpers/statements.js';

let t: TestTessera;
let p: TestProject;
let log: ReturnType<typeof statementLog>;

async function ok(url: string, payload: unknown): Promise<any> {
  const res = await t.app.inject({ method: 'POST', url, headers: p.server, payload: payload as object });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

let tier: { id: string };
const items = Array.from({ length: 5 }, (_, i) => ({ source_id: `sku-${i}`, quantity: 1 + (i % 3), price: 1500 + i * 250 }));
const request = (n: number) => ({
  redeemables: [{ object: 'promotion_tier', id: tier.id }, { object: 'voucher', id: 'STMT-10' }],
  order: { items },
  customer: { source_id: `stmt-c${n}`, metadata: { tier: 'gold' } },
});

async function statements(url: string, body: unknown): Promise<string[]> {
  // The project's key and settings are cached per process for a while: a read just before keeps a slow machine's
  // expired cache entry out of the count (it is no cost of the request measured).
  expect((await t.app.inject({ method: 'GET', url: '/v1/vouchers/STMT-FREE', headers: p.server })).statusCode).toBe(200);
  log.start();
  await ok(url, body);
  return log.stop();
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  log = statementLog(t);
  const promo = await ok('/v1/campaigns', { name: 'Stmt promo', campaign_type: 'PROMOTION' });
  tier = await ok(`/v1/promotions/${promo.id}/tiers`, { name: 'Two off', action: { discount: { type: 'AMOUNT', amount_off: 200 } } });
  const voucher = await ok('/v1/vouchers/STMT-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } });
  await ok('/v1/vouchers/STMT-FREE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  for (const rule of [{ name: 'order.amount', conditions: { $more_than: [5000] } }, { name: 'customer.metadata', property: 'tier', conditions: { $in: ['gold', 'silver'] } }]) {
    const r = await ok('/v1/validation-rules', { name: rule.name, rules: { '1': rule } });
    await ok(`/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'voucher', related_object_id: voucher.id });
  }
  // Warm the per-process caches.
  await ok('/v1/validations', request(0));
  await ok('/v1/redemptions', request(0));
});
afterAll(async () => {
  await t.close();
});

describe('statements per request', () => {
  it('a validation of the bench request', async () => {
    const s = await statements('/v1/validations', request(1));
    console.log(`validation: ${s.length}\n  ${s.join('\n  ')}`);
    // customer, voucher: tiers, campaigns and rules come from the per-process copies.
    expect(s.length).toBeLessThanOrEqual(2);
  });
  it('a redemption of the bench request', async () => {
    const s = await statements('/v1/redemptions', request(2));
    console.log(`redemption: ${s.length}\n  ${s.join('\n  ')}`);
    // The redemption rows go in with the events, in one statement; the new paid order is added to the customer's
    // order summary without recounting their orders.
    expect(s.length).toBeLessThanOrEqual(9);
    expect(s.filter((q) => q.startsWith('INSERT INTO redemptions'))).toEqual([]);
    expect(s.filter((q) => /FROM orders WHERE/.test(q))).toEqual([]);
  });
  it('a redemption of an unlimited voucher', async () => {
    const s = await statements('/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'STMT-FREE' }], order: { amount: 10000 } });
    console.log(`unlimited: ${s.length}\n  ${s.join('\n  ')}`);
    // voucher, order, redemption (events only when an endpoint subscribes): nothing locks or updates the voucher row.
    expect(s.length).toBeLessThanOrEqual(3);
    expect(s.filter((q) => /^UPDATE vouchers|FOR UPDATE/.test(q))).toEqual([]);
  });
});

/**
 * What an earning costs the tracked event's transaction: the members' cards are found and locked in one statement,
 * and their points update and the transaction rows go in with the event insert. A budget that keeps the earning
 * path's round trips from creeping back up, and the balances it leaves exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';
import { mgmt } from './helpers/sendouts.js';
import { statementLog } from './helpers/statements.js';

let t: TestTessera;
let p: TestProject;
let log: ReturnType<typeof statementLog>;
const { ok } = requestsOf(() => ({ t, p }));
let programId: string;
const codes: string[] = [];

const track = (n: number) => ok('POST', '/v1/events', { event: 'review_left', customer: { source_id: `earn-${n}` } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const schema = await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'review_left', schema: { properties: {} } });
  expect(schema.statusCode, schema.body).toBeLessThan(300);
  const program = await ok('POST', '/v1/loyalties', { name: 'Earn club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 3 }, code_config: { prefix: 'EARN-', length: 8 } } });
  programId = program.id;
  await ok('POST', `/v1/loyalties/${programId}/earning-rules`, [{ event: 'review_left', loyalty: { type: 'FIXED', points: 5 } }]);
  for (const n of [1, 2]) codes.push((await ok('POST', `/v1/loyalties/${programId}/members`, { customer: { source_id: `earn-${n}` } })).code);
  await track(1); // warms the per-process caches
  log = statementLog(t);
});
afterAll(async () => {
  await t.close();
});

describe('statements of an earning', () => {
  it('a tracked event that earns: no separate card lock, points update or transaction insert', async () => {
    // Per-process caches (keys, programs, rules) expire after a few seconds: an event of a customer without a card,
    // just before, keeps a slow machine's refills out of the count.
    await track(3);
    log.start();
    await track(2);
    const s = log.stop();
    console.log(`earning: ${s.length}\n  ${s.join('\n  ')}`);
    expect(s.filter((q) => /^(UPDATE vouchers|INSERT INTO loyalty_transactions|SELECT id FROM vouchers)/.test(q))).toEqual([]);
    // One read of the cards (with their locks), and the event insert carrying the rest.
    expect(s.filter((q) => /^SELECT .* FROM vouchers/.test(q) || q.startsWith('SELECT id, project_id, campaign_id, code'))).toHaveLength(1);
    expect(s.length).toBeLessThanOrEqual(5);
    // The card template's 3 points, then 5 per event.
    expect((await ok('GET', `/v1/loyalties/members/${codes[1]}`)).loyalty_card).toMatchObject({ points: 8, balance: 8 });
    expect((await ok('GET', `/v1/loyalties/members/${codes[0]}`)).loyalty_card).toMatchObject({ points: 8, balance: 8 });
    const tx = await ok('GET', `/v1/loyalties/members/${codes[1]}/transactions`);
    expect(tx.data.map((x: any) => [x.type, x.details.balance.points, x.details.balance.balance])).toEqual([['POINTS_ACCRUAL', 5, 8]]);
  });

  it('16 events of one member at once: the exact sum, each transaction with its running balance', async () => {
    await Promise.all(Array.from({ length: 16 }, () => track(1)));
    expect((await ok('GET', `/v1/loyalties/members/${codes[0]}`)).loyalty_card).toMatchObject({ points: 8 + 16 * 5, balance: 8 + 16 * 5 });
    const tx = await ok('GET', `/v1/loyalties/members/${codes[0]}/transactions?limit=100`);
    const balances = tx.data.map((x: any) => x.details.balance.balance).sort((a: number, b: number) => a - b);
    expect(balances).toEqual(Array.from({ length: 17 }, (_, i) => 8 + i * 5));
  });

  it('an earning event writes one event-log row: the event leads the pack of its points, each record listed whole', async () => {
    const rows = async () => (await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_log WHERE project_id = $1', [p.id])).rows[0]!.n;
    const before = await rows();
    // Two members' events in one batch: each member's records follow their own event, in their own row.
    await Promise.all([track(1), track(2)]);
    expect(await rows()).toBe(before + 2);
    for (const [n, code] of [[1, codes[0]!], [2, codes[1]!]] as const) {
      const activity = (await ok('GET', `/v1/customers/earn-${n}/activity?limit=3`)).data;
      expect(activity.map((a: any) => a.type)).toEqual(['customer.rewarded.loyalty_points', 'customer.voucher.loyalty_card.points_added', 'customer.custom_event']);
      const [rewarded, added] = activity.map((a: any) => a.data.data);
      // What the two records share is stored once and read back whole in each.
      expect(added.voucher).toMatchObject({ code, object: 'voucher', loyalty_card: { points: added.balance.total, balance: added.balance.balance } });
      expect(rewarded.voucher).toEqual(added.voucher);
      expect(rewarded.campaign).toEqual(added.campaign);
      expect(rewarded.campaign).toMatchObject({ id: programId, object: 'campaign' });
      expect(rewarded.balance).toEqual(added.balance);
      expect(rewarded.balance).toMatchObject({ points: 5, operation_type: 'AUTOMATIC', related_object: { type: 'voucher', id: added.voucher.id } });
      expect(rewarded.customer).toMatchObject({ source_id: `earn-${n}` });
      expect(added.customer).toEqual(rewarded.customer);
      expect(rewarded.earning_rule).toMatchObject({ event: 'custom_event', custom_event: { schema_id: expect.any(String) }, source: { object_id: programId } });
    }
  });

  it('a pack led by an event pages by any of its records and filters by category', async () => {
    const all = (await ok('GET', '/v1/customers/earn-2/activity?order=created_at&limit=100')).data;
    const ids = all.map((a: any) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 0; i < all.length; i++) {
      const after = (await ok('GET', `/v1/customers/earn-2/activity?order=created_at&limit=100&starting_after_id=${ids[i]}`)).data;
      expect(after.map((a: any) => a.id)).toEqual(ids.slice(i + 1));
    }
    const actions = (await ok('GET', '/v1/customers/earn-2/activity?category=ACTION&order=created_at&limit=100')).data;
    expect(actions.map((a: any) => a.id)).toEqual(all.filter((a: any) => ['customer.created', 'customer.custom_event'].includes(a.type)).map((a: any) => a.id));
    const effects = (await ok('GET', '/v1/customers/earn-2/activity?category=EFFECT&order=created_at&limit=100')).data;
    expect(effects.length).toBe(all.length - actions.length);
    expect(effects.every((a: any) => a.type !== 'customer.custom_event')).toBe(true);
  });
});

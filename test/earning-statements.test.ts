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
});

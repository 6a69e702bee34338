/**
 * Routes under a program act within it: a member added with a given code gets a card of that program only, and a
 * program's reward assignments are found by its id or its name, with a 404 for a program that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));

const program = (name: string): Promise<any> =>
  ok('POST', '/v1/loyalties', { name, type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: `${name}-`, length: 6 } } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('POST /v1/loyalties/{id}/members with a voucher', () => {
  it('publishes a card of that program, and refuses a discount code or a card of another program', async () => {
    const mine = await program('Mine');
    const other = await program('Other');
    await ok('POST', `/v1/campaigns/${mine.id}/vouchers/MINE-CARD`, {});
    await ok('POST', `/v1/campaigns/${other.id}/vouchers/OTHER-CARD`, {});
    await ok('POST', '/v1/vouchers/DISC-10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } });
    for (const code of ['OTHER-CARD', 'DISC-10']) {
      const res = await api('POST', `/v1/loyalties/${mine.id}/members`, { customer: { source_id: 'scoped' }, voucher: code });
      expect(res.statusCode, `${code}: ${res.body}`).toBe(404);
      expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'voucher' });
      expect((await ok('GET', `/v1/vouchers/${code}`)).holder_id).toBeNull();
    }
    expect((await api('POST', `/v1/loyalties/${mine.id}/members`, { customer: { source_id: 'scoped' }, voucher: 'NOPE' })).statusCode).toBe(404);
    const card = await ok('POST', `/v1/loyalties/Mine/members`, { customer: { source_id: 'scoped' }, voucher: 'MINE-CARD' });
    expect(card).toMatchObject({ code: 'MINE-CARD', campaign_id: mine.id });
  });
});

describe("a program's reward assignments", () => {
  it('are found by the program id or name; an unknown program is a 404', async () => {
    const c = await program('Named');
    const reward = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL', parameters: {} });
    const assigned = await ok('POST', `/v1/loyalties/${c.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 10 } } });
    for (const ref of [c.id, 'Named']) {
      expect((await ok('GET', `/v1/loyalties/${ref}/rewards`)).data.map((a: any) => a.id), ref).toEqual([assigned.id]);
      expect((await ok('GET', `/v1/loyalties/${ref}/reward-assignments`)).data.map((a: any) => a.id), ref).toEqual([assigned.id]);
      expect((await ok('GET', `/v1/loyalties/${ref}/rewards/${assigned.id}`)).id).toBe(assigned.id);
      expect((await ok('GET', `/v1/loyalties/${ref}/reward-assignments/${assigned.id}`)).id).toBe(assigned.id);
    }
    expect((await ok('PUT', `/v1/loyalties/Named/rewards/${assigned.id}`, { parameters: { loyalty: { points: 20 } } })).parameters.loyalty.points).toBe(20);
    for (const path of ['rewards', 'reward-assignments']) {
      const res = await api('GET', `/v1/loyalties/camp_nope/${path}`);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(404);
      expect(res.json()).toMatchObject({ key: 'not_found', resource_type: 'campaign' });
    }
    const del = await api('DELETE', `/v1/loyalties/Named/rewards/${assigned.id}`);
    expect(del.statusCode, del.body).toBe(204);
    expect((await ok('GET', `/v1/loyalties/${c.id}/rewards`)).data).toEqual([]);
  });
});

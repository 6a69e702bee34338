/**
 * Rewards that could never work as sold are refused when made or assigned: a CAMPAIGN reward of a program's points
 * sold by that same program, and a COIN reward whose exchange_ratio is too small to pay a cent.
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

describe('a CAMPAIGN reward of points', () => {
  it('is assigned to another program, and refused by the program whose points it gives', async () => {
    const own = await program('Own');
    const other = await program('Other');
    const reward = await ok('POST', '/v1/rewards', { name: 'Own points', type: 'CAMPAIGN', parameters: { campaign: { id: own.id, balance: 10 } } });
    for (const [path, body] of [
      [`/v1/loyalties/${own.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 5 } } }],
      [`/v1/loyalties/Own/rewards`, [{ reward: reward.id, parameters: { loyalty: { points: 5 } } }]],
      [`/v1/rewards/${reward.id}/assignments`, { campaign: own.id, parameters: { loyalty: { points: 5 } } }],
    ] as const) {
      const res = await api('POST', path, body);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    }
    expect((await ok('GET', `/v1/loyalties/${own.id}/rewards`)).data).toEqual([]);
    await ok('POST', `/v1/loyalties/${other.id}/rewards`, { reward: reward.id, parameters: { loyalty: { points: 5 } } });
    // Nor can a PUT make it give the points of the program that sells it.
    const put = await api('PUT', `/v1/rewards/${reward.id}`, { parameters: { campaign: { id: other.id, balance: 10 } } });
    expect(put.statusCode, put.body).toBe(400);
    expect(put.json()).toMatchObject({ key: 'invalid_payload' });
    expect((await ok('GET', `/v1/rewards/${reward.id}`)).parameters.campaign).toMatchObject({ id: own.id });
  });
});

describe('a COIN reward', () => {
  it('refuses an exchange_ratio too small or too finely divided to pay with (at least 0.00000001, 8 decimals)', async () => {
    const coin = (exchange_ratio: unknown) => ({ name: `Coins ${String(exchange_ratio)}`, type: 'COIN', parameters: { coin: { exchange_ratio } } });
    for (const ratio of [1e-9, 0.000000015, 0]) {
      const res = await api('POST', '/v1/rewards', coin(ratio));
      expect(res.statusCode, `${ratio}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    }
    const made = await ok('POST', '/v1/rewards', coin(0.00000001));
    expect((await api('PUT', `/v1/rewards/${made.id}`, { parameters: { coin: { exchange_ratio: 1e-9 } } })).statusCode).toBe(400);
    expect((await ok('PUT', `/v1/rewards/${made.id}`, { parameters: { coin: { exchange_ratio: 0.25 } } })).parameters.coin.exchange_ratio).toBe(0.25);
  });
});

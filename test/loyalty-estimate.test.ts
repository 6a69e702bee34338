/**
 * Estimating points (POST /v1/loyalties/{id}/qualifications): what an order paid would earn by the program's active
 * order.paid rules, their validation rules checked for the customer; nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let programId: string;

const { ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'visited', {});
  const program = await ok('POST', '/v1/loyalties', { name: 'Estimated', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
  programId = program.id;
  const gold = await ok('POST', '/v1/validation-rules', { name: 'gold', rules: { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } }, logic: '1' } });
  await ok('POST', `/v1/loyalties/${programId}/earning-rules`, [
    { event: 'order.paid', loyalty: { type: 'FIXED', points: 10 } },
    { event: 'order.paid', loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_AMOUNT', order: { amount: { every: 1000, points: 1 } } } },
    { event: 'order.paid', loyalty: { type: 'FIXED', points: 50 }, validation_rule_id: gold.id },
    { event: 'visited', loyalty: { type: 'FIXED', points: 999 } },
  ]);
  await ok('POST', '/v1/customers', { source_id: 'est-gold', metadata: { tier: 'gold' } });
  await ok('POST', '/v1/customers', { source_id: 'est-plain', metadata: { tier: 'none' } });
});
afterAll(() => t.close());

describe('points estimation', () => {
  it("sums the order.paid rules that hold for the customer, and writes nothing", async () => {
    const order = { amount: 25500 };
    expect(await ok('POST', `/v1/loyalties/${programId}/qualifications`, { customer: { source_id: 'est-plain' }, order })).toEqual({ campaign: { id: programId, name: 'Estimated', object: 'campaign' }, points_estimation: 35 });
    expect((await ok('POST', `/v1/loyalties/${programId}/qualifications`, { customer: { source_id: 'est-gold' }, order })).points_estimation).toBe(85);
    // An unknown customer is checked with the metadata the request gives; by name too.
    expect((await ok('POST', '/v1/loyalties/Estimated/qualifications', { customer: { source_id: 'est-new', metadata: { tier: 'gold' } }, order: { amount: 999 } })).points_estimation).toBe(60);
    expect((await ok('GET', '/v1/customers/est-gold')).loyalty?.points ?? 0).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers/est-new', headers: p.server })).statusCode).toBe(404);
  });

  it('estimates nothing for a program that cannot earn now: disabled, not started or expired (as earning gives nothing)', async () => {
    const make = async (name: string, extra: Record<string, unknown>) => {
      const program = await ok('POST', '/v1/loyalties', { name, ...extra, voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
      await ok('POST', `/v1/loyalties/${program.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 10 } }]);
      return program.id as string;
    };
    const estimate = async (id: string) => (await ok('POST', `/v1/loyalties/${id}/qualifications`, { customer: { source_id: 'est-plain' }, order: { amount: 1000 } })).points_estimation;
    const live = await make('Est live', {});
    expect(await estimate(live)).toBe(10);
    const expired = await make('Est expired', { start_date: '2020-01-01T00:00:00Z', expiration_date: '2021-01-01T00:00:00Z' });
    expect(await estimate(expired)).toBe(0);
    const future = await make('Est future', { start_date: '2099-01-01T00:00:00Z' });
    expect(await estimate(future)).toBe(0);
    await ok('POST', `/v1/campaigns/${live}/disable`);
    expect(await estimate(live)).toBe(0);
  });

  it('answers 404 for an unknown program and 400 for a malformed order', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/v1/loyalties/camp_nope/qualifications', headers: p.server, payload: {} })).json()).toMatchObject({ code: 404 });
    expect((await t.app.inject({ method: 'POST', url: `/v1/loyalties/${programId}/qualifications`, headers: p.server, payload: { order: { amount: 'lots' } } })).statusCode).toBe(400);
  });
});

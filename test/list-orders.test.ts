/**
 * `order` and date windows of smaller lists, as Voucherify takes them: validation rules (order by creation, update or
 * name; `start_date` / `end_date` of creation), promotion tiers and earning rules (order by creation or update).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
const pause = () => new Promise((r) => setTimeout(r, 5));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('list orders', () => {
  it('validation rules: by creation (newest first by default), update or name; created within start_date..end_date', async () => {
    const rule = (name: string) => ok('POST', '/v1/validation-rules', { name, rules: { '1': { name: 'order.amount', conditions: { $more_than: [1] } } } });
    const b = await rule('b rule');
    await pause();
    const middle = new Date().toISOString();
    await pause();
    await rule('a rule');
    await pause();
    await rule('c rule');
    await pause();
    await ok('PUT', `/v1/validation-rules/${b.id}`, { error: { message: 'touched' } });
    const names = async (q: string) => (await ok('GET', `/v1/validation-rules?limit=100&${q}`)).data.map((r: any) => r.name);
    expect(await names('')).toEqual(['c rule', 'a rule', 'b rule']);
    expect(await names('order=created_at')).toEqual(['b rule', 'a rule', 'c rule']);
    expect(await names('order=-updated_at')).toEqual(['b rule', 'c rule', 'a rule']);
    expect(await names('order=name')).toEqual(['a rule', 'b rule', 'c rule']);
    expect(await names(`start_date=${middle}`)).toEqual(['c rule', 'a rule']);
    expect(await names(`end_date=${middle}`)).toEqual(['b rule']);
    expect((await ok('GET', `/v1/validation-rules?start_date=${middle}`)).total).toBe(2);
    expect((await api('GET', '/v1/validation-rules?start_date=yesterday')).statusCode).toBe(400);
  });

  it('promotion tiers and earning rules: by creation or update', async () => {
    const promo = await ok('POST', '/v1/campaigns', { name: 'Ordered promo', campaign_type: 'PROMOTION' });
    const tier = async (name: string, hierarchy: number) => {
      await pause();
      return ok('POST', `/v1/promotions/${promo.id}/tiers`, { name, hierarchy, action: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    };
    const second = await tier('second', 2);
    const first = await tier('first', 1);
    const tiers = async (q: string) => (await ok('GET', `/v1/promotions/${promo.id}/tiers?${q}`)).tiers.map((x: any) => x.name);
    expect(await tiers('')).toEqual(['first', 'second']);
    expect(await tiers('order=created_at')).toEqual(['second', 'first']);
    await pause();
    await ok('PUT', `/v1/promotions/tiers/${second.id}`, { banner: 'new' });
    expect(await tiers('order=-updated_at')).toEqual(['second', 'first']);
    expect((await ok('GET', '/v1/promotions/tiers?order=-created_at')).tiers.map((x: any) => x.id).slice(0, 2)).toEqual([first.id, second.id]);

    const club = await ok('POST', '/v1/loyalties', { name: 'Ordered club', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const [r1] = await ok('POST', `/v1/loyalties/${club.id}/earning-rules`, [{ event: 'customer.segment.entered', segment: { id: (await ok('POST', '/v1/segments', { name: 'ordered seg', type: 'static', customers: [] })).id }, loyalty: { type: 'FIXED', points: 1 } }]);
    await pause();
    const [r2] = await ok('POST', `/v1/loyalties/${club.id}/earning-rules`, [{ event: 'customer.segment.entered', segment: { id: (await ok('POST', '/v1/segments', { name: 'ordered seg 2', type: 'static', customers: [] })).id }, loyalty: { type: 'FIXED', points: 2 } }]);
    const rules = async (q: string) => (await ok('GET', `/v1/loyalties/${club.id}/earning-rules?${q}`)).data.map((x: any) => x.id);
    expect(await rules('')).toEqual([r1.id, r2.id]);
    expect(await rules('order=-created_at')).toEqual([r2.id, r1.id]);
    expect((await api('GET', `/v1/loyalties/${club.id}/earning-rules?order=points`)).statusCode).toBe(400);
  });
});

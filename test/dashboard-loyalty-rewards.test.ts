/**
 * A loyalty program's Add reward form (no browser: posted as a browser posts it) refuses what the API's reward body
 * refuses, said on the program's page with nothing made, instead of a server error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession, postForm } from './helpers/dashboard-session.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';
let csrf = '';
let club: { id: string };

const { ok: v1 } = requestsOf(() => ({ t, p }));

/** Posts the form; the message the program's page then shows. */
async function add(fields: Record<string, string>) {
  return (await postForm(t.app, { cookie, csrf }, `/dashboard/p/${p.id}/campaigns/${club.id}/rewards`, { gives: 'material', amount: '', stock: '', ...fields })).notice;
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Reward shop' });
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
  club = await v1('POST', '/v1/campaigns', { name: 'Club', campaign_type: 'LOYALTY_PROGRAM', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
});
afterAll(() => t.close());

describe('Add reward', () => {
  it('refuses a stock, a price or a name the API refuses, on the page, and makes nothing', async () => {
    expect(await add({ name: 'r', stock: '3000000000', points: '10' })).toBe('Property .stock must be &lt;= 2147483647');
    expect(await add({ name: 'r', stock: '1e20', points: '10' })).toBe('Property .stock must be &lt;= 2147483647');
    expect(await add({ name: 'x'.repeat(3000), points: '10' })).toBe('Property .name must NOT have more than 200 characters');
    expect(await add({ name: 'r', points: '1e20' })).toBe('Property .parameters.loyalty.points must be &lt;= 1000000000000');
    expect((await v1('GET', '/v1/rewards')).total).toBe(0);
    // Within the bounds: made and priced in the program.
    expect(await add({ name: 'Mug', stock: '2147483647', points: '10' })).toBe('Reward Mug added for 10 points.');
    expect((await v1('GET', '/v1/rewards')).data).toMatchObject([{ name: 'Mug', stock: 2147483647 }]);
  });
});

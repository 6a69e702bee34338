/**
 * A loyalty program's Add tier form (no browser: posted as a browser posts it) refuses points beyond the API's bound
 * (1e15) and names over 200 characters, said on the program's page with nothing made, instead of a server error.
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
  return (await postForm(t.app, { cookie, csrf }, `/dashboard/p/${p.id}/campaigns/${club.id}/tiers`, { to: '', ...fields })).notice;
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Tier shop' });
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
  club = await v1('POST', '/v1/campaigns', { name: 'Club', campaign_type: 'LOYALTY_PROGRAM', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
});
afterAll(() => t.close());

describe('Add tier', () => {
  it('refuses points beyond 1e15 and a name over 200 characters, on the page, and makes nothing', async () => {
    expect(await add({ name: 't', from: '1e20' })).toBe('A tier spans at most 1,000,000,000,000,000 points.');
    expect(await add({ name: 't', from: '0', to: '1000000000000001' })).toBe('A tier spans at most 1,000,000,000,000,000 points.');
    expect(await add({ name: 'x'.repeat(3000), from: '0' })).toBe('A tier&#39;s name is at most 200 characters.');
    expect((await v1('GET', `/v1/loyalties/${club.id}/tiers`)).data).toEqual([]);
    // At the bound: made.
    expect(await add({ name: 'Gold', from: '0', to: '1000000000000000' })).toBe('Tier Gold added.');
    expect((await v1('GET', `/v1/loyalties/${club.id}/tiers`)).data).toMatchObject([{ name: 'Gold', points: { from: 0, to: 1e15 } }]);
  });
});

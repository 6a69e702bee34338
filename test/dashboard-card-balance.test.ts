/**
 * A gift card's Add or remove credits form (no browser: posted as a browser posts it): a change that rounds to no
 * cent is refused on the card's page, recording nothing, as the API refuses an amount of 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession, postForm } from './helpers/dashboard-session.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';
let csrf = '';

const { ok: v1 } = requestsOf(() => ({ t, p }));

/** Posts the form; the message the card's page then shows. */
async function change(code: string, amount: string) {
  return (await postForm(t.app, { cookie, csrf }, `/dashboard/p/${p.id}/vouchers/${code}/balance`, { change: amount, reason: '' })).notice;
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Card shop' });
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
});
afterAll(() => t.close());

describe('Add or remove credits', () => {
  it('refuses a change that rounds to 0.00 and records nothing; a cent goes through', async () => {
    const gifts = await v1('POST', '/v1/campaigns', { name: 'Gifts', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
    await v1('POST', `/v1/campaigns/${gifts.id}/vouchers/CARD-1`, {});
    const transactions = async () => (await v1('GET', '/v1/vouchers/CARD-1/transactions')).data.length as number;
    const before = await transactions();
    for (const amount of ['0.001', '-0.004']) expect(await change('CARD-1', amount)).toBe('Give an amount of at least 0.01 (or -0.01).');
    expect(await transactions()).toBe(before);
    expect((await v1('GET', '/v1/vouchers/CARD-1')).gift.balance).toBe(1000);
    expect(await change('CARD-1', '-0.01')).toBe('Removed 0.01 of credit.');
    expect((await v1('GET', '/v1/vouchers/CARD-1')).gift.balance).toBe(999);
  });
});

/**
 * Edit campaign on a campaign's page (no browser: the form posted as a browser posts it) keeps the seconds of its
 * start and expiry: saving only the description leaves them as stored, and a time with seconds is saved with them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession } from './helpers/dashboard-session.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';
let csrf = '';

const { ok: v1 } = requestsOf(() => ({ t, p }));

/** The Edit campaign form's fields as the page shows them. */
async function editForm(id: string): Promise<Record<string, string>> {
  const page = (await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/campaigns/${id}`, headers: { cookie } })).body;
  const form = /<form method="post" action="[^"]*\/edit">(.*?)<\/form>/s.exec(page)![1]!;
  const v: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input [^>]*>/g)) v[/name="([^"]+)"/.exec(tag)![1]!] = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
  v.description = /<textarea[^>]*name="description"[^>]*>([^<]*)<\/textarea>/.exec(form)![1]!;
  return v;
}
const save = (id: string, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: `/dashboard/p/${p.id}/campaigns/${id}/edit`,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
  });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Edit shop' });
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
});
afterAll(() => t.close());

describe('Edit campaign', () => {
  it('keeps the seconds of the start and expiry when only the description changes, and saves seconds given', async () => {
    const camp = await v1('POST', '/v1/campaigns', {
      name: 'Summer',
      campaign_type: 'DISCOUNT_COUPONS',
      start_date: '2031-06-01T00:00:30.000Z',
      expiration_date: '2031-08-31T23:59:59.000Z',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } },
    });
    const shown = await editForm(camp.id);
    expect(shown).toMatchObject({ start_date: '2031-06-01T00:00:30', expiration_date: '2031-08-31T23:59:59' });
    expect((await save(camp.id, { ...shown, description: 'All summer' })).statusCode).toBe(303);
    expect(await v1('GET', `/v1/campaigns/${camp.id}`)).toMatchObject({ description: 'All summer', start_date: '2031-06-01T00:00:30.000Z', expiration_date: '2031-08-31T23:59:59.000Z' });

    // A new expiry with seconds, and one at a whole minute.
    expect((await save(camp.id, { ...(await editForm(camp.id)), expiration_date: '2031-09-30T12:00:45' })).statusCode).toBe(303);
    expect((await v1('GET', `/v1/campaigns/${camp.id}`)).expiration_date).toBe('2031-09-30T12:00:45.000Z');
    expect((await save(camp.id, { ...(await editForm(camp.id)), expiration_date: '2031-10-31T23:59' })).statusCode).toBe(303);
    expect((await v1('GET', `/v1/campaigns/${camp.id}`)).expiration_date).toBe('2031-10-31T23:59:00.000Z');
    expect((await editForm(camp.id)).expiration_date).toBe('2031-10-31T23:59');
  });
});

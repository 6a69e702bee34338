/**
 * A change posted from a page to something deleted meanwhile (another tab, another person) is answered with the
 * dashboard's error page, as a page that cannot be found is, not a bare text answer; the page's script still gets
 * bare text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession } from './helpers/dashboard-session.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';
let csrf = '';

const v1 = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? res.json() : undefined;
};
const post = (path: string, fields: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: `/dashboard/p/${p.id}/${path}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString() });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Gone shop' });
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
});
afterAll(() => t.close());

describe('a change to something deleted meanwhile', () => {
  it('is a 404 page with the reason and a way back', async () => {
    const camp = await v1('POST', '/v1/campaigns', { name: 'Short-lived', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    await v1('DELETE', `/v1/campaigns/${camp.id}?force=true`);
    const customer = await v1('POST', '/v1/customers', { source_id: 'gone-ann' });
    await v1('DELETE', `/v1/customers/${customer.id}`);
    for (const [path, fields] of [
      [`campaigns/${camp.id}/active`, { active: 'false' }],
      [`campaigns/${camp.id}/delete`, {}],
      [`customers/${customer.id}/delete`, {}],
      ['bin/bin_nope/delete', {}],
      ['distributions/distr_nope/status', { status: 'PAUSED' }],
    ] as const) {
      const res = await post(path, fields);
      expect(res.statusCode, path).toBe(404);
      expect(res.headers['content-type'], path).toContain('text/html');
      expect(res.body, path).toMatch(/<h1>Cannot find [^<]+<\/h1>/);
      expect(res.body, path).toContain('href="/dashboard"');
    }
  });

  it("stays bare text for the page's script", async () => {
    const res = await t.app.inject({ method: 'POST', url: `/dashboard/p/${p.id}/bin/bin_nope/delete`, headers: { cookie, 'x-requested-with': 'fetch', 'x-csrf-token': csrf } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/plain');
  });
});

describe('a dashboard page that does not exist', () => {
  it('leads to the sign-in when signed out, as real pages do, and is a 404 page when signed in', async () => {
    for (const url of ['/dashboard/nope', `/dashboard/p/${p.id}/nope/deeper`]) {
      const out = await t.app.inject({ method: 'GET', url });
      expect(out.statusCode, url).toBe(303);
      expect(out.headers.location, url).toBe('/dashboard/sign-in');
      const signedIn = await t.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(signedIn.statusCode, url).toBe(404);
      expect(signedIn.headers['content-type'], url).toContain('text/html');
      expect(signedIn.body, url).toContain('href="/dashboard"');
    }
  });
});

describe('a settings change the API refuses', () => {
  it('is answered 400 with the form again, what was typed and why, nothing changed', async () => {
    for (const [fields, why] of [
      [{ name: '', timezone: 'Europe/Warsaw' }, /name/i],
      [{ name: 'Gone shop', currency: 'EUROS-AND-CENTS' }, /currency/i],
    ] as const) {
      const res = await post('settings', fields);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Save settings');
      expect(/<div class="notice error" role="alert">([^<]*)</.exec(res.body)?.[1]).toMatch(why);
      expect(res.body).toContain('timezone' in fields ? 'value="Europe/Warsaw"' : 'value="EUROS-AND-CENTS"');
    }
    expect((await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}`, headers: managementHeaders })).json()).toMatchObject({ name: 'Gone shop' });
  });
});

describe('an event schema the API refuses', () => {
  it('is answered 400 with the list and the form again, and why', async () => {
    const res = await post('event-schemas', { name: '' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain('Create schema');
    expect(/<div class="notice error" role="alert">([^<]+)</.exec(res.body)?.[1]).toBeTruthy();
  });
});


/**
 * The Distributions screen's changes (no browser: forms posted as a browser posts them): Pause/Resume changes only
 * the status, and the edit form keeps and shows a distribution's purpose, campaign and trigger campaign.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession } from './helpers/dashboard-session.js';
import { requestsOf } from './helpers/requests.js';
import { privateTargets } from './helpers/sendouts.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';
let csrf = '';

const { ok: v1 } = requestsOf(() => ({ t, p }));
const post = (path: string, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url: `/dashboard/p/${p.id}/${path}`,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
const channel = { type: 'webhook', target_url: 'http://127.0.0.1:9/hook', event_name: 'code' };

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject({ name: 'Distribution shop' });
  await defineSchema(t.app, p.id, 'sign_up', {});
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
});
afterAll(() => t.close());

describe('a distribution changed on the dashboard', () => {
  it('Pause and Resume change only its status: purpose, campaign and trigger stay', async () => {
    const codes = await v1('POST', '/v1/campaigns', { name: 'Welcome codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'PERCENT', percent_off: 10 } } });
    const d = await v1('POST', '/v1/distributions', { name: 'Sign-up code', purpose: 'publish_unique_codes', campaign_id: codes.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel });
    for (const status of ['PAUSED', 'TO SEND']) {
      const res = await post(`distributions/${d.id}/status`, { status });
      expect(res.statusCode).toBe(303);
      expect(await v1('GET', `/v1/distributions/${d.id}`)).toMatchObject({ status, purpose: 'publish_unique_codes', campaign_id: codes.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel });
    }
  });

  it('the edit form shows the purpose and campaigns, and saving it keeps them', async () => {
    const codes = await v1('POST', '/v1/campaigns', { name: 'Promo codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'PERCENT', percent_off: 5 } } });
    const club = await v1('POST', '/v1/campaigns', { name: 'Club', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } } });
    const tell = await v1('POST', '/v1/distributions', { name: 'Tell', purpose: 'notify_promotion', campaign_id: codes.id, trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel });
    const yours = await v1('POST', '/v1/distributions', { name: 'Your code', trigger: { type: 'customer.publication.succeeded', campaign_id: club.id }, channel });
    const edit = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/distributions/${tell.id}/edit`, headers: { cookie } });
    expect(edit.body).toContain('<option value="notify_promotion" selected>');
    expect(edit.body).toMatch(new RegExp(`name="campaign_id">.*<option value="${codes.id}" selected>Promo codes</option>`));
    // The form posted as shown, with a new name: only the name changes.
    const form = (html: string) => {
      const v: Record<string, string> = {};
      for (const [tag] of html.matchAll(/<input [^>]*>/g)) {
        const name = /name="([^"]+)"/.exec(tag)?.[1];
        if (name && name !== '_csrf' && name !== 'raw_payload') v[name] = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
      }
      for (const m of html.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) v[m[1]!] = m[2]!;
      for (const m of html.matchAll(/<select[^>]*name="([^"]+)">(.*?)<\/select>/gs)) v[m[1]!] = /<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? '';
      return v;
    };
    const fields = form(edit.body.split('<h2>Send a test')[0]!);
    expect(fields).toMatchObject({ purpose: 'notify_promotion', campaign_id: codes.id, trigger_type: 'customer.custom_event', event: 'sign_up' });
    expect((await post(`distributions/${tell.id}`, { ...fields, name: 'Tell them' })).statusCode).toBe(303);
    expect(await v1('GET', `/v1/distributions/${tell.id}`)).toMatchObject({ name: 'Tell them', purpose: 'notify_promotion', campaign_id: codes.id });

    const yoursEdit = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/distributions/${yours.id}/edit`, headers: { cookie } });
    const yoursFields = form(yoursEdit.body.split('<h2>Send a test')[0]!);
    expect(yoursFields).toMatchObject({ purpose: 'plain_message', trigger_campaign_id: club.id });
    expect((await post(`distributions/${yours.id}`, yoursFields)).statusCode).toBe(303);
    expect(await v1('GET', `/v1/distributions/${yours.id}`)).toMatchObject({ purpose: 'plain_message', campaign_id: null, trigger: { type: 'customer.publication.succeeded', campaign_id: club.id } });

    // A purpose chosen on the form with its campaign: the distribution now publishes that campaign's codes.
    expect((await post(`distributions/${tell.id}`, { ...fields, purpose: 'publish_unique_codes', campaign_id: club.id })).statusCode).toBe(303);
    expect(await v1('GET', `/v1/distributions/${tell.id}`)).toMatchObject({ purpose: 'publish_unique_codes', campaign_id: club.id });
  });
});

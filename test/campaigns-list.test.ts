/**
 * GET /v1/campaigns with Voucherify's campaign_status and filters[...]: names and ids, generation status, type,
 * voucher type, categories, referral programs, and the time-dependent `active` and `status` states.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
const names = async (query: string) => (await ok('GET', `/v1/campaigns?limit=100&${query}`)).campaigns.map((c: any) => c.name).sort();
const discount = { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } };

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const season = await ok('POST', '/v1/categories', { name: 'Season', hierarchy: 1 });
  await ok('POST', '/v1/campaigns', { name: 'Now', campaign_type: 'DISCOUNT_COUPONS', voucher: discount, category_id: season.id });
  await ok('POST', '/v1/campaigns', { name: 'Later', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: discount, start_date: '2099-01-01T00:00:00Z' });
  await ok('POST', '/v1/campaigns', { name: 'Over', campaign_type: 'DISCOUNT_COUPONS', voucher: discount, start_date: '2020-01-01T00:00:00Z', expiration_date: '2021-01-01T00:00:00Z' });
  await ok('POST', '/v1/campaigns', { name: 'Gifts', campaign_type: 'GIFT_VOUCHERS', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
  await ok('POST', '/v1/campaigns', { name: 'Friends', campaign_type: 'REFERRAL_PROGRAM', voucher: discount });
  const off = await ok('POST', '/v1/campaigns', { name: 'Off', campaign_type: 'DISCOUNT_COUPONS', voucher: discount });
  await ok('POST', `/v1/campaigns/${off.id}/disable`);
  // Codes to generate: IN_PROGRESS until the job runs.
  await ok('POST', '/v1/campaigns', { name: 'Busy', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 5, voucher: discount });
});
afterAll(() => t.close());

describe('GET /v1/campaigns filters', () => {
  it('narrows by values: names, ids, generation status, type, voucher type, category, referral programs', async () => {
    expect(await names('filters[campaigns][conditions][$in][0]=Now&filters[campaigns][conditions][$in][1]=Gifts')).toEqual(['Gifts', 'Now']);
    const now = (await ok('GET', '/v1/campaigns/Now')).id;
    expect(await names(`filters[campaigns_id][conditions][$is]=${now}`)).toEqual(['Now']);
    expect(await names('campaign_status=IN_PROGRESS')).toEqual(['Busy']);
    expect(await names('filters[campaign_status][conditions][$is_not]=DONE')).toEqual(['Busy']);
    expect(await names('filters[type][conditions][$is]=STATIC')).toEqual(['Busy', 'Later']);
    expect(await names('filters[voucher_type][conditions][$is]=GIFT_VOUCHER')).toEqual(['Gifts']);
    expect(await names('filters[categories][conditions][$is]=Season')).toEqual(['Now']);
    expect(await names('filters[is_referral_code][conditions][$is]=true')).toEqual(['Friends']);
    expect(await names('filters[campaigns][conditions][$not_in][0]=Now&filters[type][conditions][$is]=AUTO_UPDATE&filters[junction]=and')).toEqual(['Friends', 'Gifts', 'Off', 'Over']);
  });

  it('narrows by the states that depend on the time: enabled, disabled, active, expired, before start', async () => {
    expect(await names('filters[active][conditions][$disabled]=')).toEqual(['Off']);
    expect(await names('filters[active][conditions][$expired]=')).toEqual(['Over']);
    expect(await names('filters[active][conditions][$active]=')).toEqual(['Busy', 'Friends', 'Gifts', 'Now']);
    expect(await names('filters[status][conditions][$in_progress]=')).toEqual(['Busy']);
    expect(await names('filters[status][conditions][before_start]=')).toEqual(['Later']);
    expect(await names('filters[status][conditions][$active]=&filters[active][conditions][$enabled]=')).toEqual(['Friends', 'Gifts', 'Later', 'Now', 'Over']);
  });

  it('refuses filters and operators it does not know', async () => {
    for (const q of ['filters[created_date][conditions][$after]=2020-01-01', 'filters[active][conditions][$maybe]=', 'filters[campaigns][conditions][$starts_with]=N', 'campaign_status=LOST']) {
      const res = await api('GET', `/v1/campaigns?${q}`);
      expect(res.statusCode, q).toBe(400);
    }
  });
});

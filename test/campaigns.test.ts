/**
 * Campaigns and vouchers through the HTTP API: code generation from code_config in the background (with its async
 * action), an impossible code space refused at once with nothing written, codes unique per project without case,
 * stable paging, imports, and the 404/409/400 answers users rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

async function generateAll(): Promise<void> {
  while ((await t.tessera.services.generation.step()) > 0);
}

const spring = {
  name: 'Spring sale',
  campaign_type: 'DISCOUNT_COUPONS',
  type: 'STATIC',
  vouchers_count: 25,
  voucher: {
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'PERCENT', percent_off: 15 },
    code_config: { prefix: 'SPRING-2024-', pattern: '###', charset: 'ABCDEFGHJKLMNPQRSTUVWXYZ' },
  },
  start_date: '2024-03-01T00:00:00.000Z',
  expiration_date: '2024-06-01T00:00:00.000Z',
  validity_timeframe: { interval: 'P1D', duration: 'PT12H' },
  validity_day_of_week: [1, 2, 3, 4, 5],
  metadata: { season: 'spring' },
};

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('campaigns', () => {
  let campaign: any;

  it('creates a campaign whose codes are generated in the background, with progress', async () => {
    campaign = await ok('POST', '/v1/campaigns', spring);
    expect(campaign).toMatchObject({
      object: 'campaign',
      name: 'Spring sale',
      campaign_type: 'DISCOUNT_COUPONS',
      type: 'STATIC',
      active: true,
      vouchers_generation_status: 'IN_PROGRESS',
      vouchers_count: 0,
      validity_timeframe: { interval: 'P1D', duration: 'PT12H' },
      validity_day_of_week: [1, 2, 3, 4, 5],
      voucher: { type: 'DISCOUNT_VOUCHER', code_config: { prefix: 'SPRING-2024-', pattern: '###', postfix: '', length: 3 }, is_referral_code: false },
    });
    expect(campaign.id).toMatch(/^camp_/);
    const pending = await ok('GET', `/v1/async-actions/${campaign.async_action_id}`);
    expect(pending).toMatchObject({ object: 'async_action', type: 'CAMPAIGN_VOUCHERS_GENERATION', status: 'ENQUEUED', progress: 0 });

    await generateAll();
    const done = await ok('GET', `/v1/async-actions/${campaign.async_action_id}`);
    expect(done).toMatchObject({ status: 'DONE', progress: 100, result: { count: 25 } });
    const fresh = await ok('GET', `/v1/campaigns/${campaign.id}`);
    expect(fresh).toMatchObject({ vouchers_count: 25, vouchers_generation_status: 'DONE' });

    const list = await ok('GET', `/v1/vouchers?campaign_id=${campaign.id}&limit=100`);
    expect(list).toMatchObject({ object: 'list', data_ref: 'vouchers', total: 25 });
    const codes = list.vouchers.map((v: any) => v.code);
    expect(new Set(codes).size).toBe(25);
    for (const c of codes) expect(c).toMatch(/^SPRING-2024-[A-HJ-NP-Z]{3}$/);
    expect(list.vouchers[0]).toMatchObject({
      object: 'voucher',
      campaign: 'Spring sale',
      campaign_id: campaign.id,
      type: 'DISCOUNT_VOUCHER',
      discount: { type: 'PERCENT', percent_off: 15 },
      start_date: '2024-03-01T00:00:00.000Z',
      validity_day_of_week: [1, 2, 3, 4, 5],
      active: true,
      holder_id: null,
    });
  });

  it('gets a campaign by id or by name, updates, lists, disables and enables it', async () => {
    expect((await ok('GET', `/v1/campaigns/${encodeURIComponent('Spring sale')}`)).id).toBe(campaign.id);
    const updated = await ok('PUT', `/v1/campaigns/${campaign.id}`, { description: 'Fifteen off', metadata: { season: 'late spring' } });
    expect(updated).toMatchObject({ id: campaign.id, description: 'Fifteen off', metadata: { season: 'late spring' }, vouchers_count: 25 });
    expect(updated.updated_at).not.toBeNull();

    await ok('POST', '/v1/campaigns', { name: 'Gift cards', campaign_type: 'GIFT_VOUCHERS', voucher: { gift: { amount: 5000 } } });
    const list = await ok('GET', '/v1/campaigns?order=created_at');
    expect(list).toMatchObject({ object: 'list', data_ref: 'campaigns', total: 2 });
    expect(list.campaigns.map((c: any) => c.name)).toEqual(['Spring sale', 'Gift cards']);
    expect((await ok('GET', '/v1/campaigns?campaign_type=GIFT_VOUCHERS')).campaigns.map((c: any) => c.name)).toEqual(['Gift cards']);

    expect(await ok('POST', `/v1/campaigns/${campaign.id}/disable`)).toEqual({});
    expect((await ok('GET', `/v1/campaigns/${campaign.id}`)).active).toBe(false);
    await ok('POST', `/v1/campaigns/${campaign.id}/enable`);
    expect((await ok('GET', `/v1/campaigns/${campaign.id}`)).active).toBe(true);
  });

  it('refuses a duplicate name with 409 and an unknown campaign with 404', async () => {
    const dup = await api('POST', '/v1/campaigns', { ...spring, vouchers_count: 0 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 409, key: 'duplicate_found', resource_type: 'campaign' });
    const missing = await api('GET', '/v1/campaigns/camp_nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ key: 'not_found', resource_type: 'campaign', resource_id: 'camp_nope' });
  });

  it('refuses a code space that cannot hold the codes at once, naming the config, and writes nothing', async () => {
    const before = (await ok('GET', '/v1/campaigns')).total;
    const res = await api('POST', '/v1/campaigns', {
      name: 'Too small',
      campaign_type: 'DISCOUNT_COUPONS',
      vouchers_count: 10,
      voucher: { discount: { type: 'AMOUNT', amount_off: 100 }, code_config: { pattern: 'X-##', charset: 'AB' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_code_config' });
    expect(res.json().details).toContain('"pattern":"X-##"');
    expect(res.json().details).toContain('4 distinct codes');
    expect((await ok('GET', '/v1/campaigns')).total).toBe(before);
    expect((await api('GET', '/v1/campaigns/Too%20small')).statusCode).toBe(404);
  });

  it('counts letters once when codes are compared without case', async () => {
    // 'aA' is one letter for uniqueness: a space of 1^8 codes, not 2^8.
    const res = await api('POST', '/v1/campaigns', { name: 'Case', campaign_type: 'DISCOUNT_COUPONS', vouchers_count: 2, voucher: { discount: { type: 'AMOUNT', amount_off: 1 }, code_config: { charset: 'aA', length: 8 } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toContain('can make 1 distinct codes');
  });

  it('checks validity and types', async () => {
    const bad = [
      [{ ...spring, name: 'x1', vouchers_count: 0, start_date: undefined }, 'validity_timeframe needs a start_date'],
      [{ ...spring, name: 'x2', vouchers_count: 0, expiration_date: '2024-01-01T00:00:00.000Z' }, 'expiration_date must be later'],
      [{ ...spring, name: 'x3', vouchers_count: 0, validity_day_of_week: [7] }, 'validity_day_of_week'],
      [{ ...spring, name: 'x4', vouchers_count: 0, validity_timeframe: { interval: 'daily', duration: 'PT1H' } }, 'validity_timeframe.interval'],
      [{ ...spring, name: 'x5', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT' } } }, "'amount_off'"],
      [{ name: 'x6', campaign_type: 'GIFT_VOUCHERS', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 1 } } }, 'must be GIFT_VOUCHER'],
      [{ name: 'x7', campaign_type: 'PROMOTION', vouchers_count: 3 }, 'PROMOTION'],
    ] as const;
    for (const [body, text] of bad) {
      const res = await api('POST', '/v1/campaigns', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().details, res.body).toContain(text);
    }
    const promo = await ok('POST', '/v1/campaigns', { name: 'Promo shell', campaign_type: 'PROMOTION' });
    expect(promo).toMatchObject({ campaign_type: 'PROMOTION', promotion: { tiers: [] }, vouchers_generation_status: 'DONE' });
    expect(promo.voucher).toBeUndefined();
  });

  it('makes codes of a gift campaign with their balance, and deletes a campaign with its codes', async () => {
    const gift = await ok('POST', '/v1/campaigns', { name: 'Gift batch', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 3, voucher: { gift: { amount: 2500 }, code_config: { length: 10 } } });
    await generateAll();
    const codes = (await ok('GET', `/v1/vouchers?campaign=Gift%20batch`)).vouchers;
    expect(codes).toHaveLength(3);
    expect(codes[0]).toMatchObject({ type: 'GIFT_VOUCHER', gift: { amount: 2500, balance: 2500 } });
    expect(codes[0].discount).toBeUndefined();
    expect(codes[0].code).toMatch(/^[0-9A-Za-z]{10}$/);

    const del = await api('DELETE', `/v1/campaigns/${gift.id}`);
    expect(del.statusCode).toBe(202);
    expect(del.json().async_action_id).toMatch(/^aa_/);
    expect((await api('GET', `/v1/campaigns/${gift.id}`)).statusCode).toBe(404);
    expect((await api('GET', `/v1/vouchers/${encodeURIComponent(codes[0].code)}`)).statusCode).toBe(404);
  });
});

describe('vouchers', () => {
  it('creates a voucher with a code, finds it by code in any case or by id, and refuses the code again in any case', async () => {
    const v = await ok('POST', '/v1/vouchers/Summer10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, metadata: { src: 'test' } });
    expect(v).toMatchObject({ object: 'voucher', code: 'Summer10', campaign: null, campaign_id: null, discount: { type: 'AMOUNT', amount_off: 1000 }, metadata: { src: 'test' } });
    expect(v.id).toMatch(/^v_/);
    expect((await ok('GET', '/v1/vouchers/SUMMER10')).id).toBe(v.id);
    expect((await ok('GET', `/v1/vouchers/${v.id}`)).code).toBe('Summer10');

    const dup = await api('POST', '/v1/vouchers/summer10', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 5 } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 409, key: 'duplicate_found', resource_type: 'voucher' });
  });

  it('answers 404 naming the voucher for an unknown code', async () => {
    for (const [method, url] of [['GET', '/v1/vouchers/NOPE-1'], ['PUT', '/v1/vouchers/NOPE-1'], ['DELETE', '/v1/vouchers/NOPE-1'], ['POST', '/v1/vouchers/NOPE-1/enable']] as const) {
      const res = await api(method, url, method === 'PUT' ? { metadata: {} } : method === 'POST' ? {} : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher', resource_id: 'NOPE-1' });
    }
  });

  it('makes a random code from a code_config, updates, disables, enables and deletes', async () => {
    const v = await ok('POST', '/v1/vouchers', { type: 'GIFT_VOUCHER', gift: { amount: 300 }, code_config: { prefix: 'G-', pattern: '####-####', charset: '0123456789' } });
    expect(v.code).toMatch(/^G-\d{4}-\d{4}$/);
    expect(v.gift).toEqual({ amount: 300, balance: 300 });
    const updated = await ok('PUT', `/v1/vouchers/${v.code}`, { metadata: { note: 'vip' }, additional_info: 'x', expiration_date: '2030-01-01T00:00:00.000Z' });
    expect(updated).toMatchObject({ metadata: { note: 'vip' }, additional_info: 'x', expiration_date: '2030-01-01T00:00:00.000Z', gift: { amount: 300, balance: 300 } });
    expect((await ok('POST', `/v1/vouchers/${v.code}/disable`, {})).active).toBe(false);
    expect((await ok('GET', `/v1/vouchers/${v.code}`)).active).toBe(false);
    expect((await ok('POST', `/v1/vouchers/${v.code}/enable`, {})).active).toBe(true);
    expect((await api('DELETE', `/v1/vouchers/${v.code}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/vouchers/${v.code}`)).statusCode).toBe(404);
  });

  it('takes back what its own GET answers (PUT of a voucher as read, nulls and all), changing nothing', async () => {
    const camp = await ok('POST', '/v1/campaigns', { name: 'Round trip', campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'AMOUNT', amount_off: 200 } } });
    const club = await ok('POST', '/v1/loyalties', { name: 'Round trip club', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const made = [
      await ok('POST', '/v1/vouchers/RT-DISC', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } }),
      await ok('POST', '/v1/vouchers/RT-GIFT', { type: 'GIFT_VOUCHER', gift: { amount: 500 }, redemption: { quantity: 3 } }),
      await ok('POST', '/v1/vouchers/RT-CREDITED', { type: 'GIFT_VOUCHER', gift: { amount: 500 } }),
      await ok('POST', `/v1/campaigns/${camp.id}/vouchers/RT-CAMP`, {}),
      await ok('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: 'rt-holder' } }),
    ];
    await ok('POST', '/v1/vouchers/RT-CREDITED/balance', { amount: 250 });
    await ok('POST', `/v1/loyalties/members/${made[4].code}/balance`, { points: 40 });
    for (const v of made) {
      const read = await ok('GET', `/v1/vouchers/${v.code}`);
      const put = await ok('PUT', `/v1/vouchers/${v.code}`, read);
      const { updated_at: _u, validation_rules_assignments: _a, ...same } = read;
      expect(put, v.code).toMatchObject(same);
      const { updated_at: _u2, ...again } = await ok('GET', `/v1/vouchers/${v.code}`);
      expect(again, v.code).toEqual({ ...same, validation_rules_assignments: _a });
    }
    // null means none: metadata at creation, and the nullable dates and texts on update.
    expect(await ok('POST', '/v1/vouchers', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 }, metadata: null, campaign: null, campaign_id: null })).toMatchObject({ metadata: {}, campaign: null });
    const cleared = await ok('PUT', '/v1/vouchers/RT-DISC', { metadata: null, start_date: null, additional_info: null });
    expect(cleared).toMatchObject({ metadata: {}, start_date: null, additional_info: null });
    // A voucher does not move to another campaign through the update (read-only, as its code).
    expect(await ok('PUT', '/v1/vouchers/RT-DISC', { campaign: camp.id, code: 'OTHER' })).toMatchObject({ code: 'RT-DISC', campaign_id: null });
  });

  it('adds codes to a campaign, given or random', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Manual adds', campaign_type: 'DISCOUNT_COUPONS', voucher: { discount: { type: 'FIXED', fixed_amount: 500 }, code_config: { pattern: 'MA-####' } } });
    const given = await ok('POST', `/v1/campaigns/${c.id}/vouchers/MA-GIVEN`, {});
    expect(given).toMatchObject({ code: 'MA-GIVEN', campaign_id: c.id, discount: { type: 'FIXED', fixed_amount: 500 } });
    const random = await ok('POST', `/v1/campaigns/Manual%20adds/vouchers`, {});
    expect(random.code).toMatch(/^MA-[0-9A-Za-z]{4}$/);
    expect((await ok('GET', `/v1/campaigns/${c.id}`)).vouchers_count).toBe(2);
  });

  it('pages through codes made in the same statement without repeats or gaps', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Paging', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 23, voucher: { discount: { type: 'AMOUNT', amount_off: 1 } } });
    await generateAll();
    for (const order of ['created_at', '-created_at', 'code']) {
      const seen: string[] = [];
      for (let page = 1; page <= 6; page++) {
        const res = await ok('GET', `/v1/vouchers?campaign_id=${c.id}&limit=4&page=${page}&order=${order}`);
        expect(res.total).toBe(23);
        seen.push(...res.vouchers.map((v: any) => v.code));
      }
      expect(seen, order).toHaveLength(23);
      expect(new Set(seen).size, order).toBe(23);
    }
  });

  it('imports vouchers, reporting taken codes in the async action', async () => {
    const res = await api('POST', '/v1/vouchers/import', [
      { code: 'IMP-1', type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
      { code: 'imp-2', type: 'GIFT_VOUCHER', gift: { amount: 100 } },
      { code: 'SUMMER10', type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    ]);
    expect(res.statusCode, res.body).toBe(202);
    const action = await ok('GET', `/v1/async-actions/${res.json().async_action_id}`);
    expect(action).toMatchObject({ status: 'DONE', type: 'VOUCHERS_IMPORT', result: { done_count: 2, failed_count: 1, failed: [{ code: 'SUMMER10' }] } });
    expect((await ok('GET', '/v1/vouchers/IMP-2')).gift).toEqual({ amount: 100, balance: 100 });
  });

  it('a large generation batch that meets taken and repeated codes still makes the exact count, each code once', async () => {
    // 32 characters, 2 slots: 1,024 codes; 192 taken first; 500 asked: the first batch (inserted without a probe)
    // draws repeats and taken codes, and later batches fill the shortfall.
    const charset = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
    const taken = [];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 32; j++) taken.push({ code: `W-${charset[i]}${charset[j]}`, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
    expect((await api('POST', '/v1/vouchers/import', taken)).statusCode).toBe(202);
    const c = await ok('POST', '/v1/campaigns', { name: 'Wide', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 500, voucher: { discount: { type: 'AMOUNT', amount_off: 1 }, code_config: { prefix: 'W-', pattern: '##', charset } } });
    const first = await t.tessera.services.generation.step(2000);
    expect(first).toBeLessThan(500);
    await generateAll();
    expect(await ok('GET', `/v1/campaigns/${c.id}`)).toMatchObject({ vouchers_count: 500, vouchers_generation_status: 'DONE' });
    const { rows } = await t.testDb.db.query<{ n: string; distinct_codes: string; imported: string }>(
      `SELECT count(*) AS n, count(DISTINCT lower(code)) AS distinct_codes, count(*) FILTER (WHERE campaign_id IS NULL) AS imported FROM vouchers WHERE code LIKE 'W-%'`,
    );
    expect(Object.values(rows[0]!).map(Number)).toEqual([692, 692, 192]);
  });

  it('generation skips codes already taken in the project (imports, other campaigns) and still makes the count', async () => {
    // 24 letters, 2 slots: 576 codes; take ~half of them first, then ask for 200 more (within the margin of 288).
    const charset = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    const taken = [];
    for (let i = 0; i < 24; i += 2) for (let j = 0; j < 24; j++) taken.push({ code: `Q-${charset[i]}${charset[j]}`, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
    expect((await api('POST', '/v1/vouchers/import', taken)).statusCode).toBe(202);
    const c = await ok('POST', '/v1/campaigns', { name: 'Crowded', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 200, voucher: { discount: { type: 'AMOUNT', amount_off: 1 }, code_config: { prefix: 'Q-', pattern: '##', charset } } });
    await generateAll();
    expect(await ok('GET', `/v1/campaigns/${c.id}`)).toMatchObject({ vouchers_count: 200, vouchers_generation_status: 'DONE' });
    const all = (await ok('GET', `/v1/vouchers?code=Q-AA`)).vouchers;
    expect(all).toHaveLength(1);
  });

  it('adds codes in bulk with vouchers_count (202, an async action), within what the code space holds', async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Bulk adds', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 3, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, code_config: { pattern: 'BK-##', charset: '0123456789' } } });
    await generateAll();
    const one = await ok('POST', `/v1/campaigns/${c.id}/vouchers`, {});
    expect(one).toMatchObject({ object: 'voucher', campaign_id: c.id });
    const first = await api('POST', `/v1/campaigns/${c.id}/vouchers?vouchers_count=20`, {});
    expect(first.statusCode, first.body).toBe(202);
    const second = await api('POST', `/v1/campaigns/Bulk adds/vouchers?vouchers_count=10`);
    expect(second.statusCode, second.body).toBe(202);
    expect((await ok('GET', `/v1/campaigns/${c.id}`)).vouchers_generation_status).toBe('IN_PROGRESS');
    // 100 codes in the space, a margin of two: 3 + 1 + 20 + 10 pending, 17 more would pass 50.
    const tooMany = await api('POST', `/v1/campaigns/${c.id}/vouchers?vouchers_count=17`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ key: 'invalid_code_config' });
    const withBody = await api('POST', `/v1/campaigns/${c.id}/vouchers?vouchers_count=2`, { metadata: { a: 1 } });
    expect(withBody.statusCode).toBe(400);
    expect(withBody.json().details).toContain('metadata');
    await generateAll();
    for (const r of [first, second]) expect(await ok('GET', `/v1/async-actions/${r.json().async_action_id}`)).toMatchObject({ status: 'DONE', type: 'CAMPAIGN_VOUCHERS_GENERATION' });
    expect(await ok('GET', `/v1/campaigns/${c.id}`)).toMatchObject({ vouchers_count: 34, vouchers_generation_status: 'DONE' });
    const codes = (await ok('GET', `/v1/vouchers?campaign_id=${c.id}&limit=100`)).vouchers.map((v: any) => v.code);
    expect(new Set(codes).size).toBe(34);
    const promo = await ok('POST', '/v1/campaigns', { name: 'No codes', campaign_type: 'PROMOTION' });
    expect((await api('POST', `/v1/campaigns/${promo.id}/vouchers?vouchers_count=2`)).statusCode).toBe(400);
    expect((await api('POST', '/v1/campaigns/camp_nothere/vouchers?vouchers_count=2')).statusCode).toBe(404);
    expect((await api('POST', `/v1/campaigns/${c.id}/vouchers?vouchers_count=0`)).statusCode).toBe(400);
  });

  it('refuses malformed bodies with 400', async () => {
    const cases = [
      ['POST', '/v1/vouchers/X1', { type: 'DISCOUNT_VOUCHER' }, "'discount'"],
      ['POST', '/v1/vouchers/X2', { type: 'BOGUS' }, 'must be one of'],
      ['POST', '/v1/vouchers/%20X3', { type: 'GIFT_VOUCHER', gift: { amount: 1 } }, 'printable'],
      ['POST', '/v1/vouchers/X4', { campaign: 'Promo shell' }, 'holds no codes'],
      ['POST', '/v1/vouchers/X5', { type: 'GIFT_VOUCHER', gift: { amount: -1 } }, 'gift.amount'],
    ] as const;
    for (const [method, url, body, text] of cases) {
      const res = await api(method, url, body);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json().details).toContain(text);
    }
  });
});

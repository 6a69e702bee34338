/**
 * Referral programs converted by custom events: the checks (published code, no self-referral, the named referrer,
 * an active program converting on this event), one conversion per referee and program even under concurrency, the
 * referee's reward on a gift card or a loyalty card, and the customer.rewarded payload against the official schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
/** Warnings the server logged (a conversion without a reward says why there). */
const warnings: Array<Record<string, unknown>> = [];

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}
const referred = (campaignId: string) => count('SELECT count(*) AS n FROM referrals WHERE campaign_id = $1', [campaignId]);
const signup = (source_id: string, referral?: Record<string, unknown>) => ok('POST', '/v1/events', { event: 'signed_up', customer: { source_id }, ...(referral ? { referral } : {}) });

/** A referral program converting on signed_up, rewarding the referee with 500 credits of a gift campaign. */
async function program(name: string, reward: Record<string, unknown>): Promise<any> {
  return ok('POST', '/v1/campaigns', {
    name,
    campaign_type: 'REFERRAL_PROGRAM',
    type: 'AUTO_UPDATE',
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: `${name.slice(0, 3).toUpperCase()}-`, length: 6 } },
    referral_program: { conversion_event_type: 'custom_event', custom_event: { name: 'signed_up' }, referee_reward: reward },
  });
}
const codeFor = async (campaignId: string, source_id: string) => (await ok('POST', '/v1/publications', { campaign: { id: campaignId }, customer: { source_id } })).voucher.code;

let gift: any;

beforeAll(async () => {
  t = await startTessera({ env: privateTargets, logger: createLogger('warn', { destination: { write: (l: string) => void warnings.push(JSON.parse(l)) } }) });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, ['customer.rewarded', 'customer.holder.assignment.created']);
  for (const name of ['signed_up', 'page_viewed_r']) {
    const res = await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name, schema: { properties: {} } });
    expect(res.statusCode).toBeLessThan(300);
  }
  gift = await ok('POST', '/v1/campaigns', { name: 'Welcome credits', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 0 } } });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('referral programs', () => {
  it('a referee is converted once by the custom event carrying the referrer\'s code, and gets the gift credits', async () => {
    const c = await program('Friends', { related_object_parent: { id: gift.id, object: 'CAMPAIGN' }, type: 'GIFT_VOUCHER', amount: 500 });
    expect(c.referral_program).toMatchObject({ conversion_event_type: 'custom_event' });
    const code = await codeFor(c.id, 'ref-ann');
    await signup('ref-bob', { code });
    expect(await referred(c.id)).toBe(1);
    const bob = await ok('GET', '/v1/customers/ref-bob');
    const card = (await ok('GET', `/v1/vouchers?customer=${bob.id}&campaign_id=${gift.id}`)).vouchers;
    expect(card).toHaveLength(1);
    expect(card[0].gift).toMatchObject({ balance: 500 });
    const activity = await ok('GET', '/v1/customers/ref-bob/activity');
    const types = activity.data.map((a: any) => a.type);
    expect(types).toEqual(expect.arrayContaining(['customer.referred', 'customer.rewarded']));
    const event = activity.data.find((a: any) => a.type === 'customer.referred').data.data;
    expect(event).toMatchObject({ referrer: { source_id: 'ref-ann' }, campaign: { id: c.id }, voucher: { code } });
    // Again: no second conversion, no second reward; the event is recorded all the same.
    await signup('ref-bob', { code });
    expect(await referred(c.id)).toBe(1);
    expect((await ok('GET', `/v1/vouchers/${card[0].code}`)).gift.balance).toBe(500);
    expect((await ok('GET', '/v1/customers/ref-bob/activity?type=customer.custom_event')).data).toHaveLength(2);
    // The customer objects: how bob was referred, and how many ann referred.
    expect((await ok('GET', '/v1/customers/ref-bob')).referrals).toMatchObject({ total: 1, campaigns: [{ campaign_id: c.id, referrer_id: expect.stringMatching(/^cust_/), related_object_type: 'custom_event' }] });
    expect((await ok('GET', '/v1/customers/ref-ann')).loyalty).toMatchObject({ referred_customers: 1 });
  });

  it('refuses self-referral, a code not published, a wrong referrer, another event and an inactive program (the events stand)', async () => {
    const c = await program('Checks', { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: 100 });
    const code = await codeFor(c.id, 'chk-cy');
    await signup('chk-cy', { code });
    expect(await referred(c.id)).toBe(0);
    await signup('chk-dee', { code, referrer_id: 'someone-else' });
    expect(await referred(c.id)).toBe(0);
    const loose = (await ok('POST', `/v1/campaigns/${c.id}/vouchers`, {})).code;
    await signup('chk-dee', { code: loose });
    expect(await referred(c.id)).toBe(0);
    await ok('POST', '/v1/events', { event: 'page_viewed_r', customer: { source_id: 'chk-dee' }, referral: { code } });
    expect(await referred(c.id)).toBe(0);
    await ok('POST', `/v1/campaigns/${c.id}/disable`);
    await signup('chk-dee', { code });
    expect(await referred(c.id)).toBe(0);
    await ok('POST', `/v1/campaigns/${c.id}/enable`);
    // The named referrer by id or source id is accepted.
    await signup('chk-dee', { code, referrer_id: 'chk-cy' });
    expect(await referred(c.id)).toBe(1);
    expect((await ok('GET', '/v1/customers/chk-dee/activity?type=customer.custom_event')).data.length).toBeGreaterThanOrEqual(4);
  });

  it('a program or code that has expired or not started does not convert, as its redemption would be refused (the events stand)', async () => {
    const c = await program('Seasonal', { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: 40 });
    const code = await codeFor(c.id, 'sea-ann');
    const credits = async (source_id: string) => {
      const who = await ok('GET', `/v1/customers/${source_id}`);
      return count('SELECT coalesce(sum(gift_balance), 0) AS n FROM vouchers WHERE holder_id = $1 AND campaign_id = $2', [who.id, gift.id]);
    };
    const answer = async () => (await ok('POST', '/v1/validations', { customer: { source_id: 'sea-x' }, redeemables: [{ object: 'voucher', id: code }] })).redeemables[0].result?.error?.key;
    // The program expired: its code answers voucher_expired, and does not convert.
    await ok('PUT', `/v1/campaigns/${c.id}`, { expiration_date: '2020-01-01T00:00:00Z' });
    expect(await answer()).toBe('voucher_expired');
    await signup('sea-bob', { code });
    expect(await referred(c.id)).toBe(0);
    expect(await credits('sea-bob')).toBe(0);
    // Not started yet: voucher_not_active, no conversion.
    await ok('PUT', `/v1/campaigns/${c.id}`, { expiration_date: null, start_date: '2099-01-01T00:00:00Z' });
    expect(await answer()).toBe('voucher_not_active');
    await signup('sea-bob', { code });
    expect(await referred(c.id)).toBe(0);
    // The code itself expired (the program did not).
    await ok('PUT', `/v1/campaigns/${c.id}`, { start_date: null });
    await ok('PUT', `/v1/vouchers/${code}`, { expiration_date: '2020-06-01T00:00:00Z' });
    expect(await answer()).toBe('voucher_expired');
    await signup('sea-bob', { code });
    expect(await referred(c.id)).toBe(0);
    expect((await ok('GET', '/v1/customers/sea-bob/activity?type=customer.custom_event')).data).toHaveLength(3);
    // Valid again: the same referee converts and is rewarded.
    await ok('PUT', `/v1/vouchers/${code}`, { expiration_date: null });
    expect(await answer()).toBeUndefined();
    await signup('sea-bob', { code });
    expect(await referred(c.id)).toBe(1);
    expect(await credits('sea-bob')).toBe(40);
  });

  it('concurrent events of one referee convert once and reward once', async () => {
    const c = await program('Race', { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: 70 });
    const code = await codeFor(c.id, 'race-eve');
    await Promise.all(Array.from({ length: 12 }, () => signup('race-fay', { code })));
    expect(await referred(c.id)).toBe(1);
    const fay = await ok('GET', '/v1/customers/race-fay');
    expect(await count('SELECT coalesce(sum(gift_balance), 0) AS n FROM vouchers WHERE holder_id = $1 AND campaign_id = $2', [fay.id, gift.id])).toBe(70);
  });

  it('a loyalty reward adds points to the referee\'s card (published to them when they hold none)', async () => {
    const club = await ok('POST', '/v1/loyalties', { name: 'Ref club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'RC-', length: 6 } } });
    const c = await program('Points', { related_object_parent: { id: club.id }, type: 'LOYALTY_CARD', amount: 300 });
    const code = await codeFor(c.id, 'pts-gus');
    await signup('pts-hal', { code });
    const hal = await ok('GET', '/v1/customers/pts-hal');
    const cards = (await ok('GET', `/v1/vouchers?customer=${hal.id}&campaign_id=${club.id}`)).vouchers;
    expect(cards).toHaveLength(1);
    expect(cards[0].loyalty_card).toEqual({ points: 300, balance: 300 });
  });

  it('a program converting on redemption converts the customer who redeems the referrer\'s code, once', async () => {
    const c = await ok('POST', '/v1/campaigns', {
      name: 'Redeemers',
      campaign_type: 'REFERRAL_PROGRAM',
      type: 'AUTO_UPDATE',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, code_config: { prefix: 'RED-', length: 6 } },
      referral_program: { conversion_event_type: 'redemption', referee_reward: { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: 250 } },
    });
    const code = await codeFor(c.id, 'rdm-ivy');
    const redeem = (source_id: string) => ok('POST', '/v1/redemptions', { customer: { source_id }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: code }] });
    // The referrer redeeming their own code: refused, and no conversion.
    const own = await api('POST', '/v1/redemptions', { customer: { source_id: 'rdm-ivy' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: code }] });
    expect(own.statusCode).toBe(400);
    expect(JSON.stringify(own.json())).toContain('referrer_not_permitted_to_redeem');
    const ownCheck = await ok('POST', '/v1/validations', { customer: { source_id: 'rdm-ivy' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: code }] });
    expect(ownCheck.valid).toBe(false);
    expect(JSON.stringify(ownCheck)).toContain('referrer_not_permitted_to_redeem');
    expect(await referred(c.id)).toBe(0);
    await redeem('rdm-jay');
    await redeem('rdm-jay');
    expect(await referred(c.id)).toBe(1);
    const jay = await ok('GET', '/v1/customers/rdm-jay');
    expect(jay.referrals).toMatchObject({ total: 1, campaigns: [{ campaign_id: c.id, related_object_type: 'redemption', related_object_id: expect.stringMatching(/^r_/) }] });
    expect(await count('SELECT coalesce(sum(gift_balance), 0) AS n FROM vouchers WHERE holder_id = $1 AND campaign_id = $2', [jay.id, gift.id])).toBe(250);
    // A tracked event does not convert in a program that converts on redemption.
    await signup('rdm-kim', { code });
    expect(await referred(c.id)).toBe(1);
  });

  it('a referrer is rewarded once when their conversions reach a threshold, even when referees convert at once', async () => {
    const c = await ok('POST', '/v1/campaigns', {
      name: 'Ambassadors',
      campaign_type: 'REFERRAL_PROGRAM',
      type: 'AUTO_UPDATE',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, code_config: { prefix: 'AMB-', length: 6 } },
      referral_program: {
        conversion_event_type: 'custom_event',
        referrer_rewards: [
          { conversions: 2, reward: { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: 1000 } },
          { conversions: 4, reward: { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: 3000 } },
        ],
      },
    });
    const code = await codeFor(c.id, 'amb-lou');
    await Promise.all(['amb-1', 'amb-2', 'amb-3'].map((who) => signup(who, { code })));
    expect(await referred(c.id)).toBe(3);
    const lou = await ok('GET', '/v1/customers/amb-lou');
    const credits = () => count('SELECT coalesce(sum(gift_balance), 0) AS n FROM vouchers WHERE holder_id = $1 AND campaign_id = $2', [lou.id, gift.id]);
    expect(await credits()).toBe(1000);
    await signup('amb-4', { code });
    expect(await credits()).toBe(4000);
    await signup('amb-5', { code });
    expect(await credits()).toBe(4000);
    const rewarded = (await ok('GET', '/v1/customers/amb-lou/activity?type=customer.rewarded')).data.map((a: any) => a.data.data.referral_tier.banner);
    expect(rewarded.sort()).toEqual(['2 referrals', '4 referrals']);
  });

  it('a referrer holding several codes of a program reaches each threshold once when referees convert through both at once', async () => {
    const tiers = [2, 4, 6, 8].map((n) => ({ conversions: n, reward: { related_object_parent: { id: gift.id }, type: 'GIFT_VOUCHER', amount: n * 100 } }));
    const c = await ok('POST', '/v1/campaigns', {
      name: 'Two-code ambassadors',
      campaign_type: 'REFERRAL_PROGRAM',
      type: 'AUTO_UPDATE',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, code_config: { prefix: 'TWO-', length: 6 } },
      referral_program: { conversion_event_type: 'custom_event', referrer_rewards: tiers },
    });
    const codes = [await codeFor(c.id, 'two-ray'), await codeFor(c.id, 'two-ray')];
    expect(new Set(codes).size).toBe(2);
    await Promise.all(Array.from({ length: 8 }, (_, i) => signup(`two-${i}`, { code: codes[i % 2] })));
    expect(await referred(c.id)).toBe(8);
    const ray = await ok('GET', '/v1/customers/two-ray');
    expect(await count('SELECT coalesce(sum(gift_balance), 0) AS n FROM vouchers WHERE holder_id = $1 AND campaign_id = $2', [ray.id, gift.id])).toBe(200 + 400 + 600 + 800);
    const rewarded = (await ok('GET', '/v1/customers/two-ray/activity?type=customer.rewarded')).data.map((a: any) => a.data.data.referral_tier.banner);
    expect(rewarded.sort()).toEqual(['2 referrals', '4 referrals', '6 referrals', '8 referrals']);
  });

  it('a referral_program only on referral programs, and well formed', async () => {
    const bad = await api('POST', '/v1/campaigns', { name: 'Nope', campaign_type: 'DISCOUNT_COUPONS', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } }, referral_program: { conversion_event_type: 'custom_event' } });
    expect(bad.statusCode).toBe(400);
    const worse = await api('POST', '/v1/campaigns', { name: 'Nope2', campaign_type: 'REFERRAL_PROGRAM', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } }, referral_program: { conversion_event_type: 'sometimes' } });
    expect(worse.statusCode).toBe(400);
    expect(worse.json()).toHaveProperty('request_id');
  });
});

describe('referral rewards are checked when the program is saved', () => {
  const reward = (id: string, type = 'GIFT_VOUCHER') => ({ related_object_parent: { id }, type, amount: 500 });
  const referralBody = (name: string, rp: Record<string, unknown>) => ({
    name,
    campaign_type: 'REFERRAL_PROGRAM',
    type: 'AUTO_UPDATE',
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    referral_program: { conversion_event_type: 'custom_event', ...rp },
  });
  const refused = async (res: { statusCode: number; json: () => any }, status: number, key: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code: status, key, message: expect.any(String), details: expect.any(String), request_id: expect.any(String) });
    return res.json();
  };

  it('refuses a reward from an unknown campaign (404) or a campaign of another type (400), on create and on update', async () => {
    const club = await ok('POST', '/v1/loyalties', { name: 'Wrong club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Plain coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } });
    const missing = await refused(await api('POST', '/v1/campaigns', referralBody('Bad reward 1', { referee_reward: reward('camp_nope') })), 404, 'not_found');
    expect(missing).toMatchObject({ resource_type: 'campaign', resource_id: 'camp_nope' });
    const mismatch = await refused(await api('POST', '/v1/campaigns', referralBody('Bad reward 2', { referee_reward: reward(club.id) })), 400, 'invalid_campaign');
    expect(mismatch.details).toContain('GIFT_VOUCHERS');
    await refused(await api('POST', '/v1/campaigns', referralBody('Bad reward 3', { referee_reward: reward(gift.id, 'LOYALTY_CARD') })), 400, 'invalid_campaign');
    await refused(await api('POST', '/v1/campaigns', referralBody('Bad reward 4', { referrer_rewards: [{ conversions: 1, reward: reward(coupons.id) }] })), 400, 'invalid_campaign');
    await refused(await api('POST', '/v1/campaigns', referralBody('Bad reward 5', { referrer_rewards: [{ conversions: 1, reward: reward('camp_gone', 'LOYALTY_CARD') }] })), 404, 'not_found');
    // None of them was made.
    expect(await count("SELECT count(*) AS n FROM campaigns WHERE name LIKE 'Bad reward%'", [])).toBe(0);
    // Update: refused alike, and the program keeps what it had.
    const c = await ok('POST', '/v1/campaigns', referralBody('Good reward', { referee_reward: reward(gift.id), referrer_rewards: [{ conversions: 2, reward: reward(club.id, 'LOYALTY_CARD') }] }));
    await refused(await api('PUT', `/v1/campaigns/${c.id}`, { referral_program: { conversion_event_type: 'custom_event', referee_reward: reward(club.id) } }), 400, 'invalid_campaign');
    await refused(await api('PUT', `/v1/campaigns/${c.id}`, { referral_program: { conversion_event_type: 'custom_event', referee_reward: reward('camp_nope') } }), 404, 'not_found');
    expect((await ok('GET', `/v1/campaigns/${c.id}`)).referral_program).toMatchObject({ referee_reward: reward(gift.id), referrer_rewards: [{ conversions: 2 }] });
    const changed = await ok('PUT', `/v1/campaigns/${c.id}`, { referral_program: { conversion_event_type: 'custom_event', referee_reward: reward(club.id, 'LOYALTY_CARD') } });
    expect(changed.referral_program.referee_reward).toMatchObject({ related_object_parent: { id: club.id }, type: 'LOYALTY_CARD' });
  });

  it('refuses two referrer rewards for the same number of conversions', async () => {
    const tiers = [{ conversions: 2, reward: reward(gift.id) }, { conversions: 3, reward: reward(gift.id) }, { conversions: 2, reward: { ...reward(gift.id), amount: 900 } }];
    const res = await refused(await api('POST', '/v1/campaigns', referralBody('Twice two', { referrer_rewards: tiers })), 400, 'invalid_campaign');
    expect(res.details).toContain('2 conversions');
    const c = await ok('POST', '/v1/campaigns', referralBody('Once two', { referrer_rewards: tiers.slice(0, 2) }));
    await refused(await api('PUT', `/v1/campaigns/${c.id}`, { referral_program: { conversion_event_type: 'custom_event', referrer_rewards: tiers } }), 400, 'invalid_campaign');
    expect((await ok('GET', `/v1/campaigns/${c.id}`)).referral_program.referrer_rewards).toHaveLength(2);
  });

  it('a reward campaign disabled or deleted after the program was saved: the referee converts, gets no reward, and the log says why', async () => {
    const credits = await ok('POST', '/v1/campaigns', { name: 'Credits later off', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 0 } } });
    const c = await program('Fading', reward(credits.id));
    const code = await codeFor(c.id, 'fad-ann');
    await ok('POST', `/v1/campaigns/${credits.id}/disable`);
    await signup('fad-bob', { code });
    expect(await referred(c.id)).toBe(1);
    const bob = await ok('GET', '/v1/customers/fad-bob');
    expect((await ok('GET', `/v1/vouchers?customer=${bob.id}&campaign_id=${credits.id}`)).vouchers).toHaveLength(0);
    expect((await ok('GET', '/v1/customers/fad-bob/activity?type=customer.rewarded')).data).toHaveLength(0);
    expect(warnings).toContainEqual(expect.objectContaining({ msg: 'referral converted without a reward', reason: 'reward_campaign_disabled', programId: c.id, campaignId: credits.id, customerId: bob.id, role: 'referee' }));
    // Enabled again: the next referee is rewarded.
    await ok('POST', `/v1/campaigns/${credits.id}/enable`);
    await signup('fad-cy', { code });
    const cy = await ok('GET', '/v1/customers/fad-cy');
    expect((await ok('GET', `/v1/vouchers?customer=${cy.id}&campaign_id=${credits.id}`)).vouchers.map((v: any) => v.gift.balance)).toEqual([500]);
    // Deleted: converts without a reward, and says so.
    expect((await api('DELETE', `/v1/campaigns/${credits.id}?force=true`)).statusCode).toBeLessThan(300);
    await signup('fad-dee', { code });
    expect(await referred(c.id)).toBe(3);
    const dee = await ok('GET', '/v1/customers/fad-dee');
    expect((await ok('GET', '/v1/customers/fad-dee/activity?type=customer.rewarded')).data).toHaveLength(0);
    expect(warnings).toContainEqual(expect.objectContaining({ reason: 'reward_campaign_missing', programId: c.id, customerId: dee.id }));
  });

  it('a program saved before these checks with a reward of the wrong type converts without publishing a card of that campaign', async () => {
    const club = await ok('POST', '/v1/loyalties', { name: 'Not credits', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const c = await program('Old config', reward(gift.id));
    await t.testDb.db.query(`UPDATE campaigns SET definition = jsonb_set(definition, '{referral_program,referee_reward,related_object_parent,id}', to_jsonb($2::text)) WHERE id = $1`, [c.id, club.id]);
    const code = await codeFor(c.id, 'old-ann');
    await signup('old-bob', { code });
    expect(await referred(c.id)).toBe(1);
    const bob = await ok('GET', '/v1/customers/old-bob');
    expect((await ok('GET', `/v1/vouchers?customer=${bob.id}&campaign_id=${club.id}`)).vouchers).toHaveLength(0);
    expect(warnings).toContainEqual(expect.objectContaining({ reason: 'reward_campaign_type', programId: c.id, campaignId: club.id, customerId: bob.id }));
  });
});

describe.skipIf(!specPresent)('referral webhooks conform to OpenAPIWebhooks.json', () => {
  it.skipIf(!specPresent)("customer.custom_event names the referral code, its program and referrer, and the loyalty card and its program; it validates", async () => {
    const club = await ok('POST', '/v1/loyalties', { name: 'Named club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'NC-', length: 6 } } });
    const card = (await ok('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: 'named-ivy' } })).code;
    const c = await program('Named', { related_object_parent: { id: gift.id, object: 'CAMPAIGN' }, type: 'GIFT_VOUCHER', amount: 100 });
    const code = await codeFor(c.id, 'named-joe');
    await ok('POST', '/v1/events', { event: 'signed_up', customer: { source_id: 'named-ivy' }, referral: { code }, loyalty: { code: card } });
    // A code of no such program, and no code: null.
    await ok('POST', '/v1/events', { event: 'signed_up', customer: { source_id: 'named-ivy' }, referral: { code: card }, loyalty: { code } });
    await ok('POST', '/v1/events', { event: 'signed_up', customer: { source_id: 'named-ivy' } });
    const data = (await ok('GET', '/v1/customers/named-ivy/activity?type=customer.custom_event&order=created_at')).data.map((a: any) => a.data.data);
    expect(data).toHaveLength(3);
    expect(data[0].referral).toMatchObject({ referrer: { source_id: 'named-joe' }, voucher: { code, is_referral_code: true }, campaign: { id: c.id, campaign_type: 'REFERRAL_PROGRAM' } });
    expect(data[0].loyalty).toMatchObject({ voucher: { code: card, type: 'LOYALTY_CARD' }, campaign: { id: club.id, campaign_type: 'LOYALTY_PROGRAM' } });
    expect([data[1].referral, data[1].loyalty, data[2].referral, data[2].loyalty]).toEqual([null, null, null, null]);
    const validate = loadSpec().compile('EventCustomerCustomEvent');
    for (const d of data) expectValid(validate, d, 'customer.custom_event data');
  });

  it('customer.rewarded and customer.holder.assignment.created validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(['customer.rewarded', 'customer.holder.assignment.created']);
    const got = sink.received.map((r) => r.json);
    expect(got.filter((g) => g.type === 'customer.rewarded').length).toBeGreaterThanOrEqual(3);
    const holders = got.filter((g) => g.type === 'customer.holder.assignment.created');
    expect(holders.length).toBeGreaterThanOrEqual(3);
    expect(holders.map((h) => h.data.holder.holder_role)).toEqual(expect.arrayContaining(['REFERRER', 'REFEREE']));
    expect(holders.find((h) => h.data.holder.holder_role === 'REFEREE').data.holder).toMatchObject({ campaign_type: 'REFERRAL_PROGRAM', object: 'redeemable_holder' });
    for (const payload of got) v.check(payload);
  });
});

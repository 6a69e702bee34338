/**
 * Referral holders: a referral code's REFERRER (the customer it is published to) and REFEREEs (assigned through
 * /v1/referrals/.../holders or by a conversion): add, list with filters and cursor, remove; the refusals (a code not
 * published yet, the referrer as referee, a customer holding it already, a code of another kind); and the
 * customer.holder.assignment.created / .deleted payloads against the official schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let program: any;
let code: string;
let ann: any;

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const holderRows = async () => Number((await t.testDb.db.query<{ n: number }>('SELECT count(*) AS n FROM referral_holders WHERE campaign_id = $1', [program.id])).rows[0]!.n);

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, ['customer.holder.assignment.created', 'customer.holder.assignment.deleted']);
  expect((await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'joined', schema: { properties: {} } })).statusCode).toBeLessThan(300);
  program = await ok('POST', '/v1/campaigns', {
    name: 'Bring a friend',
    campaign_type: 'REFERRAL_PROGRAM',
    type: 'AUTO_UPDATE',
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'BAF-', length: 6 } },
    referral_program: { conversion_event_type: 'custom_event', custom_event: { name: 'joined' } },
  });
  const pub = await ok('POST', '/v1/publications', { campaign: { id: program.id }, customer: { source_id: 'rh-ann' } });
  code = pub.voucher.code;
  ann = await ok('GET', '/v1/customers/rh-ann');
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('referral holders', () => {
  it('the customer a referral code is published to is its REFERRER holder', async () => {
    const list = await ok('GET', `/v1/referrals/members/${code}/holders`);
    expect(list).toMatchObject({ object: 'list', data_ref: 'data', total: 1, has_more: false });
    expect(list.data[0]).toMatchObject({ customer_id: ann.id, holder_role: 'REFERRER', campaign_id: program.id, campaign_type: 'REFERRAL_PROGRAM', redeemable_object: 'voucher', voucher_type: 'DISCOUNT_VOUCHER', object: 'redeemable_holder' });
    expect(list.data[0].id).toMatch(/^rh_/);
  });

  it('adds referees (customers upserted), lists them with filters and a cursor, and removes one', async () => {
    const added = await ok('POST', `/v1/referrals/${program.id}/members/${code}/holders`, { holders: [{ source_id: 'rh-bob', name: 'Bob' }, { source_id: 'rh-cara' }], metadata: { channel: 'store' } });
    expect(added.holders).toHaveLength(2);
    expect(added.holders.map((h: any) => h.holder_role)).toEqual(['REFEREE', 'REFEREE']);
    expect(added.holders[0].metadata).toEqual({ channel: 'store' });
    const bob = await ok('GET', '/v1/customers/rh-bob');
    expect(bob.name).toBe('Bob');
    expect(added.holders[0].customer_id).toBe(bob.id);

    const all = await ok('GET', `/v1/referrals/members/${code}/holders`);
    expect(all.total).toBe(3);
    const referees = await ok('GET', `/v1/referrals/members/${code}/holders?filters[holder_role][conditions][$in][0]=REFEREE`);
    expect(referees.data.map((h: any) => h.holder_role)).toEqual(['REFEREE', 'REFEREE']);
    expect(referees.total).toBe(2);
    const notBob = await ok('GET', `/v1/referrals/members/${code}/holders?filters[customer_id][conditions][$is_not]=${bob.id}`);
    expect(notBob.data.map((h: any) => h.customer_id)).not.toContain(bob.id);
    expect(notBob.total).toBe(2);
    // A cursor walks the list once, in order.
    const first = await ok('GET', `/v1/referrals/members/${code}/holders?limit=2`);
    expect(first.has_more).toBe(true);
    const rest = await ok('GET', `/v1/referrals/members/${code}/holders?limit=2&starting_after_id=${first.more_starting_after}`);
    expect(rest.has_more).toBe(false);
    expect([...first.data, ...rest.data].map((h: any) => h.id)).toEqual(all.data.map((h: any) => h.id));
    const newest = await ok('GET', `/v1/referrals/members/${code}/holders?order=-id`);
    expect(newest.data.map((h: any) => h.id)).toEqual([...all.data.map((h: any) => h.id)].reverse());

    const bobHolder = added.holders[0].id;
    expect((await api('DELETE', `/v1/referrals/members/${code}/holders/${bobHolder}`)).statusCode).toBe(204);
    expect((await ok('GET', `/v1/referrals/members/${code}/holders`)).total).toBe(2);
    const again = await api('DELETE', `/v1/referrals/${program.id}/members/${code}/holders/${bobHolder}`);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ key: 'not_found', resource_type: 'redeemable_holder' });
  });

  it('refuses what cannot be: a holder twice, the referrer as referee, an unpublished code, another kind of code, the referrer removed', async () => {
    const before = await holderRows();
    const twice = await api('POST', `/v1/referrals/members/${code}/holders`, { holders: [{ source_id: 'rh-dan' }, { source_id: 'rh-cara' }] });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ key: 'duplicate_found', resource_type: 'redeemable_holder' });
    const self = await api('POST', `/v1/referrals/members/${code}/holders`, { holders: [{ source_id: 'rh-ann' }] });
    expect(self.statusCode).toBe(400);
    expect(self.json()).toMatchObject({ key: 'invalid_referral_holder' });
    // Nothing of a refused request stays (rh-dan was not added).
    expect(await holderRows()).toBe(before);

    const unpublished = await ok('POST', `/v1/campaigns/${program.id}/vouchers`, {});
    const early = await api('POST', `/v1/referrals/members/${unpublished.code}/holders`, { holders: [{ source_id: 'rh-eve' }] });
    expect(early.statusCode).toBe(400);
    expect(early.json().details).toContain('must be first published to Referrer');

    const plain = await ok('POST', '/v1/vouchers', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 5 } });
    const other = await api('GET', `/v1/referrals/members/${plain.code}/holders`);
    expect(other.statusCode).toBe(400);
    const unknown = await api('GET', '/v1/referrals/members/NO-SUCH-CODE/holders');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ resource_type: 'voucher' });
    const wrongProgram = await api('GET', `/v1/referrals/camp_nope/members/${code}/holders`);
    expect(wrongProgram.statusCode).toBe(404);

    const referrer = (await ok('GET', `/v1/referrals/members/${code}/holders?filters[holder_role][conditions][$is]=REFERRER`)).data[0];
    const keep = await api('DELETE', `/v1/referrals/members/${code}/holders/${referrer.id}`);
    expect(keep.statusCode).toBe(400);
    const bad = await api('POST', `/v1/referrals/members/${code}/holders`, { holders: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toHaveProperty('request_id');
  });

  it('a conversion makes the referee a holder once', async () => {
    await ok('POST', '/v1/events', { event: 'joined', customer: { source_id: 'rh-fay' }, referral: { code } });
    await ok('POST', '/v1/events', { event: 'joined', customer: { source_id: 'rh-fay' }, referral: { code } });
    const fay = await ok('GET', '/v1/customers/rh-fay');
    const mine = await ok('GET', `/v1/referrals/members/${code}/holders?filters[customer_id][conditions][$in][0]=${fay.id}`);
    expect(mine.data).toHaveLength(1);
    expect(mine.data[0].holder_role).toBe('REFEREE');
    // cara was assigned through the API first: her conversion adds no second holder.
    await ok('POST', '/v1/events', { event: 'joined', customer: { source_id: 'rh-cara' }, referral: { code } });
    const cara = await ok('GET', '/v1/customers/rh-cara');
    expect((await ok('GET', `/v1/referrals/members/${code}/holders?filters[customer_id][conditions][$in][0]=${cara.id}`)).total).toBe(1);
  });

  it.skipIf(!specPresent)('customer.holder.assignment.created and .deleted validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(['customer.holder.assignment.created', 'customer.holder.assignment.deleted']);
    const got = sink.received.map((r) => r.json);
    expect(got.filter((g) => g.type === 'customer.holder.assignment.created').length).toBe(4);
    expect(got.filter((g) => g.type === 'customer.holder.assignment.deleted')).toHaveLength(1);
    for (const payload of got) v.check(payload);
  });
});

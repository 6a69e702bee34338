/**
 * A customer's wallet through the official SDK (customers.listRedeemables): codes published to them and referral
 * codes they hold a part in, with each code's status, filters and the cursor.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let referralCode: string;
let programId: string;

const { ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  await server.customers.create({ source_id: 'wal-ann' } as any);
  for (const [code, extra] of [
    ['WAL-FIRST', {}],
    ['WAL-USED', { redemption: { quantity: 1 } }],
    ['WAL-OFF', {}],
    ['WAL-LATER', { start_date: '2099-01-01T00:00:00Z' }],
  ] as const) {
    await server.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, ...extra } as any);
    await server.distributions.publications.create({ voucher: code, customer: { source_id: 'wal-ann' } } as any);
  }
  await server.vouchers.disable('WAL-OFF');
  await server.redemptions.redeem('WAL-USED', { customer: { source_id: 'wal-ann' } } as any);
  await server.vouchers.create({ code: 'WAL-NOT-HERS', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
  const program = await ok('POST', '/v1/campaigns', {
    name: 'Wallet referrals',
    campaign_type: 'REFERRAL_PROGRAM',
    type: 'AUTO_UPDATE',
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'WREF-', length: 6 } },
    referral_program: { conversion_event_type: 'custom_event', custom_event: { name: 'joined' } },
  });
  programId = program.id;
  referralCode = (await ok('POST', '/v1/publications', { campaign: { id: program.id }, customer: { source_id: 'wal-ann' } })).voucher.code;
  await ok('POST', `/v1/referrals/${program.id}/members/${referralCode}/holders`, { holders: [{ source_id: 'wal-bob' }] });
});
afterAll(() => t.close());

describe("a customer's redeemables", () => {
  it('lists the codes she holds, newest first, each with its voucher and status', async () => {
    const res: any = await server.customers.listRedeemables('wal-ann');
    expect(res).toMatchObject({ object: 'list', data_ref: 'data', total: 5, has_more: false });
    expect(res.data.map((r: any) => r.redeemable.voucher.code)).toEqual([referralCode, 'WAL-LATER', 'WAL-OFF', 'WAL-USED', 'WAL-FIRST']);
    const byCode = Object.fromEntries(res.data.map((r: any) => [r.redeemable.voucher.code, r]));
    expect(byCode['WAL-FIRST']).toMatchObject({ object: 'customer_redeemable', redeemable_object: 'voucher', holder_role: 'OWNER', voucher_type: 'DISCOUNT_VOUCHER', campaign_id: null, redeemable: { type: 'voucher', status: 'ACTIVE' } });
    expect(byCode['WAL-USED'].redeemable.status).toBe('USED');
    expect(byCode['WAL-OFF'].redeemable.status).toBe('DISABLED');
    expect(byCode['WAL-LATER'].redeemable.status).toBe('NOT_ACTIVE_YET');
    expect(byCode[referralCode]).toMatchObject({ holder_role: 'REFERRER', campaign_id: programId, campaign_type: 'REFERRAL_PROGRAM' });
    expect(res.data.every((r: any) => r.customer_id === res.data[0].customer_id && r.redeemable_id === r.redeemable.voucher.id)).toBe(true);
  });

  it('shows a referee the referral code they were referred with', async () => {
    const res: any = await server.customers.listRedeemables('wal-bob');
    expect(res.data).toHaveLength(1);
    expect(res.data[0]).toMatchObject({ holder_role: 'REFEREE', redeemable: { voucher: { code: referralCode } } });
  });

  it('filters by holder role and campaign type, and pages with starting_after_id', async () => {
    const owned = await ok('GET', '/v1/customers/wal-ann/redeemables?filters[holder_role][conditions][$is]=OWNER');
    expect(owned.total).toBe(4);
    const referral = await ok('GET', '/v1/customers/wal-ann/redeemables?filters[campaign_type][conditions][$in][]=REFERRAL_PROGRAM');
    expect(referral.data.map((r: any) => r.redeemable.voucher.code)).toEqual([referralCode]);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await ok('GET', `/v1/customers/wal-ann/redeemables?limit=2&order=created_at${after ? `&starting_after_id=${after}` : ''}`);
      seen.push(...page.data.map((r: any) => r.redeemable.voucher.code));
      if (!page.has_more) break;
      after = page.more_starting_after;
    }
    expect(seen).toEqual(['WAL-FIRST', 'WAL-USED', 'WAL-OFF', 'WAL-LATER', referralCode]);
  });

  it('answers 404 for an unknown customer and 400 for a filter it does not know', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/v1/customers/nobody/redeemables', headers: p.server });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ resource_type: 'customer' });
    const bad = await t.app.inject({ method: 'GET', url: '/v1/customers/wal-ann/redeemables?filters[shoe_size][conditions][$is]=9', headers: p.server });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ key: 'invalid_query_params' });
    // Dates are ISO 8601 and real; one JavaScript would guess at is refused, not a 500.
    for (const v of ['1', 'March%207', '%2B275760-09-13', '2024-02-30', '0']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/customers/wal-ann/redeemables?filters[created_at][conditions][$after]=${v}`, headers: p.server });
      expect(res.statusCode, v).toBe(400);
      expect(res.json().details).toContain('ISO 8601');
    }
    const fine = await t.app.inject({ method: 'GET', url: '/v1/customers/wal-ann/redeemables?filters[created_at][conditions][$after]=2020-01-31T10:00:00%2B02:00', headers: p.server });
    expect(fine.statusCode, fine.body).toBe(200);
  });
});

/**
 * `null` in a voucher update, on both stores: it means none, as GET shows it, except for what the code's type is made
 * of — a discount code's `discount`, a gift card's `gift`, a loyalty card's `loyalty_card` — which a code cannot be
 * without: sent as null it is a 400, not silently ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok, api } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('PUT /v1/vouchers/{code} with null values', () => {
  it("refuses a null discount on a discount code, and leaves the code as it was", async () => {
    await ok('POST', '/v1/vouchers/NULL-D', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const res = await api('PUT', '/v1/vouchers/NULL-D', { discount: null, metadata: { changed: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_voucher' });
    expect(res.json().details).toMatch(/discount/);
    const after = await ok('GET', '/v1/vouchers/NULL-D');
    expect(after.discount).toEqual({ type: 'AMOUNT', amount_off: 500 });
    expect(after.metadata).toEqual({});
    // A campaign's code too: it has a discount (its campaign's) it cannot be without.
    const c = await ok('POST', '/v1/campaigns', { name: 'Null camp', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } } });
    await ok('POST', '/v1/vouchers/NULL-C', { campaign_id: c.id });
    expect((await api('PUT', '/v1/vouchers/NULL-C', { discount: null })).statusCode).toBe(400);
  });

  it("refuses a gift card's null gift and a loyalty card's null loyalty_card; other types' nulls mean none", async () => {
    await ok('POST', '/v1/vouchers/NULL-G', { type: 'GIFT_VOUCHER', gift: { amount: 1000 } });
    expect((await api('PUT', '/v1/vouchers/NULL-G', { gift: null })).statusCode).toBe(400);
    // A gift card's discount is none: null, as Voucherify's GET shows it, changes nothing.
    const g = await ok('PUT', '/v1/vouchers/NULL-G', { discount: null, loyalty_card: null, metadata: { ok: 1 } });
    expect(g.gift).toMatchObject({ amount: 1000, balance: 1000 });
    expect(g.metadata).toEqual({ ok: 1 });
    const d = await ok('PUT', '/v1/vouchers/NULL-D', { gift: null, loyalty_card: null, metadata: { ok: 2 } });
    expect(d.discount).toEqual({ type: 'AMOUNT', amount_off: 500 });
    const l = await ok('POST', '/v1/campaigns', { name: 'Null loyal', campaign_type: 'LOYALTY_PROGRAM', type: 'STATIC', vouchers_count: 0, voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 10 } } });
    await ok('POST', '/v1/vouchers/NULL-L', { campaign_id: l.id });
    expect((await api('PUT', '/v1/vouchers/NULL-L', { loyalty_card: null })).statusCode).toBe(400);
    // A GET sent back whole still saves.
    const shown = await ok('GET', '/v1/vouchers/NULL-D');
    await ok('PUT', '/v1/vouchers/NULL-D', shown);
  });
});

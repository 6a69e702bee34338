/**
 * A voucher's `redemption.redeemed_quantity` counts its successful redemptions whether or not it is limited: an
 * unlimited voucher keeps no counter row (so its redemptions never wait on one), and is counted from its redemptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;

async function ok(method: 'GET' | 'POST', url: string, payload?: object): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
const redeem = (code: string) => ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code }], order: { amount: 5000 } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(async () => {
  await t.close();
});

describe('redeemed_quantity', () => {
  it('counts the redemptions of an unlimited voucher, less those rolled back, in the voucher and in lists', async () => {
    await ok('POST', '/v1/vouchers/UNL-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    await ok('POST', '/v1/vouchers/UNL-2', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    const first = await redeem('UNL-1');
    await redeem('UNL-1');
    await redeem('UNL-1');
    expect((await ok('GET', '/v1/vouchers/UNL-1')).redemption).toMatchObject({ quantity: null, redeemed_quantity: 3 });
    await ok('POST', `/v1/redemptions/${first.redemptions[0].id}/rollback`);
    expect((await ok('GET', '/v1/vouchers/UNL-1')).redemption.redeemed_quantity).toBe(2);
    const listed = await ok('GET', '/v1/vouchers?limit=10');
    const byCode = new Map(listed.vouchers.map((v: any) => [v.code, v.redemption.redeemed_quantity]));
    expect(byCode.get('UNL-1')).toBe(2);
    expect(byCode.get('UNL-2')).toBe(0);
  });

  it('keeps the counter of a limited voucher', async () => {
    await ok('POST', '/v1/vouchers/LIM-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 5 } });
    await redeem('LIM-1');
    await redeem('LIM-1');
    expect((await ok('GET', '/v1/vouchers/LIM-1')).redemption).toMatchObject({ quantity: 5, redeemed_quantity: 2 });
  });

  it('shows in the redemption answer the count and the gift balance after this redemption, as a read after it does', async () => {
    await ok('POST', '/v1/vouchers/LIM-2', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 5 } });
    expect((await redeem('LIM-2')).redemptions[0].voucher.redemption).toMatchObject({ quantity: 5, redeemed_quantity: 1 });
    const legacy = await ok('POST', '/v1/vouchers/LIM-2/redemption', { order: { amount: 5000 } });
    expect(legacy.voucher.redemption).toMatchObject({ quantity: 5, redeemed_quantity: 2 });
    expect((await ok('GET', '/v1/vouchers/LIM-2')).redemption.redeemed_quantity).toBe(2);
    await ok('POST', '/v1/vouchers/GIFT-1', { type: 'GIFT_VOUCHER', gift: { amount: 1000 } });
    const spent = await ok('POST', '/v1/vouchers/GIFT-1/redemption', { order: { amount: 300 } });
    expect(spent.voucher.gift).toMatchObject({ amount: 1000, balance: 700 });
    expect((await ok('GET', '/v1/vouchers/GIFT-1')).gift.balance).toBe(700);
  });
});

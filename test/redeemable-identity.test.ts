/**
 * One voucher or promotion tier named twice in one request, by different forms (its code and its `v_` id, or its
 * code in another case), is the same redeemable: validations and redemptions refuse it with
 * `400 duplicated_redeemables`, and nothing is spent or recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

const voucher = (id: string) => ({ object: 'voucher', id });

describe('a redeemable named twice by different forms', () => {
  it('refuses a discount code named by its code and by its id, spending and recording nothing', async () => {
    const v = await ok('POST', '/v1/vouchers/A500', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
    const body = { redeemables: [voucher('A500'), voucher(v.id)], order: { amount: 5000 } };
    const validated = await api('POST', '/v1/validations', body);
    expect(validated.statusCode, validated.body).toBe(400);
    expect(validated.json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    const redeemed = await api('POST', '/v1/redemptions', body);
    expect(redeemed.statusCode, redeemed.body).toBe(400);
    expect(redeemed.json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    // The other case of the code is the same code too.
    expect((await api('POST', '/v1/redemptions', { ...body, redeemables: [voucher('a500'), voucher(v.id)] })).json().key).toBe('duplicated_redeemables');
    expect((await ok('GET', '/v1/vouchers/A500')).redemption.redeemed_quantity).toBe(0);
    expect((await ok('GET', '/v1/redemptions?voucher=A500')).redemptions).toEqual([]);
  });

  it('refuses a gift card named both ways, so its credits are not counted twice', async () => {
    const v = await ok('POST', '/v1/vouchers/CARD-1000', { type: 'GIFT_VOUCHER', gift: { amount: 1000 } });
    const body = { redeemables: [{ ...voucher('CARD-1000'), gift: { credits: 800 } }, { ...voucher(v.id), gift: { credits: 800 } }], order: { amount: 5000 } };
    expect((await api('POST', '/v1/validations', body)).json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    expect((await api('POST', '/v1/validations', { ...body, session: { type: 'LOCK' } })).json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    expect((await api('POST', '/v1/redemptions', body)).json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    expect((await ok('GET', '/v1/vouchers/CARD-1000')).gift.balance).toBe(1000);
  });

  it('refuses a limited code named both ways even when it has room for two redemptions', async () => {
    const v = await ok('POST', '/v1/vouchers/LIM-5', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 5 } });
    const res = await api('POST', '/v1/redemptions', { redeemables: [voucher(v.id), voucher('LIM-5')], order: { amount: 1000 } });
    expect(res.json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    expect((await ok('GET', '/v1/vouchers/LIM-5')).redemption.redeemed_quantity).toBe(0);
    // Two different codes still stack.
    await ok('POST', '/v1/vouchers/LIM-6', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    expect((await ok('POST', '/v1/redemptions', { redeemables: [voucher('LIM-5'), voucher('LIM-6')], order: { amount: 1000 } })).redemptions).toHaveLength(2);
  });
});

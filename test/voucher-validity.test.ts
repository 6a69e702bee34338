/** A voucher's validity hours are enforced where it is used: outside them a validation or redemption is refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
const api = (method: 'POST' | 'GET', url: string, payload?: object) => t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(() => t.close());

describe('validity hours', () => {
  it('refuses a voucher outside its daily hours (UTC) and accepts it within them', async () => {
    const hour = new Date().getUTCHours();
    // A window that does not hold the current hour, and one that does.
    const outside = hour <= 20 ? { start_time: hh(hour + 2), expiration_time: hh(hour + 3) } : { start_time: '01:00', expiration_time: '02:00' };
    // Two hours wide (or to 23:59) so that the hour turning during the test does not leave it.
    const inside = { start_time: hh(hour), expiration_time: hour >= 22 ? '23:59' : hh(hour + 2) };
    for (const [code, window] of [['HOURS-OUT', outside], ['HOURS-IN', inside]] as const) {
      const res = await api('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, validity_hours: { daily: [{ ...window, days_of_week: [0, 1, 2, 3, 4, 5, 6] }] } });
      expect(res.statusCode, res.body).toBe(200);
    }
    const refused = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'HOURS-OUT' }], order: { amount: 1000 } });
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json())).toMatch(/voucher_not_active/);
    const validation = await api('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'HOURS-OUT' }], order: { amount: 1000 } });
    expect(validation.json().valid).toBe(false);
    const accepted = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'HOURS-IN' }], order: { amount: 1000 } });
    const lastMinute = new Date().getUTCHours() === 23 && new Date().getUTCMinutes() === 59;
    if (!lastMinute) expect(accepted.statusCode, accepted.body).toBe(200);
  });
});

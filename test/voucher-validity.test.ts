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
    expect(refused.json()).toMatchObject({ code: 400, key: 'voucher_not_active_now' });
    const validation = await api('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'HOURS-OUT' }], order: { amount: 1000 } });
    expect(validation.json().valid).toBe(false);
    const accepted = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'HOURS-IN' }], order: { amount: 1000 } });
    const lastMinute = new Date().getUTCHours() === 23 && new Date().getUTCMinutes() === 59;
    if (!lastMinute) expect(accepted.statusCode, accepted.body).toBe(200);
  });
});

describe('validity timeframes', () => {
  it('opens a window of `duration` every `interval` from start_date: fixed and calendar intervals', async () => {
    const { inTimeframe } = await import('../src/modules/campaigns/validity.js');
    const start = new Date('2026-01-01T10:00:00Z');
    const everyOtherDay = { interval: 'P2D', duration: 'PT1H' };
    const at = (s: string) => inTimeframe(start, everyOtherDay, new Date(s));
    expect(at('2026-01-01T10:00:00Z')).toBe(true);
    expect(at('2026-01-01T10:59:59Z')).toBe(true);
    expect(at('2026-01-01T11:00:00Z')).toBe(false);
    expect(at('2026-01-02T10:30:00Z')).toBe(false);
    expect(at('2026-01-03T10:30:00Z')).toBe(true);
    expect(at('2025-12-30T10:30:00Z')).toBe(false);
    // Monthly from the 31st: the window opens on each month's last day when it is shorter.
    const monthly = (s: string) => inTimeframe(new Date('2026-01-31T00:00:00Z'), { interval: 'P1M', duration: 'P1D' }, new Date(s));
    expect(monthly('2026-02-28T12:00:00Z')).toBe(true);
    expect(monthly('2026-03-01T12:00:00Z')).toBe(false);
    expect(monthly('2026-03-31T23:00:00Z')).toBe(true);
    expect(monthly('2026-04-15T00:00:00Z')).toBe(false);
    expect(inTimeframe(start, { interval: 'nonsense', duration: 'PT1H' }, start)).toBe(false);
  });

  it('a voucher is used only within its timeframe; a promotion tier only on its days', async () => {
    const { fixedClock } = await import('../src/core/clock.js');
    const clock = fixedClock(new Date('2026-03-02T09:30:00Z')); // a Monday
    const tt = await startTessera({ clock });
    try {
      const pp = await tt.createProject();
      const call = (method: 'POST' | 'GET', url: string, payload?: object) => tt.app.inject({ method, url, headers: pp.server, ...(payload ? { payload } : {}) });
      const made = await call('POST', '/v1/vouchers/HAPPY-HOUR', {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'AMOUNT', amount_off: 100 },
        start_date: '2026-03-01T09:00:00Z',
        validity_timeframe: { interval: 'P1D', duration: 'PT1H' },
      });
      expect(made.statusCode, made.body).toBe(200);
      const validate = async () => (await call('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'HAPPY-HOUR' }], order: { amount: 1000 } })).json();
      expect((await validate()).valid).toBe(true);
      clock.set(new Date('2026-03-02T10:00:00Z'));
      const closed = await validate();
      expect(closed.valid).toBe(false);
      expect(closed.redeemables[0].result.error).toMatchObject({ key: 'voucher_not_active_now' });
      expect(closed.redeemables[0].result.error.details).toContain('validity_timeframe');
      const refused = await call('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'HAPPY-HOUR' }], order: { amount: 1000 } });
      expect(refused.json()).toMatchObject({ code: 400, key: 'voucher_not_active_now', message: 'voucher not active now' });
      clock.set(new Date('2026-03-03T09:10:00Z'));
      expect((await validate()).valid).toBe(true);
      // A timeframe without a start_date has nothing to count from.
      const noStart = await call('POST', '/v1/vouchers/NO-START', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, validity_timeframe: { interval: 'P1D', duration: 'PT1H' } });
      expect(noStart.json()).toMatchObject({ code: 400, key: 'invalid_payload' });

      // A tier valid on weekends only: refused on this Tuesday.
      const promo = (await call('POST', '/v1/campaigns', { name: 'Weekend', campaign_type: 'PROMOTION' })).json();
      const tier = (await call('POST', `/v1/promotions/${promo.id}/tiers`, { name: 'Weekend 1 off', action: { discount: { type: 'AMOUNT', amount_off: 100 } }, validity_day_of_week: [0, 6] })).json();
      expect(tier.id, JSON.stringify(tier)).toMatch(/^promo_/);
      const tierCheck = async () => (await call('POST', '/v1/validations', { redeemables: [{ object: 'promotion_tier', id: tier.id }], order: { amount: 1000 } })).json();
      expect((await tierCheck()).redeemables[0]).toMatchObject({ status: 'INAPPLICABLE', result: { error: { key: 'promotion_not_active_now' } } });
      clock.set(new Date('2026-03-07T12:00:00Z')); // Saturday
      expect((await tierCheck()).valid).toBe(true);
    } finally {
      await tt.close();
    }
  });
});

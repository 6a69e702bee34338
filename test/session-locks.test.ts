/**
 * Validation session locks: a validation with `session: {type: "LOCK"}` reserves a redemption of a limited voucher
 * and the gift credits it validated until the session expires. Raced: concurrent sessions never reserve more than
 * the quantity, redemptions of other sessions (or none) never take what is reserved, the sessions' own redemptions
 * always can, and the counts in the database are exact afterwards; an expired lock frees its share (injected clock).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2026-05-01T12:00:00Z'));
let t: TestTessera;
let p: TestProject;

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}
const validate = (code: string, session?: Record<string, unknown>, gift?: number) =>
  api('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code, ...(gift ? { gift: { credits: gift } } : {}) }], order: { amount: 5000 }, ...(session ? { session } : {}) });
const redeem = (code: string, session?: Record<string, unknown>, gift?: number) =>
  api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code, ...(gift ? { gift: { credits: gift } } : {}) }], order: { amount: 5000 }, ...(session ? { session } : {}) });

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
});
afterAll(async () => {
  await t.close();
});

describe('validation session locks', () => {
  it('concurrent sessions reserve at most the quantity; only their own redemptions take it; counts are exact', async () => {
    const v = await ok('POST', '/v1/vouchers/LOCK-3', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 3 } });
    const keys = Array.from({ length: 8 }, (_, i) => `cart-${i}`);
    const answers = await Promise.all(keys.map((key) => validate('LOCK-3', { type: 'LOCK', key })));
    const bodies = answers.map((a) => a.json());
    const won = keys.filter((_, i) => bodies[i].valid === true);
    expect(won).toHaveLength(3);
    for (const [i, b] of bodies.entries()) {
      if (b.valid) expect(b.session).toEqual({ key: keys[i], type: 'LOCK', ttl: 7, ttl_unit: 'DAYS' });
      else expect(b.inapplicable_redeemables[0].result.error).toMatchObject({ key: 'quantity_exceeded' });
    }
    expect(await count('SELECT count(*) AS n FROM session_locks WHERE voucher_id = $1', [v.id])).toBe(3);
    // Nothing is left for a redemption without a session, or with a session that locked nothing.
    expect((await redeem('LOCK-3')).json()).toMatchObject({ code: 400, key: 'quantity_exceeded' });
    const loser = keys.find((k) => !won.includes(k))!;
    expect((await redeem('LOCK-3', { key: loser })).json()).toMatchObject({ code: 400, key: 'quantity_exceeded' });
    // The three sessions redeem at once, together with more intruders: exactly the three succeed.
    const runs = await Promise.all([...won.map((key) => redeem('LOCK-3', { key })), redeem('LOCK-3'), redeem('LOCK-3', { key: loser })]);
    expect(runs.map((r) => r.statusCode)).toEqual([200, 200, 200, 400, 400]);
    expect(await count('SELECT redeemed_quantity AS n FROM vouchers WHERE id = $1', [v.id])).toBe(3);
    expect(await count("SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'", [v.id])).toBe(3);
    expect(await count('SELECT count(*) AS n FROM session_locks WHERE voucher_id = $1', [v.id])).toBe(0);
    // With no lock left, the voucher is back on the one-statement spend.
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE id = $1 AND locked_until IS NULL', [v.id])).toBe(1);
  });

  it('gift credits: a session reserves what it validated, others spend only the rest', async () => {
    const g = await ok('POST', '/v1/vouchers/LOCK-GIFT', { type: 'GIFT_VOUCHER', gift: { amount: 1000 } });
    const held = (await validate('LOCK-GIFT', { type: 'LOCK', key: 'g1' }, 700)).json();
    expect(held).toMatchObject({ valid: true, session: { key: 'g1' } });
    const more = (await validate('LOCK-GIFT', { type: 'LOCK', key: 'g2' }, 500)).json();
    expect(more.valid).toBe(false);
    expect(more.inapplicable_redeemables[0].result.error).toMatchObject({ key: 'gift_amount_exceeded' });
    expect((await redeem('LOCK-GIFT', undefined, 400)).json()).toMatchObject({ code: 400, key: 'gift_amount_exceeded' });
    const [a, b] = await Promise.all([redeem('LOCK-GIFT', undefined, 300), redeem('LOCK-GIFT', { key: 'g1' }, 700)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(await count('SELECT gift_balance AS n FROM vouchers WHERE id = $1', [g.id])).toBe(0);
  });

  it('a released session gives its reservation back at once (the SDK\'s releaseValidationSession)', async () => {
    const v = await ok('POST', '/v1/vouchers/LOCK-ONE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1 } });
    expect((await validate('LOCK-ONE', { type: 'LOCK', key: 'basket-1' })).json()).toMatchObject({ valid: true });
    expect((await redeem('LOCK-ONE')).json()).toMatchObject({ key: 'quantity_exceeded' });
    const del = (url: string) => t.app.inject({ method: 'DELETE', url, headers: p.server });
    expect((await del('/v1/vouchers/LOCK-ONE/sessions/basket-1')).statusCode).toBe(204);
    expect(await count('SELECT count(*) AS n FROM session_locks WHERE voucher_id = $1', [v.id])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE id = $1 AND locked_until IS NULL', [v.id])).toBe(1);
    // Released twice, or a session that never held it: 404 naming the session; an unknown code names the voucher.
    expect((await del('/v1/vouchers/LOCK-ONE/sessions/basket-1')).json()).toMatchObject({ code: 404, resource_type: 'session', resource_id: 'basket-1' });
    expect((await del('/v1/vouchers/NO-SUCH/sessions/basket-1')).json()).toMatchObject({ code: 404, resource_type: 'voucher' });
    expect((await redeem('LOCK-ONE')).statusCode).toBe(200);
  });

  it('an expired lock frees its share; a session key is made when none is sent; bad sessions are refused', async () => {
    await ok('POST', '/v1/vouchers/LOCK-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1 } });
    const made = (await validate('LOCK-1', { type: 'LOCK', ttl: 10, ttl_unit: 'MINUTES' })).json();
    expect(made.session).toMatchObject({ key: expect.stringMatching(/^ssn_/), type: 'LOCK', ttl: 10, ttl_unit: 'MINUTES' });
    expect((await redeem('LOCK-1')).statusCode).toBe(400);
    clock.set(new Date('2026-05-01T12:09:59Z'));
    expect((await redeem('LOCK-1')).statusCode).toBe(400);
    clock.set(new Date('2026-05-01T12:10:00Z'));
    expect((await redeem('LOCK-1')).statusCode).toBe(200);
    // A validation without a session reserves nothing and answers no session.
    await ok('POST', '/v1/vouchers/FREE-2', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 2 } });
    expect((await validate('FREE-2')).json().session).toBeUndefined();
    expect(await count("SELECT count(*) AS n FROM session_locks WHERE key LIKE 'ssn_%' AND expires_at > $1", [clock.now()])).toBe(0);
    const bad = await validate('FREE-2', { type: 'LOCK', ttl_unit: 'WEEKS' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toHaveProperty('request_id');
    expect((await validate('FREE-2', { type: 'LOCK', ttl: 400, ttl_unit: 'DAYS' })).statusCode).toBe(400);
  });
});

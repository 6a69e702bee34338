/**
 * Tiers a program keeps (loyalty_tiers_expiration), with an injected clock: tiers won by points earned in a
 * calendar period end with it (or with the next one) unless earned again (prolonged), fall to what the points of
 * the period hold, or are left; tiers held by the balance with a CUSTOM grace period outlast a drop for the grace
 * period. The tier-expiry job acts exactly when a tier ends, and the events validate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { extendBy, nextPeriod, periodStart, periodTierEnd, pointsAt, roundTierEnd } from '../src/modules/loyalties/tier-periods.js';
import { requestsOf } from './helpers/requests.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';

const clock = fixedClock(new Date('2026-01-15T10:00:00Z'));
let t: TestTessera;
let p: TestProject;

const { api, ok } = requestsOf(() => ({ t, p }));
const runJob = async () => {
  let n = 0;
  for (let k; (k = await t.tessera.services.tierExpiry.step(100)) > 0; ) n += k;
  return n;
};
const at = (iso: string) => clock.set(new Date(iso));
/** A tiered program keeping tiers as told; a member with a card. */
async function program(name: string, expiration: Record<string, unknown>) {
  const c = await ok('POST', '/v1/loyalties', { name, type: 'AUTO_UPDATE', loyalty_tiers_expiration: expiration, voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: `${name.slice(0, 3).toUpperCase()}-`, length: 6 } } });
  expect(c.loyalty_tiers_expiration).toEqual(expiration);
  await ok('POST', `/v1/loyalties/${c.id}/tiers`, [
    { name: 'Bronze', points: { from: 100, to: 999 } },
    { name: 'Silver', points: { from: 1000 } },
  ]);
  return c;
}
async function member(c: any, sourceId: string) {
  const code: string = (await ok('POST', `/v1/loyalties/${c.id}/members`, { customer: { source_id: sourceId } })).code;
  const tiers = async () => (await ok('GET', `/v1/loyalties/members/${code}/tiers`)).data.map((x: any) => [x.name, x.expiration?.expiration_date ?? null]);
  const events = async () => (await ok('GET', `/v1/customers/${sourceId}/activity?limit=50`)).data.filter((a: any) => a.type.startsWith('customer.loyalty.tier.')).reverse();
  const moves = async () => (await events()).map((e: any) => `${e.type.split('.').pop()} ${e.data.data.loyalty_tier?.name ?? `${e.data.data.loyalty_tier_from.name}>${e.data.data.loyalty_tier_to.name}`}`);
  const points = (n: number) => ok('POST', `/v1/loyalties/members/${code}/balance`, { points: n });
  return { code, tiers, events, moves, points };
}

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject();
});
afterAll(async () => {
  await t.close();
});

describe('periods', () => {
  it('are calendar months, quarters, half-years and years (UTC); a tier ends with its period or the next, extended', () => {
    const d = new Date('2026-05-20T13:00:00Z');
    expect(periodStart(d, 'MONTH').toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(periodStart(d, 'QUARTER').toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(periodStart(d, 'HALF_YEAR').toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(periodStart(d, 'YEAR').toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(nextPeriod(new Date('2026-10-01T00:00:00Z'), 'QUARTER').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(extendBy(new Date('2026-01-31T00:00:00Z'), 'P1M10D').toISOString()).toBe('2026-03-13T00:00:00.000Z');
    expect(extendBy(d, 'P2W').toISOString()).toBe('2026-06-03T13:00:00.000Z');
    expect(periodTierEnd({ qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'QUARTER', expiration_date: { type: 'END_OF_NEXT_PERIOD', extend: 'P1M' } }, d).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    const x = { qualification_type: 'POINTS_IN_PERIOD' as const, qualification_period: 'MONTH' as const };
    expect(pointsAt(x, d, { start: new Date('2026-05-01T00:00:00Z'), points: 5, previous: 3 })).toMatchObject({ current: 5, previous: 3 });
    expect(pointsAt(x, d, { start: new Date('2026-04-01T00:00:00Z'), points: 5, previous: 3 })).toMatchObject({ current: 0, previous: 5 });
    expect(pointsAt(x, d, { start: new Date('2026-03-01T00:00:00Z'), points: 5, previous: 3 })).toMatchObject({ current: 0, previous: 0, earlier: 5 });
    expect(pointsAt(x, d, { start: new Date('2026-04-01T00:00:00Z'), points: 5, previous: 3 })).toMatchObject({ earlier: 3 });
    expect(pointsAt(x, d, { start: new Date('2026-02-01T00:00:00Z'), points: 5, previous: 3 })).toMatchObject({ current: 0, previous: 0, earlier: 0 });
  });

  it('a tier end is rounded to its period start or end, or to a given month; an end on the boundary stays', () => {
    const end = new Date('2026-05-20T13:00:00Z');
    const r = (rounding: object, at = end) => roundTierEnd(at, rounding as never).toISOString();
    expect(r({ type: 'MONTH' })).toBe('2026-06-01T00:00:00.000Z');
    expect(r({ type: 'MONTH', strategy: 'START' })).toBe('2026-05-01T00:00:00.000Z');
    expect(r({ type: 'QUARTER', strategy: 'END' })).toBe('2026-07-01T00:00:00.000Z');
    expect(r({ type: 'HALF_YEAR' })).toBe('2026-07-01T00:00:00.000Z');
    expect(r({ type: 'YEAR' })).toBe('2027-01-01T00:00:00.000Z');
    expect(r({ type: 'CUSTOM', unit: 'MONTH', value: 8 })).toBe('2026-10-01T00:00:00.000Z');
    expect(r({ type: 'CUSTOM', unit: 'MONTH', value: 1 })).toBe('2027-03-01T00:00:00.000Z');
    expect(r({ type: 'CUSTOM', strategy: 'START', value: 1 })).toBe('2027-02-01T00:00:00.000Z');
    expect(r({ type: 'MONTH' }, new Date('2026-06-01T00:00:00Z'))).toBe('2026-06-01T00:00:00.000Z');
    expect(r({}, end)).toBe(end.toISOString());
    // Extended, then rounded: the quarter's end a month on, then to the year's end.
    const x = { qualification_type: 'POINTS_IN_PERIOD' as const, qualification_period: 'QUARTER' as const, expiration_date: { type: 'END_OF_PERIOD' as const, extend: 'P1M', rounding: { type: 'YEAR' } } };
    expect(periodTierEnd(x, end).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('loyalty_tiers_expiration is checked: refused combinations name what is wrong', async () => {
    const refused = async (loyalty_tiers_expiration: unknown, campaign_type = 'LOYALTY_PROGRAM') => {
      const voucher = campaign_type === 'LOYALTY_PROGRAM' ? { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } : { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } };
      const res = await api('POST', '/v1/campaigns', { name: `bad-${Math.random()}`, campaign_type, type: 'AUTO_UPDATE', voucher, loyalty_tiers_expiration });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().details as string;
    };
    expect(await refused({ qualification_type: 'POINTS_IN_PERIOD' })).toContain('qualification_period');
    expect(await refused({ qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'MONTH', expiration_date: { type: 'BALANCE_DROP' } })).toContain('END_OF_PERIOD');
    expect(await refused({ qualification_type: 'BALANCE', expiration_date: { type: 'END_OF_PERIOD' } })).toContain('BALANCE_DROP');
    expect(await refused({ qualification_type: 'BALANCE', expiration_date: { type: 'CUSTOM' } })).toContain('extend');
    expect(await refused({ qualification_type: 'BALANCE', expiration_date: { type: 'CUSTOM', extend: 'three months' } })).toContain('ISO 8601');
    expect(await refused({ qualification_type: 'BALANCE', start_date: { type: 'NEXT_PERIOD' } })).toContain('POINTS_IN_PERIOD');
    expect(await refused({ qualification_type: 'BALANCE' }, 'DISCOUNT_COUPONS')).toContain('LOYALTY_PROGRAM');
  });
});

describe('tiers won by points earned in a period', () => {
  it('END_OF_PERIOD: joined and upgraded by the month\'s points (not the balance), left exactly when the month ends', async () => {
    at('2026-01-15T10:00:00Z');
    const c = await program('Monthly', { qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'MONTH', expiration_date: { type: 'END_OF_PERIOD' } });
    const m = await member(c, 'tp-ann');
    await m.points(150);
    expect(await m.tiers()).toEqual([['Bronze', '2026-02-01T00:00:00.000Z']]);
    await m.points(900);
    expect(await m.tiers()).toEqual([['Silver', '2026-02-01T00:00:00.000Z']]);
    // Spending does not take the tier: it was earned this month.
    await m.points(-1000);
    expect(await m.tiers()).toEqual([['Silver', '2026-02-01T00:00:00.000Z']]);
    at('2026-01-31T23:59:59.999Z');
    expect(await runJob()).toBe(0);
    at('2026-02-01T00:00:00.000Z');
    expect(await runJob()).toBe(1);
    expect(await m.tiers()).toEqual([]);
    // February's points count from zero.
    at('2026-02-10T09:00:00Z');
    await m.points(200);
    expect(await m.tiers()).toEqual([['Bronze', '2026-03-01T00:00:00.000Z']]);
    expect(await m.moves()).toEqual(['joined Bronze', 'upgraded Bronze>Silver', 'left Silver', 'joined Bronze']);
    expect((await ok('GET', '/v1/customers/tp-ann')).loyalty.campaigns.Monthly.loyalty_tier).toMatch(/^ltr_/);
  });

  it('END_OF_NEXT_PERIOD: earned again next month prolongs it; a lower month downgrades it when it ends; then it is left', async () => {
    at('2026-01-15T10:00:00Z');
    const c = await program('Rolling', { qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'MONTH', expiration_date: { type: 'END_OF_NEXT_PERIOD' } });
    const m = await member(c, 'tp-bo');
    await m.points(1000);
    expect(await m.tiers()).toEqual([['Silver', '2026-03-01T00:00:00.000Z']]);
    at('2026-02-05T10:00:00Z');
    await m.points(999);
    expect(await m.tiers()).toEqual([['Silver', '2026-03-01T00:00:00.000Z']]);
    await m.points(1);
    expect(await m.tiers()).toEqual([['Silver', '2026-04-01T00:00:00.000Z']]);
    at('2026-03-03T10:00:00Z');
    await m.points(200);
    // Other members' tiers may end too: what matters is this member's.
    await runJob();
    expect(await m.tiers()).toEqual([['Silver', '2026-04-01T00:00:00.000Z']]);
    at('2026-04-01T00:00:00Z');
    await runJob();
    // March's 200 points hold Bronze through April.
    expect(await m.tiers()).toEqual([['Bronze', '2026-05-01T00:00:00.000Z']]);
    at('2026-05-01T00:00:00Z');
    await runJob();
    expect(await m.tiers()).toEqual([]);
    expect(await m.moves()).toEqual(['joined Silver', 'prolonged Silver', 'downgraded Silver>Bronze', 'left Bronze']);
  });
});

describe('tiers that start with the next period', () => {
  it("NEXT_PERIOD: a month's points give the tier when the next month starts, held through it", async () => {
    at('2026-06-10T10:00:00Z');
    const c = await program('Next month', { qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'MONTH', start_date: { type: 'NEXT_PERIOD' }, expiration_date: { type: 'END_OF_PERIOD' } });
    const m = await member(c, 'tp-eve');
    await m.points(1000);
    // Reached in June, held from July.
    expect(await m.tiers()).toEqual([]);
    at('2026-06-30T23:59:59.999Z');
    await runJob();
    expect(await m.tiers()).toEqual([]);
    at('2026-07-01T00:00:00Z');
    await runJob();
    expect(await m.tiers()).toEqual([['Silver', '2026-08-01T00:00:00.000Z']]);
    // July's points decide August: Silver holds through July whatever July brings.
    at('2026-07-15T00:00:00Z');
    await m.points(150);
    expect(await m.tiers()).toEqual([['Silver', '2026-08-01T00:00:00.000Z']]);
    at('2026-08-01T00:00:00Z');
    await runJob();
    expect(await m.tiers()).toEqual([['Bronze', '2026-09-01T00:00:00.000Z']]);
    at('2026-09-01T00:00:00Z');
    await runJob();
    expect(await m.tiers()).toEqual([]);
    expect(await m.moves()).toEqual(['joined Silver', 'downgraded Silver>Bronze', 'left Bronze']);
    // Nothing is left for the job to look at.
    at('2026-12-01T00:00:00Z');
    expect(await runJob()).toBe(0);
  });
});

describe('tiers that start with the next period and last two', () => {
  it("NEXT_PERIOD with END_OF_NEXT_PERIOD: a month's points hold the tier through the two months after it", async () => {
    at('2026-06-10T10:00:00Z');
    const c = await program('Two months', { qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'MONTH', start_date: { type: 'NEXT_PERIOD' }, expiration_date: { type: 'END_OF_NEXT_PERIOD' } });
    const m = await member(c, 'tp-gus');
    const fay = await member(c, 'tp-fay');
    await m.points(1000);
    await fay.points(1000);
    expect(await m.tiers()).toEqual([]);
    at('2026-07-01T00:00:00Z');
    await runJob();
    // June's Silver: July and August.
    expect(await m.tiers()).toEqual([['Silver', '2026-09-01T00:00:00.000Z']]);
    at('2026-07-15T00:00:00Z');
    await m.points(150);
    await fay.points(1000);
    at('2026-08-01T00:00:00Z');
    await runJob();
    // July's Bronze waits behind June's Silver; Fay's July Silver prolongs hers through September.
    expect(await m.tiers()).toEqual([['Silver', '2026-09-01T00:00:00.000Z']]);
    expect(await fay.tiers()).toEqual([['Silver', '2026-10-01T00:00:00.000Z']]);
    at('2026-09-01T00:00:00Z');
    await runJob();
    // Nothing in August, but July's Bronze still holds September.
    expect(await m.tiers()).toEqual([['Bronze', '2026-10-01T00:00:00.000Z']]);
    at('2026-10-01T00:00:00Z');
    await runJob();
    expect(await m.tiers()).toEqual([]);
    expect(await fay.tiers()).toEqual([]);
    expect(await m.moves()).toEqual(['joined Silver', 'downgraded Silver>Bronze', 'left Bronze']);
    expect(await fay.moves()).toEqual(['joined Silver', 'prolonged Silver', 'left Silver']);
    at('2027-01-01T00:00:00Z');
    expect(await runJob()).toBe(0);
  });
});

describe('tiers held by the balance with a rounded grace period', () => {
  it('the grace period ends at the end of the month it would end in', async () => {
    at('2026-02-10T10:00:00Z');
    const c = await program('Rounded grace', { qualification_type: 'BALANCE', expiration_date: { type: 'CUSTOM', extend: 'P10D', rounding: { type: 'MONTH', strategy: 'END' } } });
    const m = await member(c, 'tp-dee');
    await m.points(1000);
    await m.points(-500);
    expect(await m.tiers()).toEqual([['Silver', '2026-03-01T00:00:00.000Z']]);
    const bad = await api('POST', '/v1/loyalties', { name: 'Bad rounding', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } }, loyalty_tiers_expiration: { qualification_type: 'BALANCE', expiration_date: { type: 'CUSTOM', extend: 'P1D', rounding: { type: 'CUSTOM' } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('rounding');
  });
});

describe('tiers held by the balance with a CUSTOM grace period', () => {
  it('a drop keeps the tier for the grace period; back in range prolongs it; after the grace it follows the balance', async () => {
    at('2026-01-15T10:00:00Z');
    const c = await program('Graceful', { qualification_type: 'BALANCE', expiration_date: { type: 'CUSTOM', extend: 'P10D' } });
    const m = await member(c, 'tp-cy');
    await m.points(1000);
    expect(await m.tiers()).toEqual([['Silver', null]]);
    await m.points(-500);
    expect(await m.tiers()).toEqual([['Silver', '2026-01-25T10:00:00.000Z']]);
    at('2026-01-20T10:00:00Z');
    await m.points(600);
    expect(await m.tiers()).toEqual([['Silver', null]]);
    await m.points(-600);
    at('2026-01-30T09:59:59Z');
    await runJob();
    expect(await m.tiers()).toEqual([['Silver', '2026-01-30T10:00:00.000Z']]);
    at('2026-01-30T10:00:00Z');
    await runJob();
    expect(await m.tiers()).toEqual([['Bronze', null]]);
    expect(await m.moves()).toEqual(['joined Silver', 'prolonged Silver', 'downgraded Silver>Bronze']);
  });
});

describe.skipIf(!specPresent)('payloads', () => {
  it('joined, upgraded, downgraded, left and prolonged validate against the official schemas', async () => {
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    const seen = new Set<string>();
    for (const who of ['tp-ann', 'tp-bo', 'tp-cy']) {
      for (const e of (await ok('GET', `/v1/customers/${who}/activity?limit=50`)).data.filter((a: any) => a.type.startsWith('customer.loyalty.tier.'))) {
        const validate = spec.compile(spec.entry(e.type)!.schema_ref);
        expect(validate(e.data.data), `${e.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
        seen.add(e.type);
      }
    }
    expect([...seen].sort()).toEqual(['customer.loyalty.tier.downgraded', 'customer.loyalty.tier.joined', 'customer.loyalty.tier.left', 'customer.loyalty.tier.prolonged', 'customer.loyalty.tier.upgraded']);
  });
});

describe('deleting a kept tier (Tessera\'s extension)', () => {
  it('is refused while a member keeps it, even when their balance has fallen below its range', async () => {
    at('2026-05-10T12:00:00Z');
    const c = await program('Kept delete', { qualification_type: 'POINTS_IN_PERIOD', qualification_period: 'MONTH', expiration_date: { type: 'END_OF_PERIOD' } });
    const m = await member(c, 'kept-del');
    await m.points(150);
    await m.points(-140);
    expect((await m.tiers()).map((x: any) => x[0])).toEqual(['Bronze']);
    const tiers = (await ok('GET', `/v1/loyalties/${c.id}/tiers`)).data;
    const bronze = tiers.find((x: any) => x.name === 'Bronze');
    const silver = tiers.find((x: any) => x.name === 'Silver');
    const del = (id: string) => t.app.inject({ method: 'DELETE', url: `/v1/loyalties/${c.id}/tiers/${id}`, headers: p.server });
    expect((await del(bronze.id)).statusCode).toBe(409);
    expect((await del(silver.id)).statusCode).toBe(204);
  });
});

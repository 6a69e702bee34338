/**
 * Calendar periods of tier qualification (UTC) and when a tier ends, per a program's loyalty_tiers_expiration.
 * Pure functions: the clock is the caller's.
 */
import type { TiersExpiration } from '../campaigns/index.js';

type Period = NonNullable<TiersExpiration['qualification_period']>;
const months: Record<Period, number> = { MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12 };

/** The first instant of the calendar period holding `at`: months, quarters and half-years start with January. */
export function periodStart(at: Date, period: Period): Date {
  const n = months[period];
  const m = at.getUTCMonth();
  return new Date(Date.UTC(at.getUTCFullYear(), m - (m % n), 1));
}

/** The first instant of the period after the one starting at `start`. */
export function nextPeriod(start: Date, period: Period): Date {
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months[period], 1));
}

/** The first instant of the period before the one starting at `start`. */
export function previousPeriod(start: Date, period: Period): Date {
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - months[period], 1));
}

/** `at` moved on by an ISO 8601 duration of years, months, weeks and days (P1Y, P3M, P2W, P10D); none: `at`. */
export function extendBy(at: Date, iso: string | undefined): Date {
  const m = iso ? /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso) : null;
  if (!m) return at;
  const out = new Date(at);
  out.setUTCFullYear(out.getUTCFullYear() + Number(m[1] ?? 0), out.getUTCMonth() + Number(m[2] ?? 0), out.getUTCDate() + 7 * Number(m[3] ?? 0) + Number(m[4] ?? 0));
  return out;
}

/** Voucherify's expiration_date.rounding of tiers: to a calendar period's start or end, or to a given month. */
interface Rounding {
  type?: 'MONTH' | 'QUARTER' | 'HALF_YEAR' | 'YEAR' | 'CUSTOM';
  strategy?: 'START' | 'END';
  unit?: 'MONTH';
  value?: number;
}

/**
 * A tier end moved by its rounding: MONTH, QUARTER, HALF_YEAR or YEAR to the end (strategy END, the default) or the
 * start (START) of the calendar period the end falls in; CUSTOM to the end (END) or the start (START) of the first
 * month `value` (0 = January) from the end's month on. An end already on the boundary stays.
 */
export function roundTierEnd(end: Date, rounding: Rounding | undefined): Date {
  if (!rounding?.type) return end;
  const start = rounding.strategy === 'START';
  if (rounding.type === 'CUSTOM') {
    const month = Math.min(11, Math.max(0, Math.floor(rounding.value ?? 11)));
    // The last instant the tier is held decides the month (an end on a boundary was held through the month before).
    const held = start ? end : new Date(end.getTime() - 1);
    const y = held.getUTCFullYear() + (month < held.getUTCMonth() ? 1 : 0);
    return new Date(Date.UTC(y, start ? month : month + 1, 1));
  }
  const period = rounding.type as Period;
  return start ? periodStart(end, period) : nextPeriod(periodStart(new Date(end.getTime() - 1), period), period);
}

/** A tier end as the program sets it: moved on by `extend`, then rounded. */
export function tierEndFrom(at: Date, x: TiersExpiration): Date {
  return roundTierEnd(extendBy(at, x.expiration_date?.extend), x.expiration_date?.rounding as Rounding | undefined);
}

/** Whether a program keeps its members' tiers (points in a period, or a grace period after the balance drops). */
export function keepsTiers(x: TiersExpiration | undefined): x is TiersExpiration {
  return !!x && (x.qualification_type === 'POINTS_IN_PERIOD' || x.expiration_date?.type === 'CUSTOM');
}

/**
 * When a tier won by points earned in the period holding `at` ends: at the end of that period (END_OF_PERIOD, the
 * default) or of the next (END_OF_NEXT_PERIOD), moved on by `extend` and rounded.
 */
export function periodTierEnd(x: TiersExpiration, at: Date): Date {
  const period = x.qualification_period ?? 'MONTH';
  let end = nextPeriod(periodStart(at, period), period);
  if (x.expiration_date?.type === 'END_OF_NEXT_PERIOD') end = nextPeriod(end, period);
  return tierEndFrom(end, x);
}

/** Points earned in the period holding `at`, in the one before and in the one before that, from what was kept for `keptStart`. */
export function pointsAt(
  x: TiersExpiration,
  at: Date,
  kept: { start: Date | null; points: number; previous: number; earlier?: number },
): { start: Date; current: number; previous: number; earlier: number } {
  const period = x.qualification_period ?? 'MONTH';
  const start = periodStart(at, period);
  const keptAt = kept.start?.getTime();
  const before = previousPeriod(start, period);
  if (keptAt === start.getTime()) return { start, current: kept.points, previous: kept.previous, earlier: kept.earlier ?? 0 };
  if (keptAt === before.getTime()) return { start, current: 0, previous: kept.points, earlier: kept.previous };
  if (keptAt === previousPeriod(before, period).getTime()) return { start, current: 0, previous: 0, earlier: kept.points };
  return { start, current: 0, previous: 0, earlier: 0 };
}

/** Transaction types whose points count as earned in a period (not refunds, transfers or removals). */
export const earnedTypes: readonly string[] = ['POINTS_ACCRUAL', 'POINTS_ADDITION', 'PENDING_POINTS_ACTIVATION'];

import { invalidCampaign, invalidPayload } from '../../core/errors.js';
import { expirationRulesSchema } from './schemas.js';
import type { TiersExpiration, Validity } from './types.js';

/** Validity rules Voucherify states: a timeframe counts from start_date; expiration comes after start. */
export function checkValidity(v: Validity): void {
  if (v.validity_timeframe && !v.start_date) {
    throw invalidPayload('Property .validity_timeframe needs a start_date to count from');
  }
  if (v.start_date && v.expiration_date && Date.parse(v.expiration_date) <= Date.parse(v.start_date)) {
    throw invalidPayload('Property .expiration_date must be later than .start_date');
  }
  for (const d of v.validity_hours?.daily ?? []) {
    if (d.start_time && d.expiration_time && d.expiration_time <= d.start_time) {
      throw invalidPayload(`Property .validity_hours.daily: expiration_time ${d.expiration_time} must be later than start_time ${d.start_time}`);
    }
  }
}

/** Minutes since midnight of an "HH:mm" time; undefined for anything else (a rule stored before times were checked). */
const minutes = (hhmm: unknown): number | undefined => {
  const m = typeof hhmm === 'string' ? /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};
/** Whether `at` (minutes since midnight) is within a daily window; a window whose times are not HH:mm never holds. */
function inHours(d: { start_time?: unknown; expiration_time?: unknown }, at: number): boolean {
  const from = d.start_time ? minutes(d.start_time) : 0;
  const to = d.expiration_time ? minutes(d.expiration_time) : 24 * 60;
  return from !== undefined && to !== undefined && from <= at && at < to;
}
/** A date a rule holds from or until; NaN (never valid) when stored as something that is not a date. */
const timeOf = (s: unknown) => (typeof s === 'string' ? Date.parse(s) : NaN);

interface DurationParts {
  years: number;
  months: number;
  ms: number;
}

/** An ISO 8601 duration (`P1Y2M3W4DT5H6M7S`) as calendar years and months and a fixed remainder; undefined if not one. */
export function durationParts(s: string | undefined): DurationParts | undefined {
  const m = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(s ?? '');
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  return { years: n(1), months: n(2), ms: ((n(3) * 7 + n(4)) * 24 * 3600 + n(5) * 3600 + n(6) * 60 + n(7)) * 1000 };
}

/** `from` moved on by `times` durations: calendar months first (the day kept, or the month's last), then the rest. */
function addDuration(from: Date, d: DurationParts, times: number): Date {
  const months = (d.years * 12 + d.months) * times;
  const out = new Date(from.getTime());
  if (months !== 0) {
    const day = out.getUTCDate();
    out.setUTCDate(1);
    out.setUTCMonth(out.getUTCMonth() + months);
    const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
    out.setUTCDate(Math.min(day, last));
  }
  return new Date(out.getTime() + d.ms * times);
}

/**
 * A validity_timeframe: from `start`, every `interval` opens a window of `duration` (Voucherify's "valid for an hour
 * every other day": interval P2D, duration PT1H). Before the start, or with durations that are not ISO 8601, never.
 */
export function inTimeframe(start: Date, tf: { interval?: string; duration?: string }, now: Date): boolean {
  const interval = durationParts(tf.interval);
  const duration = durationParts(tf.duration);
  const t = now.getTime();
  if (!interval || !duration || t < start.getTime()) return false;
  const monthly = interval.years * 12 + interval.months;
  // The number of whole intervals since the start: exact for fixed intervals, estimated then corrected for months.
  const approx = monthly * 30.436875 * 864e5 + interval.ms;
  if (approx <= 0) return false;
  let k = Math.floor((t - start.getTime()) / approx);
  while (k > 0 && addDuration(start, interval, k).getTime() > t) k--;
  while (addDuration(start, interval, k + 1).getTime() <= t) k++;
  const open = addDuration(start, interval, k);
  return t < addDuration(open, duration, 1).getTime();
}

/**
 * Whether a rule with this validity applies at `now` (UTC): after its start, before its expiration, within its
 * validity_timeframe, on one of its days of the week, within one of its daily hours.
 */
export function validAt(v: Validity, now: Date): boolean {
  const t = now.getTime();
  // Dates that are not dates (stored before they were checked) make the rule never valid, rather than always.
  if (v.start_date && !(timeOf(v.start_date) <= t)) return false;
  if (v.expiration_date && !(timeOf(v.expiration_date) > t)) return false;
  if (v.validity_timeframe && v.start_date && !inTimeframe(new Date(v.start_date), v.validity_timeframe, now)) return false;
  const day = now.getUTCDay();
  if (v.validity_day_of_week && v.validity_day_of_week.length > 0 && !v.validity_day_of_week.includes(day)) return false;
  const daily: unknown = v.validity_hours?.daily ?? [];
  if (!Array.isArray(daily)) return false;
  if (daily.length > 0) {
    const at = now.getUTCHours() * 60 + now.getUTCMinutes();
    return daily.some(
      (d) => typeof d === 'object' && d !== null && (!Array.isArray(d.days_of_week) || d.days_of_week.length === 0 || d.days_of_week.includes(day)) && inHours(d, at),
    );
  }
  return true;
}

/** An ISO 8601 duration of days, weeks, months or years (P3M, P1Y2M, P10D): what tier expiration extends by. */
export const tierExtend = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/;

/**
 * A loyalty program's loyalty_tiers_expiration: tiers held by the balance end when it drops (BALANCE_DROP) or a
 * while after (CUSTOM, `extend`); tiers won by points earned in a calendar period end with it or the next one.
 */
export function checkTiersExpiration(x: TiersExpiration): void {
  const bad = (m: string) => invalidCampaign(`loyalty_tiers_expiration: ${m}`);
  const exp = x.expiration_date?.type;
  if (x.expiration_date?.extend !== undefined && x.expiration_date.extend !== '' && !tierExtend.test(x.expiration_date.extend)) {
    throw bad(`expiration_date.extend must be an ISO 8601 duration such as P3M or P10D (got '${x.expiration_date.extend}')`);
  }
  if (x.start_date?.type === 'NEXT_PERIOD') {
    if (x.qualification_type !== 'POINTS_IN_PERIOD') throw bad('start_date NEXT_PERIOD needs POINTS_IN_PERIOD: a tier starts with the period after the one whose points reach it');
  }
  const rounding = x.expiration_date?.rounding as { type?: string; value?: number } | undefined;
  if (rounding?.type === 'CUSTOM' && rounding.value === undefined) throw bad('expiration_date.rounding CUSTOM needs value: the month to round to (0 = January)');
  if (x.qualification_type === 'BALANCE') {
    if (x.qualification_period !== undefined) throw bad('qualification_period belongs to POINTS_IN_PERIOD');
    if (exp !== undefined && exp !== 'BALANCE_DROP' && exp !== 'CUSTOM') throw bad(`a BALANCE tier ends on BALANCE_DROP or CUSTOM (a while after the balance drops), not ${exp}`);
    if (exp === 'CUSTOM' && !x.expiration_date?.extend) throw bad('a CUSTOM expiration needs expiration_date.extend: how long the tier lasts after the balance drops (P1M)');
  } else {
    if (!x.qualification_period) throw bad('POINTS_IN_PERIOD needs qualification_period (MONTH, QUARTER, HALF_YEAR or YEAR)');
    if (exp !== undefined && exp !== 'END_OF_PERIOD' && exp !== 'END_OF_NEXT_PERIOD') throw bad(`a POINTS_IN_PERIOD tier ends at END_OF_PERIOD or END_OF_NEXT_PERIOD, not ${exp}`);
  }
}

/**
 * What is wrong with expiration_rules, by the bounds of expirationRulesSchema and the days months have: one check
 * of a program's card template (and a standalone card's) and of an earning rule's own; undefined when nothing.
 */
export function expirationRulesProblem(rules: unknown): string | undefined {
  if (rules === undefined || rules === null) return undefined;
  if (typeof rules !== 'object' || Array.isArray(rules)) return 'must be an object';
  const r = rules as Record<string, unknown>;
  for (const [name, p] of Object.entries(expirationRulesSchema.properties) as Array<[string, { enum?: readonly string[]; minimum?: number; maximum?: number }]>) {
    const v = r[name];
    if (v === undefined) continue;
    if (p.enum && !p.enum.includes(v as string)) return `${name} must be ${p.enum.join(', ')}`;
    if (p.minimum !== undefined && !(Number.isInteger(v) && (v as number) >= p.minimum && (v as number) <= p.maximum!)) return `${name} must be a whole number from ${p.minimum} to ${p.maximum}`;
  }
  // Points last at least a month, or to the end of the current period (0 with a rounding_type: END_OF_MONTH is the
  // end of this month), and expire on a day the month has (February 29 in leap years only).
  const least = r.rounding_type !== undefined ? 0 : 1;
  if (r.period_type === 'MONTH' && !((r.period_value as number) >= least)) return 'period_value must be at least 1 (months) with period_type MONTH, or 0 with a rounding_type (the end of the current period)';
  if (r.period_type === 'FIXED_DAY_OF_YEAR' && typeof r.fixed_day === 'number') {
    const days = new Date(Date.UTC(2024, (r.fixed_month as number | undefined) ?? 12, 0)).getUTCDate();
    if (r.fixed_day > days) return `fixed_day ${r.fixed_day} is not a day of month ${(r.fixed_month as number | undefined) ?? 12} (at most ${days})`;
  }
  return undefined;
}

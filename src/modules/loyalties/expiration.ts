
/** Voucherify's expiration_rules of loyalty points (a program's card template, or an earning rule's own). */
export interface ExpirationRules {
  period_type?: 'MONTH' | 'FIXED_DAY_OF_YEAR';
  period_value?: number;
  rounding_type?: 'END_OF_MONTH' | 'END_OF_QUARTER' | 'END_OF_HALF_YEAR' | 'END_OF_YEAR' | 'PARTICULAR_MONTH';
  rounding_value?: number;
  fixed_month?: number;
  fixed_day?: number;
}

const day = (y: number, m0: number, d: number) => new Date(Date.UTC(y, m0, d));
/** The last day of the month m0 (0-based, may overflow into later years). */
const lastOfMonth = (y: number, m0: number) => day(y, m0 + 1, 0);

const iso = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The last day (UTC, YYYY-MM-DD) points earned at `at` are valid under these rules; undefined when they never
 * expire. MONTH: `period_value` months later, rounded up to the end of that month, quarter, half-year, year or the
 * next `rounding_value` month (PARTICULAR_MONTH). FIXED_DAY_OF_YEAR: the next `fixed_month`/`fixed_day` after `at`.
 */
export function expiresOn(rules: ExpirationRules | undefined | null, at: Date): string | undefined {
  if (!rules?.period_type) return undefined;
  const y = at.getUTCFullYear();
  if (rules.period_type === 'FIXED_DAY_OF_YEAR') {
    const m0 = Math.min(12, Math.max(1, rules.fixed_month ?? 12)) - 1;
    const d = Math.min(rules.fixed_day ?? 31, lastOfMonth(y, m0).getUTCDate());
    const thisYear = day(y, m0, d);
    return iso(thisYear.getTime() > at.getTime() ? thisYear : day(y + 1, m0, Math.min(rules.fixed_day ?? 31, lastOfMonth(y + 1, m0).getUTCDate())));
  }
  const months = Math.max(0, Math.floor(rules.period_value ?? 0));
  const m0 = at.getUTCMonth() + months;
  // The same day `months` later (clamped to that month's length).
  const base = day(y, m0, Math.min(at.getUTCDate(), lastOfMonth(y, m0).getUTCDate()));
  const by = base.getUTCFullYear();
  const bm = base.getUTCMonth();
  switch (rules.rounding_type) {
    case 'END_OF_MONTH':
      return iso(lastOfMonth(by, bm));
    case 'END_OF_QUARTER':
      return iso(lastOfMonth(by, Math.floor(bm / 3) * 3 + 2));
    case 'END_OF_HALF_YEAR':
      return iso(lastOfMonth(by, bm < 6 ? 5 : 11));
    case 'END_OF_YEAR':
      return iso(lastOfMonth(by, 11));
    case 'PARTICULAR_MONTH': {
      const target = Math.min(12, Math.max(1, rules.rounding_value ?? 12)) - 1;
      return iso(lastOfMonth(target >= bm ? by : by + 1, target));
    }
    default:
      return iso(base);
  }
}

/** When points valid through `on` expire: the start of the next day, UTC. */
export const expireAt = (on: string) => new Date(Date.parse(`${on}T00:00:00Z`) + 86_400_000);

/** How points added by hand expire (Voucherify's PointsExpirationTypes). */
export type AddedPointsExpiration = { expiration_type?: 'PROGRAM_RULES' | 'NON_EXPIRING' | 'CUSTOM_DATE'; expiration_date?: string };

/**
 * The last valid day of points added by hand at `at`: none (NON_EXPIRING, the default), the program's rules
 * (PROGRAM_RULES), or the UTC day of `expiration_date` (CUSTOM_DATE: a day or a date-time, today or later). A string
 * is the reason the asked expiry is refused.
 */
export function addedPointsExpiry(asked: AddedPointsExpiration, programRules: ExpirationRules | undefined | null, at: Date): { expiresOn?: string } | string {
  if (asked.expiration_type === 'PROGRAM_RULES') return { expiresOn: expiresOn(programRules, at) };
  if (asked.expiration_type !== 'CUSTOM_DATE') return asked.expiration_date !== undefined ? 'Property .expiration_date is taken only with expiration_type CUSTOM_DATE' : {};
  const sent = asked.expiration_date;
  if (sent === undefined) return 'Property .expiration_date is required with expiration_type CUSTOM_DATE';
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(sent) ? new Date(`${sent}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(sent) ? new Date(sent) : new Date(NaN);
  if (Number.isNaN(parsed.getTime()) || (sent.length === 10 && iso(parsed) !== sent)) return 'Property .expiration_date must be a date (YYYY-MM-DD) or an ISO 8601 date-time';
  const last = iso(parsed);
  if (last < iso(at)) return `Property .expiration_date must be today or later (${last} has passed)`;
  return { expiresOn: last };
}

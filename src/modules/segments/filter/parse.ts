import { isStorableTime, storableRange } from '../../../core/time-range.js';
import { aliases, opsFor } from './operators.js';
import type { Condition, Criterion, Field, Filter } from './types.js';

/** Why a filter cannot be evaluated; the segment is refused with it as `details`. */
export class FilterError extends Error {}

const profileStrings = ['id', 'source_id', 'name', 'email', 'phone', 'description'] as const;
const profileDates = ['created_at', 'updated_at', 'birthdate'] as const;
const addressFields = ['city', 'state', 'line_1', 'line_2', 'country', 'postal_code'];
const orderNumbers = ['total_amount', 'total_count', 'average_amount', 'last_order_amount'] as const;

/** Longest time window an event count may look back, in days. */
export const maxWindowDays = 3650;

function fieldOf(path: string, entry: Record<string, unknown>): Field {
  const parts = path.split('.');
  const [head, ...rest] = parts;
  if (rest.length === 0) {
    if ((profileStrings as readonly string[]).includes(head!)) return { kind: 'profile', name: head as (typeof profileStrings)[number], type: 'string' };
    if (head === 'birthday') return { kind: 'profile', name: 'birthdate', type: 'date' };
    if ((profileDates as readonly string[]).includes(head!)) return { kind: 'profile', name: head as (typeof profileDates)[number], type: 'date' };
    if (head === 'city' || head === 'country' || head === 'postal_code') return { kind: 'address', name: head, type: 'string' };
  }
  if (head === 'address' && rest.length === 1 && addressFields.includes(rest[0]!)) return { kind: 'address', name: rest[0]!, type: 'string' };
  if (head === 'metadata' && rest.length >= 1 && rest.every((p) => p !== '')) return { kind: 'metadata', path: rest, type: 'any' };
  const orders = head === 'orders' ? rest : head === 'summary' && rest[0] === 'orders' ? rest.slice(1) : undefined;
  if (orders && orders.length === 1) {
    if ((orderNumbers as readonly string[]).includes(orders[0]!)) return { kind: 'orders', name: orders[0] as (typeof orderNumbers)[number], type: 'number' };
    if (orders[0] === 'last_order_date') return { kind: 'orders', name: 'last_order_date', type: 'date' };
  }
  if (head === 'events' && rest.length === 2 && rest[0] !== '') {
    const event = rest[0]!;
    if (rest[1] === 'count') {
      const windowDays = windowOf(path, entry.timeframe);
      return { kind: 'event_count', event, type: 'number', ...(windowDays !== undefined ? { windowDays } : {}) };
    }
    if (rest[1] === 'last_occurred') return { kind: 'event_last', event, type: 'date' };
  }
  throw new FilterError(
    `Property .filter has an unknown field '${path}': use a profile field (name, email, created_at...), address.<field>, metadata.<key>, orders.<summary field>, events.<name>.count or events.<name>.last_occurred`,
  );
}

/** Our extension: `"timeframe": {"last_days": N}` beside `conditions` counts only the last N days' events. */
function windowOf(path: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const days = (raw as { last_days?: unknown } | null)?.last_days;
  const n = typeof days === 'string' && days.trim() !== '' ? Number(days) : days;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > maxWindowDays) {
    throw new FilterError(`Property .filter.${path}.timeframe must be {"last_days": N} with N a whole number from 1 to ${maxWindowDays}`);
  }
  return n;
}

function conditionsOf(path: string, field: Field, raw: unknown): Condition[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new FilterError(`Property .filter.${path}.conditions must be an object with at least one operator`);
  }
  const allowed = opsFor(field.type);
  return Object.entries(raw).map(([rawOp, value]) => {
    const op = aliases[rawOp] ?? rawOp;
    const arity = allowed[op];
    if (!arity) {
      throw new FilterError(`Property .filter.${path}.conditions has operator ${rawOp}, which does not apply to a ${field.type === 'any' ? 'metadata' : field.type} field; allowed: ${Object.keys(allowed).join(', ')}`);
    }
    const values = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
    if (arity === 'one' && values.length !== 1) throw new FilterError(`Property .filter.${path}.conditions.${rawOp} takes one value`);
    if (arity === 'many' && values.length === 0) throw new FilterError(`Property .filter.${path}.conditions.${rawOp} takes at least one value`);
    // A null operand would be compared as the text "null": a missing value is what $is_unknown asks for.
    if (arity !== 'none' && values.some((v) => v === null)) {
      throw new FilterError(`Property .filter.${path}.conditions.${rawOp} must not hold null: a customer without a value matches $is_unknown`);
    }
    checkOperands(path, rawOp, op, field, values);
    return { op, values };
  });
}

const numericOperandOps = new Set(['$more_than_ago', '$less_than_ago', '$is_days_ago', '$more_than_future', '$less_than_future', '$is_days_in_future', '$is_years_ago', '$is_day_of_month', '$is_day', '$is_month', '$is_year', '$count', '$count_less', '$count_more']);
const orderedOps = ['$more_than', '$less_than', '$more_than_equal', '$less_than_equal'];

/** How far a relative date may reach either way, in days (about a thousand years): `now` ± N stays a storable date. */
export const maxRelativeDays = 365_000;
/** Operators whose number is a count of days from now (or, on a date field, the ordered comparisons: N days ago). */
const relativeDayOps = new Set(['$more_than_ago', '$less_than_ago', '$is_days_ago', '$more_than_future', '$less_than_future', '$is_days_in_future']);
/** Calendar numbers: the operand must name a real day of the week (1 = Monday), day of the month, month or year. */
const calendarRanges: Record<string, [number, number, string]> = {
  $is_day: [1, 7, 'a day of the week from 1 (Monday) to 7 (Sunday)'],
  $is_day_of_month: [1, 31, 'a day of the month from 1 to 31'],
  $is_month: [1, 12, 'a month from 1 to 12'],
  $is_year: [1, 9999, 'a year from 1 to 9999'],
  $is_years_ago: [-9998, 9998, 'a number of years from -9998 to 9998'],
};

/** A leading year-month-day (`2026-02-30`, `2026/02/30T...`) names a day that exists: Date.parse rolls it over instead. */
function realDay(v: string): boolean {
  const m = /^\s*(\d{1,4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)/.exec(v);
  if (!m) return true;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(2000, mo - 1, d));
  day.setUTCFullYear(y);
  return day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/** Operands must make sense for the field: numbers where numbers are compared, dates where dates are, in range. */
function checkOperands(path: string, rawOp: string, op: string, field: Field, values: unknown[]): void {
  const where = `Property .filter.${path}.conditions.${rawOp}`;
  for (const v of values) {
    if (typeof v === 'object' && v !== null) throw new FilterError(`${where} must hold scalars`);
    const asNumber = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (numericOperandOps.has(op) && !Number.isFinite(asNumber)) {
      throw new FilterError(`${where} must be a number, got '${String(v)}'`);
    }
    // The ordered comparisons take a number on every field: a value, a count, or N days ago on a date.
    const numeric = orderedOps.includes(op) || (field.type === 'number' && ['$is', '$is_not', '$in', '$not_in'].includes(op));
    if (numeric && !Number.isFinite(asNumber)) {
      throw new FilterError(`${where} must be a number, got '${String(v)}'`);
    }
    const daysFromNow = relativeDayOps.has(op) || (field.type === 'date' && orderedOps.includes(op));
    if (daysFromNow && Math.abs(asNumber) > maxRelativeDays) {
      throw new FilterError(`${where} must be a number of days from -${maxRelativeDays} to ${maxRelativeDays} (about a thousand years), got ${String(v)}`);
    }
    const calendar = calendarRanges[op];
    if (calendar && (asNumber < calendar[0] || asNumber > calendar[1])) {
      throw new FilterError(`${where} must be ${calendar[2]}, got ${String(v)}`);
    }
    const dated = op === '$after' || op === '$before' || (field.type === 'date' && ['$is', '$is_not', '$in', '$not_in'].includes(op));
    if (dated) {
      const t = Date.parse(String(v));
      if (Number.isNaN(t) || !realDay(String(v))) throw new FilterError(`${where} must be a date, got '${String(v)}'`);
      if (!isStorableTime(t)) throw new FilterError(`${where} must be a date ${storableRange}, got '${String(v)}'`);
    }
  }
}

/** Parses and validates a Voucherify segment filter; throws FilterError saying what cannot be evaluated. */
export function parseFilter(raw: unknown): Filter {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new FilterError('Property .filter must be an object');
  const { junction = 'and', ...entries } = raw as Record<string, unknown>;
  if (junction !== 'and' && junction !== 'or') {
    throw new FilterError('Property .filter has wrong `junction` property. It must be one of: and, or');
  }
  const criteria: Criterion[] = Object.entries(entries).map(([path, entry]) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new FilterError(`Property .filter.${path} must be an object with conditions`);
    }
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => k !== 'conditions' && k !== 'timeframe');
    if (unknown.length > 0) throw new FilterError(`Property .filter.${path} has unknown keys: ${unknown.join(', ')}`);
    const field = fieldOf(path, e);
    if (e.timeframe !== undefined && field.kind !== 'event_count') {
      throw new FilterError(`Property .filter.${path}.timeframe applies only to events.<name>.count`);
    }
    return { path, field, conditions: conditionsOf(path, field, e.conditions) };
  });
  if (criteria.length === 0) throw new FilterError('Property .filter must hold at least one condition');
  if (criteria.length > 50) throw new FilterError('Property .filter may hold at most 50 conditions');
  return { junction, criteria };
}

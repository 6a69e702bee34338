import type { Condition, Criterion, Facts, Field, Filter } from './types.js';

/**
 * Evaluates a filter for one customer at `now`. Dates are compared in UTC. Values arrive as arrays or scalars and
 * numbers as strings or numbers (DIGEST j.5): operands are coerced to the field's value before comparing.
 * A customer without a value matches only $is_unknown and the negative operators ($is_not, $not_in, $not_contain).
 */
const day = 86_400_000;

function utcDay(d: Date): number {
  return Math.floor(d.getTime() / day);
}

export function toDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/**
 * A value as text for string comparisons. Objects (metadata may hold any JSON) compare as their JSON: String() of
 * `{"toString": 1}` would throw.
 */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v !== 'object' || v === null) return String(v);
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

function metadataValue(m: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = m;
  for (const p of path) {
    // Own keys only: `metadata.constructor` is not a value of a customer whose metadata lacks it.
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

export function valueOf(field: Field, f: Facts, now: Date): unknown {
  switch (field.kind) {
    case 'profile':
      return field.name === 'birthdate' ? (f.customer.birthdate ? toDate(`${f.customer.birthdate}T00:00:00Z`) : null) : f.customer[field.name];
    case 'address':
      return f.customer.address?.[field.name] ?? null;
    case 'metadata':
      return metadataValue(f.customer.metadata, field.path);
    case 'orders':
      return f.orders[field.name];
    case 'event_count': {
      const e = f.events.get(field.event);
      if (!e) return 0;
      if (field.windowDays === undefined) return e.count;
      return e.windows.get(field.windowDays)?.count ?? 0;
    }
    case 'event_last':
      return f.events.get(field.event)?.last ?? null;
  }
}

function missing(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/** Equality of a customer's value and an operand, in the value's own type. */
function same(value: unknown, operand: unknown, type: Field['type']): boolean {
  if (Array.isArray(value)) return value.some((x) => same(x, operand, type));
  if (type === 'date' || value instanceof Date) {
    const a = toDate(value);
    const b = toDate(operand);
    if (!a || !b) return false;
    // A date-only operand matches the whole UTC day.
    return typeof operand === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(operand) ? utcDay(a) === utcDay(b) : a.getTime() === b.getTime();
  }
  if (typeof value === 'number') return value === toNumber(operand);
  if (typeof value === 'boolean') return text(value) === text(operand).toLowerCase();
  if (typeof operand === 'number' && typeof value === 'string') return toNumber(value) === operand;
  return text(value) === text(operand);
}

function isoWeekStart(d: number): number {
  // Day 0 (1970-01-01) was a Thursday: Monday-based weeks start 3 days before.
  return d - ((d + 3) % 7);
}

function monthIndex(d: Date): number {
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function md(d: Date): string {
  return `${d.getUTCMonth()}-${d.getUTCDate()}`;
}

function dateTest(op: string, d: Date, n: number, now: Date): boolean | undefined {
  const t = d.getTime();
  const today = utcDay(now);
  const dd = utcDay(d);
  switch (op) {
    case '$more_than_ago':
    case '$more_than':
      return t < now.getTime() - n * day;
    case '$less_than_ago':
    case '$less_than':
      return t > now.getTime() - n * day && t <= now.getTime();
    // On dates, $more_than_equal / $less_than_equal read like their strict forms (days ago), boundary included.
    case '$more_than_equal':
      return t <= now.getTime() - n * day;
    case '$less_than_equal':
      return t >= now.getTime() - n * day && t <= now.getTime();
    case '$is_days_ago':
      return dd === today - n;
    case '$more_than_future':
      return t > now.getTime() + n * day;
    case '$less_than_future':
      return t >= now.getTime() && t < now.getTime() + n * day;
    case '$is_days_in_future':
      return dd === today + n;
    case '$is_years_ago':
      return d.getUTCFullYear() === now.getUTCFullYear() - n;
    case '$today':
      return dd === today;
    case '$yesterday':
      return dd === today - 1;
    case '$tomorrow':
      return dd === today + 1;
    case '$this_week':
      return isoWeekStart(dd) === isoWeekStart(today);
    case '$last_week':
      return isoWeekStart(dd) === isoWeekStart(today) - 7;
    case '$next_week':
      return isoWeekStart(dd) === isoWeekStart(today) + 7;
    case '$this_month':
      return monthIndex(d) === monthIndex(now);
    case '$last_month':
      return monthIndex(d) === monthIndex(now) - 1;
    case '$next_month':
      return monthIndex(d) === monthIndex(now) + 1;
    case '$this_year':
      return d.getUTCFullYear() === now.getUTCFullYear();
    case '$last_year':
      return d.getUTCFullYear() === now.getUTCFullYear() - 1;
    case '$next_year':
      return d.getUTCFullYear() === now.getUTCFullYear() + 1;
    case '$is_day_of_month':
      return d.getUTCDate() === n;
    case '$is_day':
      return ((d.getUTCDay() + 6) % 7) + 1 === n;
    case '$is_month':
      return d.getUTCMonth() + 1 === n;
    case '$is_year':
      return d.getUTCFullYear() === n;
    case '$today_md':
      return md(d) === md(now);
    case '$tomorrow_md':
      return md(d) === md(new Date(now.getTime() + day));
    case '$yesterday_md':
      return md(d) === md(new Date(now.getTime() - day));
    case '$this_week_md': {
      const start = isoWeekStart(today);
      return Array.from({ length: 7 }, (_, i) => md(new Date((start + i) * day))).includes(md(d));
    }
    case '$this_month_md':
      return d.getUTCMonth() === now.getUTCMonth();
    case '$next_month_md':
      return d.getUTCMonth() === (now.getUTCMonth() + 1) % 12;
    case '$last_month_md':
      return d.getUTCMonth() === (now.getUTCMonth() + 11) % 12;
    default:
      return undefined;
  }
}

export function holds(c: Condition, field: Field, value: unknown, now: Date): boolean {
  const [first] = c.values;
  switch (c.op) {
    case '$has_value':
      return !missing(value) && !(Array.isArray(value) && value.length === 0);
    case '$is_unknown':
      return missing(value) || (Array.isArray(value) && value.length === 0);
    case '$is_not':
      return missing(value) || !same(value, first, field.type);
    case '$not_in':
      return missing(value) || !c.values.some((v) => same(value, v, field.type));
    case '$not_contain':
      return missing(value) || !text(value).toLowerCase().includes(text(first).toLowerCase());
  }
  if (missing(value)) return false;
  switch (c.op) {
    case '$is':
      return same(value, first, field.type);
    case '$in':
      return c.values.some((v) => same(value, v, field.type));
    case '$contains':
      return text(value).toLowerCase().includes(text(first).toLowerCase());
    case '$starts_with':
      return text(value).toLowerCase().startsWith(text(first).toLowerCase());
    case '$ends_with':
      return text(value).toLowerCase().endsWith(text(first).toLowerCase());
    case '$count':
      return Array.isArray(value) && value.length === toNumber(first);
    case '$count_less':
      return Array.isArray(value) && value.length < toNumber(first);
    case '$count_more':
      return Array.isArray(value) && value.length > toNumber(first);
    case '$after':
    case '$before': {
      const d = toDate(value);
      const b = toDate(first);
      if (!d || !b) return false;
      return c.op === '$after' ? d.getTime() > b.getTime() : d.getTime() < b.getTime();
    }
  }
  const isDate = field.type === 'date' || value instanceof Date;
  if (!isDate && ['$more_than', '$less_than', '$more_than_equal', '$less_than_equal'].includes(c.op)) {
    const a = toNumber(value);
    const b = toNumber(first);
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    return c.op === '$more_than' ? a > b : c.op === '$less_than' ? a < b : c.op === '$more_than_equal' ? a >= b : a <= b;
  }
  const d = toDate(value);
  if (!d) return false;
  return dateTest(c.op, d, toNumber(first), now) ?? false;
}

export function criterionHolds(cr: Criterion, facts: Facts, now: Date): boolean {
  const value = valueOf(cr.field, facts, now);
  return cr.conditions.every((c) => holds(c, cr.field, value, now));
}

export function evaluate(filter: Filter, facts: Facts, now: Date): boolean {
  return filter.junction === 'and'
    ? filter.criteria.every((cr) => criterionHolds(cr, facts, now))
    : filter.criteria.some((cr) => criterionHolds(cr, facts, now));
}

/**
 * Condition operators on one value. Numbers compare as numbers, dates as instants (a value and an operand that
 * both read as dates, not numbers), everything else as text. Time operators test a date value, or the moment of
 * evaluation when the rule's value is no date (`$timeframe` and `$dow` on a rule about now). Pure.
 */
import { canonicalOperator } from './grammar.js';
import { timeframeOf } from './timeframe.js';

const day = 86_400_000;

const isDateLike = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
const asTime = (v: unknown): number | undefined => (v instanceof Date ? v.getTime() : isDateLike(v) ? Date.parse(v as string) : undefined);
const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

/** A number when both sides are numbers (or numeric strings), else a time when both are dates, else undefined. */
function compare(value: unknown, operand: unknown): number | undefined {
  const a = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && !isDateLike(value) ? Number(value) : NaN;
  const b = typeof operand === 'number' ? operand : typeof operand === 'string' && operand.trim() !== '' && !isDateLike(operand) ? Number(operand) : NaN;
  if (!Number.isNaN(a) && !Number.isNaN(b)) return a - b;
  const ta = asTime(value);
  const tb = asTime(operand);
  if (ta !== undefined && tb !== undefined) return ta - tb;
  return undefined;
}

/** A finite number, or a string that reads as one (`"10.0"`), as a number; else undefined. */
const numeric = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Equality across JSON shapes: numbers and numeric strings as numbers, objects by `id` (segments, products). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const idOf = (x: unknown) => (typeof x === 'object' && x !== null && 'id' in x ? (x as { id: unknown }).id : x);
  const x = idOf(a);
  const y = idOf(b);
  if (typeof x === 'object' || typeof y === 'object') return JSON.stringify(x) === JSON.stringify(y);
  const [nx, ny] = [numeric(x), numeric(y)];
  if (nx !== undefined && ny !== undefined) return nx === ny;
  return String(x) === String(y);
}

const values = (v: unknown): unknown[] => (Array.isArray(v) ? v : present(v) ? [v] : []);

/** Within [start + k·interval, + duration) for some k ≥ 0. */
function inTimeframe(t: number, spec: string): boolean {
  const f = timeframeOf(spec);
  if (f === undefined || t < f.start) return false;
  return (t - f.start) % f.interval < f.duration;
}

/** `18:00;20:01;2,3`: between the hours (UTC) on the listed days of the week (0 = Sunday). */
function inDailyHours(t: number, spec: string): boolean {
  const [from, to, days] = spec.split(';');
  const d = new Date(t);
  if (days !== undefined && days.trim() !== '' && !days.split(',').map(Number).includes(d.getUTCDay())) return false;
  const minutes = (hhmm: string | undefined) => {
    const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm ?? '');
    return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
  };
  const a = minutes(from);
  const b = minutes(to);
  if (a === undefined || b === undefined) return false;
  const now = d.getUTCHours() * 60 + d.getUTCMinutes();
  return a <= b ? now >= a && now < b : now >= a || now < b;
}

/**
 * Whether `op` holds for `value` with the given operands at `now`; `inCollection` answers `$from`, `inLocation`
 * `$in_location` (a geopoint value in one of the named locations; none without it).
 */
export function holds(opRaw: string, value: unknown, operands: unknown[], now: Date, inCollection?: (collectionId: string) => boolean, inLocation?: (locationId: string, point: unknown) => boolean): boolean {
  const op = canonicalOperator(opRaw);
  const vals = values(value);
  const first = operands[0];
  const time = asTime(value) ?? (present(value) ? undefined : now.getTime());
  switch (op) {
    case '$is':
      return vals.some((v) => same(v, first));
    case '$is_not':
      return !vals.some((v) => same(v, first));
    case '$in':
      return vals.some((v) => operands.some((o) => same(v, o)));
    case '$not_in':
      return !vals.some((v) => operands.some((o) => same(v, o)));
    case '$in_location':
      return vals.some((v) => operands.some((o) => inLocation?.(String(o), v) ?? false));
    case '$not_in_location':
      return !vals.some((v) => operands.some((o) => inLocation?.(String(o), v) ?? false));
    case '$less_than':
    case '$less_than_or_equal':
    case '$more_than':
    case '$more_than_or_equal':
    case '$after':
    case '$before': {
      if (!present(value)) return false;
      const c = compare(value, first);
      if (c === undefined) return false;
      if (op === '$less_than' || op === '$before') return c < 0;
      if (op === '$less_than_or_equal') return c <= 0;
      if (op === '$more_than' || op === '$after') return c > 0;
      return c >= 0;
    }
    case '$starts_with':
      return present(value) && operands.some((o) => String(value).startsWith(String(o)));
    case '$ends_with':
      return present(value) && operands.some((o) => String(value).endsWith(String(o)));
    case '$contains':
      return present(value) && operands.some((o) => (Array.isArray(value) ? value.some((v) => same(v, o)) : String(value).includes(String(o))));
    case '$not_contain':
      return !present(value) || !operands.some((o) => (Array.isArray(value) ? value.some((v) => same(v, o)) : String(value).includes(String(o))));
    case '$count':
      return Array.isArray(value) && value.length === Number(first);
    case '$count_more':
      return Array.isArray(value) && value.length > Number(first);
    case '$count_less':
      return Array.isArray(value) && value.length < Number(first);
    case '$not_differ':
      return vals.length === operands.length && vals.every((v) => operands.some((o) => same(v, o))) && operands.every((o) => vals.some((v) => same(v, o)));
    case '$not_intersect':
      return !vals.some((v) => operands.some((o) => same(v, o)));
    case '$has_value':
      return present(value);
    case '$is_unknown':
      return !present(value);
    case '$from':
      return inCollection !== undefined && operands.some((o) => inCollection(String(typeof o === 'object' && o !== null ? (o as { id: unknown }).id : o)));
    case '$timeframe':
      return time !== undefined && operands.some((o) => inTimeframe(time, String(o)));
    case '$timeframe_absolute':
      return (
        time !== undefined &&
        operands.some((o) => {
          const [from, to] = String(o).split(';').map((x) => Date.parse(x));
          return from !== undefined && to !== undefined && time >= from && time <= to;
        })
      );
    case '$timeframe_daily_hours':
      return time !== undefined && operands.some((o) => inDailyHours(time, String(o)));
    case '$dow':
      return time !== undefined && operands.map(Number).includes(new Date(time).getUTCDay());
    case '$more_than_ago':
    case '$less_than_ago':
    case '$is_days_ago':
    case '$more_than_future':
    case '$less_than_future':
    case '$is_days_in_future': {
      const t = asTime(value);
      if (t === undefined) return false;
      const n = Number(first);
      const ago = (now.getTime() - t) / day;
      if (op === '$more_than_ago') return ago > n;
      if (op === '$less_than_ago') return ago >= 0 && ago < n;
      if (op === '$is_days_ago') return Math.floor(ago) === n;
      const ahead = -ago;
      if (op === '$more_than_future') return ahead > n;
      if (op === '$less_than_future') return ahead >= 0 && ahead < n;
      return Math.floor(ahead) === n;
    }
    default:
      return false;
  }
}

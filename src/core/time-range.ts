/**
 * The instants every part of Tessera represents alike: PostgreSQL and PGlite timestamps, JavaScript dates and
 * ISO-8601 text with a four-digit year. Times outside 0001-01-01..9999-12-31 (UTC) are refused where they come in.
 */
export const minTime = Date.parse('0001-01-01T00:00:00.000Z');
export const maxTime = Date.parse('9999-12-31T23:59:59.999Z');

export function isStorableTime(t: number): boolean {
  return Number.isFinite(t) && t >= minTime && t <= maxTime;
}

const isoTime = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * An ISO 8601 date or date-time (`2024-01-31`, `2024-01-31T09:30:00Z`, with an offset or none) as an instant, when it
 * names a real calendar day in the storable range; undefined otherwise. What it accepts PostgreSQL reads the same.
 */
export function isoInstant(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = isoTime.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return undefined;
  const t = Date.parse(v);
  return isStorableTime(t) ? t : undefined;
}

/** How a refusal names the range. */
export const storableRange = 'from 0001-01-01 to 9999-12-31';

/** `created_at` and `updated_at` of a row as API objects show them (ISO strings; null when never updated). */
export function isoTimes(row: { created_at: Date; updated_at: Date | null }): { created_at: string; updated_at: string | null } {
  return { created_at: row.created_at.toISOString(), updated_at: row.updated_at ? row.updated_at.toISOString() : null };
}

/** A list query's `created_at` / `updated_at` ranges as the bounds the SQL filters take. */
export function dateBounds(q: { created_at?: { before?: Date; after?: Date }; updated_at?: { before?: Date; after?: Date } }) {
  return { createdBefore: q.created_at?.before, createdAfter: q.created_at?.after, updatedBefore: q.updated_at?.before, updatedAfter: q.updated_at?.after };
}

const calendarDate = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A real calendar day written YYYY-MM-DD (2024-02-31 is not: Date.parse would roll it over to March). */
export function isCalendarDate(v: string): boolean {
  const m = calendarDate.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * The instants every part of Tessera represents alike: PostgreSQL and PGlite timestamps, JavaScript dates and
 * ISO-8601 text with a four-digit year. Times outside 0001-01-01..9999-12-31 (UTC) are refused where they come in.
 */
export const minTime = Date.parse('0001-01-01T00:00:00.000Z');
export const maxTime = Date.parse('9999-12-31T23:59:59.999Z');

export function isStorableTime(t: number): boolean {
  return Number.isFinite(t) && t >= minTime && t <= maxTime;
}

/** How a refusal names the range. */
export const storableRange = 'from 0001-01-01 to 9999-12-31';

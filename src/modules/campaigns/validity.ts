import { invalidPayload } from '../../core/errors.js';
import type { Validity } from './types.js';

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

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * Whether a rule with this validity applies at `now` (UTC): after its start, before its expiration, on one of its
 * days of the week, within one of its daily hours. (A validity_timeframe is not applied: see the README.)
 */
export function validAt(v: Validity, now: Date): boolean {
  const t = now.getTime();
  if (v.start_date && Date.parse(v.start_date) > t) return false;
  if (v.expiration_date && Date.parse(v.expiration_date) <= t) return false;
  const day = now.getUTCDay();
  if (v.validity_day_of_week && v.validity_day_of_week.length > 0 && !v.validity_day_of_week.includes(day)) return false;
  const daily = v.validity_hours?.daily ?? [];
  if (daily.length > 0) {
    const at = now.getUTCHours() * 60 + now.getUTCMinutes();
    return daily.some(
      (d) => (!d.days_of_week || d.days_of_week.length === 0 || d.days_of_week.includes(day)) && (!d.start_time || minutes(d.start_time) <= at) && (!d.expiration_time || at < minutes(d.expiration_time)),
    );
  }
  return true;
}

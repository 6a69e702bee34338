import type { Validity } from '../campaigns/index.js';

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

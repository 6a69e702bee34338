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

import { maxTime } from '../../../core/time-range.js';
import { toDate, valueOf } from './evaluate.js';
import type { Facts, Filter } from './types.js';

const day = 86_400_000;
const orderedOps = ['$more_than', '$less_than', '$more_than_equal', '$less_than_equal'];

/** What a filter reads: a change elsewhere cannot change its result, so it need not be evaluated again. */
export interface Dependencies {
  /**
   * The customer attributes it reads, named as a customer.updated reports what changed: field names
   * (`name`, `created_at`...), `address`, and `metadata.<top-level key>`.
   */
  fields: Set<string>;
  orders: boolean;
  /** Custom event names whose count or last time it reads. */
  events: Set<string>;
  /** Its result can change with time alone (windows, relative and calendar dates). */
  timeBased: boolean;
}

const absoluteOps = new Set(['$is', '$is_not', '$in', '$not_in', '$has_value', '$is_unknown', '$after', '$before', '$contains', '$not_contain', '$starts_with', '$ends_with', '$count', '$count_less', '$count_more', '$is_day_of_month', '$is_day', '$is_month', '$is_year']);

export function dependenciesOf(filter: Filter): Dependencies {
  const deps: Dependencies = { fields: new Set(), orders: false, events: new Set(), timeBased: false };
  for (const cr of filter.criteria) {
    const f = cr.field;
    if (f.kind === 'profile') deps.fields.add(f.name);
    if (f.kind === 'address') deps.fields.add('address');
    if (f.kind === 'metadata') deps.fields.add(`metadata.${f.path[0]}`);
    if (f.kind === 'orders') deps.orders = true;
    if (f.kind === 'event_count' || f.kind === 'event_last') deps.events.add(f.event);
    if (f.kind === 'event_count' && f.windowDays !== undefined) deps.timeBased = true;
    // On metadata the four comparisons compare numbers, so only the date operators depend on time there.
    const numeric = ['$more_than', '$less_than', '$more_than_equal', '$less_than_equal'];
    const timed = (op: string) => !absoluteOps.has(op) && (f.type === 'date' || !numeric.includes(op));
    if (f.type !== 'number' && f.type !== 'string' && cr.conditions.some((c) => timed(c.op))) deps.timeBased = true;
  }
  return deps;
}

/** The event-count windows the filter uses, per event name, in days: what a customer's event facts must hold. */
export function windowsOf(filter: Filter): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const { field: f } of filter.criteria) {
    if (f.kind !== 'event_count' || f.windowDays === undefined) continue;
    out.set(f.event, (out.get(f.event) ?? new Set()).add(f.windowDays));
  }
  return out;
}

/**
 * The earliest moment after `now` at which the filter's result for this customer may change although nothing
 * about the customer does: an event leaving a count window, a date crossing a relative bound, or the next UTC
 * midnight for calendar operators. Undefined when time alone cannot change it before the year 10000.
 */
export function nextCheckAt(filter: Filter, facts: Facts, now: Date): Date | undefined {
  const t = now.getTime();
  const candidates: number[] = [];
  for (const cr of filter.criteria) {
    const f = cr.field;
    if (f.kind === 'event_count' && f.windowDays !== undefined) {
      // The count drops when the oldest event in the window leaves it.
      const oldest = facts.events.get(f.event)?.windows.get(f.windowDays)?.oldest;
      if (oldest) candidates.push(oldest.getTime() + f.windowDays * day);
      continue;
    }
    if (f.type !== 'date' && f.type !== 'any') continue;
    // Without a date value no date operator holds, and time alone cannot give it one.
    const date = toDate(valueOf(f, facts, now));
    if (!date) continue;
    const d = date.getTime();
    for (const c of cr.conditions) {
      if (absoluteOps.has(c.op)) continue;
      // On metadata the ordered comparisons compare numbers, not days ago (see holds).
      if (f.type === 'any' && orderedOps.includes(c.op)) continue;
      const n = Number(c.values[0] ?? 0) * day;
      if (orderedOps.includes(c.op) || c.op === '$more_than_ago' || c.op === '$less_than_ago') {
        // Starts to hold once the date is reached (when it lies ahead) and crosses N days ago, strict or not.
        candidates.push(d, d + n, d + n + 1);
      } else if (c.op === '$more_than_future' || c.op === '$less_than_future') {
        // Crosses N days ahead, strict or not, and stops once the date has passed.
        candidates.push(d - n, d - n + 1, d + 1);
      } else {
        candidates.push((Math.floor(t / day) + 1) * day);
      }
    }
  }
  // A moment past the last storable one never comes (a customer's far-future date, say): no re-check for it.
  const next = candidates.filter((c) => c > t && c <= maxTime).sort((a, b) => a - b)[0];
  return next === undefined ? undefined : new Date(next);
}

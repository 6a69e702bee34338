/** Builds the Facts a segment filter is evaluated against, without a database. */
import { evaluate, parseFilter, type EventFacts, type Facts } from '../../src/modules/segments/filter/index.js';

export const day = 86_400_000;
/** The default `now` of facts and matches. */
export const NOW = new Date('2024-05-15T12:00:00.000Z');

export interface FactsInput {
  customer?: Partial<Facts['customer']>;
  orders?: Partial<Facts['orders']>;
  /** Per event name, the times it was tracked: count, last and the windows at `now` follow from them. */
  events?: Record<string, Date[]>;
}

/** The windows (in days) event facts are given for: every one the tests use. */
const windows = Array.from({ length: 400 }, (_, i) => i + 1);

/** What is known of a customer at `now` (event windows are counted back from it; later events do not count). */
export function facts(input: FactsInput = {}, now: Date = NOW): Facts {
  const events = new Map<string, EventFacts>();
  for (const [name, times] of Object.entries(input.events ?? {})) {
    const last = times.length === 0 ? null : new Date(Math.max(...times.map((t) => t.getTime())));
    const inWindow = (days: number) => times.filter((t) => t.getTime() > now.getTime() - days * day && t.getTime() <= now.getTime());
    const counted = windows.map((days) => {
      const within = inWindow(days).map((t) => t.getTime());
      return [days, { count: within.length, oldest: within.length === 0 ? null : new Date(Math.min(...within)) }] as const;
    });
    events.set(name, { count: times.length, last, windows: new Map(counted) });
  }
  return {
    customer: {
      id: 'cust_1',
      source_id: null,
      name: null,
      email: null,
      phone: null,
      description: null,
      created_at: new Date('2024-01-01T00:00:00.000Z'),
      updated_at: null,
      birthdate: null,
      address: null,
      metadata: {},
      ...input.customer,
    },
    orders: { total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0, last_order_date: null, ...input.orders },
    events,
  };
}

/** Parses the raw filter and evaluates it for the facts at `now`. */
export function matches(raw: unknown, f: Facts, now: Date = NOW): boolean {
  return evaluate(parseFilter(raw), f, now);
}

/** One criterion on `path` with the given conditions. */
export function on(path: string, conditions: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { junction: 'and', [path]: { conditions, ...extra } };
}

import type { Executor } from '../../store/db.js';

export interface CustomEventRow {
  id: string;
  project_id: string;
  customer_id: string;
  type: string;
  metadata: Record<string, unknown>;
  referral: { code: string; referrer_id?: string } | null;
  loyalty: { code: string } | null;
  created_at: Date;
}

/** Inserts many custom events in one statement, and counts them in their customers' days (custom_event_days). */
export async function insertEvents(db: Executor, events: CustomEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, project_id text, customer_id text, type text, metadata jsonb,
              referral jsonb, loyalty jsonb, created_at timestamptz)),
     ins AS (
       INSERT INTO custom_events (id, project_id, customer_id, type, metadata, referral, loyalty, created_at)
       SELECT id, project_id, customer_id, type, metadata, referral, loyalty, created_at FROM r)
     INSERT INTO custom_event_days (project_id, customer_id, type, day, n, last)
     SELECT project_id, customer_id, type, floor(extract(epoch FROM created_at) / 86400)::integer, count(*), max(created_at)
       FROM r GROUP BY 1, 2, 3, 4
     ON CONFLICT (project_id, customer_id, type, day)
     DO UPDATE SET n = custom_event_days.n + EXCLUDED.n, last = greatest(custom_event_days.last, EXCLUDED.last)`,
    [JSON.stringify(events.map((e) => ({ ...e, created_at: e.created_at.toISOString() })))],
    // Inserts from a parameter (the upsert finds its row through the arbiter index, not a plan): nothing to choose.
    { prepare: true },
  );
}

const dayMs = 86_400_000;

/**
 * Per customer and event name: how many, the last time, and per window (days) the count and the oldest time in
 * (now - days, now], as `windows` {"<days>": [count, oldest]} — a SELECT of (customer_id, type, n, last, windows)
 * whose values are pushed onto params, for a caller to run with its own reads. Counts come from custom_event_days
 * (one row per active day); only a window's first, partly covered day is counted from the events themselves, and
 * its oldest event is one index probe. A customer with thousands of events costs a few rows, not their times. The
 * reads are the function tessera_custom_event_stats (migration 0010): planned once per connection, through the
 * indexes; the statement's text depends on nothing but the values' places, so callers may prepare it.
 */
export function statsSelect(params: unknown[], q: { projectId: string; customerIds: string[]; names: string[]; windows: number[]; now: Date }): string {
  const p = (v: unknown, type: string) => {
    params.push(v);
    return `$${params.length}::${type}`;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const starts = q.windows.map((days) => q.now.getTime() - days * dayMs);
  const firstDays = starts.map((start) => Math.floor(start / dayMs));
  const args = [
    p(q.projectId, 'text'),
    p(q.customerIds, 'text[]'),
    p(q.names, 'text[]'),
    p(q.now.toISOString(), 'timestamptz'),
    p(q.windows, 'integer[]'),
    p(starts.map(iso), 'timestamptz[]'),
    p(firstDays, 'integer[]'),
    p(firstDays.map((day) => iso((day + 1) * dayMs)), 'timestamptz[]'),
  ];
  return `SELECT customer_id, type, n, last, windows FROM tessera_custom_event_stats(${args.join(', ')})`;
}

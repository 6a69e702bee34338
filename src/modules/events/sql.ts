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
  );
}

const dayMs = 86_400_000;

/**
 * Per customer and event name: how many, the last time, and per window (days) the count and the oldest time in
 * (now - days, now], as `windows` {"<days>": [count, oldest]} — a SELECT of (customer_id, type, n, last, windows)
 * whose values are pushed onto params, for a caller to run with its own reads. Counts come from custom_event_days
 * (one row per active day); only a window's first, partly covered day is counted from the events themselves, and
 * its oldest event is one index probe. A customer with thousands of events costs a few rows, not their times.
 */
export function statsSelect(params: unknown[], q: { projectId: string; customerIds: string[]; names: string[]; windows: number[]; now: Date }): string {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const project = p(q.projectId);
  // Arrays, not JSON: the planner sees how many elements they have (a JSON list counts as 100 rows, and the
  // estimate of a customers x names nested loop can then reach the cost where PostgreSQL compiles with JIT).
  const customers = p(q.customerIds);
  const names = p(q.names);
  // A parameter is pushed only when used: PostgreSQL refuses values the statement does not refer to.
  const now = q.windows.length > 0 ? p(q.now) : '';
  const own = `project_id = ${project} AND customer_id = c.customer_id AND type = t.type`;
  const windows = q.windows.map((days) => {
    const start = q.now.getTime() - days * dayMs;
    const firstDay = Math.floor(start / dayMs);
    const from = p(new Date(start));
    const dayAfter = p(new Date((firstDay + 1) * dayMs));
    const count = `(SELECT coalesce(sum(n), 0) FROM custom_event_days WHERE ${own} AND day > ${p(firstDay)})
        + (SELECT count(*) FROM custom_events WHERE ${own} AND created_at > ${from} AND created_at < ${dayAfter})`;
    const oldest = `(SELECT min(created_at) FROM custom_events WHERE ${own} AND created_at > ${from} AND created_at <= ${now}::timestamptz)`;
    return `'${days}', jsonb_build_array(${count}, ${oldest})`;
  });
  return `SELECT c.customer_id, t.type, s.n, s.last, jsonb_build_object(${windows.join(', ')}) AS windows
       FROM unnest(${customers}::text[]) AS c(customer_id)
      CROSS JOIN unnest(${names}::text[]) AS t(type)
      CROSS JOIN LATERAL (SELECT sum(n)::int AS n, max(last) AS last FROM custom_event_days WHERE ${own}) s
      WHERE s.n IS NOT NULL`;
}

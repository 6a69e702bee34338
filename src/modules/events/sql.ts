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

/** Inserts many custom events in one statement. */
export async function insertEvents(db: Executor, events: CustomEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO custom_events (id, project_id, customer_id, type, metadata, referral, loyalty, created_at)
     SELECT id, project_id, customer_id, type, metadata, referral, loyalty, created_at
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, project_id text, customer_id text, type text, metadata jsonb,
            referral jsonb, loyalty jsonb, created_at timestamptz)`,
    [JSON.stringify(events.map((e) => ({ ...e, created_at: e.created_at.toISOString() })))],
  );
}

/**
 * Per customer and event name: how many, the last time, and per window (days) the count and the oldest time in
 * (now - days, now], as `windows` {"<days>": [count, oldest]} — a SELECT of (customer_id, type, n, last, windows)
 * whose values are pushed onto params, for a caller to run with its own reads. Windows are computed here, so a
 * customer with thousands of events sends back a few numbers, not their times.
 */
export function statsSelect(params: unknown[], q: { projectId: string; customerIds: string[]; names: string[]; windows: number[]; now: Date }): string {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const project = p(q.projectId);
  const customers = p(JSON.stringify(q.customerIds));
  const names = p(JSON.stringify(q.names));
  // A parameter is pushed only when used: PostgreSQL refuses values the statement does not refer to.
  const now = q.windows.length > 0 ? p(q.now) : '';
  const windows = q.windows.map((days) => {
    const inWindow = `created_at > ${now}::timestamptz - make_interval(days => ${p(days)}) AND created_at <= ${now}::timestamptz`;
    return `'${days}', jsonb_build_array(count(*) FILTER (WHERE ${inWindow}), min(created_at) FILTER (WHERE ${inWindow}))`;
  });
  return `SELECT customer_id, type, count(*)::int AS n, max(created_at) AS last, jsonb_build_object(${windows.join(', ')}) AS windows
       FROM custom_events
      WHERE project_id = ${project}
        AND customer_id = ANY (ARRAY(SELECT jsonb_array_elements_text(${customers}::jsonb)))
        AND type = ANY (ARRAY(SELECT jsonb_array_elements_text(${names}::jsonb)))
      GROUP BY customer_id, type`;
}

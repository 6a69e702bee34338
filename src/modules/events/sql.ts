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
 * Per customer and event name: how many, the last time, and the times since `since` (oldest first), as a SELECT
 * of (customer_id, type, n, last, recent) whose values are pushed onto params, for a caller to run with its own reads.
 */
export function statsSelect(params: unknown[], projectId: string, customerIds: string[], names: string[], since: Date | undefined): string {
  params.push(projectId, JSON.stringify(customerIds), JSON.stringify(names), since ?? null);
  const [p, c, n, s] = [params.length - 3, params.length - 2, params.length - 1, params.length].map((i) => `$${i}`);
  return `SELECT customer_id, type, count(*)::int AS n, max(created_at) AS last,
            COALESCE(jsonb_agg(created_at ORDER BY created_at) FILTER (WHERE ${s}::timestamptz IS NOT NULL AND created_at > ${s}), '[]'::jsonb) AS recent
       FROM custom_events
      WHERE project_id = ${p}
        AND customer_id = ANY (ARRAY(SELECT jsonb_array_elements_text(${c}::jsonb)))
        AND type = ANY (ARRAY(SELECT jsonb_array_elements_text(${n}::jsonb)))
      GROUP BY customer_id, type`;
}

/**
 * The statements of a permanent deletion, each over one table that keeps something of a customer. A coordinator's
 * SQL: these tables belong to other modules (events, event log, segments, orders, redemptions), which keep no
 * erasure of their own.
 */
import { csvLines, csvRecords } from '../../core/csv.js';
import type { Executor } from '../../store/db.js';

export async function lockCustomer(db: Executor, projectId: string, key: string): Promise<{ id: string } | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM customers WHERE project_id = $1 AND (id = $2 OR source_id = $2) ORDER BY (id = $2) DESC LIMIT 1 FOR UPDATE',
    [projectId, key],
  );
  return rows[0];
}

const count = async (db: Executor, text: string, params: unknown[]): Promise<number> => Number((await db.query<{ n: string }>(text, params)).rows[0]?.n ?? 0);

/** Tracked custom events. */
export const deleteCustomEvents = (db: Executor, projectId: string, id: string) =>
  count(db, 'WITH gone AS (DELETE FROM custom_events WHERE project_id = $1 AND customer_id = $2 RETURNING 1) SELECT count(*) AS n FROM gone', [projectId, id]);

/** The activity: every record (a pack counts its members), and how many were about orders. */
export async function deleteActivity(db: Executor, projectId: string, id: string): Promise<{ records: number; orders: number }> {
  const { rows } = await db.query<{ records: string | null; orders: string | null }>(
    `WITH gone AS (DELETE FROM event_log WHERE project_id = $1 AND customer_id = $2 RETURNING type, data)
     SELECT sum(CASE WHEN data ? '$pack' THEN jsonb_array_length(data -> '$pack') ELSE 1 END) AS records,
            sum(CASE WHEN data ? '$pack' THEN (SELECT count(*) FROM jsonb_array_elements(data -> '$pack') AS m(v)
                                                WHERE jsonb_typeof(m.v) = 'object' AND m.v ->> 'type' LIKE 'customer.order.%')
                     WHEN type LIKE 'customer.order.%' THEN 1 ELSE 0 END) AS orders
       FROM gone`,
    [projectId, id],
  );
  return { records: Number(rows[0]?.records ?? 0), orders: Number(rows[0]?.orders ?? 0) };
}

/** Per-day counts of custom events (segment conditions on event counts). */
export const deleteEventDays = (db: Executor, projectId: string, id: string) =>
  count(db, 'WITH gone AS (DELETE FROM custom_event_days WHERE project_id = $1 AND customer_id = $2 RETURNING 1) SELECT count(*) AS n FROM gone', [projectId, id]);

/** Segment memberships (how many segments the customer was in) and the due re-check. */
export async function deleteSegmentState(db: Executor, projectId: string, id: string): Promise<number> {
  await db.query('DELETE FROM segment_rechecks WHERE project_id = $1 AND customer_id = $2', [projectId, id]);
  return count(db, 'WITH gone AS (DELETE FROM customer_segments WHERE project_id = $1 AND customer_id = $2 RETURNING segments) SELECT coalesce(sum(cardinality(segments)), 0) AS n FROM gone', [projectId, id]);
}

export const deleteOrders = (db: Executor, projectId: string, id: string) =>
  count(db, 'WITH gone AS (DELETE FROM orders WHERE project_id = $1 AND customer_id = $2 RETURNING 1) SELECT count(*) AS n FROM gone', [projectId, id]);

/** Redemptions stay (codes were spent), but name the customer only by id: no name, email or metadata. */
export async function scrubRedemptions(db: Executor, projectId: string, id: string): Promise<void> {
  await db.query(
    `UPDATE redemptions SET tracking_id = NULL,
            body = jsonb_set(jsonb_set(body, '{tracking_id}', 'null'::jsonb), '{customer}', jsonb_build_object('id', customer_id, 'object', 'customer'))
      WHERE project_id = $1 AND customer_id = $2`,
    [projectId, id],
  );
}

export async function deleteCustomer(db: Executor, projectId: string, id: string): Promise<void> {
  await db.query('DELETE FROM customers WHERE project_id = $1 AND id = $2', [projectId, id]);
}

/**
 * Records of the event log that are not the customer's activity (other customers', project-wide ones) and mention
 * them, made since the customer was created: read, scrubbed, written back. A record that kept the customer as a
 * reference to one of their deleted records (records of one change share their customer) names them by id.
 */
export async function scrubEventLog(db: Executor, projectId: string, id: string, since: Date, scrub: (data: unknown) => { value: unknown; changed: boolean }): Promise<number> {
  const { rows } = await db.query<{ id: string; data: unknown }>(
    `SELECT id, data FROM event_log WHERE project_id = $1 AND created_at >= $3 AND customer_id IS DISTINCT FROM $2 AND strpos(data::text, $2) > 0`,
    [projectId, id, since],
  );
  const changed = rows.map((r) => ({ id: r.id, data: scrub(r.data) })).filter((r) => r.data.changed).map((r) => ({ id: r.id, data: r.data.value }));
  if (changed.length > 0) {
    await db.query(
      `UPDATE event_log e SET data = r.data FROM jsonb_to_recordset($2::jsonb) AS r(id text, data jsonb) WHERE e.project_id = $1 AND e.id = r.id`,
      [projectId, JSON.stringify(changed)],
    );
  }
  return changed.length;
}

/** Before the customer's records go: records of others that keep the customer as a reference to one of them name the customer by id. */
export async function unrefCustomer(db: Executor, projectId: string, id: string, since: Date): Promise<void> {
  await db.query(
    `UPDATE event_log o SET data = jsonb_set(o.data, '{customer}', jsonb_build_object('id', $2::text, 'object', 'customer'))
      WHERE o.project_id = $1 AND o.created_at >= $3 AND o.customer_id IS DISTINCT FROM $2 AND o.data -> 'customer' ? '$ref'
        AND o.data #>> '{customer,$ref}' IN (SELECT c.id FROM event_log c WHERE c.project_id = $1 AND c.customer_id = $2)`,
    [projectId, id, since],
  );
}

/** Webhook sendouts (pending or kept in the audit log) whose payload mentions the customer: scrubbed likewise. */
export async function scrubSendouts(db: Executor, projectId: string, id: string, since: Date, scrub: (data: unknown) => { value: unknown; changed: boolean }): Promise<number> {
  const { rows } = await db.query<{ id: string; body: string }>(
    `SELECT id, body FROM sendouts WHERE project_id = $1 AND created_at >= $3 AND strpos(body, $2) > 0`,
    [projectId, id, since],
  );
  const changed: { id: string; body: string }[] = [];
  for (const r of rows) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      continue;
    }
    const s = scrub(parsed);
    if (s.changed) changed.push({ id: r.id, body: JSON.stringify(s.value) });
  }
  if (changed.length > 0) {
    await db.query(
      `UPDATE sendouts s SET body = r.body FROM jsonb_to_recordset($2::jsonb) AS r(id text, body text) WHERE s.project_id = $1 AND s.id = r.id`,
      [projectId, JSON.stringify(changed)],
    );
  }
  return changed.length;
}

/**
 * Export files made before: the records (CSV rows) about the customer go, those with a cell that is their id,
 * source_id or email, or that holds their id in JSON. Each file's row count follows. Answers how many rows went.
 */
export async function scrubExports(db: Executor, projectId: string, c: CustomerNames): Promise<number> {
  const { values } = namesOf(c);
  const { rows } = await db.query<{ export_id: string; seq: number; content: string }>(
    `SELECT k.export_id, k.seq, k.content FROM export_chunks k JOIN exports e ON e.id = k.export_id
      WHERE e.project_id = $1 AND EXISTS (SELECT 1 FROM unnest($2::text[]) AS v(x) WHERE strpos(k.content, v.x) > 0)`,
    [projectId, values],
  );
  const quoted = JSON.stringify(c.id);
  let removed = 0;
  for (const r of rows) {
    let records: string[][];
    try {
      records = csvRecords(r.content);
    } catch {
      continue;
    }
    const kept = records.filter((cells) => !cells.some((cell) => values.includes(cell.trim()) || cell.includes(quoted)));
    const gone = records.length - kept.length;
    if (gone === 0) continue;
    removed += gone;
    await db.query('UPDATE export_chunks SET content = $3 WHERE export_id = $1 AND seq = $2', [r.export_id, r.seq, csvLines(kept)]);
    await db.query('UPDATE exports SET row_count = greatest(0, row_count - $2) WHERE id = $1', [r.export_id, gone]);
  }
  return removed;
}

/** What names a customer wherever a copy of them may be. */
export interface CustomerNames {
  id: string;
  source_id: string | null;
  email: string | null;
}

/** The customer's names (id, source_id, email), also as they appear in JSON bodies (quoted) and in paths and queries (URL-encoded). */
function namesOf(c: CustomerNames) {
  const values = [c.id, c.source_id, c.email].filter((v): v is string => typeof v === 'string' && v !== '');
  return { values, quoted: values.map((v) => JSON.stringify(v)), encoded: values.map((v) => encodeURIComponent(v)) };
}

/**
 * The API call log's entries that name the customer: in a body (their id, source_id or email as a JSON string) or in
 * the path or query. A log keeps nothing of a forgotten customer; an entry that merely looks alike goes too.
 */
export async function deleteLoggedCalls(db: Executor, projectId: string, c: CustomerNames): Promise<number> {
  const { quoted, encoded } = namesOf(c);
  const { rowCount } = await db.query(
    `DELETE FROM api_calls WHERE project_id = $1 AND (
       EXISTS (SELECT 1 FROM unnest($2::text[]) AS q(x) WHERE strpos(coalesce(request_body, ''), q.x) > 0 OR strpos(coalesce(response_body, ''), q.x) > 0)
       OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS e(x) WHERE strpos(path, '/' || e.x) > 0 OR strpos(path, '=' || e.x) > 0))`,
    [projectId, quoted, encoded],
  );
  return rowCount;
}

/** Answers kept for idempotency keys that name the customer go (a retry of such a request then runs again). */
export async function deleteIdempotentAnswers(db: Executor, projectId: string, c: CustomerNames): Promise<number> {
  const { quoted } = namesOf(c);
  const { rowCount } = await db.query(
    `DELETE FROM idempotency_keys WHERE project_id = $1
       AND EXISTS (SELECT 1 FROM unnest($2::text[]) AS q(x) WHERE strpos(coalesce(response_body, ''), q.x) > 0)`,
    [projectId, quoted],
  );
  return rowCount;
}

import type { Executor } from '../../store/db.js';
import type { AttemptRow, NewSendout, SendoutRow, SendoutStatus } from './types.js';

export const notifyChannel = 'tessera_sendouts';

/** Inserts sendouts due now and, if any, notifies waiting workers (delivered when the transaction commits). */
export async function insertSendouts(db: Executor, sendouts: NewSendout[], now: Date): Promise<void> {
  if (sendouts.length === 0) return;
  await db.query(
    `WITH ins AS (
       INSERT INTO sendouts (id, project_id, source_object, source_id, target_url, event_id, event_type, group_id, body,
                             status, attempts, next_attempt_at, scheduled_from, created_at, event_created_at)
       SELECT r.id, r."projectId", r."sourceObject", r."sourceId", r."targetUrl", r."eventId", r."eventType", r."groupId",
              r.body, 'pending', 0, COALESCE(r."dueAt", $2), COALESCE(r."dueAt", $2), $2, r."eventCreatedAt"
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, "projectId" text, "sourceObject" text, "sourceId" text,
              "targetUrl" text, "eventId" text, "eventType" text, "groupId" text, body text, "eventCreatedAt" timestamptz,
              "dueAt" timestamptz)
       RETURNING 1)
     SELECT pg_notify('${notifyChannel}', '') FROM (SELECT count(*) AS n FROM ins) c WHERE c.n > 0`,
    [JSON.stringify(sendouts), now],
    // An insert from a parameter: one plan, nothing to choose.
    { prepare: true },
  );
}

export interface Claimed {
  id: string;
  project_id: string;
  source_object: SendoutRow['source_object'];
  source_id: string;
  target_url: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: number;
  scheduled_from: Date;
}

/**
 * Claims due sendouts in one statement: rows no other worker holds (SKIP LOCKED) and whose lease, if any, has
 * run out, are leased to `owner` until `leaseUntil`, their attempt counted. A source with a rate limit gives at
 * most its remaining allowance of the current second (its counter row locked, in source order: only limited
 * sources serialize their claims); the rest of its due sendouts are held: due again in the following seconds,
 * spread so that each second finds about one allowance of them, attempt not counted.
 */
export async function claimDue(db: Executor, owner: string, now: Date, leaseUntil: Date, limit: number): Promise<{ claimed: Claimed[]; held: number }> {
  const { rows } = await db.query<Claimed & { held: number }>(
    `WITH due AS (
       SELECT id, source_id, next_attempt_at FROM sendouts
        WHERE status IN ('pending', 'retrying') AND next_attempt_at <= $2
          AND (lease_expires_at IS NULL OR lease_expires_at <= $2)
        ORDER BY next_attempt_at LIMIT $4
        FOR UPDATE SKIP LOCKED),
     lim AS (
       SELECT r.source_id, r.per_second,
              CASE WHEN r.window_start = date_trunc('second', $2::timestamptz) THEN r.used ELSE 0 END AS used
         FROM sendout_rate_limits r
        WHERE r.source_id IN (SELECT source_id FROM due)
        ORDER BY r.source_id
        FOR UPDATE),
     ranked AS (
       SELECT d.id, d.source_id, l.per_second, greatest(l.per_second - l.used, 0) AS allowed,
              row_number() OVER (PARTITION BY d.source_id ORDER BY d.next_attempt_at, d.id) AS rn
         FROM due d JOIN lim l ON l.source_id = d.source_id),
     held AS (
       UPDATE sendouts s
          SET next_attempt_at = date_trunc('second', $2::timestamptz)
                                + (1 + (r.rn - r.allowed - 1) / r.per_second) * interval '1 second'
         FROM ranked r
        WHERE s.id = r.id AND r.rn > r.allowed
       RETURNING s.id),
     counted AS (
       UPDATE sendout_rate_limits c
          SET window_start = date_trunc('second', $2::timestamptz),
              used = l.used + least((SELECT count(*) FROM ranked r WHERE r.source_id = l.source_id), greatest(l.per_second - l.used, 0))
         FROM lim l
        WHERE c.source_id = l.source_id
       RETURNING c.source_id),
     claimed AS (
       UPDATE sendouts s SET lease_owner = $1, lease_expires_at = $3, attempts = s.attempts + 1
         FROM due
        WHERE s.id = due.id AND NOT EXISTS (SELECT 1 FROM held h WHERE h.id = due.id)
       RETURNING s.id, s.project_id, s.source_object, s.source_id, s.target_url, s.event_id, s.event_type, s.body, s.attempts, s.scheduled_from)
     SELECT c.*, (SELECT count(*) FROM held)::int AS held
       FROM (SELECT 1) one LEFT JOIN claimed c ON true`,
    [owner, now, leaseUntil, limit],
  );
  const held = rows[0]?.held ?? 0;
  return { claimed: rows.filter((r) => r.id !== null).map(({ held: _held, ...c }) => c), held };
}

/** Sets (or, with null, removes) a source's rate limit: at most perSecond attempts start per second. */
export async function setRateLimit(db: Executor, projectId: string, sourceId: string, perSecond: number | null): Promise<void> {
  if (perSecond === null) {
    await db.query('DELETE FROM sendout_rate_limits WHERE source_id = $1', [sourceId]);
    return;
  }
  await db.query(
    `INSERT INTO sendout_rate_limits (source_id, project_id, per_second) VALUES ($1, $2, $3)
     ON CONFLICT (source_id) DO UPDATE SET per_second = EXCLUDED.per_second`,
    [sourceId, projectId, perSecond],
  );
}

/** An attempt as the recording statement takes it (times as text), with the sendout's new state. */
export interface ResultRow extends Omit<AttemptRow, 'attempt' | 'started_at'> {
  id: string;
  owner: string;
  status: SendoutStatus;
  next_attempt_at: string | null;
  executed_at: string;
  started_at: string;
}

/**
 * Records attempts and their consequences in one statement. A sendout whose lease was lost meanwhile keeps the
 * state its new holder gives it; its attempt is still recorded.
 */
export async function recordResults(db: Executor, results: ResultRow[]): Promise<void> {
  if (results.length === 0) return;
  await db.query(
    `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, owner text, status text, next_attempt_at timestamptz,
              executed_at timestamptz, started_at timestamptz, duration_ms integer, status_code integer,
              response_headers jsonb, response_body text, error text, outcome text)),
     upd AS (
       UPDATE sendouts s SET status = r.status, next_attempt_at = r.next_attempt_at, executed_at = r.executed_at,
              last_status_code = r.status_code, last_error = r.error, lease_owner = NULL, lease_expires_at = NULL
         FROM r
        WHERE s.id = r.id AND s.lease_owner = r.owner AND s.id = ANY (ARRAY(SELECT id FROM r))
       RETURNING s.id)
     INSERT INTO sendout_attempts (sendout_id, attempt, started_at, duration_ms, status_code, response_headers,
                                   response_body, error, outcome)
     SELECT r.id, (SELECT count(*) FROM sendout_attempts a WHERE a.sendout_id = r.id) + 1, r.started_at, r.duration_ms,
            r.status_code, r.response_headers, r.response_body, r.error, r.outcome
       FROM r`,
    [JSON.stringify(results)],
  );
}

/** Fails sendouts without an attempt (their source is gone or disabled). */
export async function failWithoutAttempt(db: Executor, ids: string[], owner: string, reason: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE sendouts SET status = 'failed', next_attempt_at = NULL, last_error = $3, executed_at = $4,
            attempts = attempts - 1, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) AND lease_owner = $2`,
    [JSON.stringify(ids), owner, reason, now],
  );
}

/** Gives claimed sendouts back without an attempt (shutdown): due again at once, attempt not counted. */
export async function release(db: Executor, ids: string[], owner: string): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE sendouts SET lease_owner = NULL, lease_expires_at = NULL, attempts = attempts - 1
      WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) AND lease_owner = $2`,
    [JSON.stringify(ids), owner],
  );
}

const sendoutColumns = `id, project_id, source_object, source_id, target_url, event_id, event_type, group_id, body, status,
  attempts, next_attempt_at, created_at, event_created_at, executed_at, last_status_code, last_error`;

export interface SendoutFilter {
  projectId: string;
  status?: SendoutStatus;
  eventType?: string;
  sourceId?: string;
  sourceObject?: string;
  targetUrl?: string;
  id?: string;
  groupId?: string;
  eventId?: string;
  createdBefore?: Date;
  createdAfter?: Date;
  executedBefore?: Date;
  executedAfter?: Date;
  startingAfterId?: string;
  limit: number;
}

/** Newest first; fetches limit + 1 rows so the caller can tell has_more. */
export async function selectSendouts(db: Executor, f: SendoutFilter): Promise<SendoutRow[]> {
  const where = ['project_id = $1'];
  const params: unknown[] = [f.projectId];
  const add = (clause: (p: string) => string, value: unknown) => {
    if (value === undefined) return;
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  add((p) => `status = ${p}`, f.status);
  add((p) => `event_type = ${p}`, f.eventType);
  add((p) => `source_id = ${p}`, f.sourceId);
  add((p) => `source_object = ${p}`, f.sourceObject);
  add((p) => `target_url = ${p}`, f.targetUrl);
  add((p) => `id = ${p}`, f.id);
  add((p) => `group_id = ${p}`, f.groupId);
  add((p) => `event_id = ${p}`, f.eventId);
  add((p) => `created_at < ${p}`, f.createdBefore);
  add((p) => `created_at > ${p}`, f.createdAfter);
  add((p) => `executed_at < ${p}`, f.executedBefore);
  add((p) => `executed_at > ${p}`, f.executedAfter);
  add(
    (p) => `(created_at, id) < (SELECT c.created_at, c.id FROM sendouts c WHERE c.id = ${p} AND c.project_id = $1)`,
    f.startingAfterId,
  );
  params.push(f.limit + 1);
  const { rows } = await db.query<SendoutRow>(
    `SELECT ${sendoutColumns} FROM sendouts WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export async function selectSendout(db: Executor, projectId: string, id: string): Promise<SendoutRow | undefined> {
  const { rows } = await db.query<SendoutRow>(`SELECT ${sendoutColumns} FROM sendouts WHERE project_id = $1 AND id = $2`, [
    projectId,
    id,
  ]);
  return rows[0];
}

export async function selectAttempts(db: Executor, sendoutId: string): Promise<AttemptRow[]> {
  const { rows } = await db.query<AttemptRow>(
    `SELECT attempt, started_at, duration_ms, status_code, response_headers, response_body, error, outcome
       FROM sendout_attempts WHERE sendout_id = $1 ORDER BY id`,
    [sendoutId],
  );
  return rows;
}

/** Makes sendouts due now on a fresh schedule (a manual retry); returns how many. */
export async function requeue(
  db: Executor,
  where: { projectId: string; id?: string; sourceId?: string; failedFrom?: Date; failedTo?: Date },
  now: Date,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH upd AS (
       UPDATE sendouts SET status = 'retrying', attempts = 0, scheduled_from = $2, next_attempt_at = $2
        WHERE project_id = $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $2)
          AND ($3::text IS NULL OR id = $3)
          AND ($4::text IS NULL OR (source_id = $4 AND status = 'failed'))
          AND ($5::timestamptz IS NULL OR created_at >= $5)
          AND ($6::timestamptz IS NULL OR created_at <= $6)
       RETURNING 1)
     SELECT count(*)::int AS n FROM upd`,
    [where.projectId, now, where.id ?? null, where.sourceId ?? null, where.failedFrom ?? null, where.failedTo ?? null],
  );
  if (rows[0]?.n) await db.query(`SELECT pg_notify('${notifyChannel}', '')`);
  return rows[0]?.n ?? 0;
}

/** Deletes up to `limit` finished sendouts created before the cutoff; returns how many. */
export async function pruneBefore(db: Executor, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH del AS (
       DELETE FROM sendouts WHERE id IN (
         SELECT id FROM sendouts WHERE created_at < $1 AND status IN ('sent', 'failed') LIMIT $2)
       RETURNING 1)
     SELECT count(*)::int AS n FROM del`,
    [cutoff, limit],
  );
  return rows[0]?.n ?? 0;
}

/** Sendouts of a project created since a time, per minute and status. */
export async function sendoutsPerMinute(db: Executor, projectId: string, since: Date): Promise<Array<{ minute: Date; status: SendoutStatus; n: number }>> {
  const { rows } = await db.query<{ minute: Date; status: SendoutStatus; n: number }>(
    `SELECT date_trunc('minute', created_at) AS minute, status, count(*)::int AS n
       FROM sendouts WHERE project_id = $1 AND created_at >= $2 GROUP BY 1, 2 ORDER BY 1`,
    [projectId, since],
  );
  return rows;
}

/** Attempt durations (p50, p99) of a project's sendouts created since a time. */
export async function attemptLatency(db: Executor, projectId: string, since: Date): Promise<{ p50: number | null; p99: number | null; n: number }> {
  const { rows } = await db.query<{ p50: number | null; p99: number | null; n: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.duration_ms)::float8 AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY a.duration_ms)::float8 AS p99, count(*)::int AS n
       FROM sendouts s JOIN sendout_attempts a ON a.sendout_id = s.id
      WHERE s.project_id = $1 AND s.created_at >= $2`,
    [projectId, since],
  );
  return rows[0]!;
}

export interface FailingSource {
  source_object: string;
  source_id: string;
  target_url: string;
  failed: number;
  retrying: number;
  last_executed_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
}

/** A project's endpoints with failed or retrying sendouts created since a time, the most troubled first. */
export async function failingSources(db: Executor, projectId: string, since: Date, limit: number): Promise<FailingSource[]> {
  const { rows } = await db.query<FailingSource>(
    `SELECT source_object, source_id, target_url,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'retrying')::int AS retrying,
            max(executed_at) AS last_executed_at,
            (array_agg(last_status_code ORDER BY executed_at DESC NULLS LAST))[1] AS last_status_code,
            (array_agg(last_error ORDER BY executed_at DESC NULLS LAST))[1] AS last_error
       FROM sendouts WHERE project_id = $1 AND created_at >= $2 AND status IN ('failed', 'retrying')
      GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 2 LIMIT $3`,
    [projectId, since, limit],
  );
  return rows;
}

export interface SendoutStats {
  byStatus: Record<SendoutStatus, number>;
  due: number;
}

export async function selectStats(db: Executor, now: Date): Promise<SendoutStats> {
  const { rows } = await db.query<{ status: SendoutStatus; n: number; due: number }>(
    `SELECT status, count(*)::int AS n,
            (count(*) FILTER (WHERE status IN ('pending', 'retrying') AND next_attempt_at <= $1))::int AS due
       FROM sendouts GROUP BY status`,
    [now],
  );
  const byStatus: Record<SendoutStatus, number> = { pending: 0, sent: 0, retrying: 0, failed: 0 };
  let due = 0;
  for (const r of rows) {
    byStatus[r.status] = r.n;
    due += r.due;
  }
  return { byStatus, due };
}

export interface SourceStats {
  pending: number;
  sent: number;
  retrying: number;
  failed: number;
  attempts: number;
  attempts_delivered: number;
  p50_ms: number | null;
  p99_ms: number | null;
  last_delivered_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  last_outcome: string | null;
}

/** One source's sendouts created in a window, by status, and their attempts (counts, durations, the latest). */
export async function sourceStats(db: Executor, projectId: string, sourceId: string, from: Date, to: Date): Promise<SourceStats> {
  const { rows } = await db.query<SourceStats>(
    `WITH s AS (
       SELECT id, status FROM sendouts WHERE source_id = $2 AND project_id = $1 AND created_at >= $3 AND created_at < $4),
     a AS (
       SELECT a.id, a.started_at, a.duration_ms, a.status_code, a.error, a.outcome FROM sendout_attempts a JOIN s ON s.id = a.sendout_id),
     latest AS (SELECT * FROM a ORDER BY started_at DESC, id DESC LIMIT 1)
     SELECT (SELECT count(*) FILTER (WHERE status = 'pending') FROM s)::int AS pending,
            (SELECT count(*) FILTER (WHERE status = 'sent') FROM s)::int AS sent,
            (SELECT count(*) FILTER (WHERE status = 'retrying') FROM s)::int AS retrying,
            (SELECT count(*) FILTER (WHERE status = 'failed') FROM s)::int AS failed,
            (SELECT count(*) FROM a)::int AS attempts,
            (SELECT count(*) FILTER (WHERE outcome = 'delivered') FROM a)::int AS attempts_delivered,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FROM a)::float8 AS p50_ms,
            (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) FROM a)::float8 AS p99_ms,
            (SELECT max(started_at) FILTER (WHERE outcome = 'delivered') FROM a) AS last_delivered_at,
            (SELECT started_at FROM latest) AS last_attempt_at,
            (SELECT status_code FROM latest) AS last_status_code,
            (SELECT error FROM latest) AS last_error,
            (SELECT outcome FROM latest) AS last_outcome`,
    [projectId, sourceId, from, to],
  );
  return rows[0]!;
}

import type { Clock } from '../../core/clock.js';
import { notFound, resourceInUse } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import * as sql from './sql.js';
import { isTestSendout, type AttemptRow, type SendoutRow } from './types.js';

/** A sendout as the audit log shows it (our extension; Voucherify has it only in its dashboard). */
export function sendoutObject(s: SendoutRow) {
  return {
    id: s.id,
    object: 'webhook_sendout',
    status: s.status,
    type: s.event_type,
    source: { object: s.source_object, id: s.source_id },
    target_url: s.target_url,
    event_id: s.event_id,
    request_id: s.group_id,
    attempts: s.attempts,
    created_at: s.created_at.toISOString(),
    event_created_at: s.event_created_at.toISOString(),
    executed_at: s.executed_at ? s.executed_at.toISOString() : null,
    next_attempt_at: s.next_attempt_at && (s.status === 'pending' || s.status === 'retrying') ? s.next_attempt_at.toISOString() : null,
    last_status_code: s.last_status_code,
    last_error: s.last_error,
  };
}

export function attemptObject(a: AttemptRow) {
  return {
    attempt: a.attempt,
    started_at: a.started_at.toISOString(),
    duration_ms: a.duration_ms,
    status_code: a.status_code,
    response_headers: a.response_headers,
    response_body: a.response_body,
    error: a.error,
    outcome: a.outcome,
  };
}

export function createAudit(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function get(projectId: string, id: string) {
    const row = await sql.selectSendout(db, projectId, id);
    if (!row) throw notFound('webhook_sendout', id);
    const attempts = await sql.selectAttempts(db, id);
    return { ...sendoutObject(row), payload: JSON.parse(row.body) as unknown, attempts_log: attempts.map(attemptObject) };
  }

  async function list(filter: sql.SendoutFilter) {
    if (filter.startingAfterId && !(await sql.selectSendout(db, filter.projectId, filter.startingAfterId))) {
      throw notFound('webhook_sendout', filter.startingAfterId);
    }
    const rows = await sql.selectSendouts(db, filter);
    return { sendouts: rows.slice(0, filter.limit).map(sendoutObject), hasMore: rows.length > filter.limit };
  }

  /** Sends one sendout again now, on a fresh retry schedule (the same id and bytes); 409 while an attempt runs. */
  async function retry(projectId: string, id: string) {
    const row = await sql.selectSendout(db, projectId, id);
    if (!row) throw notFound('webhook_sendout', id);
    if ((await sql.requeue(db, { projectId, id }, clock.now())) === 0) {
      throw resourceInUse(`Sendout ${id} is being delivered right now; retry it when the attempt is recorded`, {
        resourceId: id,
        resourceType: 'webhook_sendout',
      });
    }
    return get(projectId, id);
  }

  /** The source (webhook or distribution) a sendout came from, and whether the sendout is a test message. */
  async function sourceOf(projectId: string, id: string) {
    const row = await sql.selectSendout(db, projectId, id);
    if (!row) throw notFound('webhook_sendout', id);
    return { object: row.source_object, id: row.source_id, test: isTestSendout(row.event_id) };
  }

  /** Sends every failed sendout of one source, created in the range, again now. */
  async function retryFailed(projectId: string, sourceId: string, range: { from?: Date; to?: Date }): Promise<number> {
    return sql.requeue(db, { projectId, sourceId, failedFrom: range.from, failedTo: range.to }, clock.now());
  }

  /** What the dashboard's overview charts: sendouts per minute by status, attempt latency, failing endpoints. */
  async function overview(projectId: string, windowMs: number, failingWindowMs: number) {
    const now = clock.now();
    const since = new Date(now.getTime() - windowMs);
    const failingSince = new Date(now.getTime() - failingWindowMs);
    const [perMinute, latency, failing] = await Promise.all([
      sql.sendoutsPerMinute(db, projectId, since),
      sql.attemptLatency(db, projectId, since),
      sql.failingSources(db, projectId, failingSince, 20),
    ]);
    return { now, since, perMinute, latency, failing };
  }

  /**
   * How one endpoint fares (our extension, as Svix shows it): its sendouts created in [from, to) by status, the share
   * of finished ones delivered, its attempts with their durations, and the latest attempt.
   */
  async function sourceHealth(projectId: string, sourceId: string, from: Date, to: Date) {
    const s = await sql.sourceStats(db, projectId, sourceId, from, to);
    const finished = s.sent + s.failed;
    return {
      object: 'webhook_stats' as const,
      webhook_id: sourceId,
      from: from.toISOString(),
      to: to.toISOString(),
      sendouts: { total: s.pending + s.sent + s.retrying + s.failed, pending: s.pending, sent: s.sent, retrying: s.retrying, failed: s.failed },
      success_rate: finished === 0 ? null : Math.round((s.sent / finished) * 10_000) / 10_000,
      attempts: { total: s.attempts, delivered: s.attempts_delivered, failed: s.attempts - s.attempts_delivered, p50_ms: s.p50_ms, p99_ms: s.p99_ms },
      last_delivered_at: s.last_delivered_at ? s.last_delivered_at.toISOString() : null,
      last_attempt: s.last_attempt_at
        ? { at: s.last_attempt_at.toISOString(), status_code: s.last_status_code, error: s.last_error, outcome: s.last_outcome }
        : null,
    };
  }

  return { list, get, retry, retryFailed, sourceOf, overview, sourceHealth };
}

export type Audit = ReturnType<typeof createAudit>;

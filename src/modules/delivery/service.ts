import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Db, Executor } from '../../store/db.js';
import { createBatcher } from '../../core/batcher.js';
import { metrics } from '../../core/metrics.js';
import { decide, type Decision } from './classify.js';
import type { Sender } from './sender.js';
import { signatureHeaders, type SigningSecrets } from './signing.js';
import * as sql from './sql.js';
import { isTestSendout, showsFailing, type AttemptResult, type DeliveryIncident, type NewSendout, type Outcome, type SendoutStatus, type SourceObject, type SourceOwner, type SourceState } from './types.js';

export interface DeliveryDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  sender: Sender;
  /** Signing secrets of these projects, as of now. */
  secrets(projectIds: string[]): Promise<Map<string, SigningSecrets>>;
  /** Who answers for each kind of source; registered at composition. */
  owners: Partial<Record<SourceObject, SourceOwner>>;
  /** How long a claim holds before another worker may take the sendout over. */
  leaseMs: number;
  batchSize: number;
  random?: () => number;
}

const statusOf: Record<Outcome, SendoutStatus> = {
  delivered: 'sent',
  retry: 'retrying',
  retry_after: 'retrying',
  give_up: 'failed',
  drop: 'failed',
  disable_endpoint: 'failed',
};

/** A target URL for logs and alerts: its query string may carry a token. */
export function withoutQuery(url: string): string {
  const at = url.search(/[?#]/);
  return at < 0 ? url : `${url.slice(0, at)}?…`;
}

export const userAgent = 'Tessera-Webhooks/0.1 (+https://github.com/tessera)';

export function createDelivery(deps: DeliveryDeps) {
  const { db, clock, sender } = deps;

  interface Finished {
    c: sql.Claimed;
    r: AttemptResult;
    d: Decision;
    finished: Date;
    /** Its source was marked failing when it was claimed: a delivery is a recovery, whatever the attempt. */
    failing?: boolean;
  }

  /** Disables the source of a sendout that failed for good; the reason when this call disabled it. */
  async function disableFailedSource({ c, r, d }: Finished): Promise<string | null> {
    const reason =
      d.outcome === 'disable_endpoint'
        ? 'the endpoint answered 410 Gone'
        : r.blocked
          ? 'the target address is blocked'
          : `every attempt of sendout ${c.id} failed`;
    const disabled = (await deps.owners[c.source_object]?.disable(c.source_id, reason)) ?? false;
    if (!disabled) return null;
    const what = c.source_object === 'distribution' ? 'distribution paused' : 'webhook endpoint disabled';
    deps.logger.warn({ source: c.source_id, source_object: c.source_object, project: c.project_id, target: withoutQuery(c.target_url), reason }, `${what}: ${reason}`);
    return reason;
  }

  const watchers: Array<(incidents: DeliveryIncident[]) => Promise<void>> = [];

  /** Handles the consequences of recorded attempts: failed sources disabled, watchers told of turning points. */
  async function afterRecorded(items: Finished[]): Promise<void> {
    const incidents: DeliveryIncident[] = [];
    for (const item of items) {
      const { c, r, d, finished, failing } = item;
      const failed = d.outcome === 'disable_endpoint' || d.outcome === 'give_up' || d.outcome === 'drop';
      // A message that can never go (dropped) fails alone: its source stays active.
      // Neither does a distribution's test message: a draft being tried out is not paused by its trials.
      const trial = c.source_object === 'distribution' && isTestSendout(c.event_id);
      const disabled = failed && d.outcome !== 'drop' && !trial ? await disableFailedSource(item) : null;
      // Nor does a trial raise the alerts of a failing message: it says nothing of what the distribution sends.
      if (watchers.length === 0 || c.event_type.startsWith('tessera.') || trial) continue;
      const kind = failed ? 'exhausted' : d.outcome === 'delivered' ? (c.attempts > 1 || failing ? 'recovered' : null) : showsFailing(c.attempts, finished.getTime() - c.scheduled_from.getTime()) ? 'failing' : null;
      if (!kind) continue;
      incidents.push({
        kind,
        sendout: { id: c.id, project_id: c.project_id, source_object: c.source_object, source_id: c.source_id, target_url: c.target_url, event_type: c.event_type, attempts: c.attempts },
        attempt: { at: finished, status_code: r.statusCode ?? null, error: r.error ?? null, outcome: d.outcome },
        disabled,
      });
    }
    if (incidents.length === 0) return;
    for (const watch of watchers) {
      await watch(incidents).catch((err: unknown) => deps.logger.error({ err }, 'announcing delivery incidents failed'));
    }
  }

  // Attempts are recorded as they finish, many to a statement: one slow endpoint holds back only its own sendouts.
  const recorder = createBatcher<Finished & { owner: string }, void>({
    maxBatch: 500,
    maxInFlight: 1,
    async run(items) {
      await sql.recordResults(
        db,
        items.map(({ c, r, d, finished, owner }) => ({
          id: c.id,
          owner,
          status: statusOf[d.outcome],
          next_attempt_at: d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
          executed_at: finished.toISOString(),
          started_at: r.startedAt.toISOString(),
          duration_ms: r.durationMs,
          status_code: r.statusCode ?? null,
          response_headers: r.responseHeaders ?? null,
          response_body: r.responseBody ?? null,
          error: r.error ?? null,
          outcome: d.outcome,
        })),
      );
      await afterRecorded(items);
      return items.map(() => undefined);
    },
  });

  /** Metrics of every attempt, and a log line for each failed one (never the body or headers: they may hold secrets). */
  function observe(c: sql.Claimed, r: AttemptResult, d: Decision, finished: Date): void {
    metrics.deliveryAttempts.inc({ outcome: d.outcome });
    metrics.deliveryAttemptDuration.observe(r.durationMs / 1000);
    if (d.outcome === 'delivered') {
      metrics.deliveryLatency.observe(Math.max(0, finished.getTime() - c.scheduled_from.getTime()) / 1000);
      return;
    }
    deps.logger.info(
      {
        sendout: c.id,
        source: c.source_id,
        source_object: c.source_object,
        target: withoutQuery(c.target_url),
        attempt: c.attempts,
        status: r.statusCode,
        error: r.error,
        outcome: d.outcome,
        next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
      },
      `delivery attempt failed (${r.statusCode !== undefined ? `HTTP ${r.statusCode}` : (r.error ?? 'no answer')}); ${
        d.nextAttemptAt ? `next attempt at ${d.nextAttemptAt.toISOString()}` : 'no further attempt'
      }`,
    );
  }

  async function attempt(c: sql.Claimed, headers: Record<string, string>, owner: string, failing?: boolean): Promise<void> {
    const startedAt = clock.now();
    const r = await sender.send(c.target_url, c.body, headers, startedAt);
    const finished = clock.now();
    const d = decide(r, c.attempts, c.scheduled_from, finished, deps.random);
    observe(c, r, d, finished);
    await recorder.submit({ c, r, d, finished, owner, failing });
  }

  /**
   * Claims up to `limit` due sendouts for `owner` and starts sending them; each one's attempt is recorded as soon
   * as it finishes, and onSettled is called for it then. Resolves once the claim is made, with how many were
   * claimed, how many were held back by their endpoint's rate limit (due again in a later second), and a promise
   * of when all claimed ones are recorded.
   */
  async function start(owner: string, limit: number, onSettled: () => void = () => undefined): Promise<{ claimed: number; held: number; done: Promise<void> }> {
    const now = clock.now();
    const { claimed, held } = await sql.claimDue(db, owner, now, new Date(now.getTime() + deps.leaseMs), limit);
    if (held > 0) metrics.deliveryHeld.inc(held);
    if (claimed.length === 0) return { claimed: 0, held, done: Promise.resolve() };
    let goneSettled = false;
    const states = new Map<string, SourceState>();
    /** Whether a claimed sendout goes: its source is active, or it is a test and its source takes tests. */
    const goes = (c: sql.Claimed): boolean => {
      const st = states.get(c.source_id);
      return st !== undefined && (st.active || (st.sendsTests === true && isTestSendout(c.event_id)));
    };
    try {
      for (const kind of new Set(claimed.map((c) => c.source_object))) {
        const of = claimed.filter((c) => c.source_object === kind);
        const found = await deps.owners[kind]?.state([...new Set(of.map((c) => c.project_id))], [...new Set(of.map((c) => c.source_id))]);
        for (const [id, st] of found ?? []) states.set(id, st);
      }
      const gone = claimed.filter((c) => !goes(c));
      await sql.failWithoutAttempt(db, gone.map((c) => c.id), owner, 'not sent: its webhook or distribution is disabled, paused or deleted', now);
      gone.forEach(() => onSettled());
      goneSettled = true;
      const live = claimed.filter(goes);
      const secrets = await deps.secrets([...new Set(live.map((c) => c.project_id))]);
      const sends = live.map((c) => {
        // The source's own secrets (an endpoint that has them), else the project's.
        const keys = states.get(c.source_id)!.secrets ?? secrets.get(c.project_id);
        const headers: Record<string, string> = {
          ...states.get(c.source_id)!.headers,
          'content-type': 'application/json',
          'user-agent': userAgent,
          ...(keys ? signatureHeaders(keys, c.id, c.body, clock.now()) : {}),
        };
        return attempt(c, headers, owner, states.get(c.source_id)!.failing)
          .catch((err: unknown) => deps.logger.error({ err, sendout: c.id }, 'recording a delivery attempt failed; the lease will free it'))
          .finally(onSettled);
      });
      return { claimed: claimed.length, held, done: Promise.all(sends).then(() => undefined) };
    } catch (err) {
      // Preparing failed (database trouble): give the claims back rather than leave them leased. Every claimed
      // sendout is settled exactly once, also when start throws.
      const unsent = goneSettled ? claimed.filter(goes) : claimed;
      await sql.release(db, unsent.map((c) => c.id), owner).catch(() => undefined);
      unsent.forEach(() => onSettled());
      throw err;
    }
  }

  /** Claims up to batchSize due sendouts, sends them and records every attempt; returns how many it claimed. */
  async function deliverDue(owner: string): Promise<number> {
    const { claimed, done } = await start(owner, deps.batchSize);
    await done;
    return claimed;
  }

  return {
    enqueue: (tx: Executor, sendouts: NewSendout[]) => sql.insertSendouts(tx, sendouts, clock.now()),
    /** Sets a source's rate limit (attempts started per second of the clock), or removes it with null. */
    limitRate: (tx: Executor, projectId: string, sourceId: string, perSecond: number | null) => sql.setRateLimit(tx, projectId, sourceId, perSecond),
    deliverDue,
    start,
    batchSize: deps.batchSize,
    release: (ids: string[], owner: string) => sql.release(db, ids, owner),
    prune: (cutoff: Date, limit = 1000) => sql.pruneBefore(db, cutoff, limit),
    /** Sendouts by status, and how many are due now: for /metrics. */
    stats: () => sql.selectStats(db, clock.now()),
    /** Registers who answers for a kind of source (webhooks, distributions register themselves at composition). */
    own(kind: SourceObject, owner: SourceOwner): void {
      deps.owners[kind] = owner;
    },
    /** Registers a watcher of delivery incidents (failing, exhausted, recovered), told after attempts are recorded. */
    watch(watcher: (incidents: DeliveryIncident[]) => Promise<void>): void {
      watchers.push(watcher);
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;

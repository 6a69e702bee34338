import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Db, Executor } from '../../store/db.js';
import { decide } from './classify.js';
import type { Sender } from './sender.js';
import { signatureHeaders, type SigningSecrets } from './signing.js';
import * as sql from './sql.js';
import type { NewSendout, Outcome, SendoutStatus, SourceObject, SourceOwner } from './types.js';

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
  disable_endpoint: 'failed',
};

export const userAgent = 'Tessera-Webhooks/0.1 (+https://github.com/tessera)';

export function createDelivery(deps: DeliveryDeps) {
  const { db, clock, sender } = deps;

  /**
   * Claims up to batchSize due sendouts for `owner`, sends them concurrently and records every attempt;
   * returns how many it claimed (0 when nothing was due).
   */
  async function deliverDue(owner: string): Promise<number> {
    const now = clock.now();
    const claimed = await sql.claimDue(db, owner, now, new Date(now.getTime() + deps.leaseMs), deps.batchSize);
    if (claimed.length === 0) return 0;

    const states = new Map<string, { active: boolean; headers: Record<string, string> }>();
    for (const kind of new Set(claimed.map((c) => c.source_object))) {
      const of = claimed.filter((c) => c.source_object === kind);
      const found = await deps.owners[kind]?.state([...new Set(of.map((c) => c.project_id))], [...new Set(of.map((c) => c.source_id))]);
      for (const [id, s] of found ?? []) states.set(id, s);
    }
    const gone = claimed.filter((c) => !states.get(c.source_id)?.active);
    await sql.failWithoutAttempt(db, gone.map((c) => c.id), owner, 'not sent: its webhook is disabled or deleted', now);
    const live = claimed.filter((c) => states.get(c.source_id)?.active);
    const secrets = await deps.secrets([...new Set(live.map((c) => c.project_id))]);

    const results = await Promise.all(
      live.map(async (c) => {
        const startedAt = clock.now();
        const projectSecrets = secrets.get(c.project_id);
        const headers: Record<string, string> = {
          ...states.get(c.source_id)!.headers,
          'content-type': 'application/json',
          'user-agent': userAgent,
          ...(projectSecrets ? signatureHeaders(projectSecrets, c.id, c.body, startedAt) : {}),
        };
        const r = await sender.send(c.target_url, c.body, headers, startedAt);
        const finished = clock.now();
        const d = decide(r, c.attempts, c.scheduled_from, finished, deps.random);
        return { c, r, d, finished };
      }),
    );

    await sql.recordResults(
      db,
      results.map(({ c, r, d, finished }) => ({
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

    const disabled = new Map<string, { kind: SourceObject; reason: string }>();
    for (const { c, r, d } of results) {
      if (d.outcome === 'disable_endpoint') disabled.set(c.source_id, { kind: c.source_object, reason: 'the endpoint answered 410 Gone' });
      else if (d.outcome === 'give_up' && !disabled.has(c.source_id)) {
        disabled.set(c.source_id, {
          kind: c.source_object,
          reason: r.blocked ? 'the target address is blocked' : `every attempt of sendout ${c.id} failed`,
        });
      }
    }
    for (const [id, { kind, reason }] of disabled) {
      await deps.owners[kind]?.disable(id, reason);
      deps.logger.warn({ source: id, reason }, 'webhook source disabled');
    }
    return claimed.length;
  }

  return {
    enqueue: (tx: Executor, sendouts: NewSendout[]) => sql.insertSendouts(tx, sendouts, clock.now()),
    deliverDue,
    release: (ids: string[], owner: string) => sql.release(db, ids, owner),
    prune: (cutoff: Date, limit = 1000) => sql.pruneBefore(db, cutoff, limit),
  };
}

export type Delivery = ReturnType<typeof createDelivery>;

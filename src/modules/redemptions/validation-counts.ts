/**
 * Validations counted per campaign and day, for the campaign summary. A validation adds to this process's counts
 * (no write on the validation's path, nothing that serializes validations); the counts are added to the table about
 * once a second in one statement (ON CONFLICT adds, so several processes' counts add up), and at shutdown. A process
 * that dies loses at most its last second of counts.
 */
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';

const flushEveryMs = 1000;

export function createValidationCounts(deps: { db: Db; clock: Clock }) {
  let pending = new Map<string, { project_id: string; campaign_id: string; day: string; succeeded: number; failed: number }>();
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    if (pending.size === 0) return;
    const rows = [...pending.values()];
    pending = new Map();
    await deps.db.query(
      `INSERT INTO campaign_validation_days (project_id, campaign_id, day, succeeded, failed)
       SELECT r.project_id, r.campaign_id, r.day::date, r.succeeded, r.failed FROM jsonb_to_recordset($1::jsonb) AS r(project_id text, campaign_id text, day text, succeeded bigint, failed bigint)
       ON CONFLICT (campaign_id, day) DO UPDATE SET succeeded = campaign_validation_days.succeeded + EXCLUDED.succeeded, failed = campaign_validation_days.failed + EXCLUDED.failed`,
      [JSON.stringify(rows)],
    );
  }

  return {
    /** One validation of a campaign's code or tier: applicable or not. */
    add(projectId: string, campaignId: string, ok: boolean): void {
      const day = deps.clock.now().toISOString().slice(0, 10);
      const key = `${campaignId}\u0000${day}`;
      const c = pending.get(key) ?? { project_id: projectId, campaign_id: campaignId, day, succeeded: 0, failed: 0 };
      if (ok) c.succeeded++;
      else c.failed++;
      pending.set(key, c);
      timer ??= setTimeout(() => {
        timer = undefined;
        // A failed write keeps nothing: counts are approximate by design, and a validation never waits for them.
        flush().catch(() => undefined);
      }, flushEveryMs).unref();
    },
    flush,
    /** Writes what is counted now (shutdown, tests). */
    async drain(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
  };
}

export type ValidationCounts = ReturnType<typeof createValidationCounts>;

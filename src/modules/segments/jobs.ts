/**
 * The segments' background jobs: time-based re-checks, the computation of new filter segments' members, and the
 * sweep of deleted segments' numbers. Each does one step in one transaction.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Db } from '../../store/db.js';
import type { EventLog } from '../event-log/index.js';
import type { CustomersService } from '../customers/index.js';
import { changeEvents, internal, type Evaluation } from './evaluation.js';
import { holdsAny, withoutSegments } from './member-rows.js';
import { reevaluate } from './membership.js';
import { rewriteMemberRows } from './rewrite.js';
import * as sql from './sql.js';

/** Customers evaluated per step of a segment's background computation (fewer when several segments share a step). */
export const syncBatch = 500;
/** Segments computed together in one step, at most. */
export const syncSegments = 25;
/** Customer-segment evaluations per step, about: with several segments a step takes fewer customers (at least 100). */
const syncEvaluations = 2_500;

export interface SegmentJobsDeps {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: Pick<CustomersService, 'byIds' | 'idsAfter'>;
  evaluation: Pick<Evaluation, 'evalDeps' | 'compiledOf'>;
  logger?: Logger;
}

export function createSegmentJobs(deps: SegmentJobsDeps) {
  const { db, clock, log, customers } = deps;
  const { evalDeps, compiledOf } = deps.evaluation;

  /**
   * Re-checks customers whose memberships time alone may have changed (windows running out, relative dates):
   * each against every time-based segment of its project, which also sets its next re-check. Returns how many.
   */
  async function runDueChecks(limit = 500): Promise<number> {
    return db.transaction(async (tx) => {
      const now = clock.now();
      const due = await sql.takeDueChecks(tx, now, limit);
      if (due.length === 0) return 0;
      const live = await compiledOf(tx, await sql.selectLiveSegments(tx, [...new Set(due.map((d) => d.project_id))]));
      const later: typeof due = [];
      for (const projectId of new Set(due.map((d) => d.project_id))) {
        const timed = live.filter((s) => s.segment.project_id === projectId && s.deps.timeBased);
        const mine = due.filter((d) => d.project_id === projectId);
        if (timed.length === 0) continue;
        // The taken checks are locked, and a change being written for one of these customers may be waiting for
        // them: customers a writer holds are left for the next round (their checks put back), never waited for.
        const work = new Map(mine.map((d) => [d.customer_id, timed]));
        const { changes, customers: rows } = await reevaluate(tx, evalDeps, projectId, work, now, { lock: 'share-skip' });
        later.push(...mine.filter((d) => !rows.has(d.customer_id)));
        const cause = internal(projectId, `v-check-${now.getTime().toString(16)}`);
        await log.record(tx, await changeEvents(tx, () => cause, changes, rows));
      }
      await sql.putBackChecks(tx, later);
      return due.length;
    });
  }

  /**
   * One step of computing new filter segments' members among existing customers: the next customers in id order
   * against the oldest segment in progress and those of its project at the same point (up to syncSegments), so
   * that segments created together are computed together: each customer is read once for all of them, and its
   * memberships are written side by side (a later change of the customer touches few pages). Customers are locked
   * FOR SHARE while evaluated (an event for one of them waits for the step, or the step for it). The initial
   * computation records no entered events (changes after it do, and changes meanwhile of customers it went past or
   * that are newer than the segment: see changeEvents). Returns customers processed.
   */
  async function syncStep(size = syncBatch): Promise<number> {
    let report: (() => void) | undefined;
    const n = await db.transaction(async (tx) => {
      const segs = await sql.selectSyncing(tx, syncSegments);
      const first = segs[0];
      if (!first) return 0;
      // About the same evaluations per step however many segments share it: short steps, short locks.
      const batch = Math.max(Math.ceil(size / 5), Math.min(size, Math.floor(syncEvaluations / segs.length)));
      const ids = await customers.idsAfter(tx, first.project_id, first.sync_cursor, batch);
      const compiledSegs = await compiledOf(tx, segs);
      await reevaluate(tx, evalDeps, first.project_id, new Map(ids.map((id) => [id, compiledSegs])), clock.now(), { lock: 'share' });
      await sql.saveSync(tx, segs.map((s) => s.id), ids.at(-1) ?? first.sync_cursor, ids.length, ids.length < batch);
      // Logged once committed: the start of a computation, and its end with how many customers it went through.
      const what = { job: 'segment-sync', project: first.project_id, segments: segs.map((s) => s.id), processed: first.sync_processed + ids.length, total: first.sync_total };
      if (first.sync_cursor === null) report = () => deps.logger?.info(what, 'segment members computation started');
      if (ids.length < batch) report = () => deps.logger?.info(what, 'segment members computation finished');
      return Math.max(ids.length, 1);
    });
    report?.();
    return n;
  }

  /**
   * One step of sweeping deleted segments' numbers out of their former members' rows. Reads never see such a number
   * (numbers are looked up among existing segments and never reused); the sweep keeps rows from carrying them for
   * good. The oldest tombstone and those of its project at the same point go together over the next customers in
   * id order, locked FOR SHARE as for any evaluation (each row is rewritten whole). Returns rows visited.
   */
  async function sweepStep(size = syncBatch): Promise<number> {
    return db.transaction(async (tx) => {
      const stones = await sql.selectTombstones(tx);
      const first = stones[0];
      if (!first) return 0;
      const ids = await sql.memberRowIdsAfter(tx, first.project_id, first.cursor, size);
      const nums = new Set(stones.map((t) => t.num));
      await rewriteMemberRows(customers, tx, first.project_id, ids, (r) => (r && holdsAny(r, nums) ? withoutSegments(r, nums) : undefined));
      await sql.saveSweep(tx, [...nums], ids.at(-1) ?? first.cursor, ids.length < size);
      return Math.max(ids.length, 1);
    });
  }

  return { runDueChecks, syncStep, sweepStep };
}

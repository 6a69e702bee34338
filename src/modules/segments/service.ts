/**
 * Segments: their CRUD, with the real-time evaluation (evaluation.ts) and the background jobs (jobs.ts) made here
 * and handed out together.
 */
import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound, resourceInUse } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { EventLog } from '../event-log/index.js';
import type { CustomersService } from '../customers/index.js';
import { createEvaluation } from './evaluation.js';
import { FilterError, parseFilter } from './filter/index.js';
import { createSegmentJobs } from './jobs.js';
import { applyChanges, emptyMemberRow } from './member-rows.js';
import { rewriteMemberRows } from './rewrite.js';
import * as sql from './sql.js';
import type { EventStatsSelect, SegmentInput, SegmentRow } from './types.js';

export { syncBatch, syncSegments } from './jobs.js';

/** Voucherify's limit: at most 100 auto-update and passive segments per project. */
export const maxFilterSegments = 100;

export interface SegmentsDeps {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: CustomersService;
  eventStats: EventStatsSelect;
  /** Where a segment that cannot be evaluated is reported (once per segment revision and process). */
  logger?: Logger;
  /** The ids of the distributions whose trigger names the segment (given at composition): it is not deleted under them. */
  usedBy?: (ex: Executor, projectId: string, segmentId: string) => Promise<string[]>;
}

export function createSegmentsService(deps: SegmentsDeps) {
  const { db, clock, customers } = deps;
  const evaluation = createEvaluation(deps);
  const jobs = createSegmentJobs({ ...deps, evaluation });

  function checkFilter(filter: unknown): Record<string, unknown> {
    try {
      parseFilter(filter);
    } catch (err) {
      if (err instanceof FilterError) throw invalidPayload(err.message);
      throw err;
    }
    return filter as Record<string, unknown>;
  }

  async function create(projectId: string, input: SegmentInput): Promise<SegmentRow> {
    const now = clock.now();
    const row: Omit<SegmentRow, 'num'> = {
      id: newId('seg'),
      project_id: projectId,
      name: input.name,
      type: input.type,
      filter: null,
      sync_status: 'DONE',
      sync_cursor: null,
      sync_processed: 0,
      sync_total: 0,
      created_at: now,
      updated_at: null,
      revision: 0,
    };
    if (input.type === 'static') {
      if (input.filter !== undefined) throw invalidPayload('A static segment takes customers, not a filter');
      const keys = [...new Set(input.customers ?? [])];
      // A key is a customer's id, else a source_id (as GET /v1/customers/{key} reads it): one customer per key.
      const matched = await customers.resolveKeys(projectId, keys);
      const byId = new Map(matched.map((c) => [c.id, c]));
      const bySource = new Map(matched.filter((c) => c.source_id !== null).map((c) => [c.source_id!, c]));
      const chosen = new Map<string, { id: string }>();
      const unknown: string[] = [];
      for (const k of keys) {
        const c = byId.get(k) ?? bySource.get(k);
        if (c) chosen.set(c.id, c);
        else unknown.push(k);
      }
      const found = [...chosen.values()];
      if (unknown.length > 0) throw invalidPayload(`Property .customers names unknown customers: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}`);
      const num = await db.transaction(async (tx) => {
        const n = await sql.insertSegment(tx, { ...row, sync_total: found.length, sync_processed: found.length });
        const at = String(now.getTime());
        await rewriteMemberRows(customers, tx, projectId, found.map((c) => c.id), (r) => applyChanges(r ?? emptyMemberRow(), [n], [], at));
        return n;
      });
      return { ...row, num, sync_total: found.length, sync_processed: found.length };
    }
    if (input.customers !== undefined) throw invalidPayload(`A ${input.type} segment takes a filter, not customers`);
    if (input.filter === undefined) throw invalidPayload(`Payload should have required property 'filter' for a ${input.type} segment`);
    row.filter = checkFilter(input.filter);
    const total = await customers.count(projectId);
    // With no customers yet there is nothing to compute: the segment is complete at once.
    const full = { ...row, sync_status: total === 0 ? ('DONE' as const) : ('IN_PROGRESS' as const), sync_total: total };
    const num = await db.transaction(async (tx) => {
      // Two creations at once must not both see room for one more.
      await sql.lockFilterLimit(tx, projectId);
      if ((await sql.countFilterSegments(tx, projectId)) >= maxFilterSegments) {
        throw invalidPayload(`A project has at most ${maxFilterSegments} auto-update and passive segments (static segments do not count)`);
      }
      return sql.insertSegment(tx, full);
    });
    return { ...full, num };
  }

  async function get(projectId: string, id: string): Promise<SegmentRow> {
    const row = await sql.selectSegment(db, projectId, id);
    if (!row) throw notFound('segment', id);
    return row;
  }

  /** PUT: passive segments only (name, filter); a new filter recomputes the members in the background. */
  async function update(projectId: string, id: string, input: { name?: string; type?: string; filter?: Record<string, unknown> }): Promise<SegmentRow> {
    const current = await get(projectId, id);
    if (input.type !== undefined && input.type !== current.type) {
      throw invalidPayload(`A segment's type cannot change: ${id} is ${current.type}; create a ${input.type} segment instead`, { resourceId: id, resourceType: 'segment' });
    }
    if (current.type !== 'passive') {
      throw invalidPayload(`Only passive segments can be updated; ${id} is ${current.type}`, { resourceId: id, resourceType: 'segment' });
    }
    const next: SegmentRow = {
      ...current,
      name: input.name ?? current.name,
      filter: input.filter !== undefined ? checkFilter(input.filter) : current.filter,
      updated_at: clock.now(),
      revision: current.revision + 1,
    };
    if (input.filter !== undefined) {
      next.sync_status = 'IN_PROGRESS';
      next.sync_total = await customers.count(projectId);
      next.sync_processed = 0;
    }
    await sql.updateDefinition(db, next, input.filter !== undefined);
    return next;
  }

  /**
   * Deletes a segment no distribution names: a trigger on a deleted segment would never fire again, so the deletion
   * is refused (409) until those distributions are deleted or name another.
   */
  async function remove(projectId: string, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      if (!(await sql.lockSegment(tx, projectId, id, 'UPDATE'))) throw notFound('segment', id);
      const users = (await deps.usedBy?.(tx, projectId, id)) ?? [];
      if (users.length > 0) {
        const named = `${users.slice(0, 10).join(', ')}${users.length > 10 ? `, ... (${users.length} in all)` : ''}`;
        throw resourceInUse(`Segment ${id} is used by distribution${users.length === 1 ? '' : 's'} ${named}: delete them or change their triggers first`, { resourceId: id, resourceType: 'segment' });
      }
      if (!(await sql.deleteSegment(tx, projectId, id))) throw notFound('segment', id);
    });
    evaluation.forget(id);
  }

  /** Holds a segment that a definition being saved in tx names, until tx ends (404 when it is gone). */
  async function hold(tx: Executor, projectId: string, id: string): Promise<void> {
    if (!(await sql.lockSegment(tx, projectId, id, 'SHARE'))) throw notFound('segment', id);
  }

  return {
    create,
    get,
    /** A page of segments and how many match in all (also when the page lies past the last one). */
    async list(projectId: string, q: sql.SegmentListFilter & { ascending: boolean; limit: number; page: number }) {
      const rows = await sql.selectSegments(db, projectId, { ...q, offset: (q.page - 1) * q.limit });
      const total = rows[0]?.total ?? (q.page > 1 ? await sql.countSegments(db, projectId, q) : 0);
      return { segments: rows, total };
    },
    update,
    remove,
    hold,
    onEvents: evaluation.onEvents,
    /** What onEvents derives from. */
    derivesFrom: evaluation.derivesFrom,
    ...jobs,
    /** Member ids, for GET /v1/customers?segment_id= (404 for an unknown segment). */
    async memberIds(projectId: string, segmentId: string): Promise<string[]> {
      await get(projectId, segmentId);
      return sql.memberIds(db, projectId, segmentId);
    },
    segmentsOf: (projectId: string, customerId: string, tx: Executor = db) => sql.segmentsOfCustomer(tx, projectId, customerId),
    membersAmong: (tx: Executor, segmentId: string, customerIds: string[]) => sql.membersAmong(tx, segmentId, customerIds),
  };
}

export type SegmentsService = ReturnType<typeof createSegmentsService>;

import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor, Statement } from '../../store/db.js';
import type { Cause, CausedEvent, EventLog, EventRecord } from '../event-log/index.js';
import { customerObject, rowOfObject, type CustomerObject, type CustomerRow, type CustomersService } from '../customers/index.js';
import { FilterError, parseFilter } from './filter/index.js';
import { applyChanges, emptyMemberRow, holdsAny, withoutSegments, type MemberRow } from './member-rows.js';
import { compile, reevaluate, type Compiled } from './membership.js';
import * as sql from './sql.js';
import type { EventStatsSelect, LiveSegment, MembershipChange, SegmentInput, SegmentRow } from './types.js';
import { simpleSegment } from './view.js';

/** Voucherify's limit: at most 100 auto-update and passive segments per project. */
export const maxFilterSegments = 100;
/** Customers evaluated per step of a segment's background computation (fewer when several segments share a step). */
export const syncBatch = 500;
/** Segments computed together in one step, at most. */
export const syncSegments = 25;
/** Customer-segment evaluations per step, about: with several segments a step takes fewer customers (at least 100). */
const syncEvaluations = 2_500;

export interface SegmentsDeps {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: CustomersService;
  eventStats: EventStatsSelect;
  /** Where a segment that cannot be evaluated is reported (once per segment revision and process). */
  logger?: Logger;
}

const internal = (projectId: string, groupId: string): Cause => ({ projectId, groupId, source: { channel: 'INTERNAL' } });

/** What a batch of records changed for one customer. */
interface Touch {
  /** What its segment changes are recorded as caused by: the engine, in the request of its last change. */
  cause: Cause;
  created: boolean;
  /** Its state after the batch, when a created or updated event carried it (as the event's object, and a row). */
  row?: CustomerRow;
  object?: CustomerObject;
  /** Fields a customer.updated reported changing; anyField when one did not say. */
  fields: Set<string>;
  anyField: boolean;
  events: Set<string>;
}

type Readers = ReturnType<typeof readersOf>;

/** Touches of these shapes at most are remembered per readers (a project's changes come in few shapes). */
const readerMemo = 1_000;

/** A project's segments by what they read: fields and event names. */
function readersOf(segments: Compiled[]) {
  const byField = new Map<string, Compiled[]>();
  const byEvent = new Map<string, Compiled[]>();
  const add = (m: Map<string, Compiled[]>, k: string, s: Compiled) => {
    const list = m.get(k);
    if (list) list.push(s);
    else m.set(k, [s]);
  };
  for (const s of segments) {
    for (const f of s.deps.fields) add(byField, f, s);
    for (const e of s.deps.events) add(byEvent, e, s);
  }
  const withFields = segments.filter((s) => s.deps.fields.size > 0);
  /**
   * The segments a change can alter, in the project's order (evaluating the others gives the answers they already
   * have): all of them for a new customer; those reading a changed field (any field when a change did not say) or
   * the name of a tracked event.
   */
  const memo = new Map<string, Compiled[]>();
  return (t: Touch): Compiled[] => {
    if (t.created) return segments;
    const key = `${t.anyField ? '*' : ''}\u0000${[...t.fields].sort().join('\u0001')}\u0000${[...t.events].sort().join('\u0001')}`;
    const known = memo.get(key);
    if (known) return known;
    const hit = new Set<Compiled>(t.anyField ? withFields : []);
    for (const f of t.fields) for (const s of byField.get(f) ?? []) hit.add(s);
    for (const e of t.events) for (const s of byEvent.get(e) ?? []) hit.add(s);
    const out = hit.size === 0 ? [] : segments.filter((s) => hit.has(s));
    if (memo.size < readerMemo) memo.set(key, out);
    return out;
  };
}

export function createSegmentsService(deps: SegmentsDeps) {
  const { db, clock, log, customers } = deps;
  const compiled = new Map<string, Compiled>();
  /** Per project, the live list (selectLiveLists) last read: what the next change is evaluated with first. */
  const lastLive = new Map<string, sql.LiveList>();
  /** Segments (at a revision) already reported as not evaluable: one warning each, not one per customer. */
  const reported = new Set<string>();
  const evalDeps = {
    customers: customers.byIds,
    eventStats: deps.eventStats,
    skipped(segment: LiveSegment, customerId: string, reason: unknown) {
      const key = `${segment.id}@${segment.revision}`;
      if (reported.has(key)) return;
      if (reported.size >= 10_000) reported.clear();
      reported.add(key);
      deps.logger?.warn(
        { segment: segment.id, project: segment.project_id, customer: customerId, reason: reason instanceof Error ? reason.message : String(reason) },
        'segment skipped: its filter cannot be evaluated, so its members stay as they were; fix or delete the segment',
      );
    },
  };

  const compileRow = ({ filter, ...segment }: LiveSegment & { filter: Record<string, unknown> }) => compile(segment, filter);

  /**
   * These live segments compiled: parsed filters (and names, types) are kept per (segment, revision), and only
   * segments not yet seen at their revision are read. The sync status is always the one just listed.
   */
  async function compiledOf(tx: Executor, live: sql.LiveRef[]): Promise<Compiled[]> {
    const stale = live.filter((s) => compiled.get(s.id)?.segment.revision !== s.revision);
    if (stale.length > 0) {
      const revisions = new Map(stale.map((s) => [s.id, s.revision]));
      for (const row of await sql.selectFilters(tx, [...revisions.keys()])) {
        if (revisions.get(row.id) === row.revision) compiled.set(row.id, compileRow(row));
      }
    }
    const out: Compiled[] = [];
    for (const s of live) {
      const c = compiled.get(s.id);
      if (c && c.segment.revision === s.revision) {
        if (c.segment.sync_status !== s.sync_status) compiled.set(s.id, { ...c, segment: { ...c.segment, sync_status: s.sync_status } });
        out.push(compiled.get(s.id)!);
        continue;
      }
      // It changed between the two reads: use the revision read now (the next evaluation lists it again). A segment
      // deleted meanwhile is left out.
      const row = (await sql.selectFilters(tx, [s.id]))[0];
      if (row) out.push(compileRow(row));
    }
    return out;
  }

  /** Per project, the readers of the live list last evaluated with, and that list: every batch of a busy project uses them. */
  const listReaders = new Map<string, { list: string; readers: Readers }>();

  /** The readers of a project's segments as this live list names them (kept while the list stays the same). */
  async function readersOfList(tx: Executor, projectId: string, list: string): Promise<Readers> {
    const kept = listReaders.get(projectId);
    if (kept?.list === list) return kept.readers;
    const refs = sql.parseLive(list);
    const segments = await compiledOf(tx, refs);
    const readers = readersOf(segments);
    // Kept only when every segment of the list was compiled at its listed revision (none changed or vanished meanwhile).
    if (segments.length === refs.length && segments.every((c, i) => c.segment.revision === refs[i]!.revision)) listReaders.set(projectId, { list, readers });
    return readers;
  }

  /**
   * Rewrites these customers' membership rows outside an evaluation (a static segment's members, a sweep): the
   * customers are locked FOR SHARE first, as an evaluation's would be (each row is read and written whole), and
   * `next` says each one's new row (undefined: left as it is). Customers that no longer exist are left alone.
   */
  async function rewriteMemberRows(tx: Executor, projectId: string, ids: string[], next: (row: MemberRow | undefined) => MemberRow | undefined) {
    const locked = await customers.byIds(tx, projectId, ids, 'share');
    const current = await sql.selectMemberRows(tx, locked.map((c) => c.id));
    const writes = locked.flatMap((c) => {
      const row = next(current.get(c.id));
      return row ? [{ customer_id: c.id, project_id: projectId, row }] : [];
    });
    await sql.writeMemberRows(tx, writes);
  }

  function checkFilter(filter: unknown): Record<string, unknown> {
    try {
      parseFilter(filter);
    } catch (err) {
      if (err instanceof FilterError) throw invalidPayload(err.message);
      throw err;
    }
    return filter as Record<string, unknown>;
  }

  /**
   * customer.segment.entered / left for auto-update segments, recorded in tx (activity, webhooks, distributions).
   * A segment whose first computation is still running records none: until it is done, membership is being built.
   */
  function changeEvents(causeOf: (customerId: string) => Cause, changes: MembershipChange[], rows: Map<string, CustomerRow>, objects = new Map<string, CustomerObject>()): CausedEvent[] {
    // One customer object per customer, shared by its events (the event log stores a shared object once).
    const objectOf = (id: string) => {
      let o = objects.get(id);
      if (!o) objects.set(id, (o = customerObject(rows.get(id)!)));
      return o;
    };
    return changes
      .filter((c) => c.segment.type === 'auto-update' && c.segment.sync_status === 'DONE' && rows.has(c.customerId))
      .map((c) => ({
        cause: causeOf(c.customerId),
        event: {
          type: c.entered ? 'customer.segment.entered' : 'customer.segment.left',
          customerId: c.customerId,
          entityId: c.segment.id,
          data: { customer: objectOf(c.customerId), segment: simpleSegment(c.segment) },
        },
      }));
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
      const found = await customers.resolveKeys(projectId, keys);
      const known = new Set(found.flatMap((c) => [c.id, c.source_id]));
      const unknown = keys.filter((k) => !known.has(k));
      if (unknown.length > 0) throw invalidPayload(`Property .customers names unknown customers: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', ...' : ''}`);
      const num = await db.transaction(async (tx) => {
        const n = await sql.insertSegment(tx, { ...row, sync_total: found.length, sync_processed: found.length });
        const at = String(now.getTime());
        await rewriteMemberRows(tx, projectId, found.map((c) => c.id), (r) => applyChanges(r ?? emptyMemberRow(), [n], [], at));
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
  async function update(projectId: string, id: string, input: { name?: string; filter?: Record<string, unknown> }): Promise<SegmentRow> {
    const current = await get(projectId, id);
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
    await sql.updateDefinition(db, next);
    return next;
  }

  async function remove(projectId: string, id: string): Promise<void> {
    if (!(await sql.deleteSegment(db, projectId, id))) throw notFound('segment', id);
    compiled.delete(id);
  }

  /**
   * Event-log deriver, in the change's transaction: re-evaluates, for each customer a batch of events touched,
   * the filter segments that read what changed for it (the fields a customer.updated changed, the tracked event's
   * name; a new customer against all of them), and returns who entered and left (stored with the batch); removes
   * a deleted customer from every segment. The customers' rows are locked by the change itself, so evaluations of
   * one customer queue up.
   */
  async function onEvents(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[]; writes: Statement[] }> {
    try {
      return await deriveChanges(tx, entries);
    } catch (err) {
      // Whatever failed, the next change reads its project's segments afresh instead of trusting what was kept.
      lastLive.clear();
      listReaders.clear();
      compiled.clear();
      throw err;
    }
  }

  async function deriveChanges(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[]; writes: Statement[] }> {
    const now = clock.now();
    const touched = new Map<string, { customers: Map<string, Touch> }>();
    for (const { cause, event: e } of entries) {
      if (!e.customerId) continue;
      if (e.type === 'customer.deleted') {
        await sql.forgetCustomer(tx, e.customerId);
        continue;
      }
      if (e.type !== 'customer.created' && e.type !== 'customer.updated' && e.type !== 'customer.custom_event') continue;
      const p = touched.get(cause.projectId) ?? { customers: new Map() };
      touched.set(cause.projectId, p);
      let c = p.customers.get(e.customerId);
      if (!c) p.customers.set(e.customerId, (c = { cause: internal(cause.projectId, cause.groupId), created: false, fields: new Set<string>(), anyField: false, events: new Set<string>() }));
      // What a change causes belongs to the request of the customer's last change in the batch (its group id).
      else if (c.cause.groupId !== cause.groupId) c.cause = internal(cause.projectId, cause.groupId);
      if (e.type === 'customer.created' || e.type === 'customer.updated') {
        c.object = e.data.customer as CustomerObject;
        c.row = rowOfObject(cause.projectId, c.object);
      }
      if (e.type === 'customer.created') c.created = true;
      if (e.type === 'customer.updated') {
        if (e.changed) for (const f of e.changed) c.fields.add(f);
        else c.anyField = true;
      }
      if (e.type === 'customer.custom_event') c.events.add(String((e.data.event as { type?: unknown } | undefined)?.type ?? ''));
    }
    const none = { events: [], writes: [] };
    if (touched.size === 0) return none;
    const projects = [...touched.keys()];
    // One project whose live segments were read before (the common case): evaluated with that list, the version of
    // the current one read with the state, in the same statement; only when they differ (a segment created, changed
    // or computed meanwhile) is the list read again and the change evaluated with it. Nothing is written before the
    // end of the batch.
    const guess = projects.length === 1 ? lastLive.get(projects[0]!) : undefined;
    if (guess !== undefined) {
      const attempt = await evaluateTouched(tx, projects[0]!, touched.get(projects[0]!)!, await readersOfList(tx, projects[0]!, guess.list), now, true);
      // Not read when no segment of the old list read what changed: then the list is read below.
      if (attempt.live === guess.version) return attempt;
    }
    const lists = await sql.selectLiveLists(tx, projects);
    for (const p of projects) {
      const list = lists.get(p);
      if (list) lastLive.set(p, list);
      else lastLive.delete(p);
    }
    if (lists.size === 0) return none;
    const all = await compiledOf(tx, [...lists.values()].flatMap((l) => sql.parseLive(l.list)));
    const out: CausedEvent[] = [];
    const writes: Statement[] = [];
    for (const [projectId, p] of touched) {
      const mine = all.filter((s) => s.segment.project_id === projectId);
      if (mine.length === 0) continue;
      const outcome = await evaluateTouched(tx, projectId, p, readersOf(mine), now, false);
      out.push(...outcome.events);
      writes.push(...outcome.writes);
    }
    return { events: out, writes };
  }

  /**
   * Evaluates the customers a batch touched in one project against the segments that read what changed for each,
   * returning who entered and left and the writes (for the statement that stores the batch's events); with
   * `readLive`, also the version of the project's current live list (when the state was read).
   */
  async function evaluateTouched(tx: Executor, projectId: string, p: { customers: Map<string, Touch> }, readers: Readers, now: Date, readLive: boolean) {
    const work = new Map<string, Compiled[]>();
    for (const [customerId, t] of p.customers) work.set(customerId, readers(t));
    // Customers created in this transaction have no memberships or re-checks yet: nothing to read for them.
    const fresh = new Set([...p.customers].filter(([, t]) => t.created).map(([id]) => id));
    // A created or updated customer's state is in its event: only customers that just tracked an event are read.
    const known = new Map([...p.customers].flatMap(([id, t]) => (t.row ? [[id, t.row] as const] : [])));
    const outcome = await reevaluate(tx, evalDeps, projectId, work, now, { fresh, known, defer: true, liveOf: readLive ? projectId : undefined });
    const objects = new Map([...p.customers].flatMap(([id, t]) => (t.object ? [[id, t.object] as const] : [])));
    return { events: changeEvents((id) => p.customers.get(id)!.cause, outcome.changes, outcome.customers, objects), writes: outcome.writes, live: outcome.live };
  }

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
        await log.record(tx, changeEvents(() => cause, changes, rows));
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
   * computation records no entered events (only changes after it do). Returns customers processed.
   */
  async function syncStep(size = syncBatch): Promise<number> {
    return db.transaction(async (tx) => {
      const segs = await sql.selectSyncing(tx, syncSegments);
      const first = segs[0];
      if (!first) return 0;
      // About the same evaluations per step however many segments share it: short steps, short locks.
      const batch = Math.max(Math.ceil(size / 5), Math.min(size, Math.floor(syncEvaluations / segs.length)));
      const ids = await customers.idsAfter(tx, first.project_id, first.sync_cursor, batch);
      const compiledSegs = await compiledOf(tx, segs);
      await reevaluate(tx, evalDeps, first.project_id, new Map(ids.map((id) => [id, compiledSegs])), clock.now(), { lock: 'share' });
      await sql.saveSync(tx, segs.map((s) => s.id), ids.at(-1) ?? first.sync_cursor, ids.length, ids.length < batch);
      return Math.max(ids.length, 1);
    });
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
      await rewriteMemberRows(tx, first.project_id, ids, (r) => (r && holdsAny(r, nums) ? withoutSegments(r, nums) : undefined));
      await sql.saveSweep(tx, [...nums], ids.at(-1) ?? first.cursor, ids.length < size);
      return Math.max(ids.length, 1);
    });
  }

  return {
    create,
    get,
    /** A page of segments and how many match in all (also when the page lies past the last one). */
    async list(projectId: string, q: { type?: string; ascending: boolean; limit: number; page: number }) {
      const rows = await sql.selectSegments(db, projectId, { type: q.type, ascending: q.ascending, limit: q.limit, offset: (q.page - 1) * q.limit });
      const total = rows[0]?.total ?? (q.page > 1 ? await sql.countSegments(db, projectId, q.type) : 0);
      return { segments: rows, total };
    },
    update,
    remove,
    onEvents,
    /** What onEvents derives from. */
    derivesFrom: ['customer.created', 'customer.updated', 'customer.custom_event', 'customer.deleted'] as const,
    runDueChecks,
    syncStep,
    sweepStep,
    /** Member ids, for GET /v1/customers?segment_id= (404 for an unknown segment). */
    async memberIds(projectId: string, segmentId: string): Promise<string[]> {
      await get(projectId, segmentId);
      return sql.memberIds(db, projectId, segmentId);
    },
    segmentsOf: (projectId: string, customerId: string) => sql.segmentsOfCustomer(db, projectId, customerId),
    membersAmong: (tx: Executor, segmentId: string, customerIds: string[]) => sql.membersAmong(tx, segmentId, customerIds),
  };
}

export type SegmentsService = ReturnType<typeof createSegmentsService>;

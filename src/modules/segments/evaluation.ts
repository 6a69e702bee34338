/**
 * Real-time evaluation: the event-log deriver that re-evaluates, in the transaction of every change, the filter
 * segments that read what changed, with three per-process caches (compiled filters per revision, each project's
 * live list last read, and the readers of that list).
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Executor, Statement } from '../../store/db.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { customerObject, rowOfObject, type CustomerObject, type CustomerRow, type CustomersService } from '../customers/index.js';
import { compile, reevaluate, type Compiled } from './membership.js';
import * as sql from './sql.js';
import type { EventStatsSelect, LiveSegment, MembershipChange } from './types.js';
import { simpleSegment } from './view.js';

/** What segment changes the engine makes are recorded as caused by. */
/** A customer's order events: its order summary (filters' `orders.*`) may have changed. */
const orderEventTypes: readonly string[] = ['customer.order.created', 'customer.order.updated', 'customer.order.paid', 'customer.order.canceled'];

export const internal = (projectId: string, groupId: string): Cause => ({ projectId, groupId, source: { channel: 'INTERNAL' } });

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
    // Order changes report `orders` as what changed for the customer (its order summary).
    if (s.deps.orders) add(byField, 'orders', s);
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

/**
 * What a batch of entries changed, per project and customer; a deleted customer is removed from every segment
 * (its membership row goes) on the way.
 */
async function touchesOf(tx: Executor, entries: CausedEvent[]): Promise<Map<string, { customers: Map<string, Touch> }>> {
  const touched = new Map<string, { customers: Map<string, Touch> }>();
  for (const { cause, event: e } of entries) {
    if (!e.customerId) continue;
    if (e.type === 'customer.deleted') {
      await sql.forgetCustomer(tx, e.customerId);
      continue;
    }
    const orderChange = orderEventTypes.includes(e.type);
    if (e.type !== 'customer.created' && e.type !== 'customer.updated' && e.type !== 'customer.custom_event' && !orderChange) continue;
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
    // An order event follows the order's write, which recomputed the customer's order summary in the transaction:
    // the customer is read there, not taken from an earlier event of the batch (its summary is older).
    if (orderChange) {
      c.fields.add('orders');
      c.row = undefined;
      c.object = undefined;
    }
    if (e.type === 'customer.custom_event') c.events.add(String((e.data.event as { type?: unknown } | undefined)?.type ?? ''));
  }
  return touched;
}

/**
 * customer.segment.entered / left for auto-update segments, recorded in tx (activity, webhooks, distributions), for
 * changes outside a segment's first computation (which records none). While that computation runs, the customers it
 * is to place are those created before the segment that it has not reached yet: whatever evaluates one of them
 * first (the computation, or a change of the customer) places it silently, as the computation would; the computation
 * then finds it placed. Changes of the customers it went past, and of customers created after the segment, record
 * their events as after it. `fresh`: customers created in tx.
 */
export async function changeEvents(
  tx: Executor,
  causeOf: (customerId: string) => Cause,
  changes: MembershipChange[],
  rows: Map<string, CustomerRow>,
  objects = new Map<string, CustomerObject>(),
  fresh?: ReadonlySet<string>,
): Promise<CausedEvent[]> {
  // One customer object per customer, shared by its events (the event log stores a shared object once).
  const objectOf = (id: string) => {
    let o = objects.get(id);
    if (!o) objects.set(id, (o = customerObject(rows.get(id)!)));
    return o;
  };
  const recorded = changes.filter((c) => c.segment.type === 'auto-update' && rows.has(c.customerId));
  const pending = recorded.filter((c) => c.segment.sync_status !== 'DONE' && !fresh?.has(c.customerId) && rows.get(c.customerId)!.created_at < c.segment.created_at);
  // Rare (a segment being computed): its progress is read now, after the customer's row was taken, so that a step of
  // the computation that evaluated this customer has committed.
  const initial = new Set((await sql.notYetComputed(tx, pending.map((c) => ({ segment_id: c.segment.id, customer_id: c.customerId })))).map((r) => `${r.segment_id} ${r.customer_id}`));
  return recorded
    .filter((c) => !initial.has(`${c.segment.id} ${c.customerId}`))
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

export interface EvaluationDeps {
  clock: Clock;
  customers: Pick<CustomersService, 'byIds'>;
  eventStats: EventStatsSelect;
  /** Where a segment that cannot be evaluated is reported (once per segment revision and process). */
  logger?: Logger;
}

export function createEvaluation(deps: EvaluationDeps) {
  const { clock, customers } = deps;
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
    const touched = await touchesOf(tx, entries);
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
    const events = await changeEvents(tx, (id) => p.customers.get(id)!.cause, outcome.changes, outcome.customers, objects, fresh);
    return { events, writes: outcome.writes, live: outcome.live };
  }

  return {
    onEvents,
    /** What onEvents derives from. */
    derivesFrom: ['customer.created', 'customer.updated', 'customer.custom_event', 'customer.deleted', ...orderEventTypes] as const,
    /** What evaluations outside a change (the jobs) are given. */
    evalDeps,
    compiledOf,
    /** A deleted segment's compiled filter goes. */
    forget: (segmentId: string) => compiled.delete(segmentId),
  };
}

export type Evaluation = ReturnType<typeof createEvaluation>;

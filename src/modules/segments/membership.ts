import { isStorableTime } from '../../core/time-range.js';
import type { Executor, Statement } from '../../store/db.js';
import { orderSummaryObject, type CustomerRow, type ShareLock } from '../customers/index.js';
import { dependenciesOf, evaluate, nextCheckAt, parseFilter, windowsOf, type Facts, type Filter } from './filter/index.js';
import { applyChanges, emptyMemberRow, isIn } from './member-rows.js';
import * as sql from './sql.js';
import type { EventStatsSelect, LiveSegment, MembershipChange } from './types.js';

export interface Compiled {
  segment: LiveSegment;
  filter: Filter;
  /** Why the stored filter cannot be evaluated (saved before a check that refuses it now): never evaluated. */
  broken?: string;
  deps: ReturnType<typeof dependenciesOf>;
  /** The event-count windows (days) the filter reads. */
  windows: number[];
}

/**
 * Filters are validated when saved; one saved before a check that refuses it now compiles as broken: it reads
 * nothing, and evaluations skip it (its members stay as they were) instead of failing the change.
 */
export function compile(segment: LiveSegment, raw: unknown): Compiled {
  try {
    const filter = parseFilter(raw);
    return { segment, filter, deps: dependenciesOf(filter), windows: [...new Set([...windowsOf(filter).values()].flatMap((w) => [...w]))] };
  } catch (err) {
    const broken = err instanceof Error ? err.message : String(err);
    return { segment, filter: { junction: 'and', criteria: [] }, broken, deps: { fields: new Set(), orders: false, events: new Set(), timeBased: false }, windows: [] };
  }
}

/**
 * One segment's answer for one customer, and its next re-check time (Infinity: none). Undefined when it cannot be
 * evaluated (a broken filter, or values it cannot compare): the customer's membership then stays as it is.
 */
function evaluateOne(s: Compiled, facts: Facts, now: Date): { match: boolean; due: number } | undefined {
  if (s.broken !== undefined) return undefined;
  const match = evaluate(s.filter, facts, now);
  const due = s.deps.timeBased ? (nextCheckAt(s.filter, facts, now)?.getTime() ?? Infinity) : Infinity;
  return { match, due };
}

/** summary.orders as filters read it (what the customer object shows). */
function ordersOf(c: CustomerRow): Facts['orders'] {
  const o: ReturnType<typeof orderSummaryObject> & { last_order_date?: string } = orderSummaryObject(c.order_summary);
  return { ...o, last_order_date: o.last_order_date !== undefined ? new Date(o.last_order_date) : null };
}

function factsOf(c: CustomerRow, events: Facts['events']): Facts {
  return {
    customer: { ...c, address: c.address as Record<string, unknown> | null },
    orders: ordersOf(c),
    events,
  };
}

export interface EvaluateDeps {
  /** Reads customers; `share` also locks them FOR SHARE (callers that do not already hold them). */
  customers(tx: Executor, projectId: string, ids: string[], lock?: ShareLock): Promise<CustomerRow[]>;
  eventStats: EventStatsSelect;
  /** Told of each segment evaluation that was skipped because it could not be made (never fails the change). */
  skipped(segment: LiveSegment, customerId: string, reason: unknown): void;
}

/**
 * Evaluates, in tx at `now`, each listed customer (of one project) against its listed segments: writes who
 * entered and who left (with times), sets or moves the customer's time-based re-check, and returns the changes.
 * Customers that no longer exist are left alone. Evaluations of one customer must not overlap: callers
 * either hold the customer's row already (the change being evaluated locked it) or pass `lock: 'share'`.
 */
export async function reevaluate(
  tx: Executor,
  deps: EvaluateDeps,
  projectId: string,
  work: Map<string, Compiled[]>,
  now: Date,
  opts: {
    /**
     * Lock the customers FOR SHARE (callers that do not hold them already); `share-skip` leaves out customers a
     * writer holds (for callers that hold rows a writer may wait for: they must not wait in turn).
     */
    lock?: ShareLock;
    /** Customers created in this transaction: they have no memberships or re-checks to read. */
    fresh?: Set<string>;
    /** Customers' current rows the caller has (locked already): not read again. */
    known?: Map<string, CustomerRow>;
    /**
     * Return the writes instead of running them, for the caller to run as part of a later statement of tx: nothing
     * in tx may evaluate these customers again before.
     */
    defer?: boolean;
    /** Also read the version of this project's live list with the state (returned as `live` when the state was read). */
    liveOf?: string;
  } = {},
): Promise<{ changes: MembershipChange[]; customers: Map<string, CustomerRow>; writes: Statement[]; live?: string }> {
  const none = { changes: [], customers: new Map<string, CustomerRow>(), writes: [] };
  const wanted = [...work].filter(([, segs]) => segs.length > 0).map(([id]) => id);
  if (wanted.length === 0) return none;
  const given = wanted.flatMap((id) => (opts.known?.has(id) ? [opts.known.get(id)!] : []));
  const toRead = wanted.filter((id) => !opts.known?.has(id));
  const rows = [...given, ...(toRead.length > 0 ? await deps.customers(tx, projectId, toRead, opts.lock) : [])];
  if (rows.length === 0) return none;
  const ids = rows.map((r) => r.id);
  const known = ids.filter((id) => !opts.fresh?.has(id));
  const all = new Map<string, Compiled>();
  for (const id of ids) for (const s of work.get(id) ?? []) all.set(s.segment.id, s);
  const segments = [...all.values()];
  const names = [...new Set(segments.flatMap((s) => [...s.deps.events]))];
  const windows = [...new Set(segments.flatMap((s) => s.windows))];
  const state = await sql.readState(tx, {
    timed: segments.some((s) => s.deps.timeBased),
    knownIds: known,
    eventsOf: { projectId, customerIds: ids, names, windows, now, select: deps.eventStats },
    liveOf: opts.liveOf,
  });
  const { members: current, checks: scheduled, events: stats } = state;

  const writes: sql.MemberWrite[] = [];
  const checks: sql.CheckWrite[] = [];
  const changes: MembershipChange[] = [];
  const at = String(now.getTime());
  for (const c of rows) {
    const facts = factsOf(c, stats.get(c.id) ?? new Map());
    const row = current.get(c.id) ?? emptyMemberRow();
    const entered: number[] = [];
    const left: number[] = [];
    // One re-check per customer, at the earliest time one of its results may change with time alone. Evaluating
    // some segments only moves it earlier: a later time another segment needed is not known here, and a re-check
    // that finds nothing changed (then sets the true next time) costs one evaluation.
    const scheduledAt = scheduled.get(c.id);
    let due = scheduledAt ?? Infinity;
    for (const s of work.get(c.id) ?? []) {
      let answer: ReturnType<typeof evaluateOne>;
      try {
        answer = evaluateOne(s, facts, now);
      } catch (err) {
        deps.skipped(s.segment, c.id, err);
        continue;
      }
      if (answer === undefined) {
        deps.skipped(s.segment, c.id, s.broken);
        continue;
      }
      const { match } = answer;
      if (match !== isIn(row, s.segment.num)) {
        (match ? entered : left).push(s.segment.num);
        changes.push({ segment: s.segment, customerId: c.id, entered: match });
      }
      due = Math.min(due, answer.due);
    }
    // The customer's whole row is written when a membership moved, in place of the one read.
    if (entered.length > 0 || left.length > 0) writes.push({ customer_id: c.id, project_id: projectId, row: applyChanges(row, entered, left, at) });
    // Only a re-check that moves is written: most evaluations leave it where it was.
    if (due !== Infinity && due !== scheduledAt && isStorableTime(due)) checks.push({ customer_id: c.id, project_id: projectId, due_at: new Date(due).toISOString() });
  }
  const outcome = sql.stateWrites(writes, checks, opts.fresh);
  if (!opts.defer) await sql.writeState(tx, outcome);
  return { changes, customers: new Map(rows.map((r) => [r.id, r])), writes: opts.defer ? outcome : [], live: state.live };
}

import type { Executor } from '../../store/db.js';
import type { CustomerRow } from '../customers/index.js';
import { dependenciesOf, evaluate, longestWindowDays, nextCheckAt, parseFilter, type Facts, type Filter } from './filter/index.js';
import * as sql from './sql.js';
import type { EventStatsReader, MembershipChange, SegmentRow } from './types.js';

const day = 86_400_000;

export interface Compiled {
  segment: SegmentRow;
  filter: Filter;
  deps: ReturnType<typeof dependenciesOf>;
}

/** Filters are validated when saved, so a stored one always parses. */
export function compile(segment: SegmentRow): Compiled {
  const filter = parseFilter(segment.filter);
  return { segment, filter, deps: dependenciesOf(filter) };
}

function factsOf(c: CustomerRow, events: Facts['events']): Facts {
  return {
    customer: { ...c, address: c.address as Record<string, unknown> | null },
    // Order summaries are zero until orders exist.
    orders: { total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0, last_order_date: null },
    events,
  };
}

export interface EvaluateDeps {
  customers(tx: Executor, projectId: string, ids: string[]): Promise<CustomerRow[]>;
  eventStats: EventStatsReader;
}

/**
 * Evaluates these segments (one project's) for these customers at `now`, in tx: writes who entered and who left
 * (with times), sets or clears each time-based re-check, and returns the changes. Customers that no longer exist
 * are left alone.
 */
export async function reevaluate(
  tx: Executor,
  deps: EvaluateDeps,
  projectId: string,
  segments: Compiled[],
  customerIds: string[],
  now: Date,
): Promise<{ changes: MembershipChange[]; customers: Map<string, CustomerRow> }> {
  const none = { changes: [], customers: new Map<string, CustomerRow>() };
  if (segments.length === 0 || customerIds.length === 0) return none;
  const rows = await deps.customers(tx, projectId, customerIds);
  if (rows.length === 0) return none;
  const ids = rows.map((r) => r.id);
  const names = [...new Set(segments.flatMap((s) => [...s.deps.events]))];
  const window = Math.max(0, ...segments.map((s) => longestWindowDays(s.filter)));
  const stats = names.length > 0 ? await deps.eventStats(tx, projectId, ids, names, window > 0 ? new Date(now.getTime() - window * day) : undefined) : new Map();
  const current = await sql.lockMemberships(tx, segments.map((s) => s.segment.id), ids);

  const writes: sql.MemberWrite[] = [];
  const checks: sql.CheckWrite[] = [];
  const changes: MembershipChange[] = [];
  for (const c of rows) {
    const facts = factsOf(c, stats.get(c.id) ?? new Map());
    for (const s of segments) {
      const match = evaluate(s.filter, facts, now);
      const was = current.has(`${s.segment.id} ${c.id}`);
      if (match !== was) {
        writes.push({ segment_id: s.segment.id, customer_id: c.id, project_id: projectId, active: match });
        changes.push({ segment: s.segment, customerId: c.id, entered: match });
      }
      if (s.deps.timeBased) {
        const due = nextCheckAt(s.filter, facts, now);
        checks.push({ segment_id: s.segment.id, customer_id: c.id, project_id: projectId, due_at: due ? due.toISOString() : null });
      }
    }
  }
  await sql.writeMemberships(tx, writes, now);
  await sql.writeChecks(tx, checks);
  return { changes, customers: new Map(rows.map((r) => [r.id, r])) };
}

import type { Clock } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import { newEventId } from '../../core/ids.js';
import { withStatements, type Db, type Executor, type Statement } from '../../store/db.js';
import * as sql from './sql.js';
import type { Cause, EventRecord, NewEvent } from './types.js';

export interface CausedEvent {
  cause: Cause;
  event: NewEvent;
}

/** Called in the recording transaction: what a subscriber writes commits or rolls back with the event. */
export type EventSubscriber = (tx: Executor, records: EventRecord[]) => Promise<void>;

/** Whether a subscriber would act on a record of this project and type that concerns no customer. */
export type SubscriberWants = (tx: Executor, projectId: string, type: string) => Promise<boolean>;

/**
 * Called in the recording transaction before events are stored, with the entries of the types it derives from:
 * returns the events they cause (a customer entering a segment because an event was tracked), stored with them in
 * one statement and seen by every subscriber and deriver in turn, and writes of its own to run as part of that
 * statement (a round trip less). Those writes run before any deriver is called again in the transaction.
 */
export type EventDeriver = (tx: Executor, entries: CausedEvent[]) => Promise<{ events: CausedEvent[]; writes?: Statement[] }>;

/** Derived events may cause more (loyalty earning on entering a segment); a loop stops here. */
const maxDerivationRounds = 4;

/** Writes given statements as one (each a WITH part of the last). */
async function writeAll(tx: Executor, writes: readonly Statement[]): Promise<void> {
  if (writes.length === 0) return;
  const one = withStatements(writes.slice(0, -1), writes[writes.length - 1]!);
  await tx.query(one.text, one.params);
}

/**
 * The records in order of their causes' first record, each cause's records in their order: what a request's event
 * caused (its customer's points, segment entries) follows it, not the other requests of its batch, and may share its
 * row (see sql.insertEvents).
 */
function byCause(entries: CausedEvent[]): CausedEvent[] {
  const groups = new Map<Cause, CausedEvent[]>();
  for (const e of entries) {
    const g = groups.get(e.cause);
    if (g) g.push(e);
    else groups.set(e.cause, [e]);
  }
  return groups.size === 1 ? entries : [...groups.values()].flat();
}

/** Activity ids carry the family of the event, as Voucherify's do: evcus_, evvou_, evred_, evcam_... */
const prefixes: Record<string, string> = {
  customer: 'evcus',
  voucher: 'evvou',
  redemption: 'evred',
  campaign: 'evcam',
  publication: 'evpub',
  business_validation_rule: 'evbvr',
};

const prefixOfType = new Map<string, string>();

function prefixFor(type: string): string {
  let p = prefixOfType.get(type);
  if (p === undefined) prefixOfType.set(type, (p = prefixes[type.split('.')[0]!] ?? 'evgen'));
  return p;
}

/** Activity types that record what a caller did; the rest are effects the engine produced. */
const actionTypes = ['customer.created', 'customer.updated', 'customer.deleted', 'customer.custom_event'];

export interface ActivityQuery {
  limit: number;
  order: 'created_at' | '-created_at';
  starting_after_id?: string;
  start_date?: Date;
  end_date?: Date;
  type?: string;
  category?: 'ACTION' | 'EFFECT';
  campaign_id?: string;
  campaign_type?: string;
  /** A voucher's part of the activity (a loyalty card's): see sql.ActivityFilter. */
  voucher?: sql.ActivityFilter['voucher'];
}

export function createEventLog(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const subscribers: Array<{ fn: EventSubscriber; types: ReadonlySet<string> | undefined; wants?: SubscriberWants }> = [];

  /**
   * Whether a record that concerns no customer (no one's activity) is worth storing: some subscriber takes its type
   * and, when it can tell, wants it (a webhook endpoint subscribed to it). Asked once per project and type.
   */
  async function wanted(tx: Executor, entries: CausedEvent[]): Promise<CausedEvent[]> {
    const answers = new Map<string, Promise<boolean>>();
    const ask = (projectId: string, type: string) => {
      const key = `${projectId} ${type}`;
      let a = answers.get(key);
      if (a === undefined) {
        a = (async () => {
          for (const s of subscribers) {
            if (s.types && !s.types.has(type)) continue;
            if (!s.wants || (await s.wants(tx, projectId, type))) return true;
          }
          return false;
        })();
        answers.set(key, a);
      }
      return a;
    };
    const keep: CausedEvent[] = [];
    for (const e of entries) if ((e.event.customerId ?? null) !== null || (await ask(e.cause.projectId, e.event.type))) keep.push(e);
    return keep;
  }
  const derivers: Array<{ fn: EventDeriver; types: ReadonlySet<string>; takes?: (entry: CausedEvent) => boolean }> = [];

  /**
   * Records events in tx, in order, each with its own cause (a batch may serve several requests), after them the
   * events they cause (derivers), and hands them all to every subscriber in the same transaction. `alongside`: the
   * caller's own writes, run as parts of the event insert (a round trip spared); no deriver may read what they
   * write (they run after the derivers).
   */
  async function record(tx: Executor, given: CausedEvent[], alongside: readonly Statement[] = []): Promise<EventRecord[]> {
    if (given.length === 0) {
      await writeAll(tx, alongside);
      return [];
    }
    const entries = [...given];
    const writes: Statement[] = [];
    let pending = given;
    for (let round = 0; pending.length > 0 && round < maxDerivationRounds; round++) {
      const caused: CausedEvent[] = [];
      for (const d of derivers) {
        const mine = pending.filter((e) => d.types.has(e.event.type) && (!d.takes || d.takes(e)));
        if (mine.length === 0) continue;
        // What an earlier deriver left for later is written before this one reads (except what no deriver reads).
        const early = writes.filter((w) => !w.late);
        if (early.length > 0) {
          await writeAll(tx, early);
          writes.splice(0, writes.length, ...writes.filter((w) => w.late));
        }
        const out = await d.fn(tx, mine);
        caused.push(...out.events);
        writes.push(...(out.writes ?? []));
      }
      entries.push(...caused);
      pending = caused;
    }
    const now = clock.now();
    writes.push(...alongside);
    const stored = byCause(await wanted(tx, entries));
    if (stored.length === 0) {
      await writeAll(tx, writes);
      return [];
    }
    const records = await sql.insertEvents(
      tx,
      stored.map(({ cause, event: e }) => ({
        id: newEventId(prefixFor(e.type), now),
        projectId: cause.projectId,
        type: e.type,
        customerId: e.customerId ?? null,
        entityId: e.entityId ?? null,
        data: e.data,
        eventSource: cause.source,
        groupId: cause.groupId,
        createdAt: now,
      })),
      writes,
    );
    for (const s of subscribers) {
      const mine = s.types ? records.filter((r) => s.types!.has(r.type)) : records;
      if (mine.length > 0) await s.fn(tx, mine);
    }
    return records;
  }

  /** The filter of an activity query, or undefined when it matches nothing. */
  function filterOf(projectId: string, customerId: string, q: Omit<ActivityQuery, 'limit' | 'order' | 'starting_after_id'>) {
    let types = q.type !== undefined ? [q.type] : undefined;
    if (q.category === 'ACTION') types = (types ?? actionTypes).filter((t) => actionTypes.includes(t));
    if (q.category === 'EFFECT' && types) types = types.filter((t) => !actionTypes.includes(t));
    // Campaign filters match only activities about a campaign; a campaign_type alone matches none of today's.
    if ((types !== undefined && types.length === 0) || (q.campaign_type !== undefined && q.campaign_id === undefined)) return undefined;
    return {
      projectId,
      customerId,
      types,
      excludeTypes: q.category === 'EFFECT' && !q.type ? actionTypes : undefined,
      startDate: q.start_date,
      endDate: q.end_date,
      campaignId: q.campaign_id,
      voucher: q.voucher,
    };
  }

  async function listActivity(projectId: string, customerId: string, q: ActivityQuery) {
    if (q.starting_after_id && !(await sql.eventExists(db, projectId, customerId, q.starting_after_id))) {
      throw notFound('activity', q.starting_after_id);
    }
    const f = filterOf(projectId, customerId, q);
    const rows = f ? await sql.selectActivity(db, { ...f, ascending: q.order === 'created_at', afterId: q.starting_after_id, limit: q.limit }) : [];
    return { records: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }

  /** How many records an activity query matches, all pages together. */
  async function countActivity(projectId: string, customerId: string, q: Omit<ActivityQuery, 'limit' | 'order' | 'starting_after_id'>) {
    const f = filterOf(projectId, customerId, q);
    return f ? sql.countActivity(db, f) : 0;
  }

  return {
    record,
    listActivity,
    countActivity,
    /** Deletes up to `limit` of the oldest records made before `before` (activity retention); how many. */
    pruneBefore: (before: Date, limit: number) => sql.deleteOldest(db, before, limit),
    /** Records per minute of a project since a time (the newest rows of the log; see sql.countPerMinute). */
    perMinute: (projectId: string, since: Date) => sql.countPerMinute(db, projectId, since),
    /**
     * Adds a subscriber called with the stored records of these types ('*': all of them); `wants` tells whether it
     * would act on a record that concerns no customer (without it: it would).
     */
    subscribe(fn: EventSubscriber, types: readonly string[] | '*' = '*', wants?: SubscriberWants): void {
      subscribers.push({ fn, types: types === '*' ? undefined : new Set(types), ...(wants ? { wants } : {}) });
    },
    /** Adds a deriver called with the entries of these types. */
    derive(fn: EventDeriver, types: readonly string[], takes?: (entry: CausedEvent) => boolean): void {
      derivers.push({ fn, types: new Set(types), takes });
    },
  };
}

export type EventLog = ReturnType<typeof createEventLog>;

import type { Clock } from '../../core/clock.js';
import { invalidQueryParams, notFound } from '../../core/errors.js';
import type { Db, Executor } from '../../store/db.js';
import { createGroupCommit } from '../../store/group-commit.js';
import type { Cause, EventLog } from '../event-log/index.js';
import { applyAttributes, mergedMetadata } from './attributes.js';
import { changeEvent, upsertMany, type UpsertItem } from './upsert.js';
import * as sql from './sql.js';
import type { CustomerInput, CustomerRow, UpsertResult } from './types.js';
import { customerObject } from './view.js';
import { dateBounds } from '../../core/time-range.js';

export interface ListQuery {
  limit: number;
  page: number;
  email?: string;
  city?: string;
  name?: string;
  segment_id?: string;
  created_at?: { before?: Date; after?: Date };
  updated_at?: { before?: Date; after?: Date };
  order?: 'created_at' | '-created_at' | 'updated_at' | '-updated_at' | 'source_id' | '-source_id';
  starting_after?: Date;
}

/** Resolves a segment id to its member ids; given at composition once segments exist. */
export type SegmentMembers = (projectId: string, segmentId: string) => Promise<string[]>;

export function createCustomersService(deps: {
  db: Db;
  clock: Clock;
  events: EventLog;
  segmentMembers?: SegmentMembers;
  /**
   * Checks a customer's metadata against the project's customer metadata schema, read (`read`) only when there is
   * one; given at composition once that module exists.
   */
  checkMetadata?: (projectId: string, read: () => Promise<Record<string, unknown>>, ex?: Executor) => Promise<void>;
  /** Upsert transactions written at the same time (group commit); 1 on PGlite. */
  concurrency?: number;
}) {
  const { db, clock, events } = deps;

  /** Applies attributes to an existing customer, writing only when something changed. */
  async function applyTo(tx: Executor, current: CustomerRow, input: CustomerInput): Promise<UpsertResult> {
    const { row, changed, fields } = applyAttributes(current, input);
    if (changed) {
      row.updated_at = clock.now();
      await sql.updateRow(tx, row);
    }
    return { customer: row, created: false, updated: changed, fields };
  }

  // POST /v1/customers is group-committed like tracked events: concurrent upserts share a transaction.
  const upserts = createGroupCommit<UpsertItem, UpsertResult>({
    db,
    name: 'customers',
    maxBatch: 64,
    maxInFlight: deps.concurrency ?? 1,
    async write(tx, items) {
      const outcomes = await upsertMany(tx, clock, items);
      await events.record(tx, outcomes.flatMap((o) => ('error' in o ? [] : o.events)));
      return outcomes.map((o) => ('error' in o ? o.error : o.result));
    },
  });

  /** POST /v1/customers: the upsert of one customer, with its events recorded in the same transaction. */
  async function upsert(cause: Cause, input: CustomerInput): Promise<UpsertResult> {
    // Checked as the customer's metadata will be once the keys sent are merged in (a new customer's: as sent, so its
    // required keys are asked for); read before the write (on PGlite nothing else runs while a transaction is open).
    await deps.checkMetadata?.(cause.projectId, async () => {
      const current = await currentOf(db, cause.projectId, input);
      return current && input.metadata === undefined ? current.metadata : mergedMetadata(current?.metadata ?? {}, input.metadata);
    });
    return upserts.submit({ cause, input });
  }

  /** The customer an input names (by id, else source_id), if there is one. */
  async function currentOf(ex: Executor, projectId: string, input: CustomerInput): Promise<CustomerRow | undefined> {
    if (input.id !== undefined) return sql.selectById(ex, projectId, input.id);
    return input.source_id !== undefined ? sql.selectBySourceId(ex, projectId, input.source_id) : undefined;
  }

  /**
   * The metadata sent with a customer named on the way (by an order, a redemption), checked as it will be once
   * merged into the customer's; nothing sent, nothing checked (a customer created on the way is not asked for keys).
   */
  async function checkSentMetadata(projectId: string, input: CustomerInput | undefined, ex: Executor = db): Promise<void> {
    if (input?.metadata === undefined || input.metadata === null) return;
    const sent = input.metadata;
    await deps.checkMetadata?.(projectId, async () => mergedMetadata((await currentOf(ex, projectId, input))?.metadata ?? {}, sent), ex);
  }

  async function get(projectId: string, idOrSourceId: string, tx: Executor = db): Promise<CustomerRow> {
    const c = await sql.selectByIdOrSourceId(tx, projectId, idOrSourceId);
    if (!c) throw notFound('customer', idOrSourceId);
    return c;
  }

  async function update(cause: Cause, idOrSourceId: string, input: CustomerInput): Promise<CustomerRow> {
    return db.transaction(async (tx) => {
      const current = await sql.selectByIdOrSourceId(tx, cause.projectId, idOrSourceId, true);
      if (!current) throw notFound('customer', idOrSourceId);
      // The metadata as it will be once the keys sent are merged into the customer's (under its lock).
      if (input.metadata !== undefined) await deps.checkMetadata?.(cause.projectId, async () => mergedMetadata(current.metadata, input.metadata), tx);
      const result = await applyTo(tx, current, { ...input, id: undefined, source_id: undefined });
      await events.record(tx, changeEvent(cause, result));
      return result.customer;
    });
  }

  async function remove(cause: Cause, idOrSourceId: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await sql.selectByIdOrSourceId(tx, cause.projectId, idOrSourceId, true);
      if (!current) throw notFound('customer', idOrSourceId);
      await sql.deleteRow(tx, cause.projectId, current.id);
      await events.record(tx, [
        {
          cause,
          event: { type: 'customer.deleted', customerId: current.id, entityId: current.id, data: { customer: customerObject(current) } },
        },
      ]);
    });
  }

  async function list(projectId: string, q: ListQuery) {
    const filter: sql.ListFilter = {
      projectId,
      email: q.email,
      name: q.name,
      city: q.city,
      ...dateBounds(q),
    };
    if (q.segment_id !== undefined) {
      if (!deps.segmentMembers) throw notFound('segment', q.segment_id);
      filter.ids = await deps.segmentMembers(projectId, q.segment_id);
    }
    const order = q.order ?? '-created_at';
    // The cursor is a creation time (Voucherify's): it pages only a list in creation order.
    if (q.starting_after && !order.endsWith('created_at')) throw invalidQueryParams(`starting_after is a created_at cursor: it pages a list ordered by created_at or -created_at, not by ${order.replace('-', '')} (use page instead)`);
    const page: sql.ListPage = {
      column: order.replace('-', '') as sql.ListPage['column'],
      ascending: !order.startsWith('-'),
      startingAfter: q.starting_after,
      offset: q.starting_after ? 0 : (q.page - 1) * q.limit,
      limit: q.limit,
    };
    const [rows, total] = await Promise.all([sql.selectPage(db, filter, page), sql.countCustomers(db, filter)]);
    return { customers: rows.slice(0, q.limit), total, hasMore: rows.length > q.limit };
  }

  return {
    upsert,
    /** Customers by id; `share` locks them FOR SHARE in id order, `share-skip` leaves out those a writer holds. */
    byIds: (tx: Executor, projectId: string, ids: string[], lock?: sql.ShareLock) => sql.selectByIds(tx, projectId, ids, lock),
    byKeys: (tx: Executor, projectId: string, keys: string[]) => sql.selectByKeys(tx, projectId, keys),
    resolveKeys: (projectId: string, keys: string[]) => sql.resolveKeys(db, projectId, keys),
    idsAfter: (tx: Executor, projectId: string, after: string | null, limit: number) => sql.idsAfter(tx, projectId, after, limit),
    count: (projectId: string) => sql.countCustomers(db, { projectId }),
    drain: () => upserts.drain(),
    upsertMany: (tx: Executor, items: UpsertItem[]) => upsertMany(tx, clock, items),
    checkSentMetadata,
    get,
    update,
    remove,
    list,
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;

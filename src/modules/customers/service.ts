import type { Clock } from '../../core/clock.js';
import { notFound, TesseraError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Cause, EventLog, NewEvent } from '../activity/index.js';
import { applyAttributes, blankCustomer } from './attributes.js';
import * as sql from './sql.js';
import type { CustomerInput, CustomerRow, UpsertResult } from './types.js';
import { customerObject } from './view.js';

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

export function createCustomersService(deps: { db: Db; clock: Clock; events: EventLog; segmentMembers?: SegmentMembers }) {
  const { db, clock, events } = deps;

  function changeEvents(result: UpsertResult): NewEvent[] {
    const data = { customer: customerObject(result.customer) };
    if (result.created) return [{ type: 'customer.created', customerId: result.customer.id, entityId: result.customer.id, data }];
    if (result.updated) return [{ type: 'customer.updated', customerId: result.customer.id, entityId: result.customer.id, data }];
    return [];
  }

  /** Applies attributes to an existing customer, writing only when something changed. */
  async function applyTo(tx: Executor, current: CustomerRow, input: CustomerInput): Promise<UpsertResult> {
    const { row, changed } = applyAttributes(current, input);
    if (changed) {
      row.updated_at = clock.now();
      await sql.updateRow(tx, row);
    }
    return { customer: row, created: false, updated: changed };
  }

  /** Inserts a new customer with the sent attributes; false when its source_id was taken meanwhile. */
  async function insertNew(tx: Executor, projectId: string, sourceId: string | null, input: CustomerInput) {
    const { row } = applyAttributes(blankCustomer(newId('cust'), projectId, sourceId, clock.now()), input);
    return (await sql.insertIfAbsent(tx, row)) ? row : undefined;
  }

  /**
   * The upsert behind POST /v1/customers and tracked events: by `id` (which must exist), else by `source_id`
   * (found or created, safe when many requests race to create it), else a new customer. Sent attributes are
   * applied; the customer.created / customer.updated event is recorded in tx.
   */
  async function upsertIn(tx: Executor, cause: Cause, input: CustomerInput): Promise<UpsertResult> {
    const attrs: CustomerInput = { ...input, id: undefined, source_id: undefined };
    let result: UpsertResult | undefined;
    if (input.id !== undefined) {
      const found = await sql.selectById(tx, cause.projectId, input.id, true);
      if (!found) throw notFound('customer', input.id);
      result = await applyTo(tx, found, attrs);
    } else if (input.source_id === undefined) {
      const row = await insertNew(tx, cause.projectId, null, attrs);
      result = { customer: row!, created: true, updated: false };
    } else {
      for (let attempt = 0; attempt < 3 && !result; attempt++) {
        const existing = await sql.selectBySourceId(tx, cause.projectId, input.source_id, true);
        if (existing) result = await applyTo(tx, existing, attrs);
        else {
          const row = await insertNew(tx, cause.projectId, input.source_id, attrs);
          if (row) result = { customer: row, created: true, updated: false };
        }
      }
      if (!result) throw new TesseraError('service_unavailable', `Customer ${input.source_id} changed concurrently; try again`);
    }
    await events.record(tx, cause, changeEvents(result));
    return result;
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
      const result = await applyTo(tx, current, { ...input, id: undefined, source_id: undefined });
      await events.record(tx, cause, changeEvents(result));
      return result.customer;
    });
  }

  async function remove(cause: Cause, idOrSourceId: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await sql.selectByIdOrSourceId(tx, cause.projectId, idOrSourceId, true);
      if (!current) throw notFound('customer', idOrSourceId);
      await sql.deleteRow(tx, cause.projectId, current.id);
      await events.record(tx, cause, [
        { type: 'customer.deleted', customerId: current.id, entityId: current.id, data: { customer: customerObject(current) } },
      ]);
    });
  }

  async function list(projectId: string, q: ListQuery) {
    const filter: sql.ListFilter = {
      projectId,
      email: q.email,
      name: q.name,
      city: q.city,
      createdBefore: q.created_at?.before,
      createdAfter: q.created_at?.after,
      updatedBefore: q.updated_at?.before,
      updatedAfter: q.updated_at?.after,
    };
    if (q.segment_id !== undefined) {
      if (!deps.segmentMembers) throw notFound('segment', q.segment_id);
      filter.ids = await deps.segmentMembers(projectId, q.segment_id);
    }
    const order = q.order ?? '-created_at';
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
    upsert: (cause: Cause, input: CustomerInput) => db.transaction((tx) => upsertIn(tx, cause, input)),
    upsertIn,
    get,
    update,
    remove,
    list,
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;

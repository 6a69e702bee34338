import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../core/clock.js';
import { duplicate, invalidCustomer, notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import { isUniqueViolation, retryTransaction, type Db, type Executor } from '../../store/db.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { simpleCustomer, type CustomerInput, type CustomerRow, type CustomersService } from '../customers/index.js';
import { amountsOf, plainItem } from './amounts.js';
import * as sql from './sql.js';
import type { ItemResolver, OrderInput, OrderRow } from './types.js';
import { orderObject } from './view.js';

export interface OrdersDeps {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: Pick<CustomersService, 'upsertMany' | 'get' | 'byIds'>;
  /** Resolves items' products and SKUs; without one, items are stored as sent. */
  items?: ItemResolver;
}

export interface OrderListQuery {
  limit: number;
  page: number;
  order?: 'created_at' | '-created_at' | 'updated_at' | '-updated_at';
}

/** Fields whose change is an update of the order (and makes customer.order.updated). */
const compared = ['source_id', 'status', 'amount', 'initial_amount', 'discount_amount', 'items', 'metadata', 'customer_id', 'referrer_id', 'created_at'] as const;

export function createOrdersService(deps: OrdersDeps) {
  const { db, clock, log, customers } = deps;

  /** The customer (or referrer) an order names: upserted from `customer`, or found by `customer_id`. */
  async function party(tx: Executor, cause: Cause, obj: CustomerInput | undefined, id: string | null | undefined, what: string, events: CausedEvent[]) {
    if (obj !== undefined) {
      if (obj.id === undefined && obj.source_id === undefined) {
        throw invalidCustomer(`Property .${what} should have required property 'id' or 'source_id'`);
      }
      const [outcome] = await customers.upsertMany(tx, [{ cause, input: obj }]);
      if ('error' in outcome!) throw outcome.error;
      events.push(...outcome!.events);
      return outcome!.result.customer;
    }
    if (id === undefined) return undefined;
    if (id === null) return null;
    return customers.get(cause.projectId, id, tx);
  }

  /**
   * Writes an order (new when `current` is undefined), recomputes the order summaries of its customers (old and
   * new) and records the customer's order events, all in tx.
   */
  async function write(tx: Executor, cause: Cause, current: OrderRow | undefined, input: OrderInput, redemptions?: Record<string, unknown>): Promise<OrderRow> {
    const projectId = cause.projectId;
    const now = clock.now();
    const events: CausedEvent[] = [];
    const customer = await party(tx, cause, input.customer, input.customer_id, 'customer', events);
    const referrer = await party(tx, cause, input.referrer, input.referrer_id, 'referrer', events);
    const items =
      input.items === undefined ? (current?.items ?? []) : deps.items ? await deps.items(tx, projectId, input.items) : input.items.map(plainItem);
    const row: OrderRow = {
      id: current?.id ?? newSortableId('ord', now),
      project_id: projectId,
      source_id: input.source_id !== undefined ? input.source_id : (current?.source_id ?? null),
      status: input.status ?? current?.status ?? 'CREATED',
      ...amountsOf(current, input, items),
      items,
      metadata: input.metadata === undefined ? (current?.metadata ?? {}) : (input.metadata ?? {}),
      redemptions: { ...(current?.redemptions ?? {}), ...(redemptions ?? {}) },
      customer_id: customer === undefined ? (current?.customer_id ?? null) : (customer?.id ?? null),
      referrer_id: referrer === undefined ? (current?.referrer_id ?? null) : (referrer?.id ?? null),
      created_at: input.created_at !== undefined ? new Date(input.created_at) : (current?.created_at ?? now),
      updated_at: current?.updated_at ?? null,
    };
    if (!current) {
      if (!(await sql.insertOrder(tx, row))) throw retryTransaction(`An order with source_id ${row.source_id} was created concurrently`);
    } else {
      if (redemptions === undefined && compared.every((k) => isDeepStrictEqual(current[k], row[k]))) {
        await log.record(tx, events);
        return current;
      }
      row.updated_at = now;
      try {
        await sql.updateOrder(tx, row);
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicate('order', 'source_id', String(row.source_id));
        throw err;
      }
    }
    const affected = [...new Set([current?.customer_id, row.customer_id].filter((id): id is string => typeof id === 'string'))];
    if (affected.length > 0) {
      await sql.lockCustomers(tx, projectId, affected);
      for (const id of affected) await sql.refreshSummary(tx, projectId, id);
    }
    events.push(...(await orderEvents(tx, cause, current, row, customer ?? undefined, referrer ?? undefined)));
    await log.record(tx, events);
    return row;
  }

  /**
   * The customer's events of an order change: created (on the first write) or updated, and paid / canceled when
   * the status becomes PAID / CANCELED. Orders without a customer record none.
   */
  async function orderEvents(tx: Executor, cause: Cause, before: OrderRow | undefined, o: OrderRow, customer?: CustomerRow, referrer?: CustomerRow): Promise<CausedEvent[]> {
    if (o.customer_id === null) return [];
    const types = [before ? 'customer.order.updated' : 'customer.order.created'];
    if (o.status !== before?.status && o.status === 'PAID') types.push('customer.order.paid');
    if (o.status !== before?.status && o.status === 'CANCELED') types.push('customer.order.canceled');
    const wanted = [o.customer_id, o.referrer_id].filter((id): id is string => id !== null && id !== customer?.id && id !== referrer?.id);
    const rows = new Map((wanted.length > 0 ? await customers.byIds(tx, cause.projectId, wanted) : []).map((c) => [c.id, c]));
    if (customer) rows.set(customer.id, customer);
    if (referrer) rows.set(referrer.id, referrer);
    const c = rows.get(o.customer_id);
    if (!c) return [];
    const r = o.referrer_id !== null ? rows.get(o.referrer_id) : undefined;
    const data = { customer: simpleCustomer(c), referrer: r ? simpleCustomer(r) : null, order: orderObject(o), redemption: null };
    return types.map((type) => ({ cause, event: { type, customerId: c.id, entityId: o.id, data } }));
  }

  /** POST /v1/orders: creates, or updates the order with the sent `id` (which must exist) or `source_id`. */
  async function create(cause: Cause, input: OrderInput): Promise<OrderRow> {
    return db.transaction(async (tx) => {
      let current: OrderRow | undefined;
      if (input.id !== undefined) {
        current = await sql.selectById(tx, cause.projectId, input.id, true);
        if (!current) throw notFound('order', input.id);
      } else if (typeof input.source_id === 'string') {
        current = await sql.selectBySourceId(tx, cause.projectId, input.source_id, true);
      }
      return write(tx, cause, current, input);
    });
  }

  /**
   * In the caller's transaction (redemptions): creates the order, or updates the one with the sent id or source_id,
   * adding `redemptions` (by parent redemption id) to the order's.
   */
  async function upsertIn(tx: Executor, cause: Cause, input: OrderInput, redemptions?: Record<string, unknown>): Promise<OrderRow> {
    let current: OrderRow | undefined;
    if (input.id !== undefined) {
      current = await sql.selectById(tx, cause.projectId, input.id, true);
      if (!current) throw notFound('order', input.id);
    } else if (typeof input.source_id === 'string') {
      current = await sql.selectBySourceId(tx, cause.projectId, input.source_id, true);
    }
    return write(tx, cause, current, { ...input, id: undefined }, redemptions);
  }

  /** PUT /v1/orders/{id}: sent fields change (items and metadata as a whole), the rest stay. */
  async function update(cause: Cause, key: string, input: OrderInput): Promise<OrderRow> {
    return db.transaction(async (tx) => {
      const current = await sql.selectOrder(tx, cause.projectId, key, true);
      if (!current) throw notFound('order', key);
      return write(tx, cause, current, { ...input, id: undefined });
    });
  }

  async function get(projectId: string, key: string, tx: Executor = db): Promise<OrderRow> {
    const o = await sql.selectOrder(tx, projectId, key);
    if (!o) throw notFound('order', key);
    return o;
  }

  async function list(projectId: string, q: OrderListQuery) {
    const order = q.order ?? '-created_at';
    const page = { column: order.replace('-', '') as 'created_at' | 'updated_at', ascending: !order.startsWith('-'), offset: (q.page - 1) * q.limit, limit: q.limit };
    const [rows, total] = await Promise.all([sql.selectPage(db, projectId, page), sql.countOrders(db, projectId)]);
    return { orders: rows.slice(0, q.limit), total, hasMore: rows.length > q.limit };
  }

  return { create, update, upsertIn, get, list, find: (tx: Executor, projectId: string, key: string) => sql.selectOrder(tx, projectId, key) };
}

export type OrdersService = ReturnType<typeof createOrdersService>;

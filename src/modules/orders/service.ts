import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../core/clock.js';
import { duplicate, invalidCustomer, invalidOrder, invalidPayload, notFound, TesseraError } from '../../core/errors.js';
import { newId, newSortableId } from '../../core/ids.js';
import { isDataException, isUniqueViolation, retryTransaction, type Db, type Executor, type Statement } from '../../store/db.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { customerObject, simpleCustomer, type CustomerInput, type CustomerRow, type CustomersService } from '../customers/index.js';
import { amountsOf, plainItem, withDiscount } from './amounts.js';
import * as sql from './sql.js';
import type { ItemCatalog, ItemResolver, OrderInput, OrderItem, OrderItemInput, OrderRow } from './types.js';
import { orderObject } from './view.js';

/** What an import needs of segments and async actions (given at composition). */
export interface ImportDeps {
  /** Segment re-evaluation of the customers an import touched (the event log's deriver, called directly). */
  segments: { onEvents(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[]; writes?: Statement[] }> };
  /** Keeps the import's outcome as a finished async action. */
  recordAction(tx: Executor, cause: Cause, action: { id: string; target: number; done: number; result: Record<string, unknown> }): Promise<void>;
}

export interface OrdersDeps {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: Pick<CustomersService, 'upsertMany' | 'get' | 'byIds' | 'checkSentMetadata'>;
  /** Refuses metadata the project's order metadata schema does not allow (metadata_validation_failed). */
  checkMetadata?: (projectId: string, metadata: Record<string, unknown>, ex: Executor) => Promise<void>;
  /** Resolves items' products and SKUs; without one, items are stored as sent. */
  items?: ItemResolver;
  import?: ImportDeps;
}

/**
 * What a caller (a redemption) writes itself, later in its transaction: the order's events, and when it gives
 * `writes` and `summaries`, the insert of a new order without a source_id and its addition to the order summary.
 */
export interface Deferred {
  events: CausedEvent[];
  writes?: Statement[];
  summaries?: sql.SummaryAdd[];
  /** Products and SKUs read in this transaction already (see lookupItems). */
  catalog?: ItemCatalog;
}

export interface OrderListQuery {
  limit: number;
  page: number;
  order?: 'created_at' | '-created_at' | 'updated_at' | '-updated_at';
}

/** Statuses the customer's order summary counts. */
const counted = new Set(['PAID', 'FULFILLED']);

/** Fields whose change is an update of the order (and makes customer.order.updated). */
const compared = ['source_id', 'status', 'amount', 'initial_amount', 'discount_amount', 'items', 'metadata', 'customer_id', 'referrer_id', 'created_at'] as const;

export function createOrdersService(deps: OrdersDeps) {
  const { db, clock, log, customers } = deps;

  /** The customer (or referrer) an order names: upserted from `customer`, or found by `customer_id`. */
  async function party(tx: Executor, cause: Cause, obj: CustomerInput | undefined, id: string | null | undefined, what: string, events: CausedEvent[], known?: CustomerRow) {
    if (obj !== undefined) {
      if (obj.id === undefined && obj.source_id === undefined) {
        throw invalidCustomer(`Property .${what} should have required property 'id' or 'source_id'`);
      }
      await customers.checkSentMetadata(cause.projectId, obj, tx);
      const [outcome] = await customers.upsertMany(tx, [{ cause, input: obj }]);
      if ('error' in outcome!) throw outcome.error;
      events.push(...outcome!.events);
      return outcome!.result.customer;
    }
    if (id === undefined) return undefined;
    if (id === null) return null;
    // The caller's customer, read in this transaction already (a redemption's).
    if (known && known.id === id) return known;
    return customers.get(cause.projectId, id, tx);
  }

  /**
   * Writes an order (new when `current` is undefined), recomputes the order summaries of its customers (old and
   * new) and records the customer's order events, all in tx.
   */
  async function write(tx: Executor, cause: Cause, current: OrderRow | undefined, input: OrderInput, silent?: Set<string>, redemptions?: Record<string, unknown>, deferred?: Deferred, known?: CustomerRow, kept?: OrderItem[]): Promise<OrderRow> {
    const recordAll = async (events: CausedEvent[]) => {
      if (deferred) deferred.events.push(...events);
      else await log.record(tx, events);
    };
    const projectId = cause.projectId;
    const now = clock.now();
    const events: CausedEvent[] = [];
    // A new order's metadata always (a schema may require keys); a changed one's when the change sends metadata.
    if (!current || input.metadata !== undefined) await deps.checkMetadata?.(projectId, input.metadata === undefined ? (current?.metadata ?? {}) : (input.metadata ?? {}), tx);
    const customer = await party(tx, cause, input.customer, input.customer_id, 'customer', events, known);
    // Both sent: they must name the same customer (which one wins would be a guess).
    if (input.customer !== undefined && typeof input.customer_id === 'string' && customer?.id !== input.customer_id) {
      throw invalidOrder(`Property .customer names customer ${customer?.id}, and .customer_id another (${input.customer_id})`);
    }
    const referrer = await party(tx, cause, input.referrer, input.referrer_id, 'referrer', events);
    const items =
      input.items === undefined ? (kept ?? current?.items ?? []) : deps.items ? await deps.items(tx, projectId, input.items, deferred?.catalog) : input.items.map(plainItem);
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
    // A new order without a source_id (no other request can name it) is inserted, and added to its customer's
    // summary, with the caller's writes; one with a source_id now, so that a later order of the same batch with that
    // source_id finds it (and recounts the summary with it).
    const later = !current && row.source_id === null && deferred?.writes && deferred.summaries ? { writes: deferred.writes, summaries: deferred.summaries } : undefined;
    if (later) later.writes.push(sql.orderInsert(row));
    else if (!current) {
      if (!(await sql.insertOrder(tx, row))) throw retryTransaction(`An order with source_id ${row.source_id} was created concurrently`);
    } else {
      if (redemptions === undefined && compared.every((k) => isDeepStrictEqual(current[k], row[k]))) {
        if (silent) for (const e of events) silent.add(mark(e));
        else await recordAll(events);
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
    if (!current) {
      // A new order: only a paid one counts, added to its customer's summary (no recount of their orders).
      if (row.customer_id && counted.has(row.status)) {
        const add = { projectId, customerId: row.customer_id, total_amount: row.total_amount, created_at: row.created_at };
        if (later) later.summaries.push(add);
        else await sql.addToSummaries(tx, [add]);
      }
    } else if (affected.length > 0) {
      await sql.lockCustomers(tx, projectId, affected);
      for (const id of affected) await sql.refreshSummary(tx, projectId, id);
    }
    if (silent) {
      // An import records nothing; the caller re-evaluates segments for the customers it touched.
      for (const id of [...affected, ...events.map(mark)]) silent.add(id);
      return row;
    }
    events.push(...(await orderEvents(tx, cause, current, row, customer ?? undefined, referrer ?? undefined)));
    await recordAll(events);
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

  /** The order a create names, locked: by `id` (which must exist) or by `source_id` (new when none has it). */
  async function existing(tx: Executor, projectId: string, input: OrderInput): Promise<OrderRow | undefined> {
    if (input.id !== undefined) {
      const found = await sql.selectById(tx, projectId, input.id, true);
      if (!found) throw notFound('order', input.id);
      return found;
    }
    return typeof input.source_id === 'string' ? sql.selectBySourceId(tx, projectId, input.source_id, true) : undefined;
  }

  /** POST /v1/orders: creates, or updates the order with the sent `id` (which must exist) or `source_id`. */
  async function create(cause: Cause, input: OrderInput): Promise<OrderRow> {
    return db.transaction(async (tx) => write(tx, cause, await existing(tx, cause.projectId, input), input));
  }

  /**
   * In the caller's transaction (redemptions): creates the order, or updates the one with the sent id or source_id,
   * adding `redemptions` (by parent redemption id) to the order's.
   */
  /**
   * Upserts in the caller's transaction; with `deferred`, its events are handed to the caller to record with its
   * own; `known` is a customer the caller read in this transaction (not read again when the order names it);
   * `itemDiscounts`, when no items are sent, the discounts of the stored lines now (the caller's stack's, by line,
   * replacing what earlier writes put on them).
   */
  async function upsertIn(tx: Executor, cause: Cause, input: OrderInput, redemptions?: Record<string, unknown>, deferred?: Deferred, known?: CustomerRow, itemDiscounts?: readonly number[]): Promise<OrderRow> {
    const current = await existing(tx, cause.projectId, input);
    const kept = itemDiscounts && input.items === undefined && current ? current.items.map((item, i) => withDiscount(item, itemDiscounts[i] ?? 0)) : undefined;
    return write(tx, cause, current, { ...input, id: undefined }, undefined, redemptions, deferred, known, kept);
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

  /** A customer an import touched: `+` marks one it created (its segments are all evaluated). */
  const mark = (e: CausedEvent) => `${e.event.type === 'customer.created' ? '+' : ''}${e.event.customerId}`;

  /**
   * POST /v1/orders/import: historical orders, each upserted as POST /v1/orders would (a failing one is reported, the
   * others go on) but recording no order events, webhooks or distributions, as Voucherify's import. Customers' order
   * summaries are recomputed and their segments re-evaluated (entering and leaving segments is recorded, and
   * triggers what it triggers). The outcome is kept as a finished async action.
   */
  async function importMany(cause: Cause, inputs: OrderInput[]): Promise<{ async_action_id: string }> {
    const imp = deps.import;
    if (!imp) throw invalidPayload('Order imports are not available in this composition');
    const id = newId('aa');
    await db.transaction(async (tx) => {
      const touched = new Set<string>();
      const failed: Array<{ index: number; source_id: string | null; reason: string }> = [];
      let done = 0;
      for (const [index, input] of inputs.entries()) {
        const mine = new Set<string>();
        try {
          // Each order in a savepoint of its own: one that fails leaves the others' writes alone.
          await tx.query('SAVEPOINT order_import');
          let current: OrderRow | undefined;
          if (input.id !== undefined) {
            current = await sql.selectById(tx, cause.projectId, input.id, true);
            if (!current) throw notFound('order', input.id);
          } else if (typeof input.source_id === 'string') current = await sql.selectBySourceId(tx, cause.projectId, input.source_id, true);
          await write(tx, cause, current, input, mine);
          await tx.query('RELEASE SAVEPOINT order_import');
          for (const c of mine) touched.add(c);
          done++;
        } catch (err) {
          // A value of this order the database refuses is the order's failure; any other error (a lost connection,
          // a conflict to run again) fails the whole import.
          if (!(err instanceof TesseraError) && !isDataException(err)) throw err;
          await tx.query('ROLLBACK TO SAVEPOINT order_import');
          const reason = err instanceof TesseraError ? (err.details ?? err.message) : `The order has a value that cannot be stored: ${(err as Error).message}`;
          failed.push({ index, source_id: input.source_id ?? null, reason });
        }
      }
      const internal: Cause = { ...cause, source: { channel: 'INTERNAL' } };
      const created = [...touched].filter((k) => k.startsWith('+')).map((k) => k.slice(1));
      const ids = [...new Set([...touched].map((k) => k.replace(/^\+/, '')))];
      const rows = created.length > 0 ? await customers.byIds(tx, cause.projectId, created) : [];
      const entries: CausedEvent[] = [
        ...rows.map((c) => ({ cause: internal, event: { type: 'customer.created', customerId: c.id, data: { customer: customerObject(c) } } })),
        ...ids.map((customerId) => ({ cause: internal, event: { type: 'customer.order.updated', customerId, data: {} } })),
      ];
      if (entries.length > 0) {
        const derived = await imp.segments.onEvents(tx, entries);
        for (const w of derived.writes ?? []) await tx.query(w.text(1), w.params);
        await log.record(tx, derived.events);
      }
      await imp.recordAction(tx, cause, { id, target: inputs.length, done, result: { message: `${done} orders imported, ${failed.length} failed`, done_count: done, failed_count: failed.length, failed } });
    });
    return { async_action_id: id };
  }

  /** Reads the products and SKUs of several orders' items into `catalog` at once (a batch of redemptions). */
  async function lookupItems(tx: Executor, projectId: string, items: OrderItemInput[], catalog: ItemCatalog): Promise<void> {
    if (items.length > 0) await deps.items?.lookup?.(tx, projectId, items, catalog);
  }

  /**
   * Items as a validation sees them: an item without a price or amount that names a product or SKU gets the catalog's
   * price (read without storing anything: `override` refs are not written here). Items that bring their prices are
   * not looked up.
   */
  async function priceItems(tx: Executor, projectId: string, items: OrderItemInput[], catalog?: ItemCatalog) {
    const unpriced = (i: OrderItemInput) => i.price === undefined && i.amount === undefined && [i.source_id, i.product_id, i.sku_id, i.product, i.sku].some((x) => x !== undefined);
    if (!deps.items || !items.some(unpriced)) return items.map(plainItem);
    const readOnly = (r: OrderItemInput['product']) => (r ? { ...r, override: false } : undefined);
    return deps.items(tx, projectId, items.map((i) => ({ ...i, product: readOnly(i.product), sku: readOnly(i.sku) })), catalog);
  }

  return { create, update, upsertIn, lookupItems, priceItems, addToSummaries: (tx: Executor, adds: readonly sql.SummaryAdd[]) => sql.addToSummaries(tx, adds), get, list, importMany, find: (tx: Executor, projectId: string, key: string) => sql.selectOrder(tx, projectId, key) };
}

export type OrdersService = ReturnType<typeof createOrdersService>;

import type { Executor, Statement } from '../../store/db.js';
import type { OrderRow } from './types.js';

// Amounts are bigint columns, read as float8: exact up to 2^53, and a number on both drivers.
const columns = `id, project_id, source_id, status, amount::float8 AS amount, initial_amount::float8 AS initial_amount,
  discount_amount::float8 AS discount_amount, items_discount_amount::float8 AS items_discount_amount,
  total_discount_amount::float8 AS total_discount_amount, total_amount::float8 AS total_amount, items, metadata,
  redemptions, customer_id, referrer_id, created_at, updated_at`;

/** By id or, failing that, by source_id (the SDK's update names an order by either); `lock` takes it FOR UPDATE. */
export async function selectOrder(db: Executor, projectId: string, key: string, lock = false): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${columns} FROM orders WHERE project_id = $1 AND (id = $2 OR source_id = $2)
      ORDER BY (id = $2) DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [projectId, key],
  );
  return rows[0];
}

export async function selectById(db: Executor, projectId: string, id: string, lock = false): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(`SELECT ${columns} FROM orders WHERE project_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [projectId, id]);
  return rows[0];
}

export async function selectBySourceId(db: Executor, projectId: string, sourceId: string, lock = false): Promise<OrderRow | undefined> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${columns} FROM orders WHERE project_id = $1 AND source_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [projectId, sourceId],
  );
  return rows[0];
}

const values = (o: OrderRow) => [
  o.id,
  o.project_id,
  o.source_id,
  o.status,
  o.amount,
  o.initial_amount,
  o.discount_amount,
  o.items_discount_amount,
  o.total_discount_amount,
  o.total_amount,
  JSON.stringify(o.items),
  JSON.stringify(o.metadata),
  JSON.stringify(o.redemptions),
  o.customer_id,
  o.referrer_id,
  o.created_at,
  o.updated_at,
];

const insertText = (first: number) => {
  const n = Array.from({ length: 17 }, (_, i) => `$${first + i}`);
  for (const i of [10, 11, 12]) n[i] += '::jsonb';
  return `INSERT INTO orders (id, project_id, source_id, status, amount, initial_amount, discount_amount, items_discount_amount,
       total_discount_amount, total_amount, items, metadata, redemptions, customer_id, referrer_id, created_at, updated_at)
     VALUES (${n.join(', ')})
     ON CONFLICT (project_id, source_id) DO NOTHING`;
};

/** Inserts an order; false when its source_id was taken meanwhile (the caller runs its transaction again). */
export async function insertOrder(db: Executor, o: OrderRow): Promise<boolean> {
  const { rowCount } = await db.query(insertText(1), values(o));
  return rowCount === 1;
}

/** The insert of an order without a source_id (nothing to conflict with), for the caller to run with its own writes. */
export function orderInsert(o: OrderRow): Statement {
  return { text: insertText, params: values(o) };
}

export async function updateOrder(db: Executor, o: OrderRow): Promise<void> {
  await db.query(
    `UPDATE orders SET source_id = $3, status = $4, amount = $5, initial_amount = $6, discount_amount = $7,
       items_discount_amount = $8, total_discount_amount = $9, total_amount = $10, items = $11::jsonb, metadata = $12::jsonb,
       redemptions = $13::jsonb, customer_id = $14, referrer_id = $15, created_at = $16, updated_at = $17
     WHERE id = $1 AND project_id = $2`,
    values(o),
  );
}

export interface ListPage {
  column: 'created_at' | 'updated_at';
  ascending: boolean;
  offset: number;
  limit: number;
}

/** One page (limit + 1 rows, to tell whether more follow). */
export async function selectPage(db: Executor, projectId: string, p: ListPage): Promise<OrderRow[]> {
  const dir = p.ascending ? 'ASC' : 'DESC';
  // Never-updated orders sort by their creation time among updated ones.
  const key = p.column === 'updated_at' ? 'COALESCE(updated_at, created_at)' : 'created_at';
  const { rows } = await db.query<OrderRow>(
    `SELECT ${columns} FROM orders WHERE project_id = $1 ORDER BY ${key} ${dir}, id ${dir} OFFSET $2 LIMIT $3`,
    [projectId, p.offset, p.limit + 1],
  );
  return rows;
}

export async function countOrders(db: Executor, projectId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE project_id = $1', [projectId]);
  return rows[0]!.n;
}

/** Locks customers FOR UPDATE in id order: their order summaries are about to be recomputed. */
export async function lockCustomers(db: Executor, projectId: string, ids: string[]): Promise<void> {
  await db.query(
    `SELECT id FROM customers WHERE project_id = $1 AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
      ORDER BY id FOR UPDATE`,
    [projectId, JSON.stringify([...ids].sort())],
  );
}

/**
 * Adds a new PAID or FULFILLED order to its customer's summary, in one statement: the row lock it takes orders
 * concurrent additions, and each reads the summary the one before it left. The last order is the latest by creation
 * time (a new order's id sorts after older ones, as the recomputation breaks ties).
 */
/** A new paid order of a customer, to add to their order summary. */
export interface SummaryAdd {
  projectId: string;
  customerId: string;
  total_amount: number | null;
  created_at: Date;
}

/**
 * Adds new paid orders to their customers' order summaries in one statement (no recount of their orders): per
 * customer the amounts and count are summed and the latest order is the last one.
 */
export async function addToSummaries(db: Executor, adds: readonly SummaryAdd[]): Promise<void> {
  if (adds.length === 0) return;
  const per = new Map<string, { project_id: string; id: string; total: number; n: number; last_amount: number; last_date: string }>();
  for (const a of adds) {
    const key = `${a.projectId}\u0000${a.customerId}`;
    const amount = a.total_amount ?? 0;
    const date = a.created_at.toISOString();
    const p = per.get(key);
    if (!p) per.set(key, { project_id: a.projectId, id: a.customerId, total: amount, n: 1, last_amount: amount, last_date: date });
    else {
      p.total += amount;
      p.n += 1;
      if (Date.parse(date) >= Date.parse(p.last_date)) Object.assign(p, { last_amount: amount, last_date: date });
    }
  }
  await db.query(
    `UPDATE customers c SET order_summary = CASE
        WHEN c.order_summary IS NULL THEN jsonb_build_object('total_amount', a.total, 'total_count', a.n, 'last_order_amount', a.last_amount, 'last_order_date', a.last_date)
        ELSE jsonb_build_object(
          'total_amount', (c.order_summary ->> 'total_amount')::numeric + a.total,
          'total_count', (c.order_summary ->> 'total_count')::bigint + a.n,
          'last_order_amount', CASE WHEN a.last_date::timestamptz >= (c.order_summary ->> 'last_order_date')::timestamptz THEN a.last_amount ELSE (c.order_summary ->> 'last_order_amount')::numeric END,
          'last_order_date', CASE WHEN a.last_date::timestamptz >= (c.order_summary ->> 'last_order_date')::timestamptz THEN a.last_date ELSE c.order_summary ->> 'last_order_date' END)
        END
      FROM jsonb_to_recordset($1::jsonb) AS a(project_id text, id text, total numeric, n bigint, last_amount numeric, last_date text)
      WHERE c.project_id = a.project_id AND c.id = a.id`,
    [JSON.stringify([...per.values()])],
  );
}

/**
 * Recomputes a customer's order summary from its PAID and FULFILLED orders (the last one by creation time). Run
 * after lockCustomers, as a statement of its own: it then sees every order committed before the lock was granted.
 */
export async function refreshSummary(db: Executor, projectId: string, customerId: string): Promise<void> {
  await db.query(
    `UPDATE customers SET order_summary = (
       SELECT CASE WHEN count(*) = 0 THEN NULL ELSE jsonb_build_object(
         'total_amount', COALESCE(sum(COALESCE(total_amount, 0)), 0),
         'total_count', count(*),
         'last_order_amount', COALESCE((array_agg(COALESCE(total_amount, 0) ORDER BY created_at DESC, id DESC))[1], 0),
         'last_order_date', to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END
         FROM orders WHERE project_id = $1 AND customer_id = $2 AND status IN ('PAID', 'FULFILLED'))
     WHERE project_id = $1 AND id = $2`,
    [projectId, customerId],
  );
}

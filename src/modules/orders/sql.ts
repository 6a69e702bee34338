import type { Executor } from '../../store/db.js';
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

/** Inserts an order; false when its source_id was taken meanwhile (the caller runs its transaction again). */
export async function insertOrder(db: Executor, o: OrderRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO orders (id, project_id, source_id, status, amount, initial_amount, discount_amount, items_discount_amount,
       total_discount_amount, total_amount, items, metadata, redemptions, customer_id, referrer_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb, $14, $15, $16, $17)
     ON CONFLICT (project_id, source_id) DO NOTHING`,
    values(o),
  );
  return rowCount === 1;
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
export async function addToSummary(db: Executor, projectId: string, customerId: string, o: { total_amount: number | null; created_at: Date }): Promise<void> {
  await db.query(
    `UPDATE customers SET order_summary = CASE
        WHEN order_summary IS NULL THEN jsonb_build_object('total_amount', $3::numeric, 'total_count', 1, 'last_order_amount', $3::numeric, 'last_order_date', $4::text)
        ELSE jsonb_build_object(
          'total_amount', (order_summary ->> 'total_amount')::numeric + $3::numeric,
          'total_count', (order_summary ->> 'total_count')::bigint + 1,
          'last_order_amount', CASE WHEN $4::timestamptz >= (order_summary ->> 'last_order_date')::timestamptz THEN $3::numeric ELSE (order_summary ->> 'last_order_amount')::numeric END,
          'last_order_date', CASE WHEN $4::timestamptz >= (order_summary ->> 'last_order_date')::timestamptz THEN $4::text ELSE order_summary ->> 'last_order_date' END)
        END
      WHERE project_id = $1 AND id = $2`,
    [projectId, customerId, o.total_amount ?? 0, o.created_at.toISOString()],
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

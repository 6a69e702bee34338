import type { Executor } from '../../store/db.js';
import type { CustomerRow } from './types.js';

/** What inserts write; reads also take the order summary, which only the orders module writes. */
const writeColumns =
  'id, project_id, source_id, name, description, email, phone, birthdate, address, metadata, system_metadata, created_at, updated_at';
const columns = `${writeColumns}, order_summary, redemption_summary`;

export async function selectById(db: Executor, projectId: string, id: string, lock = false): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${columns} FROM customers WHERE project_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
    [projectId, id],
  );
  return rows[0];
}

export async function selectBySourceId(
  db: Executor,
  projectId: string,
  sourceId: string,
  lock = false,
): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${columns} FROM customers WHERE project_id = $1 AND source_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [projectId, sourceId],
  );
  return rows[0];
}

/** By id or, failing that, by source_id: the `{customerId}` of Voucherify's routes accepts both. */
export async function selectByIdOrSourceId(
  db: Executor,
  projectId: string,
  key: string,
  lock = false,
): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${columns} FROM customers WHERE project_id = $1 AND (id = $2 OR source_id = $2)
      ORDER BY (id = $2) DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [projectId, key],
  );
  return rows[0];
}

export interface CustomerKey {
  projectId: string;
  key: string;
}

/**
 * Groups keys by project, projects in a fixed order: each lookup is one index scan per project (`= ANY` of an
 * array, never a hash join), and concurrent batches lock in the same order.
 */
function byProject(keys: CustomerKey[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { projectId, key } of [...keys].sort((a, b) => a.projectId.localeCompare(b.projectId))) {
    out.set(projectId, [...(out.get(projectId) ?? []), key]);
  }
  return out;
}

async function lockWhere(db: Executor, column: 'id' | 'source_id', keys: CustomerKey[]): Promise<CustomerRow[]> {
  const out: CustomerRow[] = [];
  for (const [projectId, values] of byProject(keys)) {
    const { rows } = await db.query<CustomerRow>(
      `SELECT ${columns} FROM customers
        WHERE project_id = $1 AND ${column} = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
        ORDER BY id FOR UPDATE`,
      [projectId, JSON.stringify(values)],
    );
    out.push(...rows);
  }
  return out;
}

/** Locks and returns the customers with these (project, source_id) pairs, in id order (so batches never deadlock). */
export function lockBySourceIds(db: Executor, keys: CustomerKey[]): Promise<CustomerRow[]> {
  return lockWhere(db, 'source_id', keys);
}

/** Locks and returns the customers with these (project, id) pairs, in id order. */
export function lockByIds(db: Executor, keys: CustomerKey[]): Promise<CustomerRow[]> {
  return lockWhere(db, 'id', keys);
}

function asJson(c: CustomerRow) {
  return { ...c, created_at: c.created_at.toISOString(), updated_at: c.updated_at ? c.updated_at.toISOString() : null };
}

const recordColumns = `id text, project_id text, source_id text, name text, description text, email text, phone text,
  birthdate text, address jsonb, metadata jsonb, system_metadata jsonb, created_at timestamptz, updated_at timestamptz`;

/**
 * Inserts customers in one statement, in (project, source_id) order; one whose source_id exists meanwhile is
 * skipped. Returns the ids inserted.
 */
export async function insertMany(db: Executor, rows: CustomerRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const sorted = [...rows].sort((a, b) => `${a.project_id} ${a.source_id}`.localeCompare(`${b.project_id} ${b.source_id}`));
  const { rows: inserted } = await db.query<{ id: string }>(
    `INSERT INTO customers (${writeColumns})
     SELECT ${writeColumns} FROM jsonb_to_recordset($1::jsonb) AS r(${recordColumns})
     ON CONFLICT (project_id, source_id) DO NOTHING RETURNING id`,
    [JSON.stringify(sorted.map(asJson))],
    // An insert from a parameter: one plan, nothing to choose.
    { prepare: true },
  );
  return new Set(inserted.map((r) => r.id));
}

/** Writes the attributes of many customers in one statement. */
export async function updateMany(db: Executor, rows: CustomerRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE customers c SET source_id = r.source_id, name = r.name, description = r.description, email = r.email,
       phone = r.phone, birthdate = r.birthdate, address = r.address, metadata = r.metadata,
       system_metadata = r.system_metadata, updated_at = r.updated_at
       FROM jsonb_to_recordset($1::jsonb) AS r(${recordColumns})
      WHERE c.id = r.id AND c.project_id = r.project_id
        AND c.id = ANY (ARRAY(SELECT x->>'id' FROM jsonb_array_elements($1::jsonb) AS x))`,
    [JSON.stringify(rows.map(asJson))],
  );
}

export async function updateRow(db: Executor, c: CustomerRow): Promise<void> {
  await updateMany(db, [c]);
}

export async function deleteRow(db: Executor, projectId: string, id: string): Promise<void> {
  await db.query('DELETE FROM customers WHERE project_id = $1 AND id = $2', [projectId, id]);
}

export interface ListFilter {
  projectId: string;
  email?: string;
  name?: string;
  city?: string;
  createdBefore?: Date;
  createdAfter?: Date;
  updatedBefore?: Date;
  updatedAfter?: Date;
  /** Restricts to these ids (segment membership, once segments exist). */
  ids?: string[];
}

export interface ListPage {
  column: 'created_at' | 'updated_at' | 'source_id';
  ascending: boolean;
  startingAfter?: Date;
  offset: number;
  limit: number;
}

function whereOf(f: ListFilter, params: unknown[]): string {
  const where = ['project_id = $1'];
  params.push(f.projectId);
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.email !== undefined) add((p) => `lower(email) = lower(${p})`, f.email);
  if (f.name !== undefined) add((p) => `name = ${p}`, f.name);
  if (f.city !== undefined) add((p) => `address ->> 'city' = ${p}`, f.city);
  if (f.createdBefore) add((p) => `created_at < ${p}`, f.createdBefore);
  if (f.createdAfter) add((p) => `created_at > ${p}`, f.createdAfter);
  if (f.updatedBefore) add((p) => `updated_at < ${p}`, f.updatedBefore);
  if (f.updatedAfter) add((p) => `updated_at > ${p}`, f.updatedAfter);
  if (f.ids) add((p) => `id IN (SELECT jsonb_array_elements_text(${p}::jsonb))`, JSON.stringify(f.ids));
  return where.join(' AND ');
}

export async function countCustomers(db: Executor, f: ListFilter): Promise<number> {
  const params: unknown[] = [];
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE ${whereOf(f, params)}`, params);
  return rows[0]?.n ?? 0;
}

/** One page; fetches limit + 1 rows so the caller can tell whether more follow. */
export async function selectPage(db: Executor, f: ListFilter, page: ListPage): Promise<CustomerRow[]> {
  const params: unknown[] = [];
  let where = whereOf(f, params);
  if (page.startingAfter) {
    params.push(page.startingAfter);
    where += ` AND created_at ${page.ascending ? '>' : '<'} $${params.length}`;
  }
  const dir = page.ascending ? 'ASC' : 'DESC';
  const nulls = page.column === 'created_at' ? '' : page.ascending ? ' NULLS FIRST' : ' NULLS LAST';
  params.push(page.limit + 1, page.offset);
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${columns} FROM customers WHERE ${where}
      ORDER BY ${page.column} ${dir}${nulls}, id ${dir} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return rows;
}

/** How a read of customers locks them: FOR SHARE (waiting for writers), or FOR SHARE SKIP LOCKED (leaving them out). */
export type ShareLock = 'share' | 'share-skip';

/** Customers by id, for readers such as segment evaluation: unlocked, or locked as `lock` says. */
export async function selectByIds(db: Executor, projectId: string, ids: string[], lock?: ShareLock): Promise<CustomerRow[]> {
  if (ids.length === 0) return [];
  const clause = lock === 'share' ? ' ORDER BY id FOR SHARE' : lock === 'share-skip' ? ' ORDER BY id FOR SHARE SKIP LOCKED' : '';
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${columns} FROM customers WHERE project_id = $1 AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))${clause}`,
    [projectId, JSON.stringify(ids)],
  );
  return rows;
}

/** Customers matching these ids or source_ids, unlocked (a key matching one customer's id and another's source_id gives both). */
export async function selectByKeys(db: Executor, projectId: string, keys: string[]): Promise<CustomerRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<CustomerRow>(
    `SELECT ${columns} FROM customers WHERE project_id = $1
        AND (id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) OR source_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))))`,
    [projectId, JSON.stringify(keys)],
  );
  return rows;
}

/** Ids of customers matching these ids or source_ids. */
export async function resolveKeys(db: Executor, projectId: string, keys: string[]): Promise<Array<{ id: string; source_id: string | null }>> {
  const { rows } = await db.query<{ id: string; source_id: string | null }>(
    `SELECT id, source_id FROM customers WHERE project_id = $1
        AND (id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) OR source_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))))`,
    [projectId, JSON.stringify(keys)],
  );
  return rows;
}

/** A page of customer ids in id order, after `after` (for background passes over every customer). */
export async function idsAfter(db: Executor, projectId: string, after: string | null, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM customers WHERE project_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3',
    [projectId, after, limit],
  );
  return rows.map((r) => r.id);
}

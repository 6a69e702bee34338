import type { Executor } from '../../store/db.js';
import type { CustomerRow } from './types.js';

const columns =
  'id, project_id, source_id, name, description, email, phone, birthdate, address, metadata, system_metadata, created_at, updated_at';

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

const insertSql = `INSERT INTO customers (${columns})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb, $12, $13)`;

function values(c: CustomerRow): unknown[] {
  return [
    c.id,
    c.project_id,
    c.source_id,
    c.name,
    c.description,
    c.email,
    c.phone,
    c.birthdate,
    c.address === null ? null : JSON.stringify(c.address),
    JSON.stringify(c.metadata),
    JSON.stringify(c.system_metadata),
    c.created_at,
    c.updated_at,
  ];
}

/** Inserts unless a customer with the same source_id exists; returns false when one did. */
export async function insertIfAbsent(db: Executor, c: CustomerRow): Promise<boolean> {
  const { rows } = await db.query(
    `${insertSql} ON CONFLICT (project_id, source_id) DO NOTHING RETURNING id`,
    values(c),
  );
  return rows.length > 0;
}

export async function updateRow(db: Executor, c: CustomerRow): Promise<void> {
  await db.query(
    `UPDATE customers SET source_id = $3, name = $4, description = $5, email = $6, phone = $7, birthdate = $8,
       address = $9::jsonb, metadata = $10::jsonb, system_metadata = $11::jsonb, updated_at = $12
     WHERE id = $1 AND project_id = $2`,
    [...values(c).slice(0, 11), c.updated_at],
  );
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
    const col = page.column === 'source_id' ? 'created_at' : page.column;
    where += ` AND ${col} ${page.ascending ? '>' : '<'} $${params.length}`;
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

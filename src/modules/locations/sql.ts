import type { ValueFilter } from '../../core/list-filters.js';
import type { Executor } from '../../store/db.js';
import { filterConditions } from '../../store/list-filters.js';
import type { LocationRow } from './types.js';

const columns = 'id, project_id, name, shape, created_at, updated_at';

export async function insertLocation(db: Executor, l: LocationRow): Promise<void> {
  await db.query(`INSERT INTO locations (${columns}) VALUES ($1, $2, $3, $4::jsonb, $5, $6)`, [l.id, l.project_id, l.name, JSON.stringify(l.shape), l.created_at, l.updated_at]);
}

export async function selectLocation(db: Executor, projectId: string, id: string): Promise<LocationRow | undefined> {
  const { rows } = await db.query<LocationRow>(`SELECT ${columns} FROM locations WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function selectLocations(db: Executor, projectId: string, ids: string[], lock?: 'share'): Promise<LocationRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<LocationRow>(`SELECT ${columns} FROM locations WHERE project_id = $1 AND id = ANY ($2::text[]) ORDER BY id${lock ? ' FOR SHARE' : ''}`, [projectId, ids]);
  return rows;
}

/** Undefined when there is no such location. */
export async function updateLocation(db: Executor, l: Pick<LocationRow, 'id' | 'project_id' | 'name' | 'shape' | 'updated_at'>): Promise<LocationRow | undefined> {
  const { rows } = await db.query<LocationRow>(
    `UPDATE locations SET name = $3, shape = $4::jsonb, updated_at = $5 WHERE project_id = $1 AND id = $2 RETURNING ${columns}`,
    [l.project_id, l.id, l.name, JSON.stringify(l.shape), l.updated_at],
  );
  return rows[0];
}

/** Locks the location for its deletion (a rule being saved with it holds it shared until it commits). */
export async function lockLocation(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT id FROM locations WHERE project_id = $1 AND id = $2 FOR UPDATE', [projectId, id]);
  return rows.length > 0;
}

export async function deleteLocation(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM locations WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

export interface LocationFilter {
  name?: ValueFilter;
  created_at?: { after?: string; before?: string };
  updated_at?: { after?: string; before?: string };
}

/** A page (limit + 1 rows, to tell whether more follow) in the asked order, and how many match. */
export async function selectPage(db: Executor, projectId: string, q: { limit: number; column: 'created_at' | 'updated_at'; descending: boolean; filter: LocationFilter }): Promise<{ rows: LocationRow[]; total: number }> {
  const params: unknown[] = [projectId];
  const param = (v: unknown) => `$${params.push(v)}`;
  const where = ['project_id = $1', ...filterConditions({ name: 'name' }, { name: q.filter.name }, param)];
  for (const column of ['created_at', 'updated_at'] as const) {
    const range = q.filter[column];
    if (range?.after !== undefined) where.push(`${column} > ${param(range.after)}::timestamptz`);
    if (range?.before !== undefined) where.push(`${column} < ${param(range.before)}::timestamptz`);
  }
  const counted = [...params];
  const dir = q.descending ? 'DESC' : 'ASC';
  // Never updated sorts with the oldest (NULLS FIRST ascending, last descending).
  const order = q.column === 'updated_at' ? `updated_at ${dir} NULLS ${q.descending ? 'LAST' : 'FIRST'}, id ${dir}` : `created_at ${dir}, id ${dir}`;
  const page = await db.query<LocationRow>(`SELECT ${columns} FROM locations WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${param(q.limit + 1)}`, params);
  const count = await db.query<{ n: string }>(`SELECT count(*) AS n FROM locations WHERE ${where.join(' AND ')}`, counted);
  return { rows: page.rows, total: Number(count.rows[0]?.n ?? 0) };
}

import type { ValueFilter } from '../../core/list-filters.js';
import type { Executor } from '../../store/db.js';
import { filterConditions } from '../../store/list-filters.js';
import type { BinEntryRow } from './types.js';

/** A foreign key whose rows go with their parent's (ON DELETE CASCADE): child.column references parent.parentColumn. */
export interface CascadeEdge {
  child: string;
  column: string;
  columnType: string;
  parent: string;
  parentColumn: string;
}

/** Rows per stored chunk: a campaign of a million codes is kept in a thousand rows of the bin, not one. */
const chunkRows = 1000;

/** A table or column name from the catalog, quoted (only plain lower-case names are expected). */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier in the schema: ${name}`);
  return `"${name}"`;
}

/** A catalog name as a string literal (checked like an identifier, so it needs no escaping). */
function nameLiteral(name: string): string {
  ident(name);
  return `'${name}'`;
}

/** A column's type as the catalog names it (`text`, `timestamp with time zone`...), checked before it is written into SQL. */
function typeName(name: string): string {
  if (!/^[a-z][a-z0-9_ ]*(\(\d+(,\d+)?\))?(\[\])?$/.test(name)) throw new Error(`unexpected type in the schema: ${name}`);
  return name;
}

/**
 * The schema's single-column foreign keys that a delete follows, read from the catalog (so new tables are covered):
 * ON DELETE CASCADE (`cascade`: the rows that go with their parent), or ON DELETE SET NULL (`set null`: the columns
 * a delete empties, which a restore empties too when their row is gone).
 */
export async function selectCascadeEdges(db: Executor, action: 'cascade' | 'set null' = 'cascade'): Promise<CascadeEdge[]> {
  const { rows } = await db.query<CascadeEdge>(
    `SELECT c.conrelid::regclass::text AS child, ca.attname AS "column", format_type(ca.atttypid, ca.atttypmod) AS "columnType",
            c.confrelid::regclass::text AS parent, pa.attname AS "parentColumn"
       FROM pg_constraint c
       JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[1]
       JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND c.confdeltype = $1 AND cardinality(c.conkey) = 1
        AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
      ORDER BY 1, 2, 4`,
    [action === 'cascade' ? 'c' : 'n'],
  );
  return rows;
}

/**
 * The tables a delete of `root` cascades to, parents before children (the order to restore them in), each with the
 * edges from tables of the set that reach it.
 */
export function cascadePlan(root: string, edges: readonly CascadeEdge[]): Array<{ table: string; from: CascadeEdge[] }> {
  const reached = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of edges) {
      if (reached.has(e.parent) && !reached.has(e.child)) {
        reached.add(e.child);
        grew = true;
      }
    }
  }
  const into = (t: string) => edges.filter((e) => e.child === t && e.parent !== t && reached.has(e.parent));
  const plan: Array<{ table: string; from: CascadeEdge[] }> = [{ table: root, from: [] }];
  const placed = new Set([root]);
  while (placed.size < reached.size) {
    const next = [...reached].filter((t) => !placed.has(t)).sort().find((t) => into(t).every((e) => placed.has(e.parent)));
    if (next === undefined) throw new Error(`the foreign keys below ${root} form a cycle`);
    plan.push({ table: next, from: into(next) });
    placed.add(next);
  }
  return plan;
}

/**
 * Keeps the rows of one table of an entry: the resource's own row for the root, else the rows that reference rows
 * already kept for the entry (what the delete will cascade to). Returns how many rows were kept.
 */
export async function keepRows(db: Executor, entryId: string, ord: number, step: { table: string; from: CascadeEdge[] }, root?: { projectId: string; id: string }): Promise<number> {
  const params: unknown[] = [entryId, ord, step.table];
  const where = root
    ? `x.project_id = $${params.push(root.projectId)} AND x.id = $${params.push(root.id)}`
    : step.from
        .map((e) => `x.${ident(e.column)} IN (SELECT (r ->> ${nameLiteral(e.parentColumn)})::${typeName(e.columnType)} FROM trash_bin_rows b CROSS JOIN LATERAL jsonb_array_elements(b.rows) r
                                          WHERE b.entry_id = $1 AND b.table_name = ${nameLiteral(e.parent)})`)
        .join(' OR ');
  const { rows } = await db.query<{ n: string }>(
    `WITH kept AS (
       INSERT INTO trash_bin_rows (entry_id, ord, table_name, chunk, rows)
       SELECT $1, $2, $3, s.n / ${chunkRows}, jsonb_agg(s.j ORDER BY s.n)
         FROM (SELECT to_jsonb(x) AS j, row_number() OVER () - 1 AS n FROM ${ident(step.table)} x WHERE ${where}) s
        GROUP BY s.n / ${chunkRows}
       RETURNING jsonb_array_length(rows) AS n)
     SELECT coalesce(sum(n), 0)::text AS n FROM kept`,
    params,
  );
  return Number(rows[0]?.n ?? 0);
}

/** The tables an entry kept rows of, in the order they were kept (parents first). */
export async function selectKeptTables(db: Executor, entryId: string): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>('SELECT DISTINCT ord, table_name FROM trash_bin_rows WHERE entry_id = $1 ORDER BY ord', [entryId]);
  return rows.map((r) => r.table_name);
}

/**
 * Puts an entry's rows of one table back, as they were kept; a column whose foreign key is ON DELETE SET NULL
 * (`emptied`) comes back empty when the row it named is gone since (a campaign's deleted category), as the delete of
 * that row would have left it.
 */
export async function restoreRows(db: Executor, entryId: string, table: string, emptied: readonly CascadeEdge[] = []): Promise<void> {
  const t = ident(table);
  let row = 'e.r';
  for (const x of emptied.filter((x) => x.child === table)) {
    const col = nameLiteral(x.column);
    row = `CASE WHEN ${row} ->> ${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ident(x.parent)} g WHERE g.${ident(x.parentColumn)} = (${row} ->> ${col})::${typeName(x.columnType)})
                THEN ${row} || jsonb_build_object(${col}, NULL) ELSE ${row} END`;
  }
  await db.query(
    `INSERT INTO ${t} SELECT p.* FROM trash_bin_rows b CROSS JOIN LATERAL jsonb_array_elements(b.rows) WITH ORDINALITY AS e(r, n)
       CROSS JOIN LATERAL jsonb_populate_record(NULL::${t}, ${row}) p
      WHERE b.entry_id = $1 AND b.table_name = $2 ORDER BY b.chunk, e.n`,
    [entryId, table],
  );
}

const columns = 'id, project_id, resource_type, resource_id, resource_name, resource_parent_id, deleted_by_user_id, created_at';

export async function insertEntry(db: Executor, e: BinEntryRow): Promise<void> {
  await db.query(`INSERT INTO trash_bin (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    e.id, e.project_id, e.resource_type, e.resource_id, e.resource_name, e.resource_parent_id, e.deleted_by_user_id, e.created_at,
  ]);
}

export async function selectEntry(db: Executor, projectId: string, id: string, lock = false): Promise<BinEntryRow | undefined> {
  const { rows } = await db.query<BinEntryRow>(`SELECT ${columns} FROM trash_bin WHERE project_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [projectId, id]);
  return rows[0];
}

/** Deletes an entry and its kept rows. */
export async function deleteEntry(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM trash_bin WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** `filters[id|resource_id|resource_type|resource_name]` of the bin's list. */
export type BinFilter = Partial<Record<'id' | 'resource_id' | 'resource_type' | 'resource_name', ValueFilter>>;

/** A page by id (the cursor is the last id seen; limit + 1 rows, to tell whether more follow). */
export async function selectPage(db: Executor, projectId: string, q: { limit: number; descending: boolean; afterId?: string; filter: BinFilter }): Promise<BinEntryRow[]> {
  const params: unknown[] = [projectId];
  const param = (v: unknown) => `$${params.push(v)}`;
  const where = ['project_id = $1', ...filterConditions({ id: 'id', resource_id: 'resource_id', resource_type: 'resource_type', resource_name: 'resource_name' }, q.filter, param)];
  if (q.afterId !== undefined) where.push(`id ${q.descending ? '<' : '>'} ${param(q.afterId)}`);
  const { rows } = await db.query<BinEntryRow>(
    `SELECT ${columns} FROM trash_bin WHERE ${where.join(' AND ')} ORDER BY id ${q.descending ? 'DESC' : 'ASC'} LIMIT ${param(q.limit + 1)}`,
    params,
  );
  return rows;
}

/** Deletes up to `limit` of the oldest entries made before `cutoff` (their kept rows go with them); how many. */
export async function deleteOlderThan(db: Executor, cutoff: Date, limit: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `WITH del AS (DELETE FROM trash_bin WHERE id IN (SELECT id FROM trash_bin WHERE created_at < $1 ORDER BY created_at LIMIT $2) RETURNING 1)
     SELECT count(*)::int AS n FROM del`,
    [cutoff, limit],
  );
  return Number(rows[0]?.n ?? 0);
}

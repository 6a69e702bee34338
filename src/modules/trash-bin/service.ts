import type { Clock } from '../../core/clock.js';
import { TesseraError, notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import { valueFilters } from '../../core/list-filters.js';
import type { Db, Executor } from '../../store/db.js';
import * as sql from './sql.js';
import { binTables, type BinEntryRow, type BinListQuery, type Binned } from './types.js';
import { binEntryObject } from './view.js';

/** A table's rows as a person names them. */
const nouns: Record<string, string> = { vouchers: 'voucher', campaigns: 'campaign', products: 'product', skus: 'SKU', customers: 'customer', segments: 'segment', categories: 'category', validation_rules: 'validation rule', promotion_tiers: 'promotion tier', loyalty_tiers: 'loyalty tier', rewards: 'reward', locations: 'location', orders: 'order' };
const nounOf = (table: string | undefined) => (table ? (nouns[table] ?? table.replace(/s$/, '').replaceAll('_', ' ')) : 'resource');
// A code's unique key is its code_key (the code as the project compares it): named as the code.
const columnName = (c: string) => c.replace(/^\w+\((\w+)\)$/, '$1').replace(/^code_key$/, 'code').replace(/_id$/, ' ID').replaceAll('_', ' ');

/**
 * The key PostgreSQL names in a refusal's detail (`Key (project_id, code)=(proj_1, A-1) ...`), without the project:
 * its columns as words and its value (the rest of the values, which may hold commas).
 */
function keyOf(detail: string | undefined): { columns: string; value: string } | undefined {
  const m = /^Key \((.+?)\)=\((.*)\) (already exists|is not present)/s.exec(detail ?? '');
  if (!m) return undefined;
  let columns = m[1]!.split(', ');
  let value = m[2]!;
  if (columns[0] === 'project_id' && columns.length > 1) {
    columns = columns.slice(1);
    value = value.slice(value.indexOf(', ') + 2);
  }
  return { columns: columns.map(columnName).join(', '), value };
}

/** What a restore that PostgreSQL refused means to the caller (a 4xx naming what is in the way), else the error itself. */
function restoreRefused(err: unknown, e: BinEntryRow): unknown {
  const pg = err as { code?: string; table?: string; detail?: string };
  const what = `${e.resource_type} ${e.resource_name ?? e.resource_id}`;
  const key = keyOf(pg.detail);
  // Codes compare without case unless the project says otherwise: the key may hold the lower-cased code.
  if (key && e.resource_name?.toLowerCase() === key.value) key.value = e.resource_name;
  if (pg.code === '23505') {
    const taken = key ? `a ${nounOf(pg.table)} with ${key.columns} ${key.value} exists again` : 'what it holds is taken again';
    return new TesseraError('duplicate_found', `Cannot restore ${what}: ${taken} since its deletion; delete or rename that one first`, { resourceId: e.id, resourceType: 'bin_entry' });
  }
  if (pg.code === '23503') {
    const parent = /is not present in table "([^"]+)"/.exec(pg.detail ?? '')?.[1];
    const gone = key && parent ? `its ${nounOf(parent)} ${key.value} is gone` : 'a resource it belongs to is gone';
    return new TesseraError('not_found', `Cannot restore ${what}: ${gone}; restore that one first`, { resourceId: e.id, resourceType: 'bin_entry' });
  }
  return err;
}

/**
 * The bin: a delete without `force` keeps the rows it removes (the resource's and those of every table its delete
 * cascades to, found in the schema's foreign keys) in an entry, in the deleting transaction. An entry is listed,
 * deleted for good, or restored: its rows put back as they were, in one transaction.
 */
export function createTrashBin(deps: { db: Db; clock: Clock; changed?: (projectId: string) => Promise<void> | void }) {
  const { db, clock } = deps;
  // The schema changes only with migrations, which need a restart: the foreign keys are read once per process.
  let edges: sql.CascadeEdge[] | undefined;
  let emptied: sql.CascadeEdge[] | undefined;

  /** Keeps a resource and its dependents in a new entry; the caller deletes the resource after, in `tx`. */
  async function keep(tx: Executor, b: Binned): Promise<BinEntryRow> {
    edges ??= await sql.selectCascadeEdges(tx);
    const entry: BinEntryRow = {
      id: newSortableId('tbe', clock.now()),
      project_id: b.projectId,
      resource_type: b.type,
      resource_id: b.id,
      resource_name: b.name,
      resource_parent_id: b.parentId,
      deleted_by_user_id: b.userId ?? null,
      created_at: clock.now(),
    };
    await sql.insertEntry(tx, entry);
    const plan = sql.cascadePlan(binTables[b.type], edges);
    for (const [ord, step] of plan.entries()) await sql.keepRows(tx, entry.id, ord, step, ord === 0 ? { projectId: b.projectId, id: b.id } : undefined);
    return entry;
  }

  /** GET /v1/trash-bin: entries by id (oldest first unless `-id`), after a cursor, filtered. */
  async function list(projectId: string, q: BinListQuery) {
    const filter = valueFilters(q.filters, ['id', 'resource_id', 'resource_type', 'resource_name'], 'bin entries');
    const rows = await sql.selectPage(db, projectId, { limit: q.limit, descending: q.order === '-id', afterId: q.starting_after_id, filter });
    const shown = rows.slice(0, q.limit);
    const hasMore = rows.length > q.limit;
    return {
      object: 'list' as const,
      data_ref: 'data' as const,
      data: shown.map(binEntryObject),
      total: shown.length,
      has_more: hasMore,
      ...(hasMore ? { more_starting_after: shown.at(-1)!.id } : {}),
    };
  }

  async function get(projectId: string, id: string) {
    const e = await sql.selectEntry(db, projectId, id);
    if (!e) throw notFound('bin_entry', id);
    return binEntryObject(e);
  }

  /** DELETE /v1/trash-bin/{id}: the entry and the rows it kept, for good. */
  async function remove(projectId: string, id: string): Promise<void> {
    if (!(await sql.deleteEntry(db, projectId, id))) throw notFound('bin_entry', id);
  }

  /**
   * POST /v1/trash-bin/{id}/restore: the kept rows back in their tables, parents first, and the entry gone; nothing
   * changes when one of them cannot come back (its code or name taken again, its campaign or product gone).
   */
  async function restore(projectId: string, id: string) {
    const entry = await db.transaction(async (tx) => {
      const e = await sql.selectEntry(tx, projectId, id, true);
      if (!e) throw notFound('bin_entry', id);
      emptied ??= await sql.selectCascadeEdges(tx, 'set null');
      for (const table of await sql.selectKeptTables(tx, e.id)) {
        try {
          await sql.restoreRows(tx, e.id, table, emptied);
        } catch (err) {
          throw restoreRefused(err, e);
        }
      }
      await sql.deleteEntry(tx, projectId, e.id);
      return e;
    });
    // The per-process copies of campaigns and rules of the project are read again.
    await deps.changed?.(projectId);
    return binEntryObject(entry);
  }

  /** The retention job's step: entries older than `days` deleted for good, the oldest first. */
  const purge = (days: number, limit: number) => sql.deleteOlderThan(db, new Date(clock.now().getTime() - days * 86_400_000), limit);

  return { keep, list, get, remove, restore, purge };
}

export type TrashBin = ReturnType<typeof createTrashBin>;

import type { ValueFilter } from '../core/list-filters.js';

/**
 * The SQL conditions of a list's `filters[...]`: each field's column expression (from `columns`) is one of its `in`
 * values and none of its `notIn` values (a NULL passes `notIn`); a time column, after `after` and before `before`. `param` adds a parameter and gives its placeholder.
 */
export function filterConditions(columns: Readonly<Record<string, string>>, filters: Readonly<Record<string, ValueFilter | undefined>>, param: (v: unknown) => string): string[] {
  const out: string[] = [];
  for (const [field, f] of Object.entries(filters)) {
    const column = columns[field];
    if (!column || !f) continue;
    if (f.in) out.push(`${column} = ANY (${param(f.in)}::text[])`);
    if (f.notIn) out.push(`(${column} IS NULL OR NOT (${column} = ANY (${param(f.notIn)}::text[])))`);
    if (f.after) out.push(`${column} > ${param(f.after)}::timestamptz`);
    if (f.before) out.push(`${column} < ${param(f.before)}::timestamptz`);
  }
  return out;
}

/**
 * ORDER BY of a list's `order` (`created_at`, `updated_at`, `-` descending) on a table alias, ties broken by id; an
 * update time falls back to the creation time. `fallback` when no order is asked.
 */
export function timeOrder(order: string | undefined, alias: string, fallback: string): string {
  if (order === undefined) return fallback;
  const dir = order.startsWith('-') ? 'DESC' : 'ASC';
  const column = order.replace(/^-/, '') === 'updated_at' ? `COALESCE(${alias}.updated_at, ${alias}.created_at)` : `${alias}.created_at`;
  return `${column} ${dir}, ${alias}.id ${dir}`;
}

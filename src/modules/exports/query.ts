/**
 * An export's read as SQL: the object's rows of the project that existed when the export was asked for, the
 * filters' conditions, in the asked order after the last row written (keyset: the order value, then the id).
 */
import { isoInstant } from '../../core/time-range.js';
import { invalidPayload } from '../../core/errors.js';
import type { Column, Source } from './sources.js';
import type { Conditions, ExportFilters, ExportRow } from './types.js';

const casts = { text: 'text', time: 'timestamptz', number: 'numeric', bool: 'boolean' } as const;
const listOps: Record<string, string> = { $is: '= ANY', $in: '= ANY', $is_not: '<> ALL', $not_in: '<> ALL' };
const oneOps: Record<string, string> = { $after: '>', $more_than: '>', $more_than_equal: '>=', $before: '<', $less_than: '<', $less_than_equal: '<=' };
const nullOps: Record<string, string> = { $has_value: 'IS NOT NULL', $is_unknown: 'IS NULL' };
export const operators = [...Object.keys(listOps), ...Object.keys(oneOps), ...Object.keys(nullOps)];

/** How deep groups of conditions (`filters` within filters) may nest. */
const maxDepth = 3;

/** Refuses filters naming a field the object cannot filter on, an unknown operator or values of the wrong kind. */
export function checkFilters(source: Source, filters: ExportFilters | undefined, path = '.parameters.filters', depth = 1): void {
  if (!filters) return;
  for (const [field, f] of Object.entries(filters)) {
    if (field === 'junction') {
      if (typeof f !== 'string' || !['and', 'or'].includes(f.toLowerCase())) throw invalidPayload(`Property ${path}.junction must be and or or`);
      continue;
    }
    if (field === 'filters') {
      if (!f || typeof f !== 'object' || Array.isArray(f)) throw invalidPayload(`Property ${path}.filters must be a group of filters`);
      if (depth >= maxDepth) throw invalidPayload(`Property ${path}.filters: groups of filters nest ${maxDepth} deep at most`);
      checkFilters(source, f as ExportFilters, `${path}.filters`, depth + 1);
      continue;
    }
    const column = Object.hasOwn(source.filters, field) ? source.filters[field] : undefined;
    if (!column) throw invalidPayload(`Property ${path}.${field} is not a field this export can filter on; use one of ${Object.keys(source.filters).join(', ')}`);
    const conditions = (f as { conditions?: Conditions } | undefined)?.conditions;
    if (!conditions || typeof conditions !== 'object' || Object.keys(conditions).length === 0) throw invalidPayload(`Property ${path}.${field}.conditions must name at least one operator`);
    for (const [op, values] of Object.entries(conditions)) {
      if (!operators.includes(op)) throw invalidPayload(`Property ${path}.${field}.conditions.${op} is not an operator; use one of ${operators.join(', ')}`);
      if (op in nullOps) continue;
      const list = Array.isArray(values) ? values : [values];
      if (list.length === 0 || list.length > 1000) throw invalidPayload(`Property ${path}.${field}.conditions.${op} takes 1 to 1000 values`);
      for (const v of list) checkValue(column, v, `${path}.${field}.conditions.${op}`);
    }
  }
}

function checkValue(column: Column, v: unknown, where: string): void {
  const bad = () => invalidPayload(`Property ${where} holds ${JSON.stringify(v)}, not a ${column.type === 'time' ? 'date' : column.type === 'bool' ? 'boolean' : column.type === 'number' ? 'number' : 'text'}`);
  if (column.type === 'time' && isoInstant(v) === undefined) throw bad();
  if (column.type === 'number' && !(typeof v === 'number' && Number.isFinite(v))) throw bad();
  if (column.type === 'bool' && typeof v !== 'boolean') throw bad();
  if (column.type === 'text' && typeof v !== 'string') throw bad();
}

/** The SELECT of the next chunk: $1 project, $2 the export's time, then the filters' values, then the position. */
export function chunkQuery(source: Source, e: Pick<ExportRow, 'parameters' | 'position'>, limit: number): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length + 2}`;
  };
  // A group's conditions under its junction, in parentheses (a nested group is one condition of its parent).
  const group = (filters: ExportFilters): string | undefined => {
    const parts: string[] = [];
    for (const [field, f] of Object.entries(filters)) {
      if (field === 'junction' || !f || typeof f === 'string') continue;
      if (field === 'filters') {
        const nested = group(f as ExportFilters);
        if (nested) parts.push(nested);
        continue;
      }
      const column = source.filters[field]!;
      for (const [op, values] of Object.entries((f as { conditions: Conditions }).conditions)) {
        if (op in nullOps) parts.push(`${column.expr} ${nullOps[op]}`);
        else if (op in listOps) parts.push(`${column.expr} ${listOps[op]}(${p(Array.isArray(values) ? values : [values])}::${casts[column.type]}[])`);
        else parts.push(`${column.expr} ${oneOps[op]} ${p(Array.isArray(values) ? values[0] : values)}::${casts[column.type]}`);
      }
    }
    const junction = String(filters.junction ?? 'and').toLowerCase() === 'or' ? ' OR ' : ' AND ';
    return parts.length > 0 ? `(${parts.join(junction)})` : undefined;
  };
  const conditions = group(e.parameters.filters ?? {});
  const descending = e.parameters.order.startsWith('-');
  const order = source.orders[e.parameters.order.replace(/^-/, '')]!;
  const where = [`t.project_id = $1`, `${source.time} <= $2`];
  if (source.where) where.push(source.where);
  if (conditions) where.push(conditions);
  if (e.position) where.push(`(${order.expr}, t.id) ${descending ? '<' : '>'} (${p(e.position.value)}::${casts[order.type]}, ${p(e.position.id)})`);
  const dir = descending ? 'DESC' : 'ASC';
  return {
    text: `SELECT t.*, ${source.select ? `${source.select}, ` : ''}${order.expr} AS export_position FROM ${source.from}
            WHERE ${where.join(' AND ')} ORDER BY ${order.expr} ${dir}, t.id ${dir} LIMIT ${limit}`,
    params,
  };
}

import { invalidQueryParams } from './errors.js';

/** Values a listed field must be one of (`in`) and must not be (`notIn`); a time field, after and before (ISO). */
export interface ValueFilter {
  in?: string[];
  notIn?: string[];
  after?: string;
  before?: string;
}

/** `filters[<field>][conditions]` of a list endpoint, as its query string parses it. */
export type ListFilters = Record<string, { conditions?: Record<string, unknown> } | string | undefined>;

const asList = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String));

/**
 * `filters[<field>][conditions][$is|$in|$is_not|$not_in]` of one field, as a ValueFilter (undefined without
 * conditions). Other operators are 400 `invalid_query_params`, not ignored.
 */
export function valueFilter(filters: ListFilters | undefined, field: string): ValueFilter | undefined {
  const entry = filters?.[field];
  const c = typeof entry === 'object' ? entry.conditions : undefined;
  if (!c) return undefined;
  const other = Object.keys(c).find((op) => !['$is', '$in', '$is_not', '$not_in'].includes(op));
  if (other !== undefined) throw invalidQueryParams(`Query filters.${field}.conditions.${other} is not supported; use $is, $in, $is_not or $not_in`);
  const inList = [...asList(c.$in), ...asList(c.$is)];
  const notIn = [...asList(c.$not_in), ...asList(c.$is_not)];
  return { ...(inList.length > 0 ? { in: inList } : {}), ...(notIn.length > 0 ? { notIn } : {}) };
}

/**
 * Each of `fields` as a ValueFilter (see valueFilter); a field of `filters` not among them (`junction` apart) is 400
 * `invalid_query_params` naming the list's fields, not ignored.
 */
export function valueFilters<F extends string>(filters: ListFilters | undefined, fields: readonly F[], list: string): Partial<Record<F, ValueFilter>> {
  const unknown = Object.keys(filters ?? {}).find((f) => f !== 'junction' && !(fields as readonly string[]).includes(f));
  if (unknown !== undefined) throw invalidQueryParams(`Query filters.${unknown} is not a filter of ${list}; use ${fields.join(', ')}`);
  const out: Partial<Record<F, ValueFilter>> = {};
  for (const f of fields) {
    const v = valueFilter(filters, f);
    if (v) out[f] = v;
  }
  return out;
}

/** `filters[created_at|updated_at][conditions][$after|$before]` (an ISO date or date-time each); other operators are 400. */
export function dateRangeFilter(filters: ListFilters | undefined, field: string): { after?: string; before?: string } | undefined {
  const entry = filters?.[field];
  const c = typeof entry === 'object' ? entry.conditions : undefined;
  if (!c) return undefined;
  const out: { after?: string; before?: string } = {};
  for (const [op, raw] of Object.entries(c)) {
    if (op !== '$after' && op !== '$before') throw invalidQueryParams(`Query filters.${field}.conditions.${op} is not supported; use $after or $before`);
    const v = String(Array.isArray(raw) ? raw[0] : raw);
    const t = Date.parse(v);
    if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t) || t < -62135596800000 || t > 253402300799999) throw invalidQueryParams(`Query filters.${field}.conditions.${op} must be an ISO 8601 date or date-time (got '${v}')`);
    out[op === '$after' ? 'after' : 'before'] = new Date(v).toISOString();
  }
  return out;
}

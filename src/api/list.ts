import { invalidQueryParams } from '../core/errors.js';
import { dateRangeFilter, valueFilters, type ListFilters, type ValueFilter } from '../core/list-filters.js';
/** Voucherify's list envelope; older endpoints name the array after the resource (data_ref). */
export function listOf<T>(ref: string, items: T[], extra: { total?: number; has_more?: boolean; more_starting_after?: string } = {}) {
  return { object: 'list' as const, data_ref: ref, [ref]: items, ...extra };
}

export const limitParam = { type: 'integer', minimum: 1, maximum: 100, default: 10 } as const;
/** `?force=true` of the deletes that otherwise move their resource to the bin. */
export const forceQuery = { type: 'object', properties: { force: { type: 'boolean' } } } as const;
/** An ISO date or date-time; outside 0001-01-01..9999-12-31 it is refused as invalid_query_params. */
export const dateParam = { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }], format: 'storable-time' } as const;

/** `page` of the page-numbered lists (Voucherify stops at 99). */
export const pageParam = { type: 'integer', minimum: 1, maximum: 99, default: 1 } as const;
/** `created_at[before]`, `updated_at[after]`...: a date range. */
export const dateRangeParam = { type: 'object', properties: { before: dateParam, after: dateParam }, additionalProperties: false } as const;

/** The query of a page-numbered list filtered by creation and update dates, with the list's own properties. */
export function pagedListQuery<P extends Record<string, unknown>>(properties: P) {
  return { type: 'object', properties: { limit: limitParam, page: pageParam, created_at: dateRangeParam, updated_at: dateRangeParam, ...properties } } as const;
}

/**
 * A preValidation hook refusing `key[]=v` for the named one-value parameters: the query validator would otherwise
 * take a one-item list as the value and a filter like `email[]=a` would answer an empty list instead of a 400.
 */
export function oneValued(keys: readonly string[]) {
  return async (req: { query: unknown }): Promise<void> => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const listed = keys.find((k) => Array.isArray(q[k]));
    if (listed !== undefined) throw invalidQueryParams(`Query ${listed} takes one value, not a list`);
  };
}

export function toDate(v: string | undefined): Date | undefined {
  return v === undefined ? undefined : new Date(v);
}

/** A date range as a list query sends it. */
export type DateRangeQuery = { before?: string; after?: string };

/** A date range of a list query (`created_at[before]`...) as dates. */
export function toRange(r?: DateRangeQuery): { before?: Date; after?: Date } | undefined {
  return r ? { before: toDate(r.before), after: toDate(r.after) } : undefined;
}

/** A transactions list (a card's, a program's, a gift card campaign's): `limit`, cursor, `order` by id, `filters`. */
export const transactionsListQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    starting_after_id: { type: 'string', maxLength: 200 },
    order: { type: 'string', enum: ['id', '-id'] },
    filters: { type: 'object', properties: { junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;
export type TransactionsListQuery = { limit: number; starting_after_id?: string; order?: string; filters?: ListFilters };

/**
 * `filters[id|voucher_id][conditions][...]` and `filters[created_at][conditions][$after|$before]` of a transactions
 * list (another field or operator is 400).
 */
export function transactionsQueryOf(q: TransactionsListQuery): Omit<TransactionsListQuery, 'filters'> & { filters: Record<string, ValueFilter | undefined> } {
  const { created_at: _c, ...rest } = q.filters ?? {};
  const created = dateRangeFilter(q.filters, 'created_at');
  return { ...q, filters: { ...valueFilters(rest, ['id', 'voucher_id'], 'transactions (created_at takes $after and $before)'), ...(created ? { created_at: created } : {}) } };
}

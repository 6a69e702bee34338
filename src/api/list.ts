/** Voucherify's list envelope; older endpoints name the array after the resource (data_ref). */
export function listOf<T>(ref: string, items: T[], extra: { total?: number; has_more?: boolean; more_starting_after?: string } = {}) {
  return { object: 'list' as const, data_ref: ref, [ref]: items, ...extra };
}

export const limitParam = { type: 'integer', minimum: 1, maximum: 100, default: 10 } as const;
/** An ISO date or date-time; outside 0001-01-01..9999-12-31 it is refused as invalid_query_params. */
export const dateParam = { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }], format: 'storable-time' } as const;

export function toDate(v: string | undefined): Date | undefined {
  return v === undefined ? undefined : new Date(v);
}

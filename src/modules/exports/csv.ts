/** CSV lines of an export (core/csv.ts): the header names fields as Voucherify's files do, values as text. */
export { csvLines } from '../../core/csv.js';

/** `voucher_type` -> `Voucher Type`, `id` -> `ID`. */
export function headerOf(field: string): string {
  return field
    .split('_')
    .map((w) => (w === 'id' ? 'ID' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** A value as a cell: dates in ISO 8601, objects and arrays as JSON, nothing as an empty cell. */
export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

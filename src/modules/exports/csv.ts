/** CSV lines of an export (csv-stringify): the header names fields as Voucherify's files do, values as text. */
import { stringify } from 'csv-stringify/sync';

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

export function csvLines(rows: string[][]): string {
  return rows.length === 0 ? '' : stringify(rows, { record_delimiter: '\n' });
}

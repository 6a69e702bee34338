/** CSV lines of an export (core/csv.ts): the header names fields as Voucherify's files do, values as text. */
export { csvLines } from '../../core/csv.js';

/** `voucher_type` -> `Voucher Type`, `id` -> `ID`. */
export function headerOf(field: string): string {
  return field
    .split('_')
    .map((w) => (w === 'id' ? 'ID' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** What a spreadsheet takes for a formula at the start of a cell (OWASP's CSV injection list). */
const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^-?\d+(\.\d+)?$/;

/**
 * A value as a cell: dates in ISO 8601, objects and arrays as JSON, nothing as an empty cell. Text a spreadsheet would
 * run as a formula (a customer's name can come through a client-side key) starts with a `'`; numbers stay as they are.
 */
export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  return typeof v === 'string' && formulaStart.test(s) && !plainNumber.test(s) ? `'${s}` : s;
}

/** Rows as CSV text, one `\n`-ended line each (empty for no rows). */
export function csvLines(rows: string[][]): string {
  return rows.length === 0 ? '' : stringify(rows, { record_delimiter: '\n' });
}

/** CSV text (whole records, no header assumed) as its records. */
export function csvRecords(text: string): string[][] {
  return parse(text, { relax_column_count: true, skip_empty_lines: true });
}

/**
 * A CSV file's text as its header and rows (csv-parse): refused with a 400 when it holds a NUL character, cannot be
 * read, is empty, has a `__proto__` column, or has more rows than an import takes. `keys` are the header's names as importers match them
 * (trimmed, lower case, spaces as underscores); `header` keeps them as written (metadata keys).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { invalidPayload } from './errors.js';

export function readCsv(text: string, maxRows: number): { header: string[]; keys: string[]; rows: string[][] } {
  // eslint-disable-next-line no-control-regex
  if (/\u0000/.test(text)) throw invalidPayload('The CSV file holds a NUL character');
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (err) {
    throw invalidPayload(`The CSV file cannot be read: ${(err as Error).message}`);
  }
  if (records.length === 0) throw invalidPayload('The CSV file is empty: its first line names the columns');
  if (records.length - 1 > maxRows) throw invalidPayload(`The CSV file has ${records.length - 1} rows; at most ${maxRows} are taken at once`);
  const header = records[0]!.map((h) => h.trim());
  // As JSON bodies refuse a `__proto__` key, a file refuses a column that would become one.
  if (header.includes('__proto__')) throw invalidPayload('The CSV file has a column named __proto__, which cannot be a metadata key');
  return { header, keys: header.map((h) => h.toLowerCase().replace(/\s+/g, '_')), rows: records.slice(1) };
}

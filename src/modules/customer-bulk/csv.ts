/** /v1/customers/importCSV rows as customers: Voucherify's standard columns, every other column into metadata. */
import { readCsv } from '../../core/csv.js';
import type { CustomerInput } from '../customers/index.js';

/** Most rows one file takes, as the JSON bulk route. */
export const maxCustomerCsvRows = 5000;

/** Header (lower case, spaces as underscores) -> where the value goes. */
const standard: Record<string, (c: CustomerInput, v: string) => void> = {
  id: (c, v) => (c.id = v),
  source_id: (c, v) => (c.source_id = v),
  name: (c, v) => (c.name = v),
  email: (c, v) => (c.email = v),
  phone: (c, v) => (c.phone = v),
  birthdate: (c, v) => (c.birthdate = v),
  birthday: (c, v) => (c.birthdate = v),
  description: (c, v) => (c.description = v),
  address_line_1: (c, v) => (c.address = { ...c.address, line_1: v }),
  address_line_2: (c, v) => (c.address = { ...c.address, line_2: v }),
  address_postal_code: (c, v) => (c.address = { ...c.address, postal_code: v }),
  address_city: (c, v) => (c.address = { ...c.address, city: v }),
  address_state: (c, v) => (c.address = { ...c.address, state: v }),
  address_country: (c, v) => (c.address = { ...c.address, country: v }),
};

/** Rows as customers (empty cells left out); a row without source_id or id is refused, the others go on. */
export function customersFromCsv(text: string): { items: CustomerInput[]; failed: Array<{ row: number; source_id: string | null; reason: string }> } {
  const { header, keys, rows } = readCsv(text, maxCustomerCsvRows);
  const items: CustomerInput[] = [];
  const failed: Array<{ row: number; source_id: string | null; reason: string }> = [];
  for (const [i, cells] of rows.entries()) {
    const c: CustomerInput = {};
    const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
    cells.forEach((raw, j) => {
      const v = raw.trim();
      if (v === '' || j >= keys.length) return;
      const set = Object.hasOwn(standard, keys[j]!) ? standard[keys[j]!] : undefined;
      if (set) set(c, v);
      else metadata[header[j]!] = v;
    });
    if (Object.keys(metadata).length > 0) c.metadata = { ...metadata };
    if (c.source_id === undefined && c.id === undefined) failed.push({ row: i + 2, source_id: null, reason: 'A row needs a Source_id (or an Id) to find or create its customer' });
    else items.push(c);
  }
  return { items, failed };
}

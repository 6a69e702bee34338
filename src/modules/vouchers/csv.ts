import { parse } from 'csv-parse/sync';
import { invalidPayload } from '../../core/errors.js';
import { importSchema } from './schemas.js';
import type { VoucherInput } from './types.js';

/** Most data rows a CSV import takes (as the JSON import's items). */
export const maxCsvRows = importSchema.maxItems;
/** Largest CSV file an import takes (Voucherify's limit). */
export const maxCsvBytes = 10 * 1024 * 1024;

export interface CsvRows {
  items: VoucherInput[];
  /** Rows refused before import (a value that is not what its column takes), as the import reports them. */
  failed: Array<{ code: string | null; reason: string }>;
}

/** Standard columns, by their lower-cased header; every other column becomes metadata. */
const standalone = ['code', 'voucher type', 'value', 'discount type', 'category', 'start date', 'expiration date', 'redemption limit', 'redeemed quantity', 'redeemed amount', 'active', 'additional info'];
const inCampaign = ['code', 'category', 'active', 'gift amount', 'loyalty points', 'redeemed quantity', 'redeemed amount'];

function wholeNumber(v: string, column: string): number {
  if (!/^-?\d+$/.test(v)) throw new Error(`${column} must be a whole number (got '${v}')`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${column} is too large (got '${v}'; at most ${Number.MAX_SAFE_INTEGER})`);
  return n;
}
/** A percentage: up to two decimals, as the JSON API takes it (12.5 is 12.5%). */
function percent(v: string, column: string): number {
  if (!/^\d+(\.\d{1,2})?$/.test(v)) throw new Error(`${column} must be a percentage such as 15 or 12.5 (got '${v}')`);
  return Number(v);
}
function flag(v: string, column: string): boolean {
  const s = v.toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new Error(`${column} must be true or false (got '${v}')`);
}
/**
 * An ISO 8601 date: a day (`2026-03-01`, midnight UTC) or a date-time with its offset (`2026-03-01T10:00:00Z`,
 * `...+02:00`). A time without an offset is refused rather than read in the server's zone.
 */
const isoDay = /^\d{4}-\d{2}-\d{2}$/;
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
function isoDate(v: string, column: string): string {
  const day = isoDay.test(v);
  if (!day && !isoDateTime.test(v)) {
    throw new Error(`${column} must be an ISO 8601 date (2026-03-01) or date-time with its offset (2026-03-01T10:00:00Z) (got '${v}')`);
  }
  const t = Date.parse(day ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t) || (day && new Date(t).toISOString().slice(0, 10) !== v)) throw new Error(`${column} is not a real date (got '${v}')`);
  return new Date(t).toISOString();
}

/** One row of /v1/vouchers/importCSV as a voucher: type, value and discount type, dates, limit, flags. */
function standaloneVoucher(get: (c: string) => string | undefined): VoucherInput {
  const type = (get('voucher type') ?? 'DISCOUNT_VOUCHER').toUpperCase();
  const value = get('value');
  const v: VoucherInput = { type: type as VoucherInput['type'] };
  if (type === 'GIFT_VOUCHER') v.gift = { amount: value === undefined ? 0 : wholeNumber(value, 'Value') };
  else if (type === 'LOYALTY_CARD') v.loyalty_card = { points: value === undefined ? 0 : wholeNumber(value, 'Value') };
  else if (type === 'DISCOUNT_VOUCHER') {
    const kind = (get('discount type') ?? 'AMOUNT').toUpperCase();
    if (value === undefined) throw new Error('Value is required for a DISCOUNT_VOUCHER');
    if (kind === 'AMOUNT') v.discount = { type: 'AMOUNT', amount_off: wholeNumber(value, 'Value') };
    else if (kind === 'PERCENT') v.discount = { type: 'PERCENT', percent_off: percent(value, 'Value') };
    else if (kind === 'FIXED') v.discount = { type: 'FIXED', fixed_amount: wholeNumber(value, 'Value') };
    else if (kind === 'UNIT') v.discount = { type: 'UNIT', unit_off: wholeNumber(value, 'Value') };
    else throw new Error(`Discount Type must be AMOUNT, PERCENT, FIXED or UNIT (got '${kind}')`);
  } else throw new Error(`Voucher Type must be DISCOUNT_VOUCHER, GIFT_VOUCHER or LOYALTY_CARD (got '${type}')`);
  const start = get('start date');
  if (start !== undefined) v.start_date = isoDate(start, 'Start Date');
  const end = get('expiration date');
  if (end !== undefined) v.expiration_date = isoDate(end, 'Expiration Date');
  const limit = get('redemption limit');
  if (limit !== undefined) v.redemption = { quantity: wholeNumber(limit, 'Redemption Limit') };
  const info = get('additional info');
  if (info !== undefined) v.additional_info = info;
  return v;
}

/** One row of /v1/campaigns/{id}/importCSV: the campaign gives the rest; a gift card's amount, a loyalty card's points. */
function campaignVoucher(get: (c: string) => string | undefined): VoucherInput {
  const v: VoucherInput = {};
  const amount = get('gift amount');
  if (amount !== undefined) v.gift = { amount: wholeNumber(amount, 'Gift Amount') };
  const points = get('loyalty points');
  if (points !== undefined) v.loyalty_card = { points: wholeNumber(points, 'Loyalty Points') };
  return v;
}

/**
 * A CSV file of codes as import items. The first line names the columns (matched without regard to case or
 * surrounding spaces); `Code` is required; empty cells are left out; columns Tessera does not know become metadata
 * (strings). A malformed file, one without a Code column, or one with more than maxCsvRows rows is refused whole.
 */
export function vouchersFromCsv(text: string, mode: 'standalone' | 'campaign'): CsvRows {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw invalidPayload(`The CSV file holds a NUL character (line ${line}): it is not a text file, or not UTF-8`);
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw invalidPayload(`The CSV file cannot be read: ${(err as Error).message}`);
  }
  if (records.length === 0) throw invalidPayload('The CSV file is empty: its first line must name the columns (Code, ...)');
  const headers = records[0]!.map((h) => h.trim());
  const keys = headers.map((h) => h.toLowerCase());
  if (!keys.includes('code')) throw invalidPayload(`The CSV file has no Code column (columns: ${headers.join(', ')})`);
  if (new Set(keys).size !== keys.length) throw invalidPayload('The CSV file names a column twice');
  const rows = records.slice(1);
  if (rows.length === 0) throw invalidPayload('The CSV file has no rows after its header line');
  if (rows.length > maxCsvRows) throw invalidPayload(`The CSV file has ${rows.length} rows: an import takes at most ${maxCsvRows}`);
  const known = mode === 'standalone' ? standalone : inCampaign;
  const out: CsvRows = { items: [], failed: [] };
  for (const row of rows) {
    const get = (column: string) => {
      const i = keys.indexOf(column);
      const v = i < 0 ? undefined : row[i];
      return v === undefined || v === '' ? undefined : v;
    };
    const code = get('code') ?? null;
    try {
      if (code === null) throw new Error('Code is required');
      const item = mode === 'standalone' ? standaloneVoucher(get) : campaignVoucher(get);
      item.code = code;
      const category = get('category');
      if (category !== undefined) item.category = category;
      const active = get('active');
      if (active !== undefined) item.active = flag(active, 'Active');
      // Entries, not assignment: a column named __proto__ is a metadata key like any other.
      const metadata: Array<[string, string]> = [];
      headers.forEach((h, i) => {
        if (!known.includes(keys[i]!) && row[i] !== undefined && row[i] !== '') metadata.push([h, row[i]!]);
      });
      if (metadata.length > 0) item.metadata = Object.fromEntries(metadata);
      out.items.push(item);
    } catch (err) {
      out.failed.push({ code, reason: (err as Error).message });
    }
  }
  return out;
}

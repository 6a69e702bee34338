/**
 * Products and SKUs from CSV files (POST /v1/products/importCSV and /v1/skus/importCSV), as Voucherify reads them:
 * - products: `name` (required), `source_id`, `price`, `attributes` ("a,b": attribute names), `image_url`; every other
 *   column goes into metadata. A row whose source_id names an existing product only renames it.
 * - SKUs: `product_id` (the product's id or source_id) and `source_id` (both required), `sku`, `price`,
 *   `image_url`, `attributes` (a JSON object, single quotes allowed: "{'color':'blue'}"); every other column goes
 *   into metadata. A row whose source_id names an existing SKU only changes its `sku` and `price`.
 * Empty cells are left out; each row is applied on its own and reported.
 */
import { readCsv } from '../../core/csv.js';
import { invalidPayload, TesseraError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import type { Cause } from '../event-log/index.js';
import type { RecordAction } from './bulk.js';
import { productBody } from './schemas.js';
import type { ProductInput, SkuInput } from './types.js';

/** Most rows one file takes. */
export const maxCatalogCsvRows = 5000;

type Row = { row: number; cells: Record<string, string>; metadata: Record<string, string> };

function rowsOf(text: string, standard: readonly string[]): Row[] {
  const { header, keys, rows } = readCsv(text, maxCatalogCsvRows);
  return rows.map((cells, i) => {
    const row: Row = { row: i + 2, cells: {}, metadata: Object.create(null) as Record<string, string> };
    cells.forEach((raw, j) => {
      const v = raw.trim();
      if (v === '' || j >= keys.length) return;
      if (standard.includes(keys[j]!)) row.cells[keys[j]!] = v;
      else row.metadata[header[j]!] = v;
    });
    return row;
  });
}

function price(v: string | undefined, row: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const max = productBody.properties.price.maximum;
  if (!Number.isInteger(n) || n < 0 || n > max) throw invalidPayload(`Row ${row}: price must be a whole number of the currency's smallest unit, at most ${max}, got '${v}'`);
  return n;
}

function skuAttributes(v: string | undefined, row: number): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  for (const text of [v, v.replace(/'/g, '"')]) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      /* the next form */
    }
  }
  throw invalidPayload(`Row ${row}: attributes must be a JSON object such as {"color":"blue"}, got '${v}'`);
}

export interface CatalogImportDeps {
  db: Db;
  recordAction: RecordAction;
  products: {
    findProduct(projectId: string, key: string): Promise<{ id: string } | undefined>;
    findSku(projectId: string, key: string): Promise<{ id: string; product_id: string } | undefined>;
    createProduct(projectId: string, input: ProductInput): Promise<unknown>;
    updateProduct(projectId: string, key: string, input: ProductInput): Promise<unknown>;
    createSku(projectId: string, productKey: string, input: SkuInput): Promise<unknown>;
    updateSku(projectId: string, productKey: string, skuKey: string, input: SkuInput): Promise<unknown>;
  };
}

export function createCatalogImport(deps: CatalogImportDeps) {
  type Result = { row: number; source_id: string | null; found: boolean; updated: boolean; reason?: string };

  async function run(cause: Cause, type: string, rows: Row[], apply: (r: Row) => Promise<{ found: boolean }>): Promise<{ async_action_id: string }> {
    const results: Result[] = [];
    for (const r of rows) {
      const source_id = r.cells.source_id ?? null;
      try {
        const { found } = await apply(r);
        results.push({ row: r.row, source_id, found, updated: true });
      } catch (err) {
        if (!(err instanceof TesseraError) || err.code >= 500) throw err;
        results.push({ row: r.row, source_id, found: false, updated: false, reason: err.details ?? err.message });
      }
    }
    const id = newId('aa');
    const done = results.filter((x) => x.updated).length;
    const what = type === 'PRODUCTS_IMPORT_CSV' ? 'products' : 'SKUs';
    await deps.recordAction(deps.db, cause, { id, type, target: rows.length, done, result: { message: `${done} ${what} imported, ${rows.length - done} not`, results } });
    return { async_action_id: id };
  }

  return {
    products(cause: Cause, text: string) {
      const rows = rowsOf(text, ['name', 'source_id', 'price', 'attributes', 'image_url']);
      return run(cause, 'PRODUCTS_IMPORT_CSV', rows, async (r) => {
        const { name, source_id, attributes, image_url } = r.cells;
        if (!name) throw invalidPayload(`Row ${r.row}: name is required`);
        const existing = source_id ? await deps.products.findProduct(cause.projectId, source_id) : undefined;
        if (existing) {
          await deps.products.updateProduct(cause.projectId, existing.id, { name });
          return { found: true };
        }
        const input: ProductInput = {
          name,
          ...(source_id ? { source_id } : {}),
          ...(r.cells.price !== undefined ? { price: price(r.cells.price, r.row) } : {}),
          ...(attributes ? { attributes: attributes.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
          ...(image_url ? { image_url } : {}),
          ...(Object.keys(r.metadata).length > 0 ? { metadata: { ...r.metadata } } : {}),
        };
        await deps.products.createProduct(cause.projectId, input);
        return { found: false };
      });
    },
    skus(cause: Cause, text: string) {
      const rows = rowsOf(text, ['product_id', 'sku', 'source_id', 'price', 'image_url', 'attributes']);
      return run(cause, 'SKUS_IMPORT_CSV', rows, async (r) => {
        const { product_id, source_id, sku, image_url } = r.cells;
        if (!product_id || !source_id) throw invalidPayload(`Row ${r.row}: product_id and source_id are required`);
        const existing = await deps.products.findSku(cause.projectId, source_id);
        if (existing) {
          await deps.products.updateSku(cause.projectId, existing.product_id, existing.id, { ...(sku ? { sku } : {}), ...(r.cells.price !== undefined ? { price: price(r.cells.price, r.row) } : {}) });
          return { found: true };
        }
        const attributes = skuAttributes(r.cells.attributes, r.row);
        await deps.products.createSku(cause.projectId, product_id, {
          source_id,
          ...(sku ? { sku } : {}),
          ...(r.cells.price !== undefined ? { price: price(r.cells.price, r.row) } : {}),
          ...(image_url ? { image_url } : {}),
          ...(attributes ? { attributes } : {}),
          ...(Object.keys(r.metadata).length > 0 ? { metadata: { ...r.metadata } } : {}),
        });
        return { found: false };
      });
    },
  };
}

export type CatalogImport = ReturnType<typeof createCatalogImport>;

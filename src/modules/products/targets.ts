/**
 * The catalog's side of discount targets (validation rules' `applicable_to`): a rule's targets are completed when
 * the rule is saved (a product or SKU named by id gets its source_id and the other way round; a SKU gets its
 * product), and collection membership is answered for the lines of one order at validation time.
 */
import { invalidPayload, notFound } from '../../core/errors.js';
import type { Executor } from '../../store/db.js';
import type { CollectionTest, RuleItem, Target } from '../validation-rules/index.js';
import { inCollection } from './collections.js';
import * as sql from './sql.js';
import type { CollectionRow, ProductRow, SkuRow } from './types.js';

const defined = <T>(xs: (T | undefined | null)[]): T[] => xs.filter((x): x is T => x !== undefined && x !== null);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function index<T extends { id: string; source_id: string | null }>(rows: T[]) {
  const m = new Map<string, T>();
  for (const r of rows) {
    m.set(`i:${r.id}`, r);
    if (r.source_id !== null) m.set(`s:${r.source_id}`, r);
  }
  return (t: { id?: string; source_id?: string }) => (t.id !== undefined ? m.get(`i:${t.id}`) : t.source_id !== undefined ? m.get(`s:${t.source_id}`) : undefined);
}

/**
 * The targets as stored: each product, SKU and collection must exist (404 naming it); products and SKUs carry both
 * keys. `where` names the list in messages (`applicable_to.included`).
 */
export async function resolveTargets(tx: Executor, projectId: string, targets: Target[], where: string): Promise<Target[]> {
  targets.forEach((t, i) => {
    if (t.id === undefined && (t.source_id === undefined || t.object === 'products_collection')) {
      throw invalidPayload(`${where}[${i}] (${t.object}) must name its ${t.object === 'products_collection' ? 'id' : 'id or source_id'}`);
    }
  });
  const of = (o: Target['object']) => targets.filter((t) => t.object === o);
  const skus = index(await sql.selectSkusByKeys(tx, projectId, defined(of('sku').map((t) => t.id)), defined(of('sku').map((t) => (t.id === undefined ? t.source_id : undefined)))));
  const skuRows = of('sku').map((t) => skus(t));
  const products = index(
    await sql.selectProductsByKeys(tx, projectId, defined([...of('product').map((t) => t.id), ...skuRows.map((s) => s?.product_id)]), defined(of('product').map((t) => (t.id === undefined ? t.source_id : undefined)))),
  );
  const collections = new Map<string, CollectionRow | undefined>();
  for (const t of of('products_collection')) if (!collections.has(t.id!)) collections.set(t.id!, await sql.selectCollection(tx, projectId, t.id!));
  return targets.map((t) => {
    const key = (t.id ?? t.source_id)!;
    if (t.object === 'products_collection') {
      if (!collections.get(key)) throw notFound('products_collection', key);
      return t;
    }
    if (t.object === 'product') {
      const p = products(t);
      if (!p) throw notFound('product', key);
      return { ...t, id: p.id, ...(p.source_id !== null ? { source_id: p.source_id } : {}) };
    }
    const s = skus(t);
    if (!s) throw notFound('sku', key);
    const p = products({ id: s.product_id });
    return { ...t, id: s.id, ...(s.source_id !== null ? { source_id: s.source_id } : {}), product_id: s.product_id, ...(p?.source_id ? { product_source_id: p.source_id } : {}) };
  });
}

/**
 * One order's lines as the catalog knows them, for matching targets: each line with the ids and source ids of its
 * product and SKU (a line naming a SKU by source id learns its product), and membership of the named collections.
 * Lines the catalog does not know stay as sent. Reads the lines' SKUs, their products and the collections at once.
 */
export async function catalogLines(tx: Executor, projectId: string, lines: RuleItem[], collectionIds: string[]): Promise<{ lines: RuleItem[]; inCollection: CollectionTest }> {
  const bySku = (l: RuleItem) => (l as { related_object?: string }).related_object === 'sku';
  const skuRows = await sql.selectSkusByKeys(tx, projectId, defined(lines.flatMap((l) => [l.sku_id, str(l.sku?.id)])), defined(lines.flatMap((l) => [str(l.sku?.source_id), bySku(l) ? l.source_id : undefined])));
  const skus = index<SkuRow>(skuRows);
  const products = index<ProductRow>(
    await sql.selectProductsByKeys(tx, projectId, defined([...lines.flatMap((l) => [l.product_id, str(l.product?.id)]), ...skuRows.map((s) => s.product_id)]), defined(lines.flatMap((l) => [str(l.product?.source_id), bySku(l) ? undefined : l.source_id]))),
  );
  const collections = new Map<string, CollectionRow>();
  for (const id of new Set(collectionIds)) {
    const c = await sql.selectCollection(tx, projectId, id);
    if (c) collections.set(id, c);
  }
  const known = lines.map((l) => {
    const sku = skus({ id: l.sku_id ?? str(l.sku?.id) }) ?? skus({ source_id: str(l.sku?.source_id) ?? (bySku(l) ? l.source_id : undefined) });
    const product = products({ id: l.product_id ?? str(l.product?.id) ?? sku?.product_id }) ?? products({ source_id: str(l.product?.source_id) ?? (bySku(l) ? undefined : l.source_id) });
    const line: RuleItem = {
      ...l,
      ...(product ? { product_id: product.id, product: { ...l.product, id: product.id, source_id: product.source_id ?? undefined } } : {}),
      ...(sku ? { sku_id: sku.id, sku: { ...l.sku, id: sku.id, source_id: sku.source_id ?? undefined, product_id: sku.product_id } } : {}),
    };
    return { line, product, sku };
  });
  const rows = new Map<RuleItem, { product?: ProductRow; sku?: SkuRow }>(known.map((k) => [k.line, k]));
  return {
    lines: known.map((k) => k.line),
    inCollection: (collectionId, line) => {
      const c = collections.get(collectionId);
      const k = rows.get(line);
      return c !== undefined && k !== undefined && inCollection(c, k.product, k.sku?.id);
    },
  };
}

/** The product or SKU a UNIT discount's `unit_type` names: its keys (to find its line in an order) and unit price. */
export interface UnitItem {
  object: 'product' | 'sku';
  /** Its id and source id: an order line naming either (by `product_id`, `source_id`...) is its line. */
  keys: string[];
  price?: number;
}

/**
 * The products and SKUs a UNIT discount gives away (`unit_type`, an id or a source id): how order lines name them,
 * and their unit prices for orders without a line of them (a SKU without its own price has its product's). Keys
 * the catalog does not know are left out. An id wins over a source id, a product's source id over a SKU's.
 */
export async function unitItems(tx: Executor, projectId: string, keys: string[]): Promise<Map<string, UnitItem>> {
  const out = new Map<string, UnitItem>();
  if (keys.length === 0) return out;
  const skuRows = await sql.selectSkusByKeys(tx, projectId, keys, keys);
  const products = index<ProductRow>(await sql.selectProductsByKeys(tx, projectId, [...keys, ...skuRows.map((s) => s.product_id)], keys));
  const skus = index<SkuRow>(skuRows);
  for (const key of new Set(keys)) {
    const product = products({ id: key }) ?? (skus({ id: key }) ? undefined : products({ source_id: key }));
    const sku = product ? undefined : (skus({ id: key }) ?? skus({ source_id: key }));
    const row = product ?? sku;
    if (!row) continue;
    const price = product ? product.price : sku ? (sku.price ?? products({ id: sku.product_id })?.price) : undefined;
    out.set(key, { object: product ? 'product' : 'sku', keys: defined([row.id, row.source_id]), ...(price !== undefined && price !== null ? { price } : {}) });
  }
  return out;
}

/**
 * Which of a UNIT discount's unit_types (a product's or SKU's id or source id, as unitItems reads them) the catalog
 * does not know: a code that gives them away is refused when it is saved, as rules' unknown targets are.
 */
export async function unknownUnits(tx: Executor, projectId: string, keys: string[]): Promise<string[]> {
  const known = await unitItems(tx, projectId, keys);
  return [...new Set(keys)].filter((k) => !known.has(k));
}

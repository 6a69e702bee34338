/**
 * A collection's members: resolved when a static collection is saved (source_ids to ids, unknown ones refused), and
 * listed a page at a time (GET /v1/product-collections/{id}/products) as ProductWithoutSkus and SkuWithProduct.
 */
import { notFound } from '../../core/errors.js';
import type { Executor } from '../../store/db.js';
import { matchesFilter } from './collections.js';
import * as sql from './sql.js';
import type { CollectionMember, CollectionRow, ProductRow, SkuRow } from './types.js';

export interface CollectionPageQuery {
  limit: number;
  page: number;
  order?: 'created_at' | '-created_at' | 'updated_at' | '-updated_at';
}

export type CollectionItem = { product: ProductRow; sku?: undefined } | { sku: SkuRow; product: ProductRow };

/**
 * A static collection's members by id: each product or SKU named by its id or source_id (the id wins), a SKU with
 * its own product's id. The first one the catalog does not have is a 404.
 */
export async function resolveMembers(db: Executor, projectId: string, members: CollectionMember[]): Promise<CollectionMember[]> {
  const keys = (object: string) => [...new Set(members.filter((m) => m.object === object).map((m) => m.id))];
  const [products, skus] = await Promise.all([sql.selectProductsByKeys(db, projectId, keys('product'), keys('product')), sql.selectSkusByKeys(db, projectId, keys('sku'), keys('sku'))]);
  const find = <T extends { id: string; source_id: string | null }>(rows: T[], key: string) => rows.find((r) => r.id === key) ?? rows.find((r) => r.source_id === key);
  const out: CollectionMember[] = [];
  for (const m of members) {
    if (m.object === 'product') {
      const p = find(products, m.id);
      if (!p) throw notFound('product', m.id);
      out.push({ id: p.id, object: 'product' });
    } else {
      const s = find(skus, m.id);
      if (!s) throw notFound('sku', m.id);
      out.push({ id: s.id, object: 'sku', product_id: s.product_id });
    }
  }
  // A member named twice (by id and by source_id) is kept once.
  return out.filter((m, i) => out.findIndex((o) => o.id === m.id) === i);
}

const scanChunk = 500;

/**
 * One page of a collection's products and SKUs, and how many it has. A static collection reads only its members
 * (at most 1,000); an auto-update one evaluates its filter over the catalog read in chunks, keeping only the page.
 */
export async function collectionPage(db: Executor, c: CollectionRow, q: CollectionPageQuery): Promise<{ items: CollectionItem[]; total: number }> {
  const order = q.order ?? 'created_at';
  const column = order.replace('-', '') as 'created_at' | 'updated_at';
  const ascending = !order.startsWith('-');
  const offset = (q.page - 1) * q.limit;
  if (c.type === 'STATIC') {
    const ids = (object: string) => c.products.filter((m) => m.object === object).map((m) => m.id);
    const skus = await sql.selectSkusByKeys(db, c.project_id, ids('sku'), []);
    const products = await sql.selectProductsByKeys(db, c.project_id, [...ids('product'), ...skus.map((s) => s.product_id)], []);
    const byId = new Map(products.map((p) => [p.id, p]));
    const items: CollectionItem[] = [
      ...ids('product').flatMap((id) => (byId.has(id) ? [{ product: byId.get(id)! }] : [])),
      ...skus.flatMap((s) => (byId.has(s.product_id) ? [{ sku: s, product: byId.get(s.product_id)! }] : [])),
    ];
    const at = (i: CollectionItem) => ((i.sku ?? i.product)[column] ?? (i.sku ?? i.product).created_at).getTime();
    const idOf = (i: CollectionItem) => (i.sku ?? i.product).id;
    items.sort((a, b) => (ascending ? 1 : -1) * (at(a) - at(b) || idOf(a).localeCompare(idOf(b))));
    return { items: items.slice(offset, offset + q.limit), total: items.length };
  }
  const items: CollectionItem[] = [];
  let total = 0;
  for (let from = 0; ; from += scanChunk) {
    const rows = await sql.selectProductsOrdered(db, c.project_id, { column, ascending, offset: from, limit: scanChunk });
    for (const p of rows) {
      if (!c.filter || !matchesFilter(c.filter, p)) continue;
      if (total >= offset && items.length < q.limit) items.push({ product: p });
      total++;
    }
    if (rows.length < scanChunk) return { items, total };
  }
}

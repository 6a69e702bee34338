import type { Clock } from '../../core/clock.js';
import { invalidSku, notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import { retryTransaction, type Executor } from '../../store/db.js';
import { plainItem, type ItemCatalog, type ItemProductRef, type ItemResolver, type OrderItem, type OrderItemInput } from '../orders/index.js';
import * as sql from './sql.js';
import type { ProductRow, SkuRow } from './types.js';
import { itemProduct, itemSku } from './view.js';

const defined = <T>(xs: (T | undefined)[]): T[] => xs.filter((x): x is T => x !== undefined);

/** Rows by `i:` id and `s:` source_id, and the keys already looked up (found or not). */
interface Known {
  products: Map<string, ProductRow>;
  skus: Map<string, SkuRow>;
  asked: Set<string>;
}

function knownIn(catalog: ItemCatalog | undefined): Known {
  const fresh = (): Known => ({ products: new Map(), skus: new Map(), asked: new Set() });
  if (!catalog) return fresh();
  let k = catalog.get('known') as Known | undefined;
  if (!k) catalog.set('known', (k = fresh()));
  return k;
}

/**
 * Order items resolved against the catalog, in tx: a product or SKU named by our id (`product_id`, `sku_id`,
 * `product.id`, `sku.id`) must exist (404 otherwise); one named by the merchant's `source_id` is looked up and,
 * when unknown, the item stays as sent. `product` / `sku` with `override: true` and a source_id store what they
 * carry (created, or their sent fields replaced). A resolved item gets the ids, the catalog's price when it sent
 * none, and `product` / `sku` as the catalog has them.
 */
export function createItemResolver(clock: Clock) {
  async function upsertProduct(tx: Executor, projectId: string, ref: ItemProductRef, known: Map<string, ProductRow>): Promise<ProductRow> {
    const current = known.get(`s:${ref.source_id}`);
    const now = clock.now();
    const row: ProductRow = current
      ? { ...current, updated_at: now }
      : { id: newSortableId('prod', now), project_id: projectId, source_id: ref.source_id!, name: null, price: null, attributes: [], metadata: {}, image_url: null, created_at: now, updated_at: null };
    if (ref.name !== undefined) row.name = ref.name;
    if (ref.price !== undefined) row.price = ref.price ?? null;
    if (ref.metadata !== undefined) row.metadata = ref.metadata ?? {};
    if (current) await sql.updateProduct(tx, row);
    else if (!(await sql.insertProduct(tx, row))) throw retryTransaction(`Product ${ref.source_id} was created concurrently`);
    known.set(`s:${row.source_id}`, row).set(`i:${row.id}`, row);
    return row;
  }

  async function upsertSku(tx: Executor, projectId: string, ref: ItemProductRef, product: ProductRow, known: Map<string, SkuRow>): Promise<SkuRow> {
    const current = known.get(`s:${ref.source_id}`);
    const now = clock.now();
    const row: SkuRow = current
      ? { ...current, updated_at: now }
      : {
          id: newSortableId('sku', now),
          project_id: projectId,
          product_id: product.id,
          source_id: ref.source_id!,
          sku: null,
          price: null,
          currency: null,
          attributes: {},
          metadata: {},
          image_url: null,
          created_at: now,
          updated_at: null,
        };
    if (ref.sku !== undefined) row.sku = ref.sku;
    if (ref.price !== undefined) row.price = ref.price ?? null;
    if (ref.metadata !== undefined) row.metadata = ref.metadata ?? {};
    if (current) await sql.updateSku(tx, row);
    else if (!(await sql.insertSku(tx, row))) throw retryTransaction(`SKU ${ref.source_id} was created concurrently`);
    known.set(`s:${row.source_id}`, row).set(`i:${row.id}`, row);
    return row;
  }

  /** Reads what the items name and `known` lacks: their SKUs, then their products (and the SKUs' products). */
  async function lookup(tx: Executor, projectId: string, items: OrderItemInput[], known: Known): Promise<void> {
    const bySku = (i: OrderItemInput) => i.related_object === 'sku';
    const keep = <T extends { id: string; source_id: string | null }>(m: Map<string, T>, rows: T[]) => {
      for (const r of rows) {
        m.set(`i:${r.id}`, r);
        if (r.source_id !== null) m.set(`s:${r.source_id}`, r);
      }
    };
    const ask = (what: string, keys: string[]) => [...new Set(keys)].filter((k) => !known.asked.has(`${what}${k}`) && known.asked.add(`${what}${k}`));
    const skuIds = ask('ki:', defined(items.flatMap((i) => [i.sku_id, i.sku?.id])));
    const skuSources = ask('ks:', defined(items.flatMap((i) => [i.sku?.source_id, bySku(i) ? i.source_id : undefined])));
    keep(known.skus, await sql.selectSkusByKeys(tx, projectId, skuIds, skuSources));
    const skuProducts = defined(items.flatMap((i) => [i.sku_id, i.sku?.id].map((id) => (id ? known.skus.get(`i:${id}`)?.product_id : undefined))));
    const bySource = defined(items.flatMap((i) => [i.sku?.source_id, bySku(i) ? i.source_id : undefined].map((s) => (s ? known.skus.get(`s:${s}`)?.product_id : undefined))));
    const productIds = ask('pi:', defined([...items.flatMap((i) => [i.product_id, i.product?.id]), ...skuProducts, ...bySource]));
    const productSources = ask('ps:', defined(items.flatMap((i) => [i.product?.source_id, !bySku(i) ? i.source_id : undefined])));
    keep(known.products, await sql.selectProductsByKeys(tx, projectId, productIds, productSources));
  }

  const resolve: ItemResolver = async function resolve(tx: Executor, projectId: string, items: OrderItemInput[], catalog?: ItemCatalog): Promise<OrderItem[]> {
    const bySku = (i: OrderItemInput) => i.related_object === 'sku';
    const known = knownIn(catalog);
    await lookup(tx, projectId, items, known);
    const { products, skus } = known;
    const out: OrderItem[] = [];
    for (const i of items) {
      const byId = <T>(m: Map<string, T>, id: string | undefined, what: string) => {
        if (id === undefined) return undefined;
        const row = m.get(`i:${id}`);
        if (!row) throw notFound(what, id);
        return row;
      };
      let product = byId(products, i.product_id, 'product') ?? byId(products, i.product?.id, 'product');
      if (!product && i.product?.source_id !== undefined) {
        product = i.product.override ? await upsertProduct(tx, projectId, i.product, products) : products.get(`s:${i.product.source_id}`);
      }
      if (!product && !bySku(i) && i.source_id !== undefined) product = products.get(`s:${i.source_id}`);
      let sku = byId(skus, i.sku_id, 'sku') ?? byId(skus, i.sku?.id, 'sku');
      if (!sku && i.sku?.source_id !== undefined) {
        if (i.sku.override) {
          if (!product) throw invalidSku(`SKU ${i.sku.source_id} can be stored only with its product: send the item's product too`);
          sku = await upsertSku(tx, projectId, i.sku, product, skus);
        } else sku = skus.get(`s:${i.sku.source_id}`);
      }
      if (!sku && bySku(i) && i.source_id !== undefined) sku = skus.get(`s:${i.source_id}`);
      if (sku && product && sku.product_id !== product.id) {
        throw invalidSku(`SKU ${sku.id} belongs to product ${sku.product_id}, not to ${product.id}`);
      }
      if (sku && !product) product = products.get(`i:${sku.product_id}`);
      const price = i.price ?? sku?.price ?? product?.price ?? undefined;
      const item = plainItem({ ...i, ...(price !== undefined && price !== null ? { price } : {}), product: undefined, sku: undefined });
      if (product) Object.assign(item, { product_id: product.id, product: itemProduct(product) });
      if (sku) Object.assign(item, { sku_id: sku.id, sku: itemSku(sku) });
      if (!product && i.product) item.product = { ...i.product };
      if (!sku && i.sku) item.sku = { ...i.sku };
      out.push(item);
    }
    return out;
  };
  resolve.lookup = (tx, projectId, items, catalog) => lookup(tx, projectId, items, knownIn(catalog));
  return resolve;
}

import type { CollectionRow, ProductRow, SkuRow } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function skuObject(s: SkuRow) {
  return {
    id: s.id,
    source_id: s.source_id,
    product_id: s.product_id,
    sku: s.sku,
    price: s.price,
    currency: s.currency,
    attributes: s.attributes,
    image_url: s.image_url,
    metadata: s.metadata,
    created_at: s.created_at.toISOString(),
    updated_at: iso(s.updated_at),
    object: 'sku' as const,
  };
}

/** SimpleProduct and SimpleSku, as webhooks embed them (no nulls: the schemas have none). */
export function simpleProduct(p: { id: string; source_id?: string | null; name?: string | null }) {
  return { id: p.id, ...(p.source_id ? { source_id: p.source_id } : {}), ...(p.name ? { name: p.name } : {}) };
}
export function simpleSku(s: { id: string; source_id?: string | null; sku?: string | null }) {
  return { id: s.id, ...(s.source_id ? { source_id: s.source_id } : {}), ...(s.sku ? { sku: s.sku } : {}) };
}

/** The product object, with its SKUs as a list (all of them; Voucherify shows them inline). */
export function productObject(p: ProductRow, skus: SkuRow[] = []) {
  return {
    id: p.id,
    source_id: p.source_id,
    name: p.name,
    price: p.price,
    attributes: p.attributes,
    metadata: p.metadata,
    image_url: p.image_url,
    created_at: p.created_at.toISOString(),
    updated_at: iso(p.updated_at),
    object: 'product' as const,
    skus: { object: 'list' as const, data_ref: 'data', data: skus.map(skuObject), total: skus.length },
  };
}

/** A collection's item (GET .../products): a product without its SKUs (ProductWithoutSkus), or a SKU with it (SkuWithProduct). */
export function collectionItem(i: { product: ProductRow; sku?: SkuRow }) {
  const { skus: _skus, ...product } = productObject(i.product);
  return i.sku ? { ...skuObject(i.sku), product } : product;
}

export function collectionObject(c: CollectionRow) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    ...(c.type === 'STATIC' ? { products: c.products } : { filter: c.filter }),
    created_at: c.created_at.toISOString(),
    object: 'products_collection' as const,
  };
}

/** What an order item shows of its product and SKU. */
export const itemProduct = (p: ProductRow) => ({ id: p.id, source_id: p.source_id, name: p.name, metadata: p.metadata, price: p.price });
export const itemSku = (s: SkuRow) => ({ id: s.id, source_id: s.source_id, sku: s.sku, metadata: s.metadata, price: s.price });

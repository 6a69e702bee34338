import type { Clock } from '../../core/clock.js';
import { duplicate, invalidPayload, invalidSku, notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import { isUniqueViolation, type Db, type Executor } from '../../store/db.js';
import { filterProblem } from './collections.js';
import { collectionPage, resolveMembers, type CollectionPageQuery } from './collection-products.js';
import { catalogLines, resolveTargets, unitItems, unknownUnits } from './targets.js';
import { createItemResolver } from './items.js';
import type { TrashBin } from '../trash-bin/index.js';
import * as sql from './sql.js';
import type { CollectionInput, CollectionRow, ProductInput, ProductRow, SkuInput, SkuRow } from './types.js';

async function unique<T>(what: string, value: string | null, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(what, 'source_id', String(value));
    throw err;
  }
}

/** A product with what the input sets (undefined keeps, null clears). */
export function applyProduct(row: ProductRow, input: ProductInput): ProductRow {
  const next = { ...row };
  if (input.source_id !== undefined) next.source_id = input.source_id;
  if (input.name !== undefined) next.name = input.name;
  if (input.price !== undefined) next.price = input.price;
  if (input.attributes !== undefined) next.attributes = input.attributes ?? [];
  if (input.metadata !== undefined) next.metadata = input.metadata ?? {};
  if (input.image_url !== undefined) next.image_url = input.image_url;
  return next;
}

/** Refuses metadata the project's metadata schema of products or SKUs does not allow (metadata_validation_failed). */
export type CatalogMetadataCheck = (projectId: string, relatedObject: 'product' | 'sku', metadata: Record<string, unknown>, ex?: Executor) => Promise<void>;

export function createProductsService(deps: { db: Db; clock: Clock; bin?: Pick<TrashBin, 'keep'>; checkMetadata?: CatalogMetadataCheck }) {
  const { db, clock } = deps;
  /** A new row's metadata always; a changed row's only when the change sends metadata. */
  const checkMetadata = async (projectId: string, what: 'product' | 'sku', metadata: Record<string, unknown>, sent: unknown) => {
    if (sent !== undefined) await deps.checkMetadata?.(projectId, what, metadata);
  };

  async function getProduct(projectId: string, key: string, tx: Executor = db): Promise<ProductRow> {
    const p = await sql.selectProduct(tx, projectId, key);
    if (!p) throw notFound('product', key);
    return p;
  }

  /** POST /v1/products: creates, or updates the product with the sent id (which must exist) or source_id. */
  async function createProduct(projectId: string, input: ProductInput): Promise<ProductRow> {
    const now = clock.now();
    const existing = input.id ? await sql.selectProduct(db, projectId, input.id) : input.source_id ? await sql.selectProduct(db, projectId, input.source_id) : undefined;
    if (input.id && existing?.id !== input.id) throw notFound('product', input.id);
    if (existing && (input.id || existing.source_id === input.source_id)) return updateProduct(projectId, existing.id, { ...input, id: undefined });
    const row = applyProduct(
      { id: newSortableId('prod', now), project_id: projectId, source_id: null, name: null, price: null, attributes: [], metadata: {}, image_url: null, created_at: now, updated_at: null },
      input,
    );
    await checkMetadata(projectId, 'product', row.metadata, true);
    if (await unique('product', row.source_id, () => sql.insertProduct(db, row))) return row;
    // A concurrent request created the product with this source_id after the lookup: POST upserts, so it is updated.
    const [winner] = row.source_id !== null ? await sql.selectProductsByKeys(db, projectId, [], [row.source_id]) : [];
    if (!winner) throw duplicate('product', 'source_id', String(row.source_id));
    return updateProduct(projectId, winner.id, { ...input, id: undefined });
  }

  async function updateProduct(projectId: string, key: string, input: ProductInput): Promise<ProductRow> {
    const current = await getProduct(projectId, key);
    const row = { ...applyProduct(current, { ...input, id: undefined }), updated_at: clock.now() };
    await checkMetadata(projectId, 'product', row.metadata, input.metadata);
    await unique('product', row.source_id, () => sql.updateProduct(db, row));
    return row;
  }

  async function getSku(projectId: string, key: string, tx: Executor = db): Promise<SkuRow> {
    const s = await sql.selectSku(tx, projectId, key);
    if (!s) throw notFound('sku', key);
    return s;
  }

  function applySku(row: SkuRow, input: SkuInput): SkuRow {
    const next = { ...row };
    if (input.source_id !== undefined) next.source_id = input.source_id;
    if (input.sku !== undefined) next.sku = input.sku;
    if (input.price !== undefined) next.price = input.price;
    if (input.currency !== undefined) next.currency = input.currency;
    if (input.attributes !== undefined) next.attributes = input.attributes ?? {};
    if (input.metadata !== undefined) next.metadata = input.metadata ?? {};
    if (input.image_url !== undefined) next.image_url = input.image_url;
    return next;
  }

  /** A SKU of the product, found by id or source_id (404 when it belongs to another product). */
  async function skuOf(projectId: string, productKey: string, skuKey: string): Promise<{ product: ProductRow; sku: SkuRow }> {
    const product = await getProduct(projectId, productKey);
    const sku = await sql.selectSku(db, projectId, skuKey);
    if (!sku || sku.product_id !== product.id) throw notFound('sku', skuKey);
    return { product, sku };
  }

  async function createSku(projectId: string, productKey: string, input: SkuInput): Promise<SkuRow> {
    const product = await getProduct(projectId, productKey);
    const key = input.id ?? input.source_id;
    const existing = key ? await sql.selectSku(db, projectId, key) : undefined;
    if (input.id && existing?.id !== input.id) throw notFound('sku', input.id);
    if (existing && (input.id || existing.source_id === input.source_id)) {
      if (existing.product_id !== product.id) throw invalidSku(`SKU ${existing.id} belongs to product ${existing.product_id}`);
      return updateSku(projectId, product.id, existing.id, { ...input, id: undefined });
    }
    const now = clock.now();
    const row = applySku(
      { id: newSortableId('sku', now), project_id: projectId, product_id: product.id, source_id: null, sku: null, price: null, currency: null, attributes: {}, metadata: {}, image_url: null, created_at: now, updated_at: null },
      input,
    );
    await checkMetadata(projectId, 'sku', row.metadata, true);
    if (await unique('sku', row.source_id, () => sql.insertSku(db, row))) return row;
    // A concurrent request created the SKU with this source_id after the lookup: POST upserts, so it is updated.
    const [winner] = row.source_id !== null ? await sql.selectSkusByKeys(db, projectId, [], [row.source_id]) : [];
    if (!winner) throw duplicate('sku', 'source_id', String(row.source_id));
    if (winner.product_id !== product.id) throw invalidSku(`SKU ${winner.id} belongs to product ${winner.product_id}`);
    return updateSku(projectId, product.id, winner.id, { ...input, id: undefined });
  }

  async function updateSku(projectId: string, productKey: string, skuKey: string, input: SkuInput): Promise<SkuRow> {
    const { sku } = await skuOf(projectId, productKey, skuKey);
    const row = { ...applySku(sku, { ...input, id: undefined }), updated_at: clock.now() };
    await checkMetadata(projectId, 'sku', row.metadata, input.metadata);
    await unique('sku', row.source_id, () => sql.updateSku(db, row));
    return row;
  }

  async function createCollection(projectId: string, input: CollectionInput): Promise<CollectionRow> {
    if (input.type === 'AUTO_UPDATE') {
      if (!input.filter) throw invalidPayload("Payload should have required property 'filter' for an AUTO_UPDATE collection");
      const problem = filterProblem(input.filter);
      if (problem) throw invalidPayload(problem);
    } else if (input.filter !== undefined) throw invalidPayload('A STATIC collection takes products, not a filter');
    if (input.type === 'AUTO_UPDATE' && input.products !== undefined) throw invalidPayload('An AUTO_UPDATE collection takes a filter, not products');
    const products = await resolveMembers(db, projectId, input.products ?? []);
    const row: CollectionRow = { id: newSortableId('pc', clock.now()), project_id: projectId, name: input.name, type: input.type, filter: input.filter ?? null, products, created_at: clock.now() };
    if (!(await sql.insertCollection(db, row))) throw duplicate('products_collection', 'name', input.name);
    return row;
  }

  async function getCollection(projectId: string, id: string): Promise<CollectionRow> {
    const c = await sql.selectCollection(db, projectId, id);
    if (!c) throw notFound('products_collection', id);
    return c;
  }

  return {
    createProduct,
    /** A product by id or source_id (in `tx` when given: a transaction's reads stay on its connection). */
    getProduct: (projectId: string, key: string, tx?: Executor) => getProduct(projectId, key, tx),
    updateProduct,
    /** Deletes a product and its SKUs: into the bin (restorable, noting the dashboard user who did), or for good with `force`. */
    async deleteProduct(projectId: string, key: string, force = false, userId?: string) {
      const p = await getProduct(projectId, key);
      await db.transaction(async (tx) => {
        if (!force && deps.bin) await deps.bin.keep(tx, { projectId, type: 'product', id: p.id, name: p.name, parentId: null, userId });
        if (!(await sql.deleteProduct(tx, projectId, p.id))) throw notFound('product', key);
      });
    },
    async listProducts(projectId: string, q: { limit: number; page: number; order?: string }) {
      const rows = await sql.selectProducts(db, projectId, { ascending: q.order === 'created_at', offset: (q.page - 1) * q.limit, limit: q.limit });
      const page = rows.slice(0, q.limit);
      const skus = await sql.selectSkusOf(db, projectId, page.map((p) => p.id));
      return { products: page.map((p) => ({ product: p, skus: skus.filter((s) => s.product_id === p.id) })), total: await sql.countProducts(db, projectId) };
    },
    skusOf: (projectId: string, productId: string) => sql.selectSkusOf(db, projectId, [productId]),
    getSku,
    createSku,
    updateSku,
    /** Deletes an SKU: into the bin (restorable, noting the dashboard user who did), or for good with `force`. */
    async deleteSku(projectId: string, productKey: string, skuKey: string, force = false, userId?: string) {
      const { product, sku } = await skuOf(projectId, productKey, skuKey);
      await db.transaction(async (tx) => {
        if (!force && deps.bin) await deps.bin.keep(tx, { projectId, type: 'sku', id: sku.id, name: sku.sku, parentId: product.id, userId });
        if (!(await sql.deleteSku(tx, projectId, product.id, sku.id))) throw notFound('sku', skuKey);
      });
    },
    createCollection,
    getCollection,
    async listCollections(projectId: string, q: { limit: number; page: number }) {
      const rows = await sql.selectCollections(db, projectId, { offset: (q.page - 1) * q.limit, limit: q.limit });
      return { collections: rows.slice(0, q.limit), total: await sql.countCollections(db, projectId) };
    },
    async deleteCollection(projectId: string, id: string) {
      if (!(await sql.deleteCollection(db, projectId, id))) throw notFound('products_collection', id);
    },
    /** A page of a collection's products and SKUs (a SKU with its product), and how many it has. */
    async collectionProducts(projectId: string, id: string, q: CollectionPageQuery) {
      return collectionPage(db, await getCollection(projectId, id), q);
    },
    /** Completes validation rules' targets (given to validation rules at composition). */
    resolveTargets,
    /** An order's lines with their catalog keys and collection membership, for targets and collection rules. */
    catalogLines,
    /** Products and SKUs by id or source id (their keys and unit prices), for UNIT discounts finding or adding their line. */
    unitItems,
    /** The unit_types of a UNIT discount the catalog does not know (given to vouchers at composition). */
    unknownUnits,
    /** Resolves order items' products and SKUs (given to orders at composition). */
    resolveItems: createItemResolver(clock),
  };
}

export type ProductsService = ReturnType<typeof createProductsService>;

import type { Executor } from '../../store/db.js';
import type { CollectionRow, ProductRow, SkuRow } from './types.js';

const productColumns = 'id, project_id, source_id, name, price::float8 AS price, attributes, metadata, image_url, created_at, updated_at';
const skuColumns = 'id, project_id, product_id, source_id, sku, price::float8 AS price, currency, attributes, metadata, image_url, created_at, updated_at';
const idsParam = (ids: string[]) => JSON.stringify(ids);

/** By id or, failing that, by source_id. */
export async function selectProduct(db: Executor, projectId: string, key: string): Promise<ProductRow | undefined> {
  const { rows } = await db.query<ProductRow>(
    `SELECT ${productColumns} FROM products WHERE project_id = $1 AND (id = $2 OR source_id = $2) ORDER BY (id = $2) DESC LIMIT 1`,
    [projectId, key],
  );
  return rows[0];
}

export async function selectProductsByKeys(db: Executor, projectId: string, ids: string[], sourceIds: string[]): Promise<ProductRow[]> {
  if (ids.length === 0 && sourceIds.length === 0) return [];
  const { rows } = await db.query<ProductRow>(
    `SELECT ${productColumns} FROM products WHERE project_id = $1
        AND (id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) OR source_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))))`,
    [projectId, idsParam(ids), idsParam(sourceIds)],
  );
  return rows;
}

/** Products of the given source ids, locked in id order (a bulk change's read). */
export async function selectBySourceIdsLocked(db: Executor, projectId: string, sourceIds: string[]): Promise<ProductRow[]> {
  const { rows } = await db.query<ProductRow>(
    `SELECT ${productColumns} FROM products WHERE project_id = $1 AND source_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) ORDER BY id FOR UPDATE`,
    [projectId, idsParam(sourceIds)],
  );
  return rows;
}

export async function insertProduct(db: Executor, p: ProductRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO products (id, project_id, source_id, name, price, attributes, metadata, image_url, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10) ON CONFLICT DO NOTHING`,
    [p.id, p.project_id, p.source_id, p.name, p.price, JSON.stringify(p.attributes), JSON.stringify(p.metadata), p.image_url, p.created_at, p.updated_at],
  );
  return rowCount === 1;
}

export async function updateProduct(db: Executor, p: ProductRow): Promise<void> {
  await db.query(
    `UPDATE products SET source_id = $3, name = $4, price = $5, attributes = $6::jsonb, metadata = $7::jsonb, image_url = $8, updated_at = $9
      WHERE project_id = $1 AND id = $2`,
    [p.project_id, p.id, p.source_id, p.name, p.price, JSON.stringify(p.attributes), JSON.stringify(p.metadata), p.image_url, p.updated_at],
  );
}

export async function deleteProduct(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM products WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount === 1;
}

/** A page of products (limit + 1 rows, to tell whether more follow). */
export async function selectProducts(db: Executor, projectId: string, p: { ascending: boolean; offset: number; limit: number }): Promise<ProductRow[]> {
  const dir = p.ascending ? 'ASC' : 'DESC';
  const { rows } = await db.query<ProductRow>(
    `SELECT ${productColumns} FROM products WHERE project_id = $1 ORDER BY created_at ${dir}, id ${dir} OFFSET $2 LIMIT $3`,
    [projectId, p.offset, p.limit + 1],
  );
  return rows;
}

/** A chunk of a project's products in a list order (an auto-update collection's scan); updated_at falls back to created_at. */
export async function selectProductsOrdered(db: Executor, projectId: string, p: { column: 'created_at' | 'updated_at'; ascending: boolean; offset: number; limit: number }): Promise<ProductRow[]> {
  const dir = p.ascending ? 'ASC' : 'DESC';
  const at = p.column === 'updated_at' ? 'COALESCE(updated_at, created_at)' : 'created_at';
  const { rows } = await db.query<ProductRow>(`SELECT ${productColumns} FROM products WHERE project_id = $1 ORDER BY ${at} ${dir}, id ${dir} OFFSET $2 LIMIT $3`, [projectId, p.offset, p.limit]);
  return rows;
}

export async function countProducts(db: Executor, projectId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM products WHERE project_id = $1', [projectId]);
  return rows[0]!.n;
}

export async function selectSkusOf(db: Executor, projectId: string, productIds: string[]): Promise<SkuRow[]> {
  if (productIds.length === 0) return [];
  const { rows } = await db.query<SkuRow>(
    `SELECT ${skuColumns} FROM skus WHERE project_id = $1 AND product_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
      ORDER BY created_at, id`,
    [projectId, idsParam(productIds)],
  );
  return rows;
}

/** By id or, failing that, by source_id. */
export async function selectSku(db: Executor, projectId: string, key: string): Promise<SkuRow | undefined> {
  const { rows } = await db.query<SkuRow>(
    `SELECT ${skuColumns} FROM skus WHERE project_id = $1 AND (id = $2 OR source_id = $2) ORDER BY (id = $2) DESC LIMIT 1`,
    [projectId, key],
  );
  return rows[0];
}

export async function selectSkusByKeys(db: Executor, projectId: string, ids: string[], sourceIds: string[]): Promise<SkuRow[]> {
  if (ids.length === 0 && sourceIds.length === 0) return [];
  const { rows } = await db.query<SkuRow>(
    `SELECT ${skuColumns} FROM skus WHERE project_id = $1
        AND (id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) OR source_id = ANY (ARRAY(SELECT jsonb_array_elements_text($3::jsonb))))`,
    [projectId, idsParam(ids), idsParam(sourceIds)],
  );
  return rows;
}

export async function insertSku(db: Executor, s: SkuRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO skus (id, project_id, product_id, source_id, sku, price, currency, attributes, metadata, image_url, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12) ON CONFLICT DO NOTHING`,
    [s.id, s.project_id, s.product_id, s.source_id, s.sku, s.price, s.currency, JSON.stringify(s.attributes), JSON.stringify(s.metadata), s.image_url, s.created_at, s.updated_at],
  );
  return rowCount === 1;
}

export async function updateSku(db: Executor, s: SkuRow): Promise<void> {
  await db.query(
    `UPDATE skus SET source_id = $3, sku = $4, price = $5, currency = $6, attributes = $7::jsonb, metadata = $8::jsonb, image_url = $9, updated_at = $10
      WHERE project_id = $1 AND id = $2`,
    [s.project_id, s.id, s.source_id, s.sku, s.price, s.currency, JSON.stringify(s.attributes), JSON.stringify(s.metadata), s.image_url, s.updated_at],
  );
}

export async function deleteSku(db: Executor, projectId: string, productId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM skus WHERE project_id = $1 AND product_id = $2 AND id = $3', [projectId, productId, id]);
  return rowCount === 1;
}

export async function insertCollection(db: Executor, c: CollectionRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO product_collections (id, project_id, name, type, filter, products, created_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7) ON CONFLICT DO NOTHING`,
    [c.id, c.project_id, c.name, c.type, c.filter === null ? null : JSON.stringify(c.filter), JSON.stringify(c.products), c.created_at],
  );
  return rowCount === 1;
}

export async function selectCollection(db: Executor, projectId: string, id: string): Promise<CollectionRow | undefined> {
  const { rows } = await db.query<CollectionRow>('SELECT * FROM product_collections WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rows[0];
}

export async function selectCollections(db: Executor, projectId: string, p: { offset: number; limit: number }): Promise<CollectionRow[]> {
  const { rows } = await db.query<CollectionRow>(
    'SELECT * FROM product_collections WHERE project_id = $1 ORDER BY created_at, id OFFSET $2 LIMIT $3',
    [projectId, p.offset, p.limit + 1],
  );
  return rows;
}

export async function countCollections(db: Executor, projectId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM product_collections WHERE project_id = $1', [projectId]);
  return rows[0]!.n;
}

export async function deleteCollection(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM product_collections WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount === 1;
}

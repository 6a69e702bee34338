import type { FastifyInstance } from 'fastify';
import {
  collectionBody,
  collectionItem,
  collectionObject,
  productBody,
  productBulkBody,
  productMetadataBody,
  productObject,
  skuBody,
  skuObject,
  type CollectionInput,
  type CollectionPageQuery,
  type ProductBulk,
  type ProductInput,
  type ProductsService,
  type SkuInput,
} from '../../modules/products/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { forceQuery, limitParam, listOf } from '../list.js';

const key = { type: 'string', minLength: 1, maxLength: 500 } as const;
const params = (...names: string[]) => ({ type: 'object', required: names, properties: Object.fromEntries(names.map((n) => [n, key])) }) as const;
const pageQuery = {
  type: 'object',
  properties: { limit: limitParam, page: { type: 'integer', minimum: 1, maximum: 100, default: 1 }, order: { type: 'string', enum: ['created_at', '-created_at'] } },
} as const;

type P = { productId: string };
type S = { productId: string; skuId: string };

export function productRoutes(app: FastifyInstance, deps: { products: ProductsService; productBulk: ProductBulk }): void {
  const { products, productBulk } = deps;
  // Bulk changes by source_id (the SDK's products.bulkUpdate and bulkUpdateMetadata): 202 with the async action.
  app.post<{ Body: Array<ProductInput & { source_id: string }> }>('/products/bulk/async', { schema: { body: productBulkBody } }, async (req, reply) =>
    reply.code(202).send(await productBulk.updateMany(causeOf(req), req.body)),
  );
  app.post<{ Body: { source_ids: string[]; metadata: Record<string, unknown> } }>('/products/metadata/async', { schema: { body: productMetadataBody } }, async (req, reply) =>
    reply.code(202).send(await productBulk.updateMetadata(causeOf(req), req.body.source_ids, req.body.metadata)),
  );
  const withSkus = async (projectId: string, p: Awaited<ReturnType<ProductsService['getProduct']>>) => productObject(p, await products.skusOf(projectId, p.id));

  app.post<{ Body: ProductInput }>('/products', { schema: { body: productBody } }, async (req) =>
    withSkus(projectIdOf(req), await products.createProduct(projectIdOf(req), req.body)),
  );
  app.get<{ Params: P }>('/products/:productId', { schema: { params: params('productId') } }, async (req) =>
    withSkus(projectIdOf(req), await products.getProduct(projectIdOf(req), req.params.productId)),
  );
  app.put<{ Params: P; Body: ProductInput }>('/products/:productId', { schema: { params: params('productId'), body: productBody } }, async (req) =>
    withSkus(projectIdOf(req), await products.updateProduct(projectIdOf(req), req.params.productId, req.body)),
  );
  app.delete<{ Params: P; Querystring: { force?: boolean } }>('/products/:productId', { schema: { params: params('productId'), querystring: forceQuery } }, async (req, reply) => {
    await products.deleteProduct(projectIdOf(req), req.params.productId, req.query.force === true);
    return reply.code(204).send();
  });
  app.get<{ Querystring: { limit: number; page: number; order?: string } }>('/products', { schema: { querystring: pageQuery } }, async (req) => {
    const page = await products.listProducts(projectIdOf(req), req.query);
    return listOf('products', page.products.map((p) => productObject(p.product, p.skus)), { total: page.total });
  });

  app.post<{ Params: P; Body: SkuInput }>('/products/:productId/skus', { schema: { params: params('productId'), body: skuBody } }, async (req) =>
    skuObject(await products.createSku(projectIdOf(req), req.params.productId, req.body)),
  );
  app.get<{ Params: P }>('/products/:productId/skus', { schema: { params: params('productId') } }, async (req) => {
    const product = await products.getProduct(projectIdOf(req), req.params.productId);
    const skus = await products.skusOf(projectIdOf(req), product.id);
    return listOf('skus', skus.map(skuObject), { total: skus.length });
  });
  app.put<{ Params: S; Body: SkuInput }>('/products/:productId/skus/:skuId', { schema: { params: params('productId', 'skuId'), body: skuBody } }, async (req) =>
    skuObject(await products.updateSku(projectIdOf(req), req.params.productId, req.params.skuId, req.body)),
  );
  app.delete<{ Params: S; Querystring: { force?: boolean } }>('/products/:productId/skus/:skuId', { schema: { params: params('productId', 'skuId'), querystring: forceQuery } }, async (req, reply) => {
    await products.deleteSku(projectIdOf(req), req.params.productId, req.params.skuId, req.query.force === true);
    return reply.code(204).send();
  });
  app.get<{ Params: { skuId: string } }>('/skus/:skuId', { schema: { params: params('skuId') } }, async (req) =>
    skuObject(await products.getSku(projectIdOf(req), req.params.skuId)),
  );

  app.post<{ Body: CollectionInput }>('/product-collections', { schema: { body: collectionBody } }, async (req) =>
    collectionObject(await products.createCollection(projectIdOf(req), req.body)),
  );
  app.get<{ Querystring: { limit: number; page: number } }>('/product-collections', { schema: { querystring: pageQuery } }, async (req) => {
    const page = await products.listCollections(projectIdOf(req), req.query);
    return listOf('data', page.collections.map(collectionObject), { total: page.total });
  });
  app.get<{ Params: { id: string } }>('/product-collections/:id', { schema: { params: params('id') } }, async (req) =>
    collectionObject(await products.getCollection(projectIdOf(req), req.params.id)),
  );
  app.delete<{ Params: { id: string } }>('/product-collections/:id', { schema: { params: params('id') } }, async (req, reply) => {
    await products.deleteCollection(projectIdOf(req), req.params.id);
    return reply.code(204).send();
  });
  app.get<{ Params: { id: string }; Querystring: CollectionPageQuery }>(
    '/product-collections/:id/products',
    { schema: { params: params('id'), querystring: { ...pageQuery, properties: { ...pageQuery.properties, order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at'] } } } } },
    async (req) => {
      const page = await products.collectionProducts(projectIdOf(req), req.params.id, req.query);
      return listOf('data', page.items.map(collectionItem), { total: page.total });
    },
  );
}

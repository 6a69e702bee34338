/**
 * Products, SKUs and product collections: what order items name and discounts target. Glossary:
 * - product (`prod_`): name, price (minor units), attributes (names SKUs give values to), metadata; `source_id` is
 *   the merchant's id, unique per project (POST upserts by it).
 * - SKU (`sku_`): a variant of one product, with its own price, currency, attribute values and metadata.
 * - collection (`pc_`): STATIC (listed products and SKUs) or AUTO_UPDATE (a filter over product fields; a product
 *   that matches brings all its SKUs).
 * - bulk: products changed or created by source_id in one request (bulk.ts), reported as a finished async action.
 * - item resolution: order items naming products / SKUs get their ids, prices and descriptions from the catalog;
 *   `override: true` stores what an item says about its product or SKU.
 */
import type { CampaignsService } from '../campaigns/index.js';
import { TesseraError } from '../../core/errors.js';
import { createCatalogImport, type CatalogImport } from './csv.js';
import { defineModule } from '../module.js';
import type { MetadataSchemasService } from '../metadata-schemas/index.js';
import type { TrashBin } from '../trash-bin/index.js';
import { createProductBulk, type RecordAction } from './bulk.js';
import { createProductsService, type CatalogMetadataCheck } from './service.js';
export { type ProductBulk } from './bulk.js';
export { createProductsService, type ProductsService } from './service.js';
export type { UnitItem } from './targets.js';
export type { CollectionPageQuery } from './collection-products.js';
export { productObject, skuObject, collectionObject, collectionItem, simpleProduct, simpleSku } from './view.js';
export type { CatalogImport } from './csv.js';
export { productBody, productBulkBody, productMetadataBody, skuBody, collectionBody } from './schemas.js';
export { inCollection, matchesFilter, filterProblem } from './collections.js';
export type { ProductRow, SkuRow, CollectionRow, ProductInput, SkuInput, CollectionInput, CollectionMember } from './types.js';

/** The catalog reacts to no event and runs no job; orders resolve their items through it. Its bulk changes keep
 * their outcome as async actions, which the campaigns module holds. */
export const productsModule = defineModule<
  { products: ReturnType<typeof createProductsService>; productBulk: ReturnType<typeof createProductBulk>; catalogImport: CatalogImport },
  { campaigns: CampaignsService; trashBin: TrashBin; metadataSchemas: MetadataSchemasService }
>({
  name: 'products',
  create: ({ db, clock, services }) => {
    const checkMetadata: CatalogMetadataCheck = (p, o, m, ex) => services.metadataSchemas.check(p, o, m, ex);
    const products = createProductsService({ db, clock, bin: services.trashBin, checkMetadata });
    const recordAction: RecordAction = (tx, cause, a) => services.campaigns.actions.recordDone(tx, cause, a);
    const missing = (err: unknown) => {
      if (err instanceof TesseraError && err.key === 'not_found') return undefined;
      throw err;
    };
    const catalogImport = createCatalogImport({
      db,
      recordAction,
      products: {
        findProduct: (projectId, key) => products.getProduct(projectId, key).catch(missing),
        findSku: (projectId, key) => products.getSku(projectId, key).catch(missing),
        createProduct: products.createProduct,
        updateProduct: products.updateProduct,
        createSku: products.createSku,
        updateSku: products.updateSku,
      },
    });
    return { services: { products, productBulk: createProductBulk({ db, clock, recordAction, checkMetadata }), catalogImport } };
  },
});

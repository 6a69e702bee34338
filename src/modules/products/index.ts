/**
 * Products, SKUs and product collections: what order items name and discounts target. Glossary:
 * - product (`prod_`): name, price (minor units), attributes (names SKUs give values to), metadata; `source_id` is
 *   the merchant's id, unique per project (POST upserts by it).
 * - SKU (`sku_`): a variant of one product, with its own price, currency, attribute values and metadata.
 * - collection (`pc_`): STATIC (listed products and SKUs) or AUTO_UPDATE (a filter over product fields; a product
 *   that matches brings all its SKUs).
 * - item resolution: order items naming products / SKUs get their ids, prices and descriptions from the catalog;
 *   `override: true` stores what an item says about its product or SKU.
 */
import { defineModule } from '../module.js';
import { createProductsService } from './service.js';
export { createProductsService, type ProductsService } from './service.js';
export { productObject, skuObject, collectionObject } from './view.js';
export { productBody, skuBody, collectionBody } from './schemas.js';
export { inCollection, matchesFilter, filterProblem } from './collections.js';
export type { ProductRow, SkuRow, CollectionRow, ProductInput, SkuInput, CollectionInput, CollectionMember } from './types.js';

/** The catalog reacts to no event and runs no job; orders resolve their items through it. */
export const productsModule = defineModule<{ products: ReturnType<typeof createProductsService> }>({
  name: 'products',
  create: ({ db, clock }) => ({ services: { products: createProductsService({ db, clock }) } }),
});

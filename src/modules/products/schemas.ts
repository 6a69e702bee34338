/** JSON Schemas of product, SKU and collection bodies (Fastify validates requests with them). */
const text = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
/** A product's or SKU's own id and source id. */
const identity = {
  id: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
  source_id: { type: ['string', 'null'], minLength: 1, maxLength: 500 },
} as const;
const price = { type: ['integer', 'null'], minimum: 0, maximum: 1e15 } as const;

export const productBody = {
  type: 'object',
  properties: {
    ...identity,
    name: text(1000),
    price,
    attributes: { type: ['array', 'null'], maxItems: 100, items: { type: 'string', maxLength: 200 } },
    metadata: { type: ['object', 'null'] },
    image_url: text(2000),
  },
} as const;

export const skuBody = {
  type: 'object',
  properties: {
    ...identity,
    sku: text(1000),
    price,
    currency: text(10),
    attributes: { type: ['object', 'null'] },
    metadata: { type: ['object', 'null'] },
    image_url: text(2000),
  },
} as const;

export const collectionBody = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 500 },
    type: { type: 'string', enum: ['STATIC', 'AUTO_UPDATE'] },
    filter: { type: 'object', required: ['junction'], properties: { junction: { type: 'string', enum: ['and', 'or', 'AND', 'OR'] } } },
    products: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['id', 'object'],
        additionalProperties: false,
        properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, object: { type: 'string', enum: ['product', 'sku'] }, product_id: { type: 'string', maxLength: 200 } },
      },
    },
  },
} as const;

/** POST /v1/products/bulk/async: up to 100 products, each named by its source_id. */
export const productBulkBody = {
  type: 'array',
  minItems: 1,
  maxItems: 100,
  items: { ...productBody, required: ['source_id'], properties: { ...productBody.properties, source_id: { type: 'string', minLength: 1, maxLength: 500 } } },
} as const;

/** POST /v1/products/metadata/async: one metadata merged into up to 1,000 products. */
export const productMetadataBody = {
  type: 'object',
  required: ['source_ids', 'metadata'],
  properties: { source_ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 500 } }, metadata: { type: 'object' } },
} as const;

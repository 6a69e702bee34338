/** JSON Schemas of what callers send about an order (Fastify validates requests with them). */
import { customerProperties } from '../customers/index.js';
import { orderStatuses } from './types.js';

const money = { type: 'integer', minimum: 0, maximum: 1e15 } as const;
const count = { type: 'integer', minimum: 0, maximum: 1e9 } as const;
const key = { type: 'string', minLength: 1, maxLength: 500 } as const;

const productRef = {
  type: 'object',
  properties: {
    id: key,
    source_id: key,
    override: { type: 'boolean' },
    name: { type: ['string', 'null'], maxLength: 1000 },
    sku: { type: ['string', 'null'], maxLength: 1000 },
    price: { type: ['integer', 'null'], minimum: 0, maximum: 1e15 },
    metadata: { type: ['object', 'null'] },
  },
} as const;

export const orderItemSchema = {
  type: 'object',
  properties: {
    sku_id: key,
    product_id: key,
    related_object: { type: 'string', enum: ['product', 'sku'] },
    source_id: key,
    quantity: count,
    discount_quantity: count,
    initial_quantity: count,
    amount: money,
    discount_amount: money,
    initial_amount: money,
    price: money,
    product: productRef,
    sku: productRef,
    metadata: { type: ['object', 'null'] },
  },
} as const;

const customerRef = { type: 'object', properties: customerProperties } as const;

export const orderInputSchema = {
  type: 'object',
  properties: {
    id: key,
    source_id: { type: ['string', 'null'], minLength: 1, maxLength: 500 },
    status: { type: 'string', enum: [...orderStatuses] },
    amount: money,
    initial_amount: money,
    discount_amount: money,
    items: { type: 'array', maxItems: 500, items: orderItemSchema },
    metadata: { type: ['object', 'null'] },
    created_at: { type: 'string', allOf: [{ format: 'date-time' }, { format: 'storable-time' }] },
    customer: customerRef,
    customer_id: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
    referrer: customerRef,
    referrer_id: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
  },
} as const;

/** JSON Schemas of validation and redemption requests. */
import { customerInputSchema } from '../customers/index.js';
import { orderInputSchema } from '../orders/index.js';
import { sessionSchema } from './sessions.js';

const rewardSchema = { type: 'object', description: 'A loyalty card pays for this reward: its id, and for a COIN reward the points to pay with (at most; all that is needed by default)', properties: { id: { type: 'string', maxLength: 100 }, points: { type: 'number' } } } as const;

const redeemable = {
  type: 'object',
  required: ['object', 'id'],
  properties: {
    object: { type: 'string', enum: ['voucher', 'promotion_tier', 'promotion_stack'] },
    id: { type: 'string', minLength: 1, maxLength: 500 },
    gift: { type: 'object', properties: { credits: { type: 'integer', minimum: 0, maximum: 1e15 } } },
    reward: rewardSchema,
  },
} as const;

const common = {
  order: orderInputSchema,
  customer: customerInputSchema,
  tracking_id: { type: 'string', maxLength: 500 },
  metadata: { type: 'object' },
  session: sessionSchema,
  options: { type: 'object' },
} as const;

/** The count of redeemables (1..30) is checked by the service: its error is invalid_redeemables. */
export const stackInputSchema = {
  type: 'object',
  required: ['redeemables'],
  properties: { redeemables: { type: 'array', items: redeemable }, ...common },
} as const;

/** The legacy single-voucher forms (/v1/vouchers/{code}/validate and /redemption). */
export const legacyInputSchema = {
  type: 'object',
  properties: { ...common, gift: { type: 'object', properties: { credits: { type: 'integer', minimum: 0, maximum: 1e15 } } }, reward: rewardSchema },
} as const;

export const rollbackInputSchema = {
  type: 'object',
  properties: { reason: { type: 'string', maxLength: 1000 }, tracking_id: { type: 'string', maxLength: 500 }, customer: customerInputSchema, metadata: { type: 'object' } },
} as const;

/**
 * The client-side legacy validation's query (GET /client/v1/validate, and /client/v1/promotions/validation without
 * a code), as the SDK's `client.validate` sends it: `amount` and `item` describe the order.
 */
export const legacyClientQuerySchema = {
  type: 'object',
  properties: {
    code: { type: 'string', minLength: 1, maxLength: 500 },
    amount: orderInputSchema.properties.amount,
    item: orderInputSchema.properties.items,
    metadata: { type: 'object' },
    order: { type: 'object', properties: { metadata: { type: 'object' } } },
    customer: customerInputSchema,
    tracking_id: { type: 'string', maxLength: 500 },
    session_type: sessionSchema.properties.type,
    session_key: sessionSchema.properties.key,
    session_ttl: sessionSchema.properties.ttl,
    session_ttl_unit: sessionSchema.properties.ttl_unit,
  },
} as const;

/** POST /v1/promotions/validation and /v1/promotions/tiers/{tierId}/validation. */
export const promotionValidationSchema = {
  type: 'object',
  properties: { order: orderInputSchema, customer: customerInputSchema, tracking_id: { type: 'string', maxLength: 500 }, metadata: { type: 'object' }, options: { type: 'object' } },
} as const;

import { codeConfigSchema, discountSchema, giftSchema, loyaltyCardSchema, redemptionSchema, validityProperties } from '../campaigns/index.js';

// What a voucher's GET answers may be sent back: null where it shows none (see nullsAsNone).
const orNull = <T extends { type: string }>(schema: T) => ({ ...schema, type: [schema.type, 'null'] }) as const;

export const voucherInputProperties = {
  code: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
  type: { type: ['string', 'null'], enum: ['DISCOUNT_VOUCHER', 'GIFT_VOUCHER', 'LOYALTY_CARD', null] },
  campaign: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
  campaign_id: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
  category: { type: ['string', 'null'] },
  category_id: { type: ['string', 'null'] },
  active: { type: ['boolean', 'null'] },
  additional_info: { type: ['string', 'null'], maxLength: 5000 },
  metadata: { type: ['object', 'null'] },
  is_referral_code: { type: ['boolean', 'null'] },
  // Rules to assign to the new voucher.
  validation_rules: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 200 } },
  discount: orNull(discountSchema),
  gift: orNull(giftSchema),
  loyalty_card: orNull(loyaltyCardSchema),
  redemption: orNull(redemptionSchema),
  code_config: orNull(codeConfigSchema),
  ...validityProperties,
} as const;

export const voucherInputSchema = { type: 'object', properties: voucherInputProperties } as const;

export const importSchema = { type: 'array', minItems: 1, maxItems: 5000, items: voucherInputSchema } as const;

export const balanceSchema = {
  type: 'object',
  required: ['amount'],
  properties: {
    amount: { type: 'integer', minimum: -1e15, maximum: 1e15, not: { const: 0 } },
    source_id: { type: 'string', maxLength: 200 },
    reason: { type: 'string', maxLength: 500 },
  },
} as const;

/** Items of one bulk request at most (Voucherify's limit for bulk/async), and codes of one metadata/async request. */
export const maxBulkItems = 100;
export const maxMetadataCodes = 1000;

/** POST /v1/vouchers/bulk/async: codes with the metadata to merge into each. */
export const bulkUpdateSchema = {
  type: 'array',
  minItems: 1,
  maxItems: maxBulkItems,
  items: { type: 'object', required: ['code', 'metadata'], properties: { code: { type: 'string', minLength: 1, maxLength: 100 }, metadata: { type: 'object' } } },
} as const;

/** POST /v1/vouchers/metadata/async: one metadata merged into every listed code's. */
export const metadataUpdateSchema = {
  type: 'object',
  required: ['codes', 'metadata'],
  properties: { codes: { type: 'array', minItems: 1, maxItems: maxMetadataCodes, items: { type: 'string', minLength: 1, maxLength: 100 } }, metadata: { type: 'object' } },
} as const;

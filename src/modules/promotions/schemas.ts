import { discountSchema, validityProperties } from '../campaigns/index.js';

export const tierInputSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 1000 },
    banner: { type: ['string', 'null'], maxLength: 5000 },
    action: { type: 'object', properties: { discount: discountSchema } },
    metadata: { type: ['object', 'null'] },
    hierarchy: { type: 'integer', minimum: 1, maximum: 1000000 },
    active: { type: 'boolean' },
    category_id: { type: ['string', 'null'], maxLength: 500 },
    // Rules to assign to the new tier.
    validation_rules: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 200 } },
    ...validityProperties,
  },
} as const;

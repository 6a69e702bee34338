import { customerInputSchema } from '../customers/index.js';

export const publicationInputSchema = {
  type: 'object',
  properties: {
    voucher: { type: 'string', minLength: 1, maxLength: 200 },
    campaign: {
      anyOf: [
        { type: 'string', minLength: 1, maxLength: 200 },
        { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, id: { type: 'string', minLength: 1 }, count: { type: 'integer', minimum: 1 } } },
      ],
    },
    customer: customerInputSchema,
    source_id: { type: 'string', minLength: 1, maxLength: 200 },
    metadata: { type: 'object' },
    channel: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

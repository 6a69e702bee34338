import { headersSchema } from '../delivery/index.js';

const base = {
  target_url: { type: 'string', minLength: 1, maxLength: 2000 },
  events: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } },
  active: { type: 'boolean' },
  description: { type: ['string', 'null'], maxLength: 1000 },
  headers: headersSchema,
  rate_limit: { type: ['integer', 'null'], minimum: 1, maximum: 10000 },
  // Checked in full by filter.ts (paths, operators, sizes).
  filter: { type: ['object', 'null'] },
  own_secret: { type: 'boolean' },
} as const;

/** POST and PUT take the same body; PUT replaces events (DIGEST e.1). */
export const webhookBody = { type: 'object', required: ['target_url', 'events'], properties: base, additionalProperties: false } as const;

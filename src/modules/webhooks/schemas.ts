import { acceptedEventNames } from './event-types.js';

/** Header names callers may not set: HTTP framing and the signature headers Tessera writes. */
export const reservedHeaders = [
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'user-agent',
  'x-voucherify-signature',
  'x-voucherify-signature-previous',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];

const headers = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" },
  additionalProperties: { type: 'string', maxLength: 2000, pattern: '^[^\\r\\n]*$' },
} as const;

const base = {
  target_url: { type: 'string', minLength: 1, maxLength: 2000 },
  events: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', enum: acceptedEventNames } },
  active: { type: 'boolean' },
  description: { type: ['string', 'null'], maxLength: 1000 },
  headers,
} as const;

/** POST and PUT take the same body; PUT replaces events (DIGEST e.1). */
export const webhookBody = { type: 'object', required: ['target_url', 'events'], properties: base } as const;

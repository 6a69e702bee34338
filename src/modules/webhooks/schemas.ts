/**
 * Header names callers may not set: HTTP framing (hop-by-hop headers and Expect, which the HTTP client refuses to
 * send, so every delivery would fail) and the signature headers Tessera writes.
 */
export const reservedHeaders = [
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'x-voucherify-signature',
  'x-voucherify-signature-previous',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];

export const headersSchema = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" },
  // A field value (RFC 9110 5.5): visible ASCII, space, tab and obs-text; no control characters, nothing the HTTP
  // client would refuse at send time.
  additionalProperties: { type: 'string', maxLength: 2000, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' },
} as const;

const base = {
  target_url: { type: 'string', minLength: 1, maxLength: 2000 },
  events: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } },
  active: { type: 'boolean' },
  description: { type: ['string', 'null'], maxLength: 1000 },
  headers: headersSchema,
} as const;

/** POST and PUT take the same body; PUT replaces events (DIGEST e.1). */
export const webhookBody = { type: 'object', required: ['target_url', 'events'], properties: base, additionalProperties: false } as const;

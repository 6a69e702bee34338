/** JSON Schemas of what callers send about a customer (Fastify validates requests with them). */
const text = (maxLength: number) => ({ type: ['string', 'null'], maxLength });

export const addressSchema = {
  type: ['object', 'null'],
  properties: {
    city: text(500),
    state: text(500),
    line_1: text(500),
    line_2: text(500),
    country: text(500),
    postal_code: text(100),
  },
} as const;

export const customerProperties = {
  id: { type: 'string', minLength: 1, maxLength: 200 },
  source_id: { type: 'string', minLength: 1, maxLength: 500 },
  name: text(500),
  description: text(5000),
  email: text(500),
  phone: text(100),
  birthdate: { type: ['string', 'null'], format: 'date' },
  birthday: { type: ['string', 'null'], format: 'date' },
  address: addressSchema,
  metadata: { type: ['object', 'null'] },
} as const;

export const customerInputSchema = { type: 'object', properties: customerProperties } as const;

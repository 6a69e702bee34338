/** Bodies of the branding routes: POST requires what Voucherify requires; PUT changes what it sends. */
const url = { type: ['string', 'null'], format: 'uri', maxLength: 2000 } as const;
const text = { type: 'string', maxLength: 500 } as const;
const nullableText = { type: ['string', 'null'], maxLength: 500 } as const;
const brandProps = { name: { type: 'string', minLength: 1, maxLength: 200 }, privacy_policy_url: url, terms_of_use_url: url, permission_reminder: { type: 'string', maxLength: 2000 }, website_url: url } as const;
const addressProps = { street: text, city: text, postal: nullableText, state: nullableText, country: text } as const;
const contactProps = { email: { type: 'string', format: 'email', maxLength: 320 }, phone: nullableText } as const;
const group = (properties: object, required: string[]) => ({ type: 'object', additionalProperties: false, properties, ...(required.length > 0 ? { required } : {}) });

/** POST: the brand's name, the address (street, city, postal, country) and the contact email are required. */
export const brandingCreateSchema = {
  type: 'object',
  required: ['brand', 'address', 'contact'],
  additionalProperties: false,
  properties: { brand: group(brandProps, ['name']), address: group(addressProps, ['street', 'city', 'postal', 'country']), contact: group(contactProps, ['email']) },
} as const;
/** PUT: what is sent changes, the rest stays. */
export const brandingUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { brand: group(brandProps, []), address: group(addressProps, []), contact: group(contactProps, []) },
} as const;

import { customerPropertiesNullableKeys } from '../customers/index.js';
import { eventNameSchema } from '../event-schemas/index.js';

/** EventsCreateRequestBody / ClientEventsCreateRequestBody. */
export const trackBody = {
  type: 'object',
  required: ['event', 'customer'],
  properties: {
    event: eventNameSchema,
    customer: {
      type: 'object',
      // id and source_id nullable as in the spec: a null one is not given (see nullKeysAsAbsent).
      properties: customerPropertiesNullableKeys,
      anyOf: [{ required: ['id'] }, { required: ['source_id'] }],
    },
    referral: {
      type: ['object', 'null'],
      required: ['code'],
      properties: { code: { type: 'string', minLength: 1 }, referrer_id: { type: 'string' } },
    },
    loyalty: {
      type: ['object', 'null'],
      required: ['code'],
      properties: { code: { type: 'string', minLength: 1 } },
    },
    metadata: { type: ['object', 'null'] },
  },
} as const;

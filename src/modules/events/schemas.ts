import { customerProperties } from '../customers/index.js';
import { eventNameSchema } from '../event-schemas/index.js';

/** EventsCreateRequestBody / ClientEventsCreateRequestBody. */
export const trackBody = {
  type: 'object',
  required: ['event', 'customer'],
  properties: {
    event: eventNameSchema,
    customer: {
      type: 'object',
      properties: customerProperties,
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

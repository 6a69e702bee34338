import { headersSchema } from '../delivery/index.js';
import { triggerTypes } from './service.js';

export const distributionBody = {
  type: 'object',
  required: ['name', 'trigger', 'channel'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    status: { type: 'string', enum: ['TO SEND', 'PAUSED', 'DRAFT'] },
    purpose: { type: 'string', enum: ['plain_message', 'publish_unique_codes', 'notify_promotion'] },
    campaign_id: { type: 'string', minLength: 1, maxLength: 200 },
    trigger: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', enum: [...triggerTypes] },
        event: { type: 'string', minLength: 1, maxLength: 300 },
        segment_id: { type: 'string', minLength: 1 },
        campaign_id: { type: 'string', minLength: 1, maxLength: 200 },
      },
    },
    channel: {
      type: 'object',
      required: ['type', 'target_url', 'event_name'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', enum: ['webhook'] },
        target_url: { type: 'string', minLength: 1, maxLength: 2000 },
        event_name: { type: 'string', minLength: 1, maxLength: 200 },
        headers: headersSchema,
        template: { type: ['object', 'null'] },
        raw_payload: { type: 'boolean' },
      },
    },
  },
  additionalProperties: false,
} as const;

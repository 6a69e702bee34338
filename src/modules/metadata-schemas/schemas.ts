import { propertyTypes } from './types.js';

const property = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...propertyTypes] },
    optional: { type: 'boolean', default: true },
    array: { type: 'boolean', default: false },
    deleted: { type: 'boolean' },
    object_type: { type: ['string', 'null'] },
    min_length: { type: 'integer', minimum: 0 },
    max_length: { type: 'integer', minimum: 0 },
    exact_length: { type: 'integer', minimum: 0 },
    eq: { type: 'array', maxItems: 1000, items: { type: ['string', 'number'] } },
    ne: { type: 'array', maxItems: 1000, items: { type: 'number' } },
    lt: { type: 'number' },
    lte: { type: 'number' },
    gt: { type: 'number' },
    gte: { type: 'number' },
  },
} as const;

const properties = { type: 'object', maxProperties: 100, propertyNames: { minLength: 1, maxLength: 200 }, additionalProperties: property } as const;

export const createMetadataSchemaBody = {
  type: 'object',
  required: ['related_object', 'properties'],
  additionalProperties: false,
  properties: { related_object: { type: 'string', minLength: 1, maxLength: 200 }, allow_defined_only: { type: 'boolean' }, properties },
} as const;

export const updateMetadataSchemaBody = {
  type: 'object',
  additionalProperties: false,
  properties: { allow_defined_only: { type: 'boolean' }, properties },
} as const;

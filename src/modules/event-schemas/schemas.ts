import { propertyTypes } from './types.js';

const property = (required: string[]) => ({
  type: 'object',
  required,
  properties: {
    type: { type: 'string', enum: [...propertyTypes] },
    optional: { type: 'boolean' },
    deleted: { type: 'boolean' },
  },
  additionalProperties: false,
});

const propertyName = { type: 'string', minLength: 1, maxLength: 200 };

/** A custom event's name, as schemas and tracked events give it. */
export const eventNameSchema = { type: 'string', minLength: 1, maxLength: 300 } as const;

export const createSchemaBody = {
  type: 'object',
  required: ['name', 'schema'],
  properties: {
    name: eventNameSchema,
    schema: {
      type: 'object',
      required: ['properties'],
      properties: {
        properties: { type: 'object', propertyNames: propertyName, additionalProperties: property(['type', 'optional']), maxProperties: 100 },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

export const updateSchemaBody = {
  type: 'object',
  properties: {
    schema: {
      type: 'object',
      required: ['properties'],
      properties: {
        properties: { type: 'object', propertyNames: propertyName, additionalProperties: property([]), maxProperties: 100 },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

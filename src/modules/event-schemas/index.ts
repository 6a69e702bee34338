/**
 * Custom event schemas: what a tracked event of a given name must carry. Glossary:
 * - schema (`ms_`): a name unique per project and its properties.
 * - property: type (string, number, date, datetime, boolean), optional, and deleted (soft: hidden, restorable).
 * - check: the validation of a tracked event's metadata against its schema.
 */
import { defineModule } from '../module.js';
import { createEventSchemasService } from './service.js';
export { createEventSchemasService, type EventSchemasService, type SchemaInput, type SchemaUpdate } from './service.js';
export { eventSchemaObject, asMetadataSchemaObject, simpleEventSchema } from './view.js';
export { createSchemaBody, eventNameSchema, updateSchemaBody } from './schemas.js';
export { validateMetadata, type MetadataViolation } from './validate.js';
export type { EventSchemaRow, PropertyDefinition, PropertyType } from './types.js';

export const eventSchemasModule = defineModule({
  name: 'event-schemas',
  create: ({ db, clock }) => ({ services: { schemas: createEventSchemasService({ db, clock }) } }),
});

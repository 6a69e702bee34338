/**
 * Custom event schemas: what a tracked event of a given name must carry. Glossary:
 * - schema (`ms_`): a name unique per project and its properties.
 * - property: type (string, number, date, datetime, boolean), optional, and deleted (soft: hidden, restorable).
 * - check: the validation of a tracked event's metadata against its schema.
 */
import { defineModule } from '../module.js';
import type { Executor } from '../../store/db.js';
import { createEventSchemasService, type SchemaUsers } from './service.js';
export { createEventSchemasService, type EventSchemasService, type SchemaInput, type SchemaUpdate } from './service.js';
export { eventSchemaObject, asMetadataSchemaObject, simpleEventSchema } from './view.js';
export { createSchemaBody, eventNameSchema, updateSchemaBody } from './schemas.js';
export { validateMetadata, type MetadataViolation } from './validate.js';
export type { EventSchemaRow, PropertyDefinition, PropertyType } from './types.js';

/** The later modules whose definitions name a schema: asked only when a schema is deleted. */
interface SchemaNamers {
  distributions: { namingEvent(ex: Executor, projectId: string, eventName: string): Promise<string[]> };
  earningRules: { namingEventSchema(ex: Executor, projectId: string, schema: { id: string; name: string }): Promise<string[]> };
}

export const eventSchemasModule = defineModule<{ schemas: ReturnType<typeof createEventSchemasService> }, SchemaNamers>({
  name: 'event-schemas',
  create: ({ db, clock, services }) => {
    const usedBy: SchemaUsers = async (ex, projectId, schema) => [
      ...(await services.distributions.namingEvent(ex, projectId, schema.name)).map((id) => `distribution ${id}`),
      ...(await services.earningRules.namingEventSchema(ex, projectId, schema)).map((id) => `earning rule ${id}`),
    ];
    return { services: { schemas: createEventSchemasService({ db, clock, usedBy }) } };
  },
});

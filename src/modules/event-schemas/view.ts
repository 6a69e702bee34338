import type { EventSchemaRow } from './types.js';

/** ManagementProjectsCustomEventSchema. */
export function eventSchemaObject(s: EventSchemaRow) {
  return {
    id: s.id,
    name: s.name,
    schema: { properties: s.properties },
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at ? s.updated_at.toISOString() : null,
    object: 'custom-event-schema',
  };
}

/** The same schema as GET /v1/metadata-schemas lists it: a metadata schema whose related_object is the event. */
export function asMetadataSchemaObject(s: EventSchemaRow) {
  const properties: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(s.properties)) {
    properties[k] = { type: d.type, array: false, optional: d.optional, deleted: d.deleted ?? false, objectType: null };
  }
  return {
    id: s.id,
    related_object: s.name,
    properties,
    allow_defined_only: false,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at ? s.updated_at.toISOString() : null,
    object: 'metadata_schema',
  };
}

/** SimpleCustomEvent, as customer.custom_event payloads embed the schema. */
export function simpleEventSchema(s: EventSchemaRow) {
  return { id: s.id, name: s.name };
}

import type { MetadataSchemaRow } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The management API's object (snake_case constraints). */
export function metadataSchemaObject(s: MetadataSchemaRow) {
  return {
    id: s.id,
    related_object: s.related_object,
    properties: s.properties,
    allow_defined_only: s.allow_defined_only,
    created_at: s.created_at.toISOString(),
    updated_at: iso(s.updated_at),
    object: 'metadata_schema' as const,
  };
}

const camel: Record<string, string> = { min_length: 'minLength', max_length: 'maxLength', exact_length: 'exactLength', object_type: 'objectType' };

/** GET /v1/metadata-schemas spells constraints in camelCase. */
export function publicMetadataSchemaObject(s: MetadataSchemaRow) {
  const properties: Record<string, unknown> = {};
  for (const [k, d] of Object.entries(s.properties)) {
    properties[k] = Object.fromEntries(Object.entries({ object_type: null, deleted: false, ...d }).map(([n, v]) => [camel[n] ?? n, v]));
  }
  return { ...metadataSchemaObject(s), properties };
}

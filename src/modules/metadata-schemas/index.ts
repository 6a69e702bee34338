/**
 * Metadata schemas of resources. Glossary:
 * - related_object: campaign, voucher, publication, customer... (one schema per project each).
 * - property: type, optional, array, constraints (eq, ne, lt/lte/gt/gte, min/max/exact length); `deleted` hides it.
 * - allow_defined_only: metadata keys the schema does not define are refused.
 * - check: campaigns, vouchers and publications refuse metadata that breaks their schema
 *   (400 metadata_validation_failed).
 */
import { defineModule } from '../module.js';
import { createMetadataSchemasService } from './service.js';
export { type MetadataSchemasService } from './service.js';
export { metadataSchemaObject, publicMetadataSchemaObject } from './view.js';
export { createMetadataSchemaBody, updateMetadataSchemaBody } from './schemas.js';
export type { MetadataSchemaInput, MetadataSchemaRow } from './types.js';

export const metadataSchemasModule = defineModule({
  name: 'metadata-schemas',
  create: ({ db, clock, definitions }) => ({ services: { metadataSchemas: createMetadataSchemasService({ db, clock, definitions }) } }),
});

export const propertyTypes = ['string', 'number', 'object', 'date', 'datetime', 'geopoint', 'boolean', 'image_url'] as const;

/** One metadata property, as the management API spells it (snake_case constraints). */
export interface MetadataProperty {
  type: (typeof propertyTypes)[number];
  optional: boolean;
  array: boolean;
  deleted?: boolean;
  object_type?: string | null;
  min_length?: number;
  max_length?: number;
  exact_length?: number;
  eq?: Array<string | number>;
  ne?: number[];
  lt?: number;
  lte?: number;
  gt?: number;
  gte?: number;
}

export interface MetadataSchemaRow {
  id: string;
  project_id: string;
  related_object: string;
  allow_defined_only: boolean;
  properties: Record<string, MetadataProperty>;
  created_at: Date;
  updated_at: Date | null;
}

export interface MetadataSchemaInput {
  related_object: string;
  allow_defined_only?: boolean;
  properties: Record<string, MetadataProperty>;
}

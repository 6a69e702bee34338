export const propertyTypes = ['string', 'number', 'date', 'datetime', 'boolean'] as const;
export type PropertyType = (typeof propertyTypes)[number];

export interface PropertyDefinition {
  type: PropertyType;
  optional: boolean;
  deleted?: boolean;
}

export interface EventSchemaRow {
  id: string;
  project_id: string;
  name: string;
  properties: Record<string, PropertyDefinition>;
  created_at: Date;
  updated_at: Date | null;
}

/** What an export asks for and how it is kept. */
export const exportedObjects = ['voucher', 'redemption', 'publication', 'customer', 'order', 'voucher_transactions', 'points_expiration'] as const;
export type ExportedObject = (typeof exportedObjects)[number];

/** A filter condition on one field: Voucherify's `{field: {conditions: {$op: [values] or value}}}`. */
export type Conditions = Record<string, unknown>;
export interface ExportFilters {
  junction?: 'and' | 'AND' | 'or' | 'OR';
  /** A group of conditions under a junction of its own (a per-object export keeps yours in one). */
  filters?: ExportFilters;
  [field: string]: { conditions: Conditions } | ExportFilters | string | undefined;
}

export interface ExportParameters {
  fields?: string[];
  order?: string;
  filters?: ExportFilters;
}

export interface ExportInput {
  exported_object: ExportedObject;
  parameters?: ExportParameters;
}

export interface ExportRow {
  id: string;
  project_id: string;
  exported_object: ExportedObject;
  parameters: Required<Pick<ExportParameters, 'fields' | 'order'>> & { filters?: ExportFilters };
  status: 'SCHEDULED' | 'IN_PROGRESS' | 'DONE' | 'ERROR';
  channel: string;
  token: string;
  /** The last row written: its order value and id. */
  position: { value: string | number | null; id: string } | null;
  row_count: number;
  chunk_count: number;
  error: string | null;
  created_at: Date;
  updated_at: Date | null;
}

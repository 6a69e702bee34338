import type { ListFilters } from '../../core/list-filters.js';

export const binResourceTypes = ['campaign', 'voucher', 'product', 'sku'] as const;
export type BinResourceType = (typeof binResourceTypes)[number];

/** The table each kind of resource lives in (its row has `id` and `project_id`). */
export const binTables: Record<BinResourceType, string> = { campaign: 'campaigns', voucher: 'vouchers', product: 'products', sku: 'skus' };

export interface BinEntryRow {
  id: string;
  project_id: string;
  resource_type: BinResourceType;
  resource_id: string;
  resource_name: string | null;
  resource_parent_id: string | null;
  deleted_by_user_id: string | null;
  created_at: Date;
}

/** What a delete hands to the bin: the resource (its row is kept with its dependents' before the caller deletes it). */
export interface Binned {
  projectId: string;
  type: BinResourceType;
  id: string;
  /** The campaign, product or SKU name, or the voucher code. */
  name: string | null;
  /** A voucher's campaign (none for a standalone voucher), an SKU's product. */
  parentId: string | null;
  /** Who deleted it from the dashboard (a team user's id, or the management id); none through the API. */
  userId?: string | null;
}

export interface BinListQuery {
  limit: number;
  order?: 'id' | '-id';
  starting_after_id?: string;
  filters?: ListFilters;
}

import type { BinEntryRow } from './types.js';

/** The bin entry object (TrashBinItem): `object` is the resource's type. */
export function binEntryObject(e: BinEntryRow) {
  return {
    id: e.id,
    created_at: e.created_at.toISOString(),
    deleted_by_user_id: e.deleted_by_user_id,
    resource_id: e.resource_id,
    resource_type: e.resource_type,
    resource_name: e.resource_name,
    resource_parent_id: e.resource_parent_id,
    object: e.resource_type,
  };
}

import type { SegmentRow } from './types.js';

/** Voucherify's segment object, with the progress of the background computation of its members. */
export function segmentObject(s: SegmentRow) {
  return {
    id: s.id,
    name: s.name,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at ? s.updated_at.toISOString() : null,
    type: s.type,
    filter: s.filter,
    initial_sync_status: s.sync_status,
    sync: { status: s.sync_status, processed: s.sync_processed, total: s.sync_total },
    object: 'segment',
  };
}

/** SimpleSegment, as segment events carry it. */
export function simpleSegment(s: Pick<SegmentRow, 'id' | 'name'>) {
  return { id: s.id, name: s.name, object: 'segment' as const };
}

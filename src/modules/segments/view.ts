import type { SegmentRow } from './types.js';
import { isoTimes } from '../../core/time-range.js';

/** Voucherify's segment object, with the progress of the background computation of its members. */
export function segmentObject(s: SegmentRow) {
  return {
    ...simpleSegment(s),
    ...isoTimes(s),
    type: s.type,
    filter: s.filter,
    initial_sync_status: s.sync_status,
    sync: { status: s.sync_status, processed: s.sync_processed, total: s.sync_total },
  };
}

/** SimpleSegment, as segment events carry it. */
export function simpleSegment(s: Pick<SegmentRow, 'id' | 'name'>) {
  return { id: s.id, name: s.name, object: 'segment' as const };
}

import type { EventRecord } from './types.js';

/** Voucherify's CustomerActivity object. */
export function activityObject(r: EventRecord) {
  return {
    id: r.id,
    type: r.type,
    data: { data: r.data, event_source: r.eventSource },
    created_at: r.createdAt.toISOString(),
    group_id: r.groupId,
  };
}

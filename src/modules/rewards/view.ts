import type { AssignmentRow, RewardRow } from './sql.js';

/** Voucherify's Reward object. */
export function rewardObject(r: RewardRow) {
  return {
    id: r.id,
    name: r.name,
    stock: r.stock,
    redeemed: r.redeemed,
    attributes: r.attributes ?? {},
    metadata: r.metadata ?? {},
    type: r.type,
    parameters: r.parameters,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at ? r.updated_at.toISOString() : null,
    object: 'reward' as const,
  };
}

/** Voucherify's RewardAssignment object. */
export function assignmentObject(a: AssignmentRow) {
  return {
    id: a.id,
    reward_id: a.reward_id,
    created_at: a.created_at.toISOString(),
    updated_at: a.updated_at ? a.updated_at.toISOString() : null,
    object: 'reward_assignment' as const,
    related_object_id: a.campaign_id,
    related_object_type: 'campaign' as const,
    parameters: { loyalty: { points: Number(a.points) } },
  };
}

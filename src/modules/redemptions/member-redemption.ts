/**
 * POST /v1/loyalties/{id}/members/{code}/redemption: the member's card redeemed with the reward it pays for (and the
 * order a COIN reward pays), its holder as the customer: a redemption like any, listed and rolled back alike.
 */
import type { Cause } from '../event-log/index.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import type { OrderInput } from '../orders/index.js';
import { defaultStackingRules, type StackingRules } from './stacking.js';
import type { StackInput } from './types.js';

export interface MemberRedemptionInput {
  reward: { id: string; points?: number };
  order?: OrderInput;
  metadata?: Record<string, unknown>;
}

export function createMemberRedemption<R extends { redemptions: unknown[] }>(
  loyalties: Pick<LoyaltiesService, 'program' | 'card'>,
  redeem: (cause: Cause, input: StackInput, rules: StackingRules) => Promise<R>,
) {
  return async function redeemReward(cause: Cause, programId: string, memberId: string, body: MemberRedemptionInput, rules: StackingRules = defaultStackingRules): Promise<R['redemptions'][number]> {
    const program = await loyalties.program(cause.projectId, programId);
    const { card } = await loyalties.card(cause.projectId, memberId, program.id);
    const input: StackInput = {
      redeemables: [{ object: 'voucher', id: card.code, reward: body.reward }],
      ...(card.holder_id ? { customer: { id: card.holder_id } } : {}),
      ...(body.order ? { order: body.order } : {}),
      ...(body.metadata ? { metadata: body.metadata } : {}),
    };
    return (await redeem(cause, input, rules)).redemptions[0]!;
  };
}

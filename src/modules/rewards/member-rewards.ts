import { notFound } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import { cardPoints } from '../vouchers/index.js';
import * as sql from './sql.js';
import { assignmentObject, rewardObject } from './view.js';

export interface MemberRewardsQuery {
  affordable_only?: boolean;
  limit: number;
  page: number;
}

/** A member's rewards (what their program offers, at their tier's prices) and the reward of an assignment. */
export function createMemberRewards(deps: { db: Db; loyalties: Pick<LoyaltiesService, 'card' | 'program' | 'rewardPrices'> }) {
  const { db } = deps;

  /**
   * GET /v1/loyalties/members/{code}/rewards: the rewards assigned to the card's program, oldest assignment first,
   * each priced as the member's tier sets it; `affordable_only` keeps those the card's balance pays for. The whole
   * list is priced before it is paged, so that `total` counts what the filter keeps.
   */
  async function list(projectId: string, memberId: string, q: MemberRewardsQuery) {
    const found = await deps.loyalties.card(projectId, memberId);
    const offered = found.campaign ? await sql.selectProgramRewards(db, projectId, found.campaign.id) : [];
    const prices = await deps.loyalties.rewardPrices(db, projectId, found, offered.map((o) => ({ price: Number(o.assignment.points), ids: [o.reward.id, o.assignment.id] })));
    const balance = cardPoints(found.card, found.campaign).balance;
    const kept = offered.map((o, i) => ({ ...o, points: prices[i]! })).filter((o) => !q.affordable_only || o.points <= balance);
    const data = kept.slice((q.page - 1) * q.limit, q.page * q.limit).map((o) => ({
      reward: rewardObject(o.reward),
      assignment: assignmentObject({ ...o.assignment, points: o.points }),
      object: 'loyalty_reward' as const,
    }));
    return { object: 'list' as const, data_ref: 'data' as const, data, total: kept.length };
  }

  /** GET /v1/loyalties/{id}/reward-assignments/{assignmentId}/reward: the reward that assignment of the program offers. */
  async function ofAssignment(projectId: string, programId: string, assignmentId: string) {
    const program = await deps.loyalties.program(projectId, programId);
    const a = (await sql.selectAssignments(db, projectId, { campaignId: program.id })).find((x) => x.id === assignmentId);
    if (!a) throw notFound('reward_assignment', assignmentId);
    const reward = await sql.selectReward(db, projectId, a.reward_id);
    if (!reward) throw notFound('reward', a.reward_id);
    return rewardObject(reward);
  }

  return { memberRewards: list, assignmentReward: ofAssignment };
}

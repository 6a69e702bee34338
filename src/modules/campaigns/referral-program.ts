import { invalidCampaign, notFound } from '../../core/errors.js';
import type { Executor } from '../../store/db.js';
import * as sql from './sql.js';
import type { CampaignRow, CampaignType, ReferralProgram, ReferralReward } from './types.js';

/** The campaign type a referral reward is given from: credits on a gift card, points on a loyalty card. */
export const rewardCampaignType: Record<ReferralReward['type'], CampaignType> = { GIFT_VOUCHER: 'GIFT_VOUCHERS', LOYALTY_CARD: 'LOYALTY_PROGRAM' };

/** Why a referral reward cannot be given from this campaign (missing, disabled, of another type), or undefined. */
export function rewardProblem(r: ReferralReward, c: CampaignRow | undefined): 'reward_campaign_missing' | 'reward_campaign_disabled' | 'reward_campaign_type' | undefined {
  if (!c) return 'reward_campaign_missing';
  if (c.campaign_type !== rewardCampaignType[r.type]) return 'reward_campaign_type';
  return c.active ? undefined : 'reward_campaign_disabled';
}

/**
 * A referral_program as sent: each reward's campaign exists in the project (404) and is of the reward's type (400),
 * and no two referrer rewards share a number of conversions (400). A disabled reward campaign is accepted (it may be
 * enabled again); a conversion while it is disabled gives no reward.
 */
export async function checkReferralProgram(ex: Executor, projectId: string, rp: ReferralProgram): Promise<void> {
  const tiers = rp.referrer_rewards ?? [];
  const seen = new Set<number>();
  for (const t of tiers) {
    if (seen.has(t.conversions)) throw invalidCampaign(`Property .referral_program.referrer_rewards: two rewards for ${t.conversions} conversions; each number of conversions has one reward`);
    seen.add(t.conversions);
  }
  const rewards: Array<[string, ReferralReward]> = [
    ...(rp.referee_reward ? [['referee_reward', rp.referee_reward] as [string, ReferralReward]] : []),
    ...tiers.map((t, i) => [`referrer_rewards[${i}].reward`, t.reward] as [string, ReferralReward]),
  ];
  if (rewards.length === 0) return;
  const found = new Map((await sql.selectByIds(ex, projectId, [...new Set(rewards.map(([, r]) => r.related_object_parent.id))])).map((c) => [c.id, c]));
  for (const [where, r] of rewards) {
    const id = r.related_object_parent.id;
    const c = found.get(id);
    if (!c) throw notFound('campaign', id);
    if (rewardProblem(r, c) === 'reward_campaign_type') {
      throw invalidCampaign(`Property .referral_program.${where}: a ${r.type} reward is given from a ${rewardCampaignType[r.type]} campaign, and ${c.name} (${id}) is ${c.campaign_type}`);
    }
  }
}

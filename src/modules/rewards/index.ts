/**
 * Rewards members of loyalty programs buy with points. Glossary:
 * - reward (`rew_`): CAMPAIGN (a discount code, gift credits or points of a campaign), MATERIAL (a product), COIN
 *   (points that pay for an order in /v1/redemptions); an optional stock of units, spent by a guarded update.
 * - assignment (`rewa_`): a reward offered by a program at a price in points.
 * - member rewards: what a card's program offers, at the price the member's tier sets (affordable_only: within the balance).
 * - redeeming: the member's card pays the points (never below 0) and gets what the reward gives, in one transaction:
 *   a redemption of the card (the redemptions module's), with its reward redemption (`rwrd_`, reward-redemptions.ts).
 * Emits customer.reward_redemptions.created, .completed and .rolledback.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import { defineModule } from '../module.js';
import type { ProductsService } from '../products/index.js';
import type { PublicationsService } from '../publications/index.js';
import type { Balances } from '../vouchers/index.js';
import { createRewardsService } from './service.js';
export { type RewardsService, type RewardInput, type AssignmentInput } from './service.js';
export type { MemberRewardsQuery } from './member-rewards.js';
export { assignmentBody, rewardBody } from './schemas.js';
export { eventData as rewardRedemptionData, type Paid as RewardPaid } from './reward-redemptions.js';
export type { AssignmentRow as RewardAssignmentRow, RewardRedemptionRow, RewardRow } from './sql.js';

export const rewardsModule = defineModule<
  { rewards: ReturnType<typeof createRewardsService> },
  { campaigns: CampaignsService; loyalties: LoyaltiesService; publications: PublicationsService; balances: Balances; products: ProductsService }
>({
  name: 'rewards',
  create: ({ db, clock, services }) => ({
    services: { rewards: createRewardsService({ db, clock, campaigns: services.campaigns, loyalties: services.loyalties, publications: services.publications, balances: services.balances, products: services.products }) },
  }),
});

/**
 * Samples of the reward and referral types: a reward paid with loyalty points (customer.reward_redemptions.created),
 * a referral reward (customer.rewarded: credits on the test gift card) and a referral code's holders
 * (customer.holder.assignment.*), built with the rewards and referrals modules' own views.
 */
import { simpleCampaign } from '../campaigns/index.js';
import { simpleCustomer } from '../customers/index.js';
import { holderObject } from '../referrals/index.js';
import { rewardRedemptionData } from '../rewards/index.js';
import { simpleVoucher } from '../vouchers/index.js';
import type { SampleWorld } from './fixtures.js';

type Sample = Record<string, unknown>;

function rewardRedemption(w: SampleWorld): Sample {
  const { campaign, voucher: card } = w.loyalty;
  const holder = simpleCustomer(w.customer);
  const reward = { id: 'rew_test0000000000000000000', project_id: 'proj_test', name: 'Test reward: 10% coupon', type: 'CAMPAIGN' as const, parameters: { campaign: { id: w.discount.campaign.id, type: 'DISCOUNT_COUPONS' } }, attributes: {}, metadata: {}, stock: null, redeemed: 1, created_at: w.now, updated_at: null };
  const assignment = { id: 'rewa_test000000000000000000', project_id: 'proj_test', reward_id: reward.id, campaign_id: campaign.id, points: 300, created_at: w.now, updated_at: null };
  const row = { id: 'rwrd_test000000000000000000', project_id: 'proj_test', redemption_id: 'r_test000000000000000000000', reward_id: reward.id, assignment_id: assignment.id, voucher_id: card.id, campaign_id: campaign.id, customer_id: w.customer.id, points: 300, counted: false, state: 'COMPLETED' as const, created_at: w.now, updated_at: w.now };
  // What the reward gave: the sample coupon.
  const given = { voucher: simpleVoucher(w.discount.voucher, w.discount.campaign) };
  const data = rewardRedemptionData({ card, campaign, holder, reward, assignment, given }, row, 'CREATED');
  return { ...data, source: { id: row.redemption_id, type: 'redemption' }, balance: null };
}

function rewarded(w: SampleWorld): Sample {
  const who = simpleCustomer(w.customer);
  const { campaign, voucher } = w.gift;
  const customEvent = { id: 'event_test0000000000000000', object: 'event', type: 'signed_up', customer: who, referral: { code: w.referral.voucher.code }, loyalty: null, metadata: {}, created_at: w.at };
  return { customer: who, holder: who, campaign: simpleCampaign(campaign), redemption: null, reward: null, referral_tier: null, custom_event: customEvent, customer_event: null, voucher: simpleVoucher(voucher, campaign), balance: { amount: 2500 } };
}

function holderAssignment(w: SampleWorld): Sample {
  const { campaign, voucher } = w.referral;
  const holder = { id: 'rh_test00000000000000000000', campaign_id: campaign.id, voucher_id: voucher.id, customer_id: w.customer.id, holder_role: 'REFERRER' as const, publication_id: 'pub_test00000000000000000000', metadata: {}, created_at: w.now, voucher_type: voucher.type };
  return { holder: holderObject(holder), voucher: simpleVoucher(voucher, campaign), campaign: simpleCampaign(campaign), customer: simpleCustomer(w.customer) };
}

export function rewardsSample(w: SampleWorld, type: string): Sample | undefined {
  if (type === 'customer.reward_redemptions.created') return rewardRedemption(w);
  if (type === 'customer.rewarded') return rewarded(w);
  if (type.startsWith('customer.holder.assignment.')) return holderAssignment(w);
  return undefined;
}

/**
 * Samples of the loyalty types: a card's points added, expired and pending, its transaction, the program's tiers
 * and the points an earning rule gave; built with the loyalty module's own views.
 */
import { simpleCampaign } from '../campaigns/index.js';
import { simpleCustomer } from '../customers/index.js';
import {
  bucketObject,
  earningRuleObject,
  loyaltyBalanceObject,
  loyaltyTierObject,
  loyaltyTransactionObject,
  pendingBalance,
  pendingObject,
  pendingOrderObject,
  type EarningRuleRow,
  type LoyaltyTransactionRow,
  type PendingRow,
} from '../loyalties/index.js';
import { orderObject } from '../orders/index.js';
import { simpleVoucher, voucherObject } from '../vouchers/index.js';
import type { SampleWorld } from './fixtures.js';

type Sample = Record<string, unknown>;

const points = 100;

function rule(w: SampleWorld): EarningRuleRow {
  return { id: 'ern_test0000000000000000000', project_id: 'proj_test', campaign_id: w.loyalty.campaign.id, event: 'customer.order.paid', active: true, definition: { loyalty: { type: 'FIXED', points }, source: { banner: 'Test rule: 100 points an order' }, metadata: {} }, created_at: w.now, updated_at: null };
}

function transaction(w: SampleWorld, type: LoyaltyTransactionRow['type'], change: number): LoyaltyTransactionRow {
  const card = w.loyalty.voucher;
  return {
    id: 'vtx_test0000000000000loyalty',
    project_id: 'proj_test',
    voucher_id: card.id,
    campaign_id: card.campaign_id,
    type,
    points: change,
    balance: Number(card.loyalty_balance),
    total: Number(card.loyalty_points),
    source: change > 0 && type !== 'POINTS_ADDITION' ? 'Automation' : 'API',
    source_id: null,
    reason: 'Test transaction',
    related: type === 'POINTS_ACCRUAL' ? { earning_rule_id: rule(w).id, earning_rule_banner: 'Test rule: 100 points an order', order_id: w.order.id } : {},
    created_at: w.now,
  };
}

function pending(w: SampleWorld, type: string): PendingRow {
  const card = w.loyalty.voucher;
  return {
    id: 'lopp_test000000000000000000',
    project_id: 'proj_test',
    voucher_id: card.id,
    campaign_id: w.loyalty.campaign.id,
    customer_id: w.customer.id,
    order_id: w.order.id,
    earning_rule_id: rule(w).id,
    points,
    activates_at: new Date(w.now.getTime() + 14 * 86_400_000),
    status: type.endsWith('.activated') ? 'ACTIVATED' : type.endsWith('.canceled') ? 'CANCELED' : 'PENDING',
    details: {
      event: { id: 'evtest_order_paid', type: 'customer.order.paid', group_id: 'test', entity_id: w.order.id },
      order: { id: w.order.id, source_id: w.order.source_id },
      earning_rule: { id: rule(w).id, source: { banner: 'Test rule: 100 points an order' } },
    },
    created_at: w.now,
    updated_at: type.endsWith('.added') ? null : w.now,
  };
}

function cardSample(w: SampleWorld, type: string): Sample {
  const { campaign, voucher: card } = w.loyalty;
  const common = { customer: simpleCustomer(w.customer), campaign: simpleCampaign(campaign), voucher: simpleVoucher(card, campaign) };
  if (type.includes('.pending_points.')) {
    const p = pending(w, type);
    if (type.endsWith('.activated')) {
      const t = transaction(w, 'PENDING_POINTS_ACTIVATION', points);
      return { ...common, balance: loyaltyBalanceObject(card, campaign, points, true), order: { id: w.order.id, object: 'order' }, transaction: loyaltyTransactionObject({ ...t, source: 'Automation' }), pending_points: pendingObject(p) };
    }
    const change = type.endsWith('.canceled') ? -points : points;
    return { ...common, voucher_pending_points_balance: pendingBalance(card.id, change, type.endsWith('.canceled') ? 0 : points), order: pendingOrderObject(orderObject(w.order)), pending_points: pendingObject(p) };
  }
  if (type.endsWith('.points_expired')) {
    const bucket = { id: 'lpb_test0000000000000000000', project_id: 'proj_test', voucher_id: card.id, campaign_id: campaign.id, points, remaining: points, expires_on: w.at.slice(0, 10), expire_at: w.now, created_at: w.now, updated_at: null };
    return { ...common, transaction: loyaltyTransactionObject({ ...transaction(w, 'POINTS_EXPIRATION', -points), source: 'Automation' }), points, buckets: bucketObject(bucket) };
  }
  const t = loyaltyTransactionObject(transaction(w, 'POINTS_ADDITION', points));
  const balance = loyaltyBalanceObject(card, campaign, points, false);
  if (type.endsWith('.points_added')) return { voucher: common.voucher, balance, campaign: common.campaign, customer: common.customer, transaction: t };
  // voucher.loyalty_card.transaction.created
  return {
    transaction: t,
    voucher: voucherObject(card, campaign),
    campaign: common.campaign,
    holder: common.customer,
    holder_loyalty_tier: null,
    balance,
    order: null,
    event: null,
    earning_rule: null,
    segment: null,
    loyalty_tier: null,
    redemption: null,
    rollback: null,
    reward: null,
    custom_event: null,
    source_voucher: null,
    destination_voucher: null,
  };
}

function tierSample(w: SampleWorld, type: string): Sample {
  const tier = {
    id: 'ltr_test000000000000000000',
    project_id: 'proj_test',
    campaign_id: w.loyalty.campaign.id,
    name: 'Test tier: Gold',
    points_from: 1000,
    points_to: 4999,
    metadata: {},
    earning_rules: {},
    rewards: {},
    created_at: w.now,
    updated_at: type.endsWith('.created') ? null : w.now,
  };
  return { campaign: simpleCampaign(w.loyalty.campaign), loyalty_tier: loyaltyTierObject(tier) };
}

function rewardedPoints(w: SampleWorld): Sample {
  const { campaign, voucher: card } = w.loyalty;
  const customer = simpleCustomer(w.customer);
  return {
    customer,
    holder: customer,
    voucher: simpleVoucher(card, campaign),
    campaign: simpleCampaign(campaign),
    loyalty_tier: null,
    earning_rule: earningRuleObject(rule(w)),
    balance: loyaltyBalanceObject(card, campaign, points, true),
    order: null,
    event: { id: 'evtest_order_paid', type: 'customer.order.paid', category: 'ACTION', entity_id: w.customer.id, created_at: w.at },
  };
}

export function loyaltySample(w: SampleWorld, type: string): Sample | undefined {
  if (type.startsWith('voucher.loyalty_card.')) return cardSample(w, type);
  if (type.startsWith('campaign.loyalty_tier.')) return tierSample(w, type);
  if (type === 'customer.rewarded.loyalty_points') return rewardedPoints(w);
  return undefined;
}

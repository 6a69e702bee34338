/**
 * Event types a project-settings webhook can subscribe to: the management API's enum, with `customer.updated`
 * (added to Voucherify's dashboard in 2025-11) and the correct spellings of the enum's `..._aded` typos, which are
 * accepted as aliases and stored correctly spelled. Tessera adds the customer order events (Voucherify sends them to
 * distributions only), with the same data as a distribution gets.
 */
export const subscribableTypes = [
  'business_validation_rule.assignment.created',
  'business_validation_rule.assignment.deleted',
  'business_validation_rule.created',
  'business_validation_rule.deleted',
  'business_validation_rule.updated',
  'campaign.created',
  'campaign.deleted',
  'campaign.disabled',
  'campaign.enabled',
  'campaign.earning_rule.assigned',
  'campaign.earning_rule.deleted',
  'campaign.earning_rule.disabled',
  'campaign.earning_rule.enabled',
  'campaign.earning_rule.updated',
  'campaign.loyalty_tier.created',
  'campaign.loyalty_tier.deleted',
  'campaign.loyalty_tier.updated',
  'campaign.promotion_stack.created',
  'campaign.promotion_stack.updated',
  'campaign.promotion_tier.created',
  'campaign.promotion_tier.deleted',
  'campaign.promotion_tier.disabled',
  'campaign.promotion_tier.enabled',
  'campaign.promotion_tier.updated',
  'campaign.referral_tier.created',
  'campaign.referral_tier.deleted',
  'campaign.referral_tier.updated',
  'campaign.reward.assignment.created',
  'campaign.reward.assignment.deleted',
  'campaign.reward.assignment.updated',
  'campaign.updated',
  'campaign.vouchers.added',
  'campaign.vouchers.generation.completed',
  'campaign.vouchers.generation.failed',
  'campaign.vouchers.generation.started',
  'customer.confirmed',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'customer.order.canceled',
  'customer.order.created',
  'customer.order.paid',
  'customer.order.updated',
  'customer.rewarded',
  'customer.rewarded.loyalty_points',
  'publication.succeeded',
  'redemption.failed',
  'redemption.rollback.failed',
  'redemption.rollback.succeeded',
  'redemption.succeeded',
  'voucher.created',
  'voucher.deleted',
  'voucher.disabled',
  'voucher.enabled',
  'voucher.gift.balance_added',
  'voucher.gift.transaction.created',
  'voucher.loyalty_card.pending_points.activated',
  'voucher.loyalty_card.pending_points.added',
  'voucher.loyalty_card.pending_points.canceled',
  'voucher.loyalty_card.pending_points.updated',
  'voucher.loyalty_card.points_added',
  'voucher.loyalty_card.points_expired',
  'voucher.loyalty_card.transaction.created',
  'voucher.published',
  'voucher.updated',
] as const;

export type SubscribableType = (typeof subscribableTypes)[number];

/** Voucherify's misspellings, accepted on input. */
export const typeAliases: Record<string, SubscribableType> = {
  'campaign.vouchers.aded': 'campaign.vouchers.added',
  'voucher.gift.balance_aded': 'voucher.gift.balance_added',
  'voucher.loyalty_card.pending_points.aded': 'voucher.loyalty_card.pending_points.added',
  'voucher.loyalty_card.points_aded': 'voucher.loyalty_card.points_added',
};

/** What `events` may hold on input: every type, its alias, and `*` for all events. */
export const acceptedEventNames = ['*', ...subscribableTypes, ...Object.keys(typeAliases)];

export function canonicalType(name: string): string {
  return typeAliases[name] ?? name;
}

const subscribable = new Set<string>(subscribableTypes);

export function isSubscribable(type: string): boolean {
  return subscribable.has(type);
}

/**
 * The event types a distribution can be triggered by (besides `manual`): distributions check triggers against it and
 * webhooks report them as emitted. Kept here, the module both depend on, so that neither imports the other.
 */
/** Loyalty and reward triggers: a distribution may narrow them to one program (trigger.campaign_id). */
export const loyaltyTriggers = [
  'customer.rewarded.loyalty_points',
  'customer.voucher.loyalty_card.points_added',
  'customer.voucher.loyalty_card.points_expired',
  'customer.voucher.gift.balance_added',
  'customer.voucher.loyalty_card.pending_points.added',
  'customer.voucher.loyalty_card.pending_points.activated',
  'customer.voucher.loyalty_card.pending_points.canceled',
  'customer.voucher.loyalty_card.pending_points.updated',
  'customer.loyalty.tier.joined',
  'customer.loyalty.tier.upgraded',
  'customer.loyalty.tier.downgraded',
  'customer.loyalty.tier.left',
  'customer.loyalty.tier.prolonged',
  'customer.rewarded',
  'customer.reward_redemptions.completed',
] as const;

export const distributionTriggers = [
  'customer.custom_event',
  'customer.segment.entered',
  'customer.segment.left',
  'customer.publication.succeeded',
  'customer.order.created',
  'customer.order.updated',
  'customer.order.paid',
  'customer.order.canceled',
  'customer.redemption.succeeded',
  'customer.redemption.rollback.succeeded',
  ...loyaltyTriggers,
] as const;

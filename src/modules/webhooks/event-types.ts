/**
 * Webhook event types. Every v2024-01-01 type is known here (the official webhook catalog, the management API's enum
 * and `customer.updated`, added to Voucherify's dashboard in 2025-11), but a project webhook can subscribe only to
 * the types Tessera emits: a subscription to a type that never comes would fail silently.
 *
 * A module that starts emitting a project-settings type adds it to `emittedTypes`; it then becomes subscribable,
 * and `GET /management/v1/webhook-event-types` reports it as emitted.
 */
import { distributionTriggers } from '../delivery/index.js';

/**
 * Where a type is delivered: project-settings webhooks, distributions' webhook channel, or both; `operational`:
 * Tessera's own messages about the project's endpoints (our extension).
 */
export type EventTypeGroup = 'project_settings' | 'distribution' | 'both' | 'operational';

/** Every v2024-01-01 event type, with where Voucherify delivers it. */
export const knownTypes: Readonly<Record<string, EventTypeGroup>> = {
  'business_validation_rule.assignment.created': 'project_settings',
  'business_validation_rule.assignment.deleted': 'project_settings',
  'business_validation_rule.created': 'project_settings',
  'business_validation_rule.deleted': 'project_settings',
  'business_validation_rule.updated': 'project_settings',
  'campaign.created': 'project_settings',
  'campaign.deleted': 'project_settings',
  'campaign.disabled': 'project_settings',
  'campaign.enabled': 'project_settings',
  'campaign.earning_rule.assigned': 'project_settings',
  'campaign.earning_rule.deleted': 'project_settings',
  'campaign.earning_rule.disabled': 'project_settings',
  'campaign.earning_rule.enabled': 'project_settings',
  'campaign.earning_rule.updated': 'project_settings',
  'campaign.loyalty_tier.created': 'project_settings',
  'campaign.loyalty_tier.deleted': 'project_settings',
  'campaign.loyalty_tier.updated': 'project_settings',
  'campaign.promotion_stack.created': 'project_settings',
  'campaign.promotion_stack.updated': 'project_settings',
  'campaign.promotion_tier.created': 'project_settings',
  'campaign.promotion_tier.deleted': 'project_settings',
  'campaign.promotion_tier.disabled': 'project_settings',
  'campaign.promotion_tier.enabled': 'project_settings',
  'campaign.promotion_tier.updated': 'project_settings',
  'campaign.referral_tier.created': 'project_settings',
  'campaign.referral_tier.deleted': 'project_settings',
  'campaign.referral_tier.updated': 'project_settings',
  'campaign.reward.assignment.created': 'project_settings',
  'campaign.reward.assignment.deleted': 'project_settings',
  'campaign.reward.assignment.updated': 'project_settings',
  'campaign.updated': 'project_settings',
  'campaign.vouchers.added': 'project_settings',
  'campaign.vouchers.generation.completed': 'project_settings',
  'campaign.vouchers.generation.failed': 'project_settings',
  'campaign.vouchers.generation.started': 'project_settings',
  'customer.confirmed': 'project_settings',
  'customer.created': 'project_settings',
  'customer.updated': 'project_settings',
  'customer.deleted': 'project_settings',
  'customer.rewarded': 'both',
  'customer.rewarded.loyalty_points': 'both',
  'customer.reward_redemptions.created': 'project_settings',
  'customer.reward_redemptions.pending': 'project_settings',
  'customer.reward_redemptions.completed': 'distribution',
  'customer.holder.assignment.created': 'project_settings',
  'customer.holder.assignment.deleted': 'project_settings',
  'customer.redemption.succeeded': 'distribution',
  'customer.redemption.rollback.succeeded': 'distribution',
  'customer.voucher.loyalty_card.pending_points.activated': 'distribution',
  'customer.voucher.loyalty_card.pending_points.added': 'distribution',
  'customer.voucher.loyalty_card.pending_points.canceled': 'distribution',
  'customer.voucher.loyalty_card.pending_points.updated': 'distribution',
  'customer.voucher.loyalty_card.points_added': 'distribution',
  'customer.voucher.loyalty_card.points_expired': 'distribution',
  'customer.voucher.gift.balance_added': 'distribution',
  'customer.segment.entered': 'distribution',
  'customer.segment.left': 'distribution',
  'customer.loyalty.tier.joined': 'distribution',
  'customer.loyalty.tier.upgraded': 'distribution',
  'customer.loyalty.tier.downgraded': 'distribution',
  'customer.loyalty.tier.prolonged': 'distribution',
  'customer.loyalty.tier.left': 'distribution',
  'customer.order.created': 'both',
  'customer.order.paid': 'both',
  'customer.order.updated': 'both',
  'customer.order.canceled': 'both',
  'customer.publication.succeeded': 'distribution',
  'customer.custom_event': 'distribution',
  manual_distribution_schedule: 'distribution',
  'publication.succeeded': 'project_settings',
  'redemption.failed': 'project_settings',
  'redemption.rollback.failed': 'project_settings',
  'redemption.rollback.succeeded': 'project_settings',
  'redemption.succeeded': 'project_settings',
  'voucher.created': 'project_settings',
  'voucher.deleted': 'project_settings',
  'voucher.disabled': 'project_settings',
  'voucher.enabled': 'project_settings',
  'voucher.gift.balance_added': 'project_settings',
  'voucher.gift.transaction.created': 'project_settings',
  'voucher.loyalty_card.pending_points.activated': 'project_settings',
  'voucher.loyalty_card.pending_points.added': 'project_settings',
  'voucher.loyalty_card.pending_points.canceled': 'project_settings',
  'voucher.loyalty_card.pending_points.updated': 'project_settings',
  'voucher.loyalty_card.points_added': 'project_settings',
  'voucher.loyalty_card.points_expired': 'project_settings',
  'voucher.loyalty_card.transaction.created': 'project_settings',
  'voucher.published': 'project_settings',
  'voucher.updated': 'project_settings',
};

/**
 * The project-settings types Tessera emits today: exactly what a project webhook can subscribe to (besides `*`).
 * Add a type here in the same change that starts emitting it.
 */
export const emittedTypes: string[] = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  // Tessera's extension: a customer's order events reach project webhooks too, with the data a distribution gets.
  'customer.order.created',
  'customer.order.updated',
  'customer.order.paid',
  'customer.order.canceled',
  'campaign.created',
  'campaign.updated',
  'campaign.deleted',
  'campaign.enabled',
  'campaign.disabled',
  'campaign.vouchers.generation.completed',
  'voucher.created',
  'voucher.updated',
  'voucher.deleted',
  'voucher.enabled',
  'voucher.disabled',
  'voucher.published',
  'voucher.gift.balance_added',
  'voucher.gift.transaction.created',
  'publication.succeeded',
  'business_validation_rule.created',
  'business_validation_rule.updated',
  'business_validation_rule.deleted',
  'business_validation_rule.assignment.created',
  'business_validation_rule.assignment.deleted',
  'redemption.succeeded',
  'redemption.failed',
  'redemption.rollback.succeeded',
  'redemption.rollback.failed',
  'campaign.promotion_tier.created',
  'campaign.promotion_tier.updated',
  'campaign.promotion_tier.enabled',
  'campaign.promotion_tier.disabled',
  'campaign.promotion_tier.deleted',
  'voucher.loyalty_card.points_added',
  'voucher.loyalty_card.points_expired',
  'voucher.loyalty_card.pending_points.added',
  'voucher.loyalty_card.pending_points.activated',
  'voucher.loyalty_card.pending_points.canceled',
  'voucher.loyalty_card.pending_points.updated',
  'voucher.loyalty_card.transaction.created',
  'campaign.loyalty_tier.created',
  'campaign.loyalty_tier.updated',
  'campaign.loyalty_tier.deleted',
  'customer.reward_redemptions.created',
  'customer.holder.assignment.created',
  'customer.holder.assignment.deleted',
  'customer.rewarded.loyalty_points',
  'customer.rewarded',
];


/**
 * Operational types (our extension, as Svix has them): how the project's endpoints fare. A webhook subscribes to
 * them by name; `*` means Voucherify's types only, so that a receiver of every event gets no unknown ones.
 */
export const operationalTypes: readonly string[] = ['tessera.endpoint.failing', 'tessera.endpoint.recovered', 'tessera.endpoint.disabled', 'tessera.sendout.exhausted'];

export const isOperational = (type: string): boolean => operationalTypes.includes(type);

/** Types distributions send (their triggers live with delivery, which both depend on); reported as emitted too. */
export const distributionEmittedTypes: string[] = [...distributionTriggers, 'manual_distribution_schedule'];

/** @deprecated name kept for callers: the subscribable types are the emitted ones. */
export const subscribableTypes = emittedTypes;

/** Voucherify's misspellings, accepted on input. */
export const typeAliases: Record<string, string> = {
  'campaign.vouchers.aded': 'campaign.vouchers.added',
  'voucher.gift.balance_aded': 'voucher.gift.balance_added',
  'voucher.loyalty_card.pending_points.aded': 'voucher.loyalty_card.pending_points.added',
  'voucher.loyalty_card.points_aded': 'voucher.loyalty_card.points_added',
};

export function canonicalType(name: string): string {
  return typeAliases[name] ?? name;
}

export function isSubscribable(type: string): boolean {
  return emittedTypes.includes(type) || isOperational(type);
}

/** Whether an endpoint subscribed to these names gets messages of this type (`*`: every Voucherify type). */
export function subscribesTo(events: readonly string[], type: string): boolean {
  return events.includes(type) || (events.includes('*') && !isOperational(type));
}

/** Why a name cannot be subscribed to, or undefined when it can (`*` included). */
export function subscriptionProblem(name: string): string | undefined {
  const type = canonicalType(name);
  if (type === '*' || isSubscribable(type)) return undefined;
  const choices = `a webhook can subscribe to: *, ${emittedTypes.join(', ')} (GET /management/v1/webhook-event-types lists every type), and Tessera's operational types ${operationalTypes.join(', ')}`;
  const group = knownTypes[type];
  if (group === undefined) return `'${name}' is not a webhook event type; ${choices}`;
  if (group === 'distribution') return `'${name}' is delivered by distributions, not project webhooks; ${choices}`;
  return `Tessera does not emit '${type}' (yet); ${choices}`;
}

export interface EventTypeInfo {
  object: 'webhook_event_type';
  type: string;
  group: EventTypeGroup;
  emitted: boolean;
  subscribable: boolean;
}

/** Every known type, with whether Tessera emits it and whether a project webhook can subscribe to it. */
export function eventTypeCatalog(): EventTypeInfo[] {
  const types = new Set([...Object.keys(knownTypes), ...emittedTypes, ...operationalTypes]);
  return [...types].sort().map((type) => {
    const group = knownTypes[type] ?? (isOperational(type) ? 'operational' : 'project_settings');
    const subscribable = isSubscribable(type);
    return { object: 'webhook_event_type', type, group, emitted: subscribable || distributionEmittedTypes.includes(type), subscribable };
  });
}

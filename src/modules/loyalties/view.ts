import type { CampaignRow } from '../campaigns/index.js';
import { cardPoints, type VoucherRow } from '../vouchers/index.js';
import type { EarningRuleRow, TransactionRow } from './types.js';

/** LoyaltiesMembersBalanceUpdateResponseBody: what a change did to a card. */
export function balanceObject(card: VoucherRow, campaign: CampaignRow | undefined, points: number, automatic: boolean) {
  const { points: total, balance } = cardPoints(card, campaign);
  return {
    points,
    total,
    balance,
    type: 'loyalty_card' as const,
    object: 'balance' as const,
    operation_type: automatic ? ('AUTOMATIC' as const) : ('MANUAL' as const),
    related_object: { type: 'voucher' as const, id: card.id },
  };
}

/** VoucherTransaction of a loyalty card. */
export function transactionObject(t: TransactionRow) {
  const points = Number(t.points);
  const details: Record<string, unknown> = {
    balance: {
      type: 'loyalty_card',
      total: Number(t.total),
      object: 'balance',
      points,
      balance: Number(t.balance),
      operation_type: t.source === 'Automation' ? 'AUTOMATIC' : 'MANUAL',
      related_object: { id: t.voucher_id, type: 'voucher' },
    },
  };
  if (t.related.event_id) details.event = { id: t.related.event_id, type: t.related.event_type ?? 'customer.custom_event' };
  if (t.related.redemption_id) details.redemption = { id: t.related.redemption_id };
  if (t.related.rollback_id) details.rollback = { id: t.related.rollback_id };
  if (t.related.reward_id) details.reward = { id: t.related.reward_id, name: t.related.reward_name ?? '' };
  if (t.related.source_voucher) details.source_voucher = t.related.source_voucher;
  if (t.related.destination_voucher) details.destination_voucher = t.related.destination_voucher;
  if (t.related.earning_rule_id) details.earning_rule = { id: t.related.earning_rule_id, source: { banner: t.related.earning_rule_banner ?? '' } };
  return {
    id: t.id,
    source_id: t.source_id,
    voucher_id: t.voucher_id,
    campaign_id: t.campaign_id ?? '',
    source: t.source,
    reason: t.reason,
    type: t.type,
    details,
    related_transaction_id: t.related.related_transaction_id ?? null,
    created_at: t.created_at.toISOString(),
  };
}

/** Voucherify's EarningRule object. */
export function earningRuleObject(r: EarningRuleRow) {
  const d = r.definition;
  return {
    id: r.id,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at ? r.updated_at.toISOString() : null,
    validation_rule_id: d.validation_rule_id ?? null,
    loyalty: d.loyalty,
    event: r.event === 'customer.order.paid' ? 'order.paid' : r.event === 'customer.segment.entered' || r.event.startsWith('customer.loyalty.tier.') ? r.event : 'custom_event',
    ...(d.custom_event ? { custom_event: d.custom_event } : {}),
    ...(d.segment ? { segment: d.segment } : {}),
    ...(d.loyalty_tier ? { loyalty_tier: d.loyalty_tier } : {}),
    source: { ...(d.source?.banner !== undefined ? { banner: d.source.banner } : {}), object_id: r.campaign_id, object_type: 'campaign' as const },
    active: r.active,
    ...(d.start_date ? { start_date: d.start_date } : {}),
    ...(d.expiration_date ? { expiration_date: d.expiration_date } : {}),
    ...(d.validity_timeframe ? { validity_timeframe: d.validity_timeframe } : {}),
    ...(d.validity_day_of_week ? { validity_day_of_week: d.validity_day_of_week } : {}),
    ...(d.validity_hours ? { validity_hours: d.validity_hours } : {}),
    metadata: d.metadata ?? {},
    automation_id: `auto_${r.id}`,
    object: 'earning_rule' as const,
  };
}

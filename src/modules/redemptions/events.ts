import type { CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomerRow } from '../customers/index.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { simpleVoucher, voucherObject } from '../vouchers/index.js';
import { simpleStack, simpleTier, type StackRow } from '../promotions/index.js';
import type { Applicable } from './check.js';
import type { RedemptionRow } from './types.js';
import { simpleRedemption } from './view.js';

/** The order as webhooks embed it (SimpleOrder: no nulls where the schema has none). */
export function simpleOrder(order: Record<string, unknown> | null) {
  if (!order) return null;
  const out: Record<string, unknown> = {};
  for (const k of ['id', 'source_id', 'status', 'customer_id', 'referrer_id', 'amount', 'discount_amount', 'applied_discount_amount', 'items_discount_amount', 'items_applied_discount_amount', 'total_discount_amount', 'total_applied_discount_amount', 'total_amount', 'metadata', 'object']) {
    if (order[k] !== null && order[k] !== undefined) out[k] = order[k];
  }
  return out;
}

/**
 * Per redemption: redemption.succeeded (project webhooks), customer.redemption.succeeded (the customer's activity
 * and distributions), and for gift credits voucher.gift.transaction.created.
 */
export function redemptionEvents(
  cause: Cause,
  x: { rows: RedemptionRow[]; applicable: Applicable[]; customer: CustomerRow | undefined; order: Record<string, unknown> | null; campaigns: Pick<CampaignsService, 'simple'>; now: Date; promotionStack?: StackRow },
): CausedEvent[] {
  const events: CausedEvent[] = [];
  const customer = x.customer ? simpleCustomer(x.customer) : null;
  x.rows.forEach((r, i) => {
    const c = x.applicable[i]!;
    const voucher = c.voucher ? simpleVoucher(c.voucher, c.campaign) : null;
    const data = {
      customer,
      order: simpleOrder(x.order),
      campaign: c.campaign ? x.campaigns.simple(c.campaign) : null,
      voucher,
      holder: null,
      promotion_tier: c.tier ? simpleTier(c.tier) : null,
      promotion_stack: x.promotionStack ? simpleStack(x.promotionStack) : null,
      redemption: simpleRedemption(r.body),
    };
    events.push({ cause, event: { type: 'redemption.succeeded', customerId: null, entityId: r.id, data: { ...data, created_at: x.now.toISOString() } } });
    if (x.customer) events.push({ cause, event: { type: 'customer.redemption.succeeded', customerId: x.customer.id, entityId: r.id, data } });
    if (c.voucher && c.gift && c.gift.credits > 0) {
      events.push({
        cause,
        event: {
          type: 'voucher.gift.transaction.created',
          customerId: null,
          entityId: c.voucher.id,
          data: giftTransactionData({ voucher: c.voucher, campaign: c.campaign, campaigns: x.campaigns, amount: -c.gift.credits, balance: c.gift.balance, redeemed: c.gift.redeemed, type: 'CREDITS_REDEMPTION', redemption: simpleRedemption(r.body), order: simpleOrder(x.order), now: x.now, id: `${r.id}_gt` }),
        },
      });
    }
  });
  return events;
}

export function giftTransactionData(x: {
  id: string;
  voucher: NonNullable<Applicable['voucher']>;
  campaign: Applicable['campaign'];
  campaigns: Pick<CampaignsService, 'simple'>;
  amount: number;
  balance: number;
  /** The card's redeemed total after the change. */
  redeemed?: number;
  type: 'CREDITS_REDEMPTION' | 'CREDITS_REFUND';
  redemption: Record<string, unknown>;
  order: Record<string, unknown> | null;
  now: Date;
  rollback?: Record<string, unknown>;
}) {
  const v = { ...x.voucher, gift_balance: x.balance, ...(x.redeemed !== undefined ? { gift_redeemed: x.redeemed } : {}) };
  return {
    transaction: {
      id: x.id,
      source_id: null,
      voucher_id: x.voucher.id,
      campaign_id: x.voucher.campaign_id,
      source: 'API',
      reason: null,
      type: x.type,
      details: { balance: { type: 'gift_voucher', total: Number(x.voucher.overrides.gift?.amount ?? x.campaign?.definition.voucher?.gift?.amount ?? 0), amount: x.amount, object: 'balance', balance: x.balance, related_object: { id: x.voucher.id, type: 'voucher' } }, redemption: { id: x.redemption.id }, ...(x.rollback ? { rollback: { id: x.rollback.id } } : {}) },
      related_transaction_id: null,
      created_at: x.now.toISOString(),
    },
    voucher: voucherObject(v, x.campaign),
    campaign: x.campaign ? x.campaigns.simple(x.campaign) : null,
    holder: null,
    // operation_type: the webhook schema allows only MANUAL.
    balance: { operation_type: 'MANUAL', amount: x.amount, total: Number(x.voucher.overrides.gift?.amount ?? x.campaign?.definition.voucher?.gift?.amount ?? 0), balance: x.balance, type: 'gift_voucher', object: 'balance', related_object: { id: x.voucher.id, type: 'voucher' } },
    order: x.order,
    redemption: x.redemption,
    rollback: x.rollback ?? null,
  };
}

/**
 * The redemption as customer.order.* events name it (RedemptionInternal): a stack's parent keeps the redemptions it
 * holds, and names no related object (the schema knows only vouchers and promotion tiers).
 */
export function internalRedemption(body: Record<string, unknown>) {
  const out = simpleRedemption(body);
  if (body.related_redemptions) out.related_redemptions = body.related_redemptions;
  if (body.related_object_type !== 'redemption') Object.assign(out, { related_object_type: body.related_object_type, related_object_id: body.related_object_id });
  return out;
}

/**
 * Names the redemption in the customer.order.* events of its order that name none yet (the order's write hands them
 * over, unrecorded, before the redemption exists; an earlier redemption of the same batch named its own).
 */
export function nameRedemption(events: CausedEvent[], orderId: string, body: Record<string, unknown>): void {
  const redemption = internalRedemption(body);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!.event;
    if (e.type.startsWith('customer.order.') && e.entityId === orderId && e.data.redemption === null) events[i] = { ...events[i]!, event: { ...e, data: { ...(e.data as object), redemption } } };
  }
}

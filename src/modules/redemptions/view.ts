import type { CampaignRow } from '../campaigns/index.js';
import { simpleCustomer, type CustomerRow } from '../customers/index.js';
import { orderObject, type OrderRow } from '../orders/index.js';
import { simpleProduct, simpleSku } from '../products/index.js';
import { simpleVoucher, type VoucherRow } from '../vouchers/index.js';
import { simpleTier, type TierRow } from '../promotions/index.js';
import type { Applicable, Checked, Loyalty } from './check.js';
import type { RedemptionRow } from './types.js';
import type { EventSource } from '../event-log/index.js';
import { targetLists } from '../validation-rules/index.js';

/** The order as a redemption or validation shows it: its amounts after the redeemables, and what they applied. */
export function orderAfter(order: OrderRow | undefined, stack: { amount: number; discount_amount: number; items_discount_amount: number; total_discount_amount: number; total_amount: number; items?: unknown[] }) {
  const base = order ? orderObject(order) : { object: 'order' as const };
  // The lines with what this stack took off each (the stored order's lines, when it has the same ones).
  const stored = 'items' in base && Array.isArray(base.items) ? (base.items as unknown as Record<string, unknown>[]) : undefined;
  const lines = stack.items?.map((raw, i) => {
    const l = { ...(stored && stored.length === stack.items!.length ? stored[i] : {}), ...(raw as Record<string, unknown>) } as Record<string, unknown>;
    const amount = typeof l.amount === 'number' ? l.amount : Number(l.price ?? 0) * Number(l.quantity ?? 0);
    const discount = Number(l.discount_amount ?? 0);
    return { ...l, object: 'order_item', amount, discount_amount: discount, applied_discount_amount: discount, subtotal_amount: amount - discount };
  });
  return {
    ...base,
    ...(lines ? { items: lines } : {}),
    amount: stack.amount,
    discount_amount: stack.discount_amount,
    items_discount_amount: stack.items_discount_amount,
    total_discount_amount: stack.total_discount_amount,
    total_amount: stack.total_amount,
    applied_discount_amount: stack.discount_amount,
    items_applied_discount_amount: stack.items_discount_amount,
    total_applied_discount_amount: stack.total_discount_amount,
  };
}

/** The reward a loyalty card paid for, as Voucherify's RedemptionRewardResult. */
export function rewardResult(l: Loyalty) {
  const r = l.reward;
  return {
    id: r.id,
    name: r.name,
    object: 'reward' as const,
    type: r.type,
    parameters: r.parameters,
    metadata: r.metadata ?? {},
    assignment_id: l.assignment.id,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at ? r.updated_at.toISOString() : null,
    voucher: null,
    product: null,
    sku: null,
    loyalty_tier_id: null,
    ...(l.given ? l.given : {}),
  };
}

/** What a redeemable did: its discount or gift credits. */
export function resultOf(c: Applicable) {
  // A card whose credits go to the items shows them as an item discount (what its order's lines show they took).
  if (c.gift) return { gift: { credits: c.gift.credits, balance: c.gift.balance }, discount: { type: 'AMOUNT', amount_off: c.gift.credits, effect: c.gift.onItems ? 'APPLY_TO_ITEMS' : 'APPLY_TO_ORDER' } };
  if (c.loyalty) {
    return {
      loyalty_card: { points: c.loyalty.points, balance: c.loyalty.balance },
      reward: rewardResult(c.loyalty),
      ...(c.loyalty.coin ? { discount: { type: 'AMOUNT', amount_off: c.amount, effect: 'APPLY_TO_ORDER' } } : {}),
    };
  }
  return c.discount ? { discount: c.discount } : {};
}

/** One entry of a validation's `redeemables` (and inapplicable_redeemables). */
export function redeemableEntry(c: Checked, requestId: string) {
  if (c.status === 'INAPPLICABLE') {
    const e = c.error;
    return {
      status: 'INAPPLICABLE' as const,
      id: c.input.id,
      object: c.input.object,
      result: {
        error: {
          code: e.code,
          key: e.key,
          message: e.publicMessage,
          details: e.details ?? e.publicMessage,
          request_id: requestId,
          ...(e.resourceId !== undefined ? { resource_id: e.resourceId, resource_type: e.resourceType } : {}),
          ...(e.ruleMessage !== undefined ? { error: { message: e.ruleMessage } } : {}),
        },
      },
      ...(c.voucher ? { metadata: c.voucher.overrides.metadata ?? {} } : {}),
    };
  }
  if (c.status === 'SKIPPED') {
    return {
      status: 'SKIPPED' as const,
      id: c.input.id,
      object: c.input.object,
      result: { details: { key: c.key, message: c.message } },
      ...(c.voucher ? { metadata: c.voucher.overrides.metadata ?? {} } : {}),
      ...(c.campaign ? { campaign_id: c.campaign.id, campaign_name: c.campaign.name } : {}),
    };
  }
  return {
    status: 'APPLICABLE' as const,
    id: c.input.id,
    object: c.input.object,
    result: resultOf(c),
    ...targetLists(c.targets),
    metadata: (c.voucher ? c.voucher.overrides.metadata : c.tier?.metadata) ?? {},
    categories: [],
    ...(c.campaign ? { campaign_id: c.campaign.id, campaign_name: c.campaign.name } : {}),
    ...(c.tier ? { name: c.tier.name, banner: c.tier.banner ?? undefined } : {}),
  };
}

/**
 * Who redeemed or rolled back, as Voucherify's `channel` says it: a dashboard user (`USER`, their id) or an API
 * client (`API`, its application id or the channel's name).
 */
export function channelOf(source: EventSource): { channel_id: string; channel_type: 'USER' | 'API' } {
  if (source.channel === 'USER_PORTAL' && source.user) return { channel_id: source.user.id, channel_type: 'USER' };
  return { channel_id: source.api_key?.app_id ?? source.channel, channel_type: 'API' };
}

/** The Redemption object (as answered and stored). */
export function redemptionBody(
  r: Pick<RedemptionRow, 'id' | 'parent_id' | 'customer_id' | 'tracking_id' | 'related_object_type' | 'related_object_id' | 'result' | 'status' | 'created_at'> & { amount: number },
  x: { customer: CustomerRow | null; order: Record<string, unknown> | null; voucher?: VoucherRow; tier?: TierRow; campaign?: CampaignRow; metadata: Record<string, unknown>; source: EventSource; failure?: { code: string; message: string }; gift?: number; loyalty?: Loyalty; related?: string[] },
) {
  return {
    id: r.id,
    object: 'redemption' as const,
    date: r.created_at.toISOString(),
    customer_id: r.customer_id,
    tracking_id: r.tracking_id,
    metadata: x.metadata,
    amount: r.amount,
    redemption: r.parent_id,
    result: r.result,
    status: r.status,
    ...(x.failure ? { failure_code: x.failure.code, failure_message: x.failure.message } : {}),
    order: x.order,
    channel: channelOf(x.source),
    customer: x.customer ? simpleCustomer(x.customer) : null,
    related_object_type: r.related_object_type,
    related_object_id: r.related_object_id,
    ...(x.voucher ? { voucher: simpleVoucher(x.voucher, x.campaign) } : {}),
    ...(x.tier ? { promotion_tier: simpleTier(x.tier) } : {}),
    ...(x.gift !== undefined ? { gift: { amount: x.gift } } : {}),
    ...(x.loyalty ? { loyalty_card: { points: x.loyalty.points }, reward: { ...rewardResult(x.loyalty), customer: x.customer ? simpleCustomer(x.customer) : null } } : {}),
    ...(x.related ? { related_redemptions: { redemptions: x.related.map((id) => ({ id, date: r.created_at.toISOString() })) } } : {}),
  };
}

/** SimpleRedemption, as webhooks embed it (the stored object without nulls the schema does not allow). */
export function simpleRedemption(body: Record<string, unknown>) {
  const { related_redemptions: _r, related_object_type: _t, related_object_id: _i, gift: _g, loyalty_card: _l, ...rest } = body;
  const out: Record<string, unknown> = { ...rest, metadata: rest.metadata ?? {} };
  // The schema's reward.parameters is a oneOf no parameters object matches exactly once: webhooks leave it out.
  if (out.reward && typeof out.reward === 'object') {
    const { parameters: _p, ...reward } = out.reward as Record<string, unknown>;
    // A MATERIAL reward's product and SKU in their simple forms.
    if (reward.product) reward.product = simpleProduct(reward.product as Parameters<typeof simpleProduct>[0]);
    if (reward.sku) reward.sku = simpleSku(reward.sku as Parameters<typeof simpleSku>[0]);
    out.reward = Object.fromEntries(Object.entries(reward).filter(([, v]) => v !== null));
  }
  for (const k of ['tracking_id', 'order', 'customer', 'redemption', 'voucher']) if (out[k] === null || out[k] === undefined) delete out[k];
  // The webhook schema spells the rolled-back status with a space.
  if (out.status === 'ROLLED_BACK') out.status = 'ROLLED BACK';
  return out;
}

import type { CustomerRow, OrderSummary } from './types.js';

/**
 * summary.orders: PAID and FULFILLED orders only; average_amount is total_amount / total_count rounded down to a
 * minor unit; last_order_date appears once there is an order.
 */
export function orderSummaryObject(s: OrderSummary | null | undefined) {
  if (!s || s.total_count === 0) return { total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0 };
  return {
    total_amount: Number(s.total_amount),
    total_count: Number(s.total_count),
    average_amount: Math.floor(Number(s.total_amount) / Number(s.total_count)),
    last_order_amount: Number(s.last_order_amount),
    last_order_date: new Date(s.last_order_date).toISOString(),
  };
}

/** The stored summary a summary.orders object shows (undefined for none). */
function summaryOfObject(o: { total_amount: number; total_count: number; last_order_amount: number; last_order_date?: string } | undefined): OrderSummary | null {
  if (!o || o.total_count === 0 || o.last_order_date === undefined) return null;
  return { total_amount: o.total_amount, total_count: o.total_count, last_order_amount: o.last_order_amount, last_order_date: o.last_order_date };
}

function redemptionSummaryObject(r: Record<string, number> | null | undefined) {
  const n = (k: string) => Number(r?.[k] ?? 0);
  return {
    total_redeemed: n('total_redeemed'),
    total_failed: n('total_failed'),
    total_succeeded: n('total_succeeded'),
    total_rolled_back: n('total_rolled_back'),
    total_rollback_failed: n('total_rollback_failed'),
    total_rollback_succeeded: n('total_rollback_succeeded'),
    gift: { redeemed_amount: n('gift_redeemed_amount'), amount_to_go: 0 },
    loyalty_card: { redeemed_points: 0, points_to_go: 0 },
  };
}

/**
 * Voucherify's CustomerWithSummaryLoyaltyReferrals. Redemption summary, loyalty and referrals are zero-valued until
 * redemptions, loyalty and referral programs exist.
 */
export function customerObject(c: CustomerRow) {
  return {
    id: c.id,
    source_id: c.source_id,
    name: c.name,
    description: c.description,
    email: c.email,
    phone: c.phone,
    birthdate: c.birthdate,
    address: c.address,
    metadata: c.metadata,
    summary: {
      redemptions: redemptionSummaryObject(c.redemption_summary),
      orders: orderSummaryObject(c.order_summary),
    },
    loyalty: { points: 0, referred_customers: 0, campaigns: {} },
    referrals: { total: 0, campaigns: [] },
    system_metadata: c.system_metadata,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at ? c.updated_at.toISOString() : null,
    object: 'customer' as const,
  };
}

export type CustomerObject = ReturnType<typeof customerObject>;

/** The row a customerObject was made of (what change events carry: their consumers need not read it again). */
export function rowOfObject(projectId: string, o: CustomerObject): CustomerRow {
  return {
    id: o.id,
    project_id: projectId,
    source_id: o.source_id,
    name: o.name,
    description: o.description,
    email: o.email,
    phone: o.phone,
    birthdate: o.birthdate,
    address: o.address,
    metadata: o.metadata,
    system_metadata: o.system_metadata,
    created_at: new Date(o.created_at),
    updated_at: o.updated_at === null ? null : new Date(o.updated_at),
    order_summary: summaryOfObject(o.summary?.orders),
  };
}

/** SimpleCustomer, as events and webhooks embed it. */
export function simpleCustomer(c: CustomerRow) {
  return {
    id: c.id,
    source_id: c.source_id,
    name: c.name,
    email: c.email,
    metadata: c.metadata,
    object: 'customer' as const,
  };
}

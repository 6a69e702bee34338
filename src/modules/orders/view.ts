import type { OrderRow } from './types.js';
import { isoTimes } from '../../core/time-range.js';

const ref = (id: string | null) => (id === null ? {} : { id, object: 'customer' as const });

/**
 * Voucherify's order object (OrderCalculated with its items). `customer` / `referrer` (id and object) appear only
 * when the order has one; `redemptions` once a redemption applied to it.
 */
export function orderObject(o: OrderRow) {
  return {
    id: o.id,
    source_id: o.source_id,
    ...isoTimes(o),
    status: o.status,
    amount: o.amount,
    initial_amount: o.initial_amount,
    discount_amount: o.discount_amount,
    items_discount_amount: o.items_discount_amount,
    total_discount_amount: o.total_discount_amount,
    total_amount: o.total_amount,
    items: o.items,
    metadata: o.metadata,
    customer_id: o.customer_id,
    referrer_id: o.referrer_id,
    ...(o.customer_id !== null ? { customer: ref(o.customer_id) } : {}),
    ...(o.referrer_id !== null ? { referrer: ref(o.referrer_id) } : {}),
    ...(Object.keys(o.redemptions).length > 0 ? { redemptions: o.redemptions } : {}),
    object: 'order' as const,
  };
}

export type OrderObject = ReturnType<typeof orderObject>;

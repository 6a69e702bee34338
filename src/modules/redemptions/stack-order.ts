/**
 * The order a stack applies to, and the order a redemption writes. A stored order named again (by id or source_id)
 * without items lends its lines, with none of the discounts earlier redemptions put on them (rolled back or not):
 * each stack starts from zero and counts only its own. A sent amount that is neither the stored order's nor its
 * lines' sum means the cart changed: the stored lines describe another one and are left out.
 */
import { notFound } from '../../core/errors.js';
import type { Executor } from '../../store/db.js';
import type { CustomerRow } from '../customers/index.js';
import { amountsOf, type ItemCatalog, type OrderInput, type OrderItem, type OrderRow, type OrdersService } from '../orders/index.js';
import type { StackOrder } from './check.js';

/** Where the stack's lines come from: the request, the stored order, or nowhere (stored lines left out). */
export type LinesFrom = 'sent' | 'stored' | 'dropped';

/** A stored line as a new stack sees it: its amount, no discount. */
function undiscounted(item: OrderItem): OrderItem {
  const { discount_amount: _old, ...rest } = item;
  return item.amount !== undefined ? { ...rest, subtotal_amount: item.amount } : rest;
}

/** The stored order's lines for a request that sends none, or undefined when a sent amount contradicts them. */
function storedLines(current: OrderRow | undefined, input: OrderInput | undefined): OrderItem[] | undefined {
  if (!current || current.items.length === 0) return [];
  const sent = input?.amount;
  const sum = current.items.reduce((s, i) => s + (i.amount ?? 0), 0);
  if (sent !== undefined && sent !== current.amount && sent !== sum) return undefined;
  return current.items.map(undiscounted);
}

export function createOrderOf(orders: Pick<OrdersService, 'find' | 'priceItems'>) {
  /** The order the redeemables apply to: the stored one (by id or source_id) with what the request changes. */
  return async function orderOf(tx: Executor, projectId: string, input: OrderInput | undefined, catalog?: ItemCatalog) {
    const key = input?.id ?? (typeof input?.source_id === 'string' ? input.source_id : undefined);
    const current = key !== undefined ? await orders.find(tx, projectId, key) : undefined;
    if (input?.id !== undefined && !current) throw notFound('order', input.id);
    const stored = input?.items === undefined ? storedLines(current, input) : undefined;
    const linesFrom: LinesFrom = input?.items !== undefined ? 'sent' : stored ? 'stored' : 'dropped';
    const items = input?.items !== undefined ? await orders.priceItems(tx, projectId, input.items, catalog) : (stored ?? []);
    const amounts = amountsOf(current, { ...(input ?? {}), discount_amount: 0, ...(linesFrom === 'dropped' ? { items: [] } : {}) }, items);
    // What rules on order.total_amount read: the amount less the discounts the order was sent or stored with.
    // (stored lines with the discounts they were stored with: the stack itself starts them at zero).
    const lines = linesFrom === 'stored' && current ? current.items : items;
    const discounted = (input?.discount_amount ?? current?.discount_amount ?? 0) + lines.reduce((t, i) => t + (i.discount_amount ?? 0), 0);
    const total_amount = amounts.amount === null ? null : Math.max(0, amounts.amount - discounted);
    return { current, linesFrom, order: { amount: amounts.amount, initial_amount: amounts.initial_amount, total_amount, items, metadata: input?.metadata ?? current?.metadata ?? {} } };
  };
}

/**
 * The order as the redemption writes it: PAID, with the stack's discounts on the order and on its lines (sent
 * lines; stored ones get theirs through `itemDiscounts`); stored lines a new amount contradicted are dropped.
 */
export function orderInput(input: OrderInput, stack: StackOrder, customer: CustomerRow | undefined, linesFrom: LinesFrom): OrderInput {
  const items = linesFrom === 'dropped' ? [] : input.items?.map((it, i) => ({ ...it, discount_amount: (stack.items?.[i]?.discount_amount as number | undefined) ?? it.discount_amount }));
  return {
    ...input,
    status: 'PAID',
    discount_amount: stack.discount_amount,
    ...(items ? { items } : {}),
    ...(customer && input.customer === undefined && input.customer_id === undefined ? { customer_id: customer.id } : {}),
  };
}

/** What the stack took off each stored line, for the redemption's write of a stored order's lines. */
export function itemDiscounts(stack: StackOrder, linesFrom: LinesFrom): number[] | undefined {
  return linesFrom === 'stored' ? (stack.items ?? []).map((i) => Number(i.discount_amount ?? 0)) : undefined;
}

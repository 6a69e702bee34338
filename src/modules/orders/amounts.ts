import { invalidOrder } from '../../core/errors.js';
import type { OrderInput, OrderItem, OrderItemInput, OrderRow } from './types.js';

/**
 * An item as stored: `amount` is price × quantity unless sent; `subtotal_amount` is the amount less the item's
 * discount. Products and SKUs are left as sent (a resolver fills them in when products exist).
 */
export function plainItem(i: OrderItemInput): OrderItem {
  const { product, sku, ...rest } = i;
  const amount = i.amount ?? (i.price !== undefined && i.quantity !== undefined ? i.price * i.quantity : undefined);
  const out: OrderItem = { object: 'order_item', ...rest };
  if (amount !== undefined) {
    out.amount = amount;
    out.subtotal_amount = amount - (i.discount_amount ?? 0);
  }
  if (product) out.product = { ...product };
  if (sku) out.sku = { ...sku };
  if (i.metadata === null) delete out.metadata;
  return out;
}

/** A stored item with another discount (a redemption's on a stored order's lines). */
export function withDiscount(i: OrderItem, discount: number): OrderItem {
  return { ...i, discount_amount: discount, ...(i.amount !== undefined ? { subtotal_amount: i.amount - discount } : {}) };
}

/** Amounts are stored as bigint and computed in doubles: kept well inside both. */
export const maxAmount = 1e15;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The amounts of an order after a create or an update: sent fields change, the rest stay. Without a sent amount,
 * sent items set it to the sum of their amounts (0 on an update with none; a new order without any has none).
 * Discounts: the order-level one as sent, the items' as the sum of theirs; total_amount is amount less both.
 */
export function amountsOf(
  current: Pick<OrderRow, 'amount' | 'initial_amount' | 'discount_amount' | 'items'> | undefined,
  input: OrderInput,
  items: OrderItem[],
): Pick<OrderRow, 'amount' | 'initial_amount' | 'discount_amount' | 'items_discount_amount' | 'total_discount_amount' | 'total_amount'> {
  const itemAmounts = items.filter((i) => i.amount !== undefined).map((i) => i.amount!);
  // Sent items replace a stored order's amount even when none has an amount (the old one was of the old items).
  const ofItems = itemAmounts.length > 0 || current ? sum(itemAmounts) : null;
  let amount = input.amount ?? (input.items !== undefined ? ofItems : (current?.amount ?? null));
  if (amount === null && itemAmounts.length > 0) amount = sum(itemAmounts);
  const initial = input.initial_amount ?? (input.amount !== undefined || input.items !== undefined ? amount : (current?.initial_amount ?? amount));
  const discount = input.discount_amount ?? current?.discount_amount ?? 0;
  const itemsDiscount = sum(items.map((i) => i.discount_amount ?? 0));
  const totalDiscount = discount + itemsDiscount;
  const over = items.find((i) => i.amount !== undefined && (i.discount_amount ?? 0) > i.amount);
  if (over) throw invalidOrder(`An item's discount (${over.discount_amount}) exceeds its amount (${over.amount})`);
  const largest = Math.max(amount ?? 0, initial ?? 0, totalDiscount, ...items.map((i) => i.amount ?? 0));
  if (largest > maxAmount) throw invalidOrder(`The order's amounts must stay within ${maxAmount} (minor units); got ${largest}`);
  if (amount !== null && totalDiscount > amount) {
    throw invalidOrder(`The order's discounts (${totalDiscount}) exceed its amount (${amount})`);
  }
  return {
    amount,
    initial_amount: initial,
    discount_amount: discount,
    items_discount_amount: itemsDiscount,
    total_discount_amount: totalDiscount,
    total_amount: amount === null ? null : amount - totalDiscount,
  };
}

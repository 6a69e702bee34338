/**
 * A stack applied to its order: the applicable redeemables in request order, each on what earlier ones left
 * (discounts, gift credits, points paying for the order).
 */
import { ceilDecimal, decimalPlaces, floorDecimal } from '../../core/decimal.js';
import { invalidRedeemables as badRedeemable } from '../../core/errors.js';
import { applyDiscount, calculateDiscount, type DiscountInput, type DiscountOrder, type DiscountResult } from '../discounts/index.js';
import type { RuleItem } from '../validation-rules/index.js';
import type { CheckContext, Checked, UnitItem } from './checked.js';
import type { CounterKey } from './types.js';

/** A budget counter's key as one string (what stack members share). */
export const budgetKeyId = (key: CounterKey) => key.join('\u0000');

export type StackOrder = ReturnType<typeof applyDiscount> & DiscountOrder;

/** What a UNIT discount reads of the catalog: the unit's price, and its keys to find its line. */
const unitLookups = (items: Map<string, UnitItem>): Pick<DiscountInput, 'unitPrice' | 'unitKeys'> => ({
  unitPrice: (t) => items.get(t)?.price,
  unitKeys: (t) => items.get(t),
});

/**
 * After applyStack: a COIN reward with nothing left to pay (earlier redeemables cover the order) buys nothing, so it
 * is inapplicable, rather than a purchase of 0 points that takes a unit of its stock. It took nothing off the order,
 * so the rest of the stack stands as computed.
 */
export function withoutUnpaidCoins(checked: Checked[]): Checked[] {
  return checked.map((c): Checked =>
    c.status === 'APPLICABLE' && c.loyalty?.coin && c.loyalty.points === 0
      ? { status: 'INAPPLICABLE', input: c.input, error: badRedeemable(`Reward ${c.loyalty.reward.name} pays for the order with points, and nothing is left to pay`), voucher: c.voucher, campaign: c.campaign }
      : c,
  );
}

/**
 * Gift credits spent on the order's lines (a card with `effect: APPLY_TO_ITEMS`): line by line in the order's order,
 * each line taking what is left of it after earlier discounts, only the lines `eligible` (all when absent), and
 * never more than is left to pay of the order.
 */
function creditsOnLines(credits: number, running: StackOrder, eligible?: boolean[]): DiscountResult {
  let left = Math.min(credits, Math.max(0, running.total_amount ?? running.amount));
  const items: DiscountResult['items'] = [];
  (running.items ?? []).forEach((l, line) => {
    if (left <= 0 || (eligible && eligible[line] !== true)) return;
    const amount = l.amount ?? (l.price ?? 0) * (l.quantity ?? 0);
    const take = Math.min(left, Math.max(0, amount - (l.discount_amount ?? 0)));
    if (take <= 0) return;
    items.push({ line, discount: take });
    left -= take;
  });
  const total = items.reduce((t, x) => t + x.discount, 0);
  return { order_discount: 0, items, added: [], total, is_dynamic: false };
}

/** Applies the applicable redeemables in request order, each on what earlier ones left; fills their amounts. */
export function applyStack(checked: Checked[], order: CheckContext['order']): StackOrder {
  let running = {
    amount: order.amount ?? 0,
    discount_amount: 0,
    items_discount_amount: 0,
    total_discount_amount: 0,
    total_amount: order.amount ?? 0,
    items: order.items.map((i) => ({ ...i, discount_amount: i.discount_amount ?? 0 })),
    metadata: order.metadata,
  } as StackOrder;
  // Units of budget counters that members took (two codes of one campaign share its budget): the next sees the rest.
  const taken = new Map<string, number>();
  for (const c of checked) {
    if (c.status !== 'APPLICABLE') continue;
    if (c.discount) {
      const chosen = c.choose?.(running.items as RuleItem[], taken);
      const r = calculateDiscount(c.discount, { order: running as DiscountOrder, ...c.formula, ...(c.unitItems ? unitLookups(c.unitItems) : {}), ...(chosen ? { eligible: (_l: unknown, i: number) => chosen.eligible[i] === true, ...(chosen.caps ? { caps: chosen.caps } : {}) } : {}) });
      c.discountResult = r;
      c.amount = r.total;
      for (const b of c.budgets?.current ?? []) taken.set(budgetKeyId(b.key), (taken.get(budgetKeyId(b.key)) ?? 0) + b.units);
      running = { ...running, ...applyDiscount(running as DiscountOrder, r) } as StackOrder;
    } else if (c.gift?.effect && order.amount !== null && running.items.length > 0) {
      const chosen = c.choose?.(running.items as RuleItem[], taken);
      const r = creditsOnLines(c.gift.credits, running, chosen?.eligible);
      c.gift = { ...c.gift, credits: r.total, onItems: true };
      c.amount = r.total;
      running = { ...running, ...applyDiscount(running as DiscountOrder, r) } as StackOrder;
    } else if (c.gift) {
      // Without an order amount the credits asked are taken as they are.
      const left = order.amount === null ? c.gift.credits : Math.max(0, running.total_amount ?? running.amount);
      const credits = Math.min(c.gift.credits, left);
      c.gift = { ...c.gift, credits, onItems: false };
      c.amount = credits;
      running = { ...running, ...applyDiscount(running as DiscountOrder, { order_discount: credits, items: [], added: [], total: credits, is_dynamic: false }) } as StackOrder;
    } else if (c.loyalty?.coin) {
      const { points, amount } = payWithPoints(c.loyalty.coin, c.loyalty.requested ?? c.loyalty.balance, Math.max(0, running.total_amount ?? running.amount));
      c.loyalty = { ...c.loyalty, points };
      c.amount = amount;
      running = { ...running, ...applyDiscount(running as DiscountOrder, { order_discount: amount, items: [], added: [], total: amount, is_dynamic: false }) } as StackOrder;
    }
  }
  return running;
}

/**
 * Paying with points (a COIN reward): `points_ratio` points are worth `exchange_ratio` in the currency (0.1 = ten
 * cents), so each point is worth exchange_ratio * 100 / points_ratio minor units, rounded down per payment. The
 * fewest points that pay what is left of the order, at most `available`; never more off than is left.
 */
export function payWithPoints(coin: { exchange_ratio: number; points_ratio: number }, available: number, left: number): { points: number; amount: number } {
  // Cents per points_ratio points, without the float noise of 0.1 * 100.
  const cents = decimalPlaces(coin.exchange_ratio * 100, 6);
  const worth = (p: number) => floorDecimal((p * cents) / coin.points_ratio);
  if (left <= 0 || available <= 0 || cents <= 0) return { points: 0, amount: 0 };
  let points = Math.min(available, ceilDecimal((left * coin.points_ratio) / cents));
  while (points > 1 && worth(points - 1) >= left) points--;
  while (points < available && worth(points) < left && worth(points + 1) <= left) points++;
  return { points, amount: Math.min(worth(points), left) };
}

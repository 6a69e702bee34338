/**
 * What a discount takes off an order, in the currency's minor units. Pure. Each discount works on what earlier ones
 * left (lines' and the order's discount_amount), never below zero. Rounding: half up to a whole minor unit;
 * proportional shares by the largest remainder, so the shares add up to the whole exactly.
 */
import { evaluateFormula, FormulaError } from './formula.js';
import type { AddedUnits, Discount, DiscountInput, DiscountLine, DiscountOrder, DiscountResult, OneUnit } from './types.js';

const round = (x: number) => Math.floor(x + 0.5);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const lineAmount = (l: DiscountLine) => l.amount ?? (l.price ?? 0) * (l.quantity ?? 0);
const remainingOf = (l: DiscountLine) => Math.max(0, lineAmount(l) - (l.discount_amount ?? 0));

/** Splits `total` over weights by the largest remainder (ties to the earlier line); zero weights get nothing. */
export function splitProportionally(total: number, weights: number[]): number[] {
  const w = sum(weights);
  if (w <= 0 || total <= 0) return weights.map(() => 0);
  const raw = weights.map((x) => (total * x) / w);
  const out = raw.map(Math.floor);
  let left = total - sum(out);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    if (weights[i]! > 0) {
      out[i]! += 1;
      left--;
    }
  }
  return out;
}

/** Formula variables of an order (ORDER_AMOUNT, ORDER_UNITS_QUANTITY...), for formulas outside a discount. */
export const orderFormulaVars = (order: DiscountOrder) => varsOf({ order });

/** Formula variables of the order (money in major units, as formulas are written) and of one line. */
function varsOf(input: DiscountInput, line?: DiscountLine): Record<string, number | string | undefined> {
  const o = input.order;
  const items = o.items ?? [];
  const itemsDiscount = sum(items.map((l) => l.discount_amount ?? 0));
  return {
    ORDER_AMOUNT: o.amount / 100,
    ORDER_INITIAL_AMOUNT: o.amount / 100,
    ORDER_TOTAL_AMOUNT: (o.amount - (o.discount_amount ?? 0) - itemsDiscount) / 100,
    ORDER_UNITS_QUANTITY: sum(items.map((l) => l.quantity ?? 0)),
    ORDER_ITEMS_COUNT: items.length,
    ...(line ? { ORDER_ITEM_PRICE: (line.price ?? 0) / 100, ORDER_ITEM_QUANTITY: line.quantity ?? 0, ORDER_ITEM_AMOUNT: lineAmount(line) / 100 } : {}),
    ...input.vars,
  };
}

interface Dyn {
  dynamic: boolean;
  error?: string;
}

/** A formula's value (scaled), else the static value: what Voucherify calls the fallback. */
function valueOf(formula: string | undefined, fallback: number, scale: number, input: DiscountInput, dyn: Dyn, line?: DiscountLine): number {
  if (!formula) return fallback;
  try {
    const v = evaluateFormula(formula, { vars: varsOf(input, line), metadata: { ...input.metadata, ORDER: input.order.metadata, ORDER_ITEM: line?.metadata } });
    dyn.dynamic = true;
    return v * scale;
  } catch (err) {
    if (!(err instanceof FormulaError)) throw err;
    dyn.error ??= err.message;
    return fallback;
  }
}

function orderRemaining(input: DiscountInput): number {
  const items = input.order.items ?? [];
  return Math.max(0, input.order.amount - (input.order.discount_amount ?? 0) - sum(items.map((l) => l.discount_amount ?? 0)));
}

/** Caps item discounts so their sum stays within `limit` (the later lines give way first). */
function capTotal(items: { line: number; discount: number }[], limit: number | undefined) {
  if (limit === undefined) return items;
  let left = limit;
  return items.map((x) => {
    const d = Math.min(x.discount, Math.max(0, left));
    left -= d;
    return { line: x.line, discount: d };
  });
}

/** The keys by which an order line names its product, or its SKU (`source_id` names what `related_object` says). */
function lineKeys(l: DiscountLine, object: 'product' | 'sku'): (string | undefined)[] {
  const bySku = l.related_object === 'sku';
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const ref = object === 'product' ? l.product : l.sku;
  return [object === 'product' ? l.product_id : l.sku_id, str(ref?.id), str(ref?.source_id), bySku === (object === 'sku') ? l.source_id : undefined];
}

/** The order line of a unit's product or SKU (-1 when the order has none), however the line names it. */
function unitLine(input: DiscountInput, u: OneUnit): number {
  const items = input.order.items ?? [];
  const known = input.unitKeys?.(u.unit_type);
  const own = (object: 'product' | 'sku') => [...(known?.object === object ? known.keys : []), ...(u[object] ? [u[object].id, u[object].source_id] : [])];
  const wanted = { product: new Set(own('product')), sku: new Set(own('sku')) };
  const has = (set: Set<string | undefined>, keys: (string | undefined)[]) => keys.some((k) => k !== undefined && set.has(k));
  // A line an earlier UNIT discount of the stack added names its unit in product_id, whatever the unit is.
  const byCatalog = items.findIndex((l) => has(wanted.product, lineKeys(l, 'product')) || has(wanted.sku, lineKeys(l, 'sku')) || has(wanted.sku, [l.product_id]));
  if (byCatalog >= 0 || known) return byCatalog;
  // A unit_type the catalog did not place: a line is its when any of the line's keys is the unit_type.
  return items.findIndex((l) => [...lineKeys(l, 'product'), ...lineKeys(l, 'sku')].includes(u.unit_type));
}

function units(input: DiscountInput, u: OneUnit, dyn: Dyn): AddedUnits {
  const items = input.order.items ?? [];
  const count = Math.max(0, Math.floor(valueOf(u.unit_off_formula, u.unit_off ?? 1, 1, input, dyn)));
  const index = unitLine(input, u);
  const existing = index >= 0 ? items[index] : undefined;
  const price = existing?.price ?? (existing && existing.quantity ? lineAmount(existing) / existing.quantity : undefined) ?? u.sku?.price ?? u.product?.price ?? input.unitPrice?.(u.unit_type) ?? 0;
  const effect = u.effect ?? 'ADD_MISSING_ITEMS';
  const have = existing?.quantity ?? 0;
  const added = effect === 'ADD_MISSING_ITEMS' ? Math.max(0, count - have) : count;
  return {
    unit_type: u.unit_type,
    ...(existing && effect !== 'ADD_NEW_ITEMS' ? { line: index } : {}),
    added_quantity: added,
    discount_quantity: count,
    price,
    // Never more than the line holds after earlier discounts (its rest and the units added to it).
    discount: existing && effect !== 'ADD_NEW_ITEMS' ? Math.min(round(count * price), remainingOf(existing) + round(added * price)) : round(count * price),
  };
}

/** What the discount takes off the order. */
export function calculateDiscount(discount: Discount, input: DiscountInput): DiscountResult {
  const dyn: Dyn = { dynamic: false };
  const items = input.order.items ?? [];
  const eligible = items.map((l, i) => (input.eligible ? input.eligible(l, i) : true));
  // A line limited to fewer units than it has is discounted as if it had only those (its remaining amount scaled).
  const lines = items
    .map((l, i) => ({ l, i }))
    .filter(({ i }) => eligible[i])
    .map(({ l, i }) => {
      const cap = input.caps?.lines[i]?.units;
      const q = l.quantity ?? 0;
      if (cap === undefined || q <= 0 || cap >= q) return { l, i };
      const share = Math.max(0, cap) / q;
      return { l: { ...l, quantity: Math.max(0, cap), amount: round(lineAmount(l) * share), discount_amount: round((l.discount_amount ?? 0) * share) }, i };
    });
  let order = 0;
  let perItem: { line: number; discount: number }[] = [];
  const added: AddedUnits[] = [];

  if (discount.type === 'UNIT') {
    const all = 'units' in discount ? discount.units : [discount];
    for (const u of all) added.push(units(input, u, dyn));
  } else if (discount.type === 'AMOUNT') {
    const effect = discount.effect ?? 'APPLY_TO_ORDER';
    const off = (l?: DiscountLine) => Math.max(0, round(valueOf(discount.amount_off_formula, discount.amount_off, 100, input, dyn, l)));
    if (effect === 'APPLY_TO_ORDER') order = Math.min(off(), orderRemaining(input));
    else if (effect === 'APPLY_TO_ITEMS') perItem = lines.map(({ l, i }) => ({ line: i, discount: Math.min(off(l), remainingOf(l)) }));
    else if (effect === 'APPLY_TO_ITEMS_BY_QUANTITY') perItem = lines.map(({ l, i }) => ({ line: i, discount: Math.min(off(l) * (l.quantity ?? 0), remainingOf(l)) }));
    else {
      const room = lines.map(({ l }) => remainingOf(l));
      const total = Math.min(off(), sum(room));
      const weights = effect === 'APPLY_TO_ITEMS_PROPORTIONALLY' ? room : lines.map(({ l }, k) => (room[k]! > 0 ? (l.quantity ?? 0) : 0));
      // A share larger than a line's room (by quantity) is capped there; what remains goes to the others in turn.
      let shares = splitProportionally(total, weights).map((s, k) => Math.min(s, room[k]!));
      for (let rest = total - sum(shares), guard = 0; rest > 0 && guard < lines.length; guard++) {
        const open = room.map((r, k) => (r > shares[k]! ? r - shares[k]! : 0));
        if (sum(open) === 0) break;
        const more = splitProportionally(Math.min(rest, sum(open)), open);
        shares = shares.map((s, k) => s + Math.min(more[k]!, open[k]!));
        rest = total - sum(shares);
      }
      perItem = lines.map(({ i }, k) => ({ line: i, discount: shares[k]! }));
    }
    perItem = capTotal(perItem, discount.aggregated_amount_limit);
  } else if (discount.type === 'PERCENT') {
    const pct = (l?: DiscountLine) => Math.min(100, Math.max(0, valueOf(discount.percent_off_formula, discount.percent_off, 1, input, dyn, l)));
    const cap = (x: number) => (discount.amount_limit !== undefined ? Math.min(x, discount.amount_limit) : x);
    if ((discount.effect ?? 'APPLY_TO_ORDER') === 'APPLY_TO_ORDER') {
      const base = orderRemaining(input);
      order = Math.min(base, cap(round((base * pct()) / 100)));
    } else {
      perItem = capTotal(
        lines.map(({ l, i }) => ({ line: i, discount: Math.min(remainingOf(l), cap(round((remainingOf(l) * pct(l)) / 100))) })),
        discount.aggregated_amount_limit,
      );
    }
  } else {
    // FIXED: the order (or each line's unit price) is brought down to the fixed amount; never raised.
    const fixed = (l?: DiscountLine) => Math.max(0, round(valueOf(discount.fixed_amount_formula, discount.fixed_amount, 100, input, dyn, l)));
    if ((discount.effect ?? 'APPLY_TO_ORDER') === 'APPLY_TO_ORDER') order = Math.max(0, orderRemaining(input) - fixed());
    else {
      perItem = lines.map(({ l, i }) => {
        // A target may set this line's own fixed price.
        const target = (input.caps?.lines[i]?.price ?? fixed(l)) * (l.quantity ?? 1);
        return { line: i, discount: Math.max(0, remainingOf(l) - target) };
      });
    }
  }
  if (input.caps) {
    const caps = input.caps;
    perItem = perItem.map((x) => ({ line: x.line, discount: Math.min(x.discount, caps.lines[x.line]?.amount ?? Infinity) }));
    for (const g of caps.groups) {
      const inGroup = perItem.filter((x) => g.lines.includes(x.line));
      const capped = new Map(capTotal(inGroup, g.amount).map((x) => [x.line, x.discount]));
      perItem = perItem.map((x) => (capped.has(x.line) ? { line: x.line, discount: capped.get(x.line)! } : x));
    }
  }
  perItem = perItem.filter((x) => x.discount > 0);
  const unitsTotal = sum(added.map((a) => a.discount));
  return {
    order_discount: order,
    items: perItem,
    added,
    total: order + sum(perItem.map((x) => x.discount)) + unitsTotal,
    is_dynamic: dyn.dynamic,
    ...(dyn.error ? { formula_error: dyn.error } : {}),
  };
}

/**
 * The order after a discount: order-level discounts add to discount_amount, line discounts to the lines' and to
 * items_discount_amount; added free units make new lines (or grow the existing one) and count as item discounts.
 */
export function applyDiscount(order: DiscountOrder, r: DiscountResult) {
  const items = (order.items ?? []).map((l) => ({ ...l }));
  for (const x of r.items) items[x.line]!.discount_amount = (items[x.line]!.discount_amount ?? 0) + x.discount;
  let addedAmount = 0;
  for (const a of r.added) {
    addedAmount += a.added_quantity * a.price;
    if (a.line !== undefined) {
      const l = items[a.line]!;
      l.quantity = (l.quantity ?? 0) + a.added_quantity;
      l.amount = lineAmount(l) + a.added_quantity * a.price;
      l.discount_amount = (l.discount_amount ?? 0) + a.discount;
    } else items.push({ product_id: a.unit_type, quantity: a.added_quantity, price: a.price, amount: a.added_quantity * a.price, discount_amount: a.discount });
  }
  const amount = order.amount + addedAmount;
  const discount = (order.discount_amount ?? 0) + r.order_discount;
  const itemsDiscount = sum(items.map((l) => l.discount_amount ?? 0));
  return { ...order, amount, discount_amount: discount, items_discount_amount: itemsDiscount, total_discount_amount: discount + itemsDiscount, total_amount: Math.max(0, amount - discount - itemsDiscount), items };
}

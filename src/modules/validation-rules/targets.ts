/**
 * Discount targets: a validation rule's `applicable_to` names the products, SKUs and product collections a discount
 * may touch (`included`, or every item with `included_all`) and those it must not (`excluded`). Pure: collection
 * membership is the caller's (`inCollection`), as the catalog knows it.
 *
 * A target names its product or SKU by Voucherify id (`id`) or by the merchant's `source_id`; rules store both
 * (filled from the catalog when the rule is saved), and an order line the catalog knows is matched by id. A
 * product target matches the lines of its SKUs too. An included target's `effect` picks among the lines it matches:
 * every one (`APPLY_TO_EVERY`, the default, and the `APPLY_FROM_*` orders), or only the cheapest or the most
 * expensive by unit price (`APPLY_TO_CHEAPEST`, `APPLY_TO_MOST_EXPENSIVE`; the earlier line on a tie).
 */
import type { RuleItem } from './evaluate.js';
import type { Target } from './types.js';

export interface Targets {
  included: Target[];
  excluded: Target[];
  included_all: boolean;
}

export type CollectionTest = (collectionId: string, line: RuleItem) => boolean;

/** The targets of the rules guarding one redeemable, merged; undefined when none of them names any. */
export function targetsOf(rules: Array<{ applicable_to?: { included?: unknown[]; excluded?: unknown[]; included_all?: boolean } | null }>): Targets | undefined {
  const t: Targets = { included: [], excluded: [], included_all: false };
  for (const r of rules) {
    const a = r.applicable_to;
    if (!a) continue;
    t.included.push(...((a.included ?? []) as Target[]));
    t.excluded.push(...((a.excluded ?? []) as Target[]));
    t.included_all ||= a.included_all === true;
  }
  return t.included.length > 0 || t.excluded.length > 0 || t.included_all ? t : undefined;
}

/** Whether the targets keep a discount off some items (not just `included_all` with nothing excluded). */
export const restricts = (t: Targets | undefined): t is Targets => t !== undefined && ((!t.included_all && t.included.length > 0) || t.excluded.length > 0);

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Whether an order line is one the target names. */
export function lineMatches(t: Target, line: RuleItem, inCollection?: CollectionTest): boolean {
  const bySku = (line as { related_object?: string }).related_object === 'sku';
  const productIds = [line.product_id, str(line.product?.id), str(line.sku?.product_id)];
  const productSources = [str(line.product?.source_id), bySku ? undefined : line.source_id, str(line.sku?.product_source_id)];
  const skuIds = [line.sku_id, str(line.sku?.id)];
  const skuSources = [str(line.sku?.source_id), bySku ? line.source_id : undefined];
  const hit = (key: string | undefined, keys: (string | undefined)[]) => key !== undefined && keys.includes(key);
  switch (t.object) {
    // By id when the target has one (saved targets always do): a deleted product's target does not match a new product
    // that reuses its source_id, nor a line the catalog does not know.
    case 'product':
      return t.id !== undefined ? hit(t.id, productIds) : hit(t.source_id, productSources);
    case 'sku':
      return t.id !== undefined ? hit(t.id, skuIds) : hit(t.source_id, skuSources);
    case 'products_collection':
      return t.id !== undefined && (inCollection?.(t.id, line) ?? false);
    default:
      return false;
  }
}

const unitPrice = (l: RuleItem) => l.price ?? (l.quantity ? (l.amount ?? 0) / l.quantity : (l.amount ?? 0));

/** Which lines the discount may touch, by index. */
export function eligibleLines(t: Targets, lines: RuleItem[], inCollection?: CollectionTest): boolean[] {
  const excluded = lines.map((l) => t.excluded.some((x) => lineMatches(x, l, inCollection)));
  if (t.included_all || t.included.length === 0) return excluded.map((x) => !x);
  const out = lines.map(() => false);
  for (const target of t.included) {
    const matching = lines.map((l, i) => i).filter((i) => !excluded[i] && lineMatches(target, lines[i]!, inCollection));
    if (matching.length === 0) continue;
    if (target.effect === 'APPLY_TO_CHEAPEST' || target.effect === 'APPLY_TO_MOST_EXPENSIVE') {
      const sign = target.effect === 'APPLY_TO_CHEAPEST' ? 1 : -1;
      const pick = matching.reduce((best, i) => (sign * (unitPrice(lines[i]!) - unitPrice(lines[best]!)) < 0 ? i : best));
      out[pick] = true;
    } else for (const i of matching) out[i] = true;
  }
  return out;
}

/** Limits on what a discount takes from one line: units discounted at most, amount at most (minor units). */
export interface LineCap {
  units?: number;
  amount?: number;
  /** A FIXED discount's price for this line's units (the target's `price`), minor units. */
  price?: number;
}

/** The targets' limits on an order's lines: per line, and on the sum of the lines one target governs. */
export interface Caps {
  lines: LineCap[];
  groups: Array<{ lines: number[]; amount: number }>;
  /**
   * Units given to the lines of each target with a campaign budget (what a redemption spends of it): the target's
   * own budget, or (`product`) the budget of one product of a collection target.
   */
  budgeted?: Array<{ target: Target; product?: string; units: number }>;
}

/**
 * The budget limits of a target: units of its products discounted across a campaign, and per customer; across one
 * promotion tier, and per customer. Each may be a number or a `<key>_formula` (computed per order).
 */
export const budgetKeys = ['product_campaign_quantity_limit', 'product_customer_campaign_quantity_limit', 'product_promotion_tier_quantity_limit', 'product_customer_promotion_tier_quantity_limit'] as const;
/** The same, for each product of a collection target on its own. */
export const collectionBudgetKeys = [
  'product_in_collection_campaign_quantity_limit',
  'product_in_collection_customer_campaign_quantity_limit',
  'product_in_collection_promotion_tier_quantity_limit',
  'product_in_collection_customer_promotion_tier_quantity_limit',
] as const;
export type BudgetKey = (typeof budgetKeys)[number] | (typeof collectionBudgetKeys)[number];
const budgetSet = (t: Target, k: BudgetKey) => typeof t[k] === 'number' || typeof t[`${k}_formula`] === 'string';
export const hasBudget = (t: Target) => [...budgetKeys, ...(t.object === 'products_collection' ? collectionBudgetKeys : [])].some((k) => budgetSet(t, k));
export const hasCollectionBudget = (t: Target) => t.object === 'products_collection' && collectionBudgetKeys.some((k) => budgetSet(t, k));

/** The product an order line is of (its SKU's product for a SKU line), as the catalog names it. */
export function lineProduct(line: RuleItem): string | undefined {
  return line.product_id ?? str(line.product?.id) ?? str(line.sku?.product_id) ?? line.source_id;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * The limits of the included targets on the eligible lines: each line is governed by the first included target that
 * matches it. `quantity_limit` caps the units discounted per line, `amount_limit` the amount per line, `price` is a
 * FIXED discount's price for the line (instead of the discount's `fixed_amount`);
 * `aggregated_quantity_limit` shares units among the target's lines (from the cheapest with `APPLY_FROM_CHEAPEST`,
 * from the most expensive with `APPLY_FROM_MOST_EXPENSIVE`, else in order) and `aggregated_amount_limit` caps their
 * sum. Undefined when no target has a limit.
 */
export function capsOf(t: Targets, lines: RuleItem[], eligible: boolean[], inCollection?: CollectionTest, budget?: (target: Target, product?: string) => number | undefined): Caps | undefined {
  const left = (x: Target) => (budget ? budget(x) : undefined);
  const limited = t.included.filter((x) => left(x) !== undefined || (budget !== undefined && hasCollectionBudget(x)) || ['quantity_limit', 'amount_limit', 'aggregated_quantity_limit', 'aggregated_amount_limit', 'price'].some((k) => num(x[k]) !== undefined));
  if (limited.length === 0) return undefined;
  const governing = lines.map((l, i) => (eligible[i] ? t.included.find((x) => lineMatches(x, l, inCollection)) : undefined));
  const caps: Caps = { lines: lines.map(() => ({})), groups: [] };
  for (const target of limited) {
    const mine = lines.map((_, i) => i).filter((i) => governing[i] === target);
    for (const i of mine) caps.lines[i] = { units: num(target.quantity_limit), amount: num(target.amount_limit), price: num(target.price) };
    // Units shared by the target's lines: its aggregated limit, and what its campaign budget has left.
    const budgetLeft = left(target);
    const limits = [num(target.aggregated_quantity_limit), budgetLeft !== undefined ? Math.max(0, budgetLeft) : undefined].filter((v): v is number => v !== undefined);
    if (limits.length > 0) {
      const sign = target.effect === 'APPLY_FROM_CHEAPEST' ? 1 : target.effect === 'APPLY_FROM_MOST_EXPENSIVE' ? -1 : 0;
      let rest = Math.min(...limits);
      for (const i of [...mine].sort((a, b) => sign * (unitPrice(lines[a]!) - unitPrice(lines[b]!)) || a - b)) {
        const units = Math.min(lines[i]!.quantity ?? 0, caps.lines[i]!.units ?? Infinity, rest);
        caps.lines[i]!.units = units;
        rest -= units;
      }
    }
    const unitsOf = (ls: number[]) => ls.reduce((sum, i) => sum + Math.min(lines[i]!.quantity ?? 0, caps.lines[i]!.units ?? Infinity), 0);
    if (budgetLeft !== undefined) (caps.budgeted ??= []).push({ target, units: unitsOf(mine) });
    // A collection target's budget per product: each product's lines share what its own budget has left.
    if (budget && hasCollectionBudget(target)) {
      const byProduct = new Map<string, number[]>();
      for (const i of mine) {
        const product = lineProduct(lines[i]!);
        if (product !== undefined) byProduct.set(product, [...(byProduct.get(product) ?? []), i]);
      }
      for (const [product, ls] of byProduct) {
        let rest = Math.max(0, budget(target, product) ?? Infinity);
        for (const i of ls) {
          const units = Math.min(lines[i]!.quantity ?? 0, caps.lines[i]!.units ?? Infinity, rest);
          caps.lines[i]!.units = units;
          rest -= units;
        }
        (caps.budgeted ??= []).push({ target, product, units: unitsOf(ls) });
      }
    }
    const total = num(target.aggregated_amount_limit);
    if (total !== undefined && mine.length > 0) caps.groups.push({ lines: mine, amount: total });
  }
  return caps;
}

/** Whether any target needs the catalog's collections. */
export const namesCollections = (t: Targets | undefined) => t !== undefined && [...t.included, ...t.excluded].some((x) => x.object === 'products_collection');

/** The ApplicableToResultList / InapplicableToResultList of a validation's entry. */
export function targetLists(t: Targets | undefined) {
  const list = (data: Target[]) => ({ data, total: data.length, object: 'list' as const, data_ref: 'data' as const });
  return { applicable_to: list(t?.included ?? []), inapplicable_to: list(t?.excluded ?? []) };
}

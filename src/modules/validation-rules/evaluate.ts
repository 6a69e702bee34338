/**
 * Evaluates a validation rule's rule set against what the caller knows (customer, segments, order, items, metadata,
 * redemption and campaign counts, a custom event) at `now`. Pure: the caller reads and counts; nothing here touches
 * the database. A count the caller does not give counts as 0; an order amount it does not give fails its rule.
 */
import { holds } from './conditions.js';
import { logicOf, numbered, type Logic } from './grammar.js';
import type { Rule, RuleSet } from './types.js';
import type { DiscountLine } from '../discounts/index.js';
import { contains, type Shape } from '../locations/index.js';

/** An order line as rules see it: the discount's line, with its product and SKU when they are known. */
export interface RuleItem extends Omit<DiscountLine, 'discount_amount'> {
  product?: { metadata?: Record<string, unknown> } & Record<string, unknown>;
  sku?: { metadata?: Record<string, unknown> } & Record<string, unknown>;
}

/** Counts per period: the total, and within the day, week and month of `now`. */
export interface PeriodCounts {
  total?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
}

export interface RuleContext {
  customer?: { id?: string; metadata?: Record<string, unknown>; segments?: string[] } | null;
  order?: { amount?: number | null; total_amount?: number | null; initial_amount?: number | null; metadata?: Record<string, unknown>; items?: RuleItem[] } | null;
  redemption?: {
    metadata?: Record<string, unknown>;
    /** The project's redemptions of the guarded object (daily, weekly, monthly). */
    count?: PeriodCounts;
    /** This customer's redemptions of the guarded object. */
    per_customer?: PeriodCounts;
    per_api_key?: number;
    per_user?: number;
    api_key?: string;
    user_login?: string;
    gift_amount?: number;
    points_used?: number;
  };
  campaign?: { redemptions?: { count?: PeriodCounts; customers_count?: PeriodCounts }; orders?: { amount?: number; amount_discounted?: number } };
  custom_event?: { metadata?: Record<string, unknown> } | null;
  publication?: { redeemable_by_linked_customer?: boolean };
  /** Whether an item belongs to a product collection (`$from`, collection refs in item rules). */
  inCollection?: (collectionId: string, item: RuleItem) => boolean;
  /** Whether a geopoint lies in a location (`$in_location`): set by evaluateRules from the rule's locations. */
  inLocation?: (locationId: string, point: unknown) => boolean;
}

export type ViolationKey = 'customer_rules_violated' | 'order_rules_violated' | 'redemption_rules_violated';

export type Verdict =
  | { valid: true }
  | {
      valid: false;
      /** The rule that failed (nested rules as `2.1`), the first in the formula's order. */
      rule: string;
      name: string;
      key: ViolationKey;
      /** The failed rule's own message, else the rule set's (error.message), else none. */
      message?: string;
    };

/** Metadata by key, `a.b` reading nested objects when no key `a.b` exists. Own keys only: `constructor` is not a
 * key of metadata that lacks it. */
function metadataValue(md: Record<string, unknown> | undefined, property: string | null | undefined): unknown {
  if (!md || !property) return undefined;
  if (Object.hasOwn(md, property)) return md[property];
  return property.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined), md);
}

const itemMetadata = (i: RuleItem, property: string | null | undefined) =>
  metadataValue(i.metadata, property) ?? metadataValue(i.sku?.metadata, property) ?? metadataValue(i.product?.metadata, property);

const period = (c: PeriodCounts | undefined, p: string) => (p === 'daily' ? c?.daily : p === 'weekly' ? c?.weekly : p === 'monthly' ? c?.monthly : c?.total) ?? 0;

/** An item refers to a product, SKU or collection given as `{id, object}` (or a bare id). */
function itemMatches(ctx: RuleContext, item: RuleItem, ref: unknown): boolean {
  const r = typeof ref === 'object' && ref !== null ? (ref as { id?: string; object?: string; source_id?: string }) : { id: String(ref) };
  if (r.object === 'products_collection' || r.object === 'product_collection') return ctx.inCollection?.(String(r.id), item) ?? false;
  // By id when the ref has one (saved rules resolve source_ids to ids): a product reusing a deleted one's source_id is another product.
  if (r.object === 'sku') return r.id !== undefined ? item.sku_id === r.id : r.source_id !== undefined && item.source_id === r.source_id;
  if (r.object === 'product') return r.id !== undefined ? item.product_id === r.id : r.source_id !== undefined && item.source_id === r.source_id;
  return item.product_id === r.id || item.sku_id === r.id || item.source_id === r.id;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const amountOf = (i: RuleItem) => i.amount ?? (i.price ?? 0) * (i.quantity ?? 0);

/** What a rule's name reads, for the order's items or the items an item rule selected. */
function valueOf(rule: Rule, ctx: RuleContext, items: RuleItem[]): unknown {
  const name = rule.name;
  const p = rule.property;
  const order = ctx.order ?? undefined;
  switch (name) {
    case 'customer.segment':
      return ctx.customer?.segments ?? [];
    case 'customer.metadata':
      return metadataValue(ctx.customer?.metadata, p);
    case 'order.amount':
      return order?.amount ?? undefined;
    case 'order.total_amount':
      return order?.total_amount ?? order?.amount ?? undefined;
    case 'order.initial_amount':
      return order?.initial_amount ?? order?.amount ?? undefined;
    case 'order.metadata':
      return metadataValue(order?.metadata, p);
    case 'order.items.count':
      return (order?.items ?? []).length;
    case 'order.items.quantity':
      return items[0]?.quantity;
    case 'order.items.aggregated_quantity':
      return sum(items.map((i) => i.quantity ?? 0));
    case 'order.items.price':
      return items[0]?.price;
    case 'order.items.aggregated_amount':
      return sum(items.map(amountOf));
    case 'order.items.metadata':
      return items[0] ? itemMetadata(items[0], p) : undefined;
    case 'custom_event.metadata':
      return metadataValue(ctx.custom_event?.metadata ?? undefined, p);
    case 'redemption.metadata':
      return metadataValue(ctx.redemption?.metadata, p);
    case 'redemption.gift.amount':
      return ctx.redemption?.gift_amount;
    case 'redemption.api_key':
      return ctx.redemption?.api_key;
    case 'redemption.user.login':
      return ctx.redemption?.user_login;
    case 'redemption.count.per_api_key':
      return ctx.redemption?.per_api_key ?? 0;
    case 'redemption.count.per_user':
      return ctx.redemption?.per_user ?? 0;
    case 'redemption.reward.pay_with_points.points_used':
      return ctx.redemption?.points_used;
    case 'campaign.orders.amount':
      return ctx.campaign?.orders?.amount ?? 0;
    case 'campaign.orders.amount_discounted':
      return ctx.campaign?.orders?.amount_discounted ?? 0;
    case 'publication.redeemable_by_linked_customer':
      return ctx.publication?.redeemable_by_linked_customer ?? false;
  }
  const counted = /^(redemption\.count\.per_customer|redemption\.count|campaign\.redemptions\.count|campaign\.redemptions\.customers_count)(?:\.(daily|weekly|monthly))?$/.exec(name);
  if (counted) {
    const which = counted[2] ?? '';
    if (counted[1] === 'redemption.count.per_customer') return period(ctx.redemption?.per_customer, which);
    if (counted[1] === 'redemption.count') return period(ctx.redemption?.count, which);
    if (counted[1] === 'campaign.redemptions.count') return period(ctx.campaign?.redemptions?.count, which);
    return period(ctx.campaign?.redemptions?.customers_count, which);
  }
  return undefined;
}

function conditionsHold(rule: Rule, value: unknown, ctx: RuleContext, now: Date, item?: RuleItem): boolean {
  const inCollection = item && ctx.inCollection ? (id: string) => ctx.inCollection!(id, item) : undefined;
  return Object.entries(rule.conditions ?? {}).every(([op, operands]) => holds(op, value, operands, now, inCollection, ctx.inLocation));
}

const hasRules = (r: Rule) => r.rules !== undefined && Object.keys(r.rules).some((k) => k !== 'logic');

/** A `$from` operand: a collection id, or `{id}`. */
const collectionId = (o: unknown) => String(typeof o === 'object' && o !== null ? (o as { id?: unknown }).id : o);

/**
 * Which lines an item rule (any, every, none, cheapest, most_expensive) selects: every condition must hold —
 * `$is`/`$in` the line is one of the named products, SKUs or collections, `$is_not`/`$not_in` it is none of them,
 * `$from` it belongs to one of the collections. Without conditions every line is selected.
 */
function selector(rule: Rule, ctx: RuleContext) {
  const c = rule.conditions ?? {};
  const named = [...(c.$is ?? []), ...(c.$in ?? [])];
  const excluded = [...(c.$is_not ?? []), ...(c.$not_in ?? [])];
  const from = c.$from;
  const selects = (i: RuleItem) =>
    (named.length === 0 || named.some((r) => itemMatches(ctx, i, r))) &&
    !excluded.some((r) => itemMatches(ctx, i, r)) &&
    (from === undefined || from.some((o) => ctx.inCollection?.(collectionId(o), i) ?? false));
  return { named, selects, narrows: excluded.length > 0 || from !== undefined };
}

/** One rule; item rules select items by their conditions and apply nested rules to what they selected. */
function ruleHolds(rule: Rule, ctx: RuleContext, now: Date, items: RuleItem[], path: string, failed: { path: string; rule: Rule }[]): boolean {
  const all = ctx.order?.items ?? [];
  const { named, selects, narrows } = selector(rule, ctx);
  const nested = (chosen: RuleItem[]) => !hasRules(rule) || setHolds(rule.rules!, ctx, now, chosen, path, failed);
  const byPrice = [...all].sort((a, b) => (a.price ?? amountOf(a)) - (b.price ?? amountOf(b)));
  switch (rule.name) {
    case 'order.items.any':
      return all.some((i) => selects(i) && nested([i]));
    case 'order.items.none':
      return !all.some((i) => selects(i));
    case 'order.items.every':
      // Every named product, SKU or collection has lines in the order (with its nested rules holding for them);
      // `$is_not`, `$not_in` and `$from` hold for every line of the order.
      if (narrows && !(all.length > 0 && all.every(selects))) return false;
      return named.length === 0 ? all.every((i) => nested([i])) : named.every((r) => {
        const lines = all.filter((i) => itemMatches(ctx, i, r));
        return lines.length > 0 && nested(lines);
      });
    case 'order.items.cheapest':
    case 'order.items.most_expensive': {
      const pick = rule.name === 'order.items.cheapest' ? byPrice[0] : byPrice.at(-1);
      return pick !== undefined && selects(pick) && nested([pick]);
    }
    case 'order.items.price_any':
      return all.some((i) => conditionsHold(rule, i.price, ctx, now, i));
    case 'order.items.price_each':
      return all.length > 0 && all.every((i) => conditionsHold(rule, i.price, ctx, now, i));
    case 'order.items.metadata_any':
      return all.some((i) => conditionsHold(rule, itemMetadata(i, rule.property), ctx, now, i));
    case 'order.items.metadata_each':
      return all.length > 0 && all.every((i) => conditionsHold(rule, itemMetadata(i, rule.property), ctx, now, i));
    case 'product.id':
    case 'sku.id':
      return all.some((i) => conditionsHold(rule, rule.name === 'product.id' ? i.product_id : i.sku_id, ctx, now, i));
    case 'product.price':
    case 'sku.price':
      return all.some((i) => conditionsHold(rule, i.price, ctx, now, i));
    case 'product.quantity':
    case 'sku.quantity':
      return all.some((i) => conditionsHold(rule, i.quantity, ctx, now, i));
    case 'product.metadata':
      return all.some((i) => conditionsHold(rule, metadataValue(i.product?.metadata ?? i.metadata, rule.property), ctx, now, i));
  }
  const ok = conditionsHold(rule, valueOf(rule, ctx, items), ctx, now, items[0]);
  return ok && nested(items);
}

function logicHolds(l: Logic, results: (n: string) => boolean): boolean {
  switch (l.kind) {
    case 'true':
      return true;
    case 'rule':
      return results(l.n);
    case 'not':
      return !logicHolds(l.of, results);
    case 'and':
      return l.of.every((x) => logicHolds(x, results));
    case 'or':
      return l.of.some((x) => logicHolds(x, results));
  }
}

/**
 * The rules whose results gave the formula the value it has, in formula order: an `and` that fails is down to its
 * first failing operand, one that holds to all of them; an `or` the other way round; `not` passes the blame
 * through, so under a `not` the culprit is a rule that holds.
 */
function culprits(l: Logic, results: (n: string) => boolean): string[] {
  switch (l.kind) {
    case 'true':
      return [];
    case 'rule':
      return [l.n];
    case 'not':
      return culprits(l.of, results);
    case 'and':
    case 'or': {
      const decisive = l.of.find((x) => logicHolds(x, results) === (l.kind === 'or'));
      return decisive ? culprits(decisive, results) : l.of.flatMap((x) => culprits(x, results));
    }
  }
}

/** Whether a rule set holds; when it does not, the rules that made it fail go to `failed` (a failing one after the
 * failures inside it, a holding one, blamed under a `not`, alone). */
function setHolds(set: RuleSet, ctx: RuleContext, now: Date, items: RuleItem[], prefix: string, failed: { path: string; rule: Rule }[]): boolean {
  const rules = new Map(numbered(set));
  const memo = new Map<string, boolean>();
  const inner = new Map<string, { path: string; rule: Rule }[]>();
  const pathOf = (n: string) => (prefix ? `${prefix}.${n}` : n);
  const results = (n: string) => {
    let r = memo.get(n);
    if (r === undefined) {
      const mine: { path: string; rule: Rule }[] = [];
      r = ruleHolds(rules.get(n)!, ctx, now, items, pathOf(n), mine);
      memo.set(n, r);
      inner.set(n, mine);
    }
    return r;
  };
  const logic = logicOf(set);
  if (logicHolds(logic, results)) return true;
  for (const n of culprits(logic, results)) {
    if (!results(n)) failed.push(...inner.get(n)!);
    failed.push({ path: pathOf(n), rule: rules.get(n)! });
  }
  return false;
}

function keyOf(name: string): ViolationKey {
  if (name.startsWith('customer.')) return 'customer_rules_violated';
  if (name.startsWith('order.') || name.startsWith('product.') || name.startsWith('sku.')) return 'order_rules_violated';
  return 'redemption_rules_violated';
}

/** The verdict of a rule set; `error` is the validation rule's own message, used when the failed rule has none. */
export function evaluateRules(set: RuleSet, ctx: RuleContext, now: Date, error?: { message?: string } | null, locations?: Readonly<Record<string, Shape>>): Verdict {
  const failed: { path: string; rule: Rule }[] = [];
  // The shapes of the locations the rule names (read with the rule); a location gone holds no point.
  const located = locations ? { ...ctx, inLocation: (id: string, point: unknown) => locations[id] !== undefined && contains(locations[id], point) } : ctx;
  if (setHolds(set, located, now, located.order?.items ?? [], '', failed)) return { valid: true };
  // The deepest failure with a message of its own speaks; else the first failed rule with the set's message.
  const first = failed.find((f) => f.rule.error?.message) ?? failed.find((f) => !f.path.includes('.')) ?? failed[0];
  const rule = first ?? { path: '', rule: { name: 'rules' } };
  const message = rule.rule.error?.message ?? error?.message ?? undefined;
  return { valid: false, rule: rule.path, name: rule.rule.name, key: keyOf(rule.rule.name), ...(message ? { message } : {}) };
}

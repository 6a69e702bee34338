/**
 * What a check needs to know of a validation rule before evaluating it (which collections it names, whether it asks
 * about items or the campaign's redemptions, whether it restricts a discount's targets), walked once per rule row.
 */
import type { Executor } from '../../store/db.js';
import type { RuleItem } from './evaluate.js';
import { restricts, targetsOf, type CollectionTest } from './targets.js';

/** Collections a rule names: in its targets, item rules' product refs and `$from` conditions. */
function collectionRefs(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) collectionRefs(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ((o.object === 'products_collection' || o.object === 'product_collection') && typeof o.id === 'string') out.add(o.id);
    for (const [k, v] of Object.entries(o)) {
      if (k === '$from' && Array.isArray(v)) {
        for (const x of v) if (typeof x === 'string') out.add(x);
        else if (x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string') out.add((x as { id: string }).id);
      }
      collectionRefs(v, out);
    }
  }
  return out;
}

/** Whether a rule set has a rule on the order's items or products (at any depth). */
function namesItems(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(namesItems);
  if (!value || typeof value !== 'object') return false;
  const o = value as Record<string, unknown>;
  if (typeof o.name === 'string' && /^(order\.items\.(any|every|none|cheapest|most_expensive|quantity|aggregated_quantity|price|aggregated_amount|metadata)|product\.|sku\.)/.test(o.name)) return true;
  return Object.values(o).some(namesItems);
}

/** Whether a rule set has a rule on the campaign's redemptions or orders (campaign.redemptions.*, campaign.orders.*). */
const namesCampaign = (value: unknown) => /"name":"campaign\.(redemptions|orders)\./.test(JSON.stringify(value) ?? '');

/** What a check needs to know of a rule, walked once per rule row (the rows come from per-process copies). */
const factsOfRule = new WeakMap<object, { collections: string[]; items: boolean; restricts: boolean; campaign: boolean }>();
export function ruleFacts(rule: { rules: unknown; applicable_to?: unknown }) {
  let f = factsOfRule.get(rule);
  if (!f) {
    f = { collections: [...collectionRefs([rule.rules, rule.applicable_to])], items: namesItems(rule.rules), campaign: namesCampaign(rule.rules), restricts: restricts(targetsOf([rule as Parameters<typeof targetsOf>[0][number]])) };
    factsOfRule.set(rule, f);
  }
  return f;
}

/** The catalog's view of an order's lines: product and SKU keys, and membership of the named collections. */
export type CatalogLines = (tx: Executor, projectId: string, lines: RuleItem[], collectionIds: string[]) => Promise<{ lines: RuleItem[]; inCollection: CollectionTest }>;

/**
 * The order's lines as the rules see them, read once for all of them: as the catalog knows them (and their
 * collection membership) when a rule names a collection, restricts a discount's targets or asks about items; else as
 * sent, in no collection. Validations, redemptions, qualifications and a rule's own validation all read them so.
 */
export async function ruleLines(catalogLines: CatalogLines | undefined, tx: Executor, projectId: string, items: RuleItem[], rules: Array<{ rules: unknown; applicable_to?: unknown }>): Promise<{ lines: RuleItem[]; inCollection?: CollectionTest }> {
  const collections = [...new Set(rules.flatMap((r) => ruleFacts(r).collections))];
  if (!catalogLines || (collections.length === 0 && !rules.some((r) => ruleFacts(r).restricts || ruleFacts(r).items))) return { lines: items };
  return catalogLines(tx, projectId, items, collections);
}

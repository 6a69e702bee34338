/**
 * The items an ORDER_ITEMS_QUANTITY rule counts: those of the product, SKU or product collection it names
 * (`order_items.quantity.object` and `.id`, or `.applicable_to`), matched as discount targets match order lines (a
 * product also by its SKUs' lines, a line by its product's or SKU's id or source id); naming none, every item.
 */
import type { Executor } from '../../store/db.js';
import { lineMatches, type CollectionTest, type RuleItem, type Target } from '../validation-rules/index.js';
import { itemsObjects, type EarningRuleRow, type ItemsProportion } from './types.js';

/** The catalog's side: lines with their keys and collection membership, and targets checked to exist. */
export interface ItemsCatalog {
  catalogLines(tx: Executor, projectId: string, lines: RuleItem[], collectionIds: string[]): Promise<{ lines: RuleItem[]; inCollection: CollectionTest }>;
  resolveTargets(tx: Executor, projectId: string, targets: Target[], where: string): Promise<Target[]>;
}

/** The objects a proportion names; undefined when it counts every item. */
export function itemTargets(q: ItemsProportion | undefined): Target[] | undefined {
  if (!q) return undefined;
  const named: Target[] = [...(q.object != null && q.id != null ? [{ object: q.object, id: q.id }] : []), ...(q.applicable_to ?? [])];
  return named.length > 0 ? named : undefined;
}

const isObject = (o: unknown) => typeof o === 'string' && (itemsObjects as readonly string[]).includes(o);
const isId = (id: unknown) => typeof id === 'string' && id.length > 0 && id.length <= 300;

/** What is wrong with the objects a proportion names; undefined when nothing. */
export function itemsProblem(q: ItemsProportion): string | undefined {
  if ((q.object == null) !== (q.id == null)) return 'object and id go together (a product, SKU or products_collection and its id)';
  if (q.object != null && !isObject(q.object)) return `object must be one of ${itemsObjects.join(', ')}`;
  if (q.id != null && !isId(q.id)) return 'id must be the id of the product, SKU or collection';
  const a = q.applicable_to;
  if (a == null) return undefined;
  if (!Array.isArray(a) || a.length > 100) return 'applicable_to must be an array of at most 100 { object, id }';
  const bad = a.findIndex((t) => typeof t !== 'object' || t === null || !isObject(t.object) || !isId(t.id));
  return bad >= 0 ? `applicable_to[${bad}] must be { object: ${itemsObjects.join(' | ')}, id }` : undefined;
}

/** Which of an order's items each rule that names objects counts, by index; the catalog is read once, and only then. */
export async function countedItems(catalog: Pick<ItemsCatalog, 'catalogLines'>, tx: Executor, projectId: string, rules: EarningRuleRow[], items: unknown[] | undefined): Promise<Map<string, boolean[]>> {
  const out = new Map<string, boolean[]>();
  const named = rules.flatMap((r) => {
    const l = r.definition.loyalty;
    const targets = l?.type === 'PROPORTIONAL' && l.calculation_type === 'ORDER_ITEMS_QUANTITY' ? itemTargets(l.order_items?.quantity) : undefined;
    return targets ? [{ r, targets }] : [];
  });
  if (named.length === 0 || !items || items.length === 0) return out;
  const collections = named.flatMap((n) => n.targets.filter((t) => t.object === 'products_collection').map((t) => t.id!));
  const { lines, inCollection } = await catalog.catalogLines(tx, projectId, items as RuleItem[], collections);
  for (const { r, targets } of named) out.set(r.id, lines.map((line) => targets.some((t) => lineMatches(t, line, inCollection))));
  return out;
}

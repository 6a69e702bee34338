/**
 * The catalog items a UNIT discount gives away, checked when the discount is saved (a code, a campaign's template,
 * a promotion tier): each `unit_type` must name a product or SKU the catalog has, as rules' targets must.
 */
import { notFound } from '../../core/errors.js';
import type { Executor } from '../../store/db.js';

/** Which of the keys (products' or SKUs' ids or source ids) the catalog does not know; given at composition. */
export type UnknownUnits = (ex: Executor, projectId: string, keys: string[]) => Promise<string[]>;

/** The products and SKUs a discount gives away: a UNIT discount's unit_type, each unit's of ADD_MANY_ITEMS. */
export function unitTypesOf(discount: unknown): string[] {
  const d = discount as { type?: unknown; unit_type?: unknown; units?: Array<{ unit_type?: unknown }> } | null | undefined;
  if (d?.type !== 'UNIT') return [];
  const all = Array.isArray(d.units) ? d.units.map((u) => u?.unit_type) : [d.unit_type];
  return all.filter((k): k is string => typeof k === 'string');
}

/** Refuses a discount that gives away a product or SKU the catalog does not know: a 404 naming the first. */
export async function checkUnitTypes(ex: Executor, projectId: string, discount: unknown, unknown: UnknownUnits | undefined): Promise<void> {
  const keys = unitTypesOf(discount);
  if (keys.length === 0 || !unknown) return;
  const [missing] = await unknown(ex, projectId, keys);
  if (missing !== undefined) throw notFound(missing.startsWith('sku_') ? 'sku' : 'product', missing);
}

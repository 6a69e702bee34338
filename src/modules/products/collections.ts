/**
 * Product collections: a static one lists products and SKUs; an auto-update one holds a filter over product fields
 * ({junction, "<field>": {conditions: {"$op": [values]}}}), evaluated when asked. Pure.
 */
import type { CollectionRow, ProductRow } from './types.js';

const fields = new Set(['id', 'source_id', 'name', 'price', 'image_url']);
const operators = new Set(['$is', '$is_not', '$in', '$not_in', '$more_than', '$more_than_equal', '$less_than', '$less_than_equal', '$contains', '$not_contain', '$starts_with', '$ends_with', '$has_value', '$is_unknown']);

/** Why a collection filter cannot be used, or undefined when it can. */
export function filterProblem(filter: Record<string, unknown>): string | undefined {
  const criteria = Object.entries(filter).filter(([k]) => k !== 'junction');
  if (criteria.length === 0) return 'Property .filter must name at least one product field';
  for (const [field, spec] of criteria) {
    if (!fields.has(field) && !/^metadata\.[^.]+/.test(field)) return `Property .filter has an unknown field '${field}': use id, source_id, name, price, image_url or metadata.<key>`;
    const conditions = (spec as { conditions?: unknown } | null)?.conditions;
    if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions)) return `Property .filter.${field} should have required property 'conditions'`;
    for (const op of Object.keys(conditions)) if (!operators.has(op)) return `Property .filter.${field}.conditions has an unknown operator '${op}'`;
  }
  return undefined;
}

function valueOf(p: ProductRow, field: string): unknown {
  if (field.startsWith('metadata.')) {
    const key = field.slice('metadata.'.length);
    // Only the product's own keys: a key named like a built-in (constructor, toString) is missing, not a function.
    return Object.hasOwn(p.metadata, key) ? p.metadata[key] : undefined;
  }
  return (p as unknown as Record<string, unknown>)[field];
}

const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
/** A number, from a number or a numeric string; undefined otherwise. */
const numeric = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
/** Equal: numbers and numeric strings as numbers ("10.0" is 10), anything else as text. */
const same = (a: unknown, b: unknown) => {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const [x, y] = [numeric(a), numeric(b)];
  return x !== undefined && y !== undefined ? x === y : String(a) === String(b);
};

function holds(op: string, actual: unknown, operand: unknown): boolean {
  const vals = list(operand);
  const present = actual !== undefined && actual !== null && actual !== '';
  const values = list(actual);
  const num = Number(actual);
  const first = Number(vals[0]);
  switch (op) {
    case '$is':
      return values.some((a) => same(a, vals[0]));
    case '$is_not':
      return !values.some((a) => same(a, vals[0]));
    case '$in':
      return values.some((a) => vals.some((v) => same(a, v)));
    case '$not_in':
      return !values.some((a) => vals.some((v) => same(a, v)));
    case '$more_than':
      return present && num > first;
    case '$more_than_equal':
      return present && num >= first;
    case '$less_than':
      return present && num < first;
    case '$less_than_equal':
      return present && num <= first;
    case '$contains':
      return present && String(actual).includes(String(vals[0]));
    case '$not_contain':
      return !present || !String(actual).includes(String(vals[0]));
    case '$starts_with':
      return present && String(actual).startsWith(String(vals[0]));
    case '$ends_with':
      return present && String(actual).endsWith(String(vals[0]));
    case '$has_value':
      return present;
    case '$is_unknown':
      return !present;
    default:
      return false;
  }
}

export function matchesFilter(filter: Record<string, unknown>, p: ProductRow): boolean {
  const or = String(filter.junction ?? 'and').toLowerCase() === 'or';
  const results = Object.entries(filter)
    .filter(([k]) => k !== 'junction')
    .map(([field, spec]) => {
      const conditions = ((spec as { conditions?: Record<string, unknown> }).conditions ?? {}) as Record<string, unknown>;
      return Object.entries(conditions).every(([op, operand]) => holds(op, valueOf(p, field), operand));
    });
  return or ? results.some(Boolean) : results.every(Boolean);
}

/**
 * Whether a product (or a SKU of it) belongs to a collection: a static one names the product, or the SKU; an
 * auto-update one matches the product (and with it all of its SKUs).
 */
export function inCollection(c: Pick<CollectionRow, 'type' | 'filter' | 'products'>, product: ProductRow | undefined, skuId?: string): boolean {
  if (c.type === 'STATIC') {
    return c.products.some((m) => (m.object === 'product' ? product !== undefined && m.id === product.id : skuId !== undefined && m.id === skuId));
  }
  return product !== undefined && c.filter !== null && matchesFilter(c.filter, product);
}

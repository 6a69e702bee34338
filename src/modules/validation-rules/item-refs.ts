/**
 * Products and SKUs that item rules (`order.items.*`, at any depth) name in their conditions: resolved when the rule
 * is saved, so that one named by source_id is stored with its id too and matches the same lines as one named by id
 * (lines given by id, and a product's SKU lines); an unknown one is refused (404, as for targets).
 */
import type { Executor } from '../../store/db.js';
import type { Target } from './types.js';

type Resolve = (tx: Executor, projectId: string, targets: Target[], where: string) => Promise<Target[]>;
type Ref = Record<string, unknown> & { object: 'product' | 'sku' };

const isRef = (v: unknown): v is Ref => typeof v === 'object' && v !== null && ((v as Ref).object === 'product' || (v as Ref).object === 'sku');

/** Calls `visit` on every product or SKU reference of an item rule, with a setter that replaces it. */
function walk(rules: unknown, visit: (ref: Ref, set: (r: Ref) => void) => void): void {
  if (typeof rules !== 'object' || rules === null) return;
  for (const rule of Object.values(rules as Record<string, unknown>)) {
    if (typeof rule !== 'object' || rule === null) continue;
    const r = rule as { name?: unknown; conditions?: Record<string, unknown>; rules?: unknown };
    if (typeof r.name === 'string' && r.name.startsWith('order.items.') && r.conditions) {
      for (const values of Object.values(r.conditions)) {
        if (!Array.isArray(values)) continue;
        values.forEach((v, i) => {
          if (isRef(v)) visit(v, (next) => (values[i] = next));
        });
      }
    }
    walk(r.rules, visit);
  }
}

/** The rules with their item references resolved (a copy); the rules as given when they name none. */
export async function withItemRefs<R>(tx: Executor, projectId: string, rules: R, resolve: Resolve | undefined): Promise<R> {
  if (!resolve) return rules;
  const refs: Ref[] = [];
  walk(rules, (ref) => refs.push(ref));
  if (refs.length === 0) return rules;
  const copy = structuredClone(rules);
  const resolved = await resolve(tx, projectId, refs as unknown as Target[], 'rules');
  let i = 0;
  walk(copy, (ref, set) => {
    const t = resolved[i++]!;
    const { effect: _e, product_source_id: _ps, ...keys } = t;
    set({ ...ref, ...keys } as Ref);
  });
  return copy;
}

/**
 * Qualification filters (`options.filters`): which qualified redeemables a request wants, by resource, campaign,
 * category, voucher type, code or the customer's role as holder. Fields combine with `junction` (`and`, the
 * default, or `or`); each field's `conditions` hold when all of its operators hold: `$is` / `$in` (one of the
 * values), `$is_not` / `$not_in` (none of them), `$has_value`, `$is_unknown`. Unknown fields and operators are 400s.
 */
import { invalidPayload } from '../../core/errors.js';

export const filterFields = ['resource_type', 'resource_id', 'campaign_id', 'campaign_type', 'category_id', 'voucher_type', 'code', 'holder_role'] as const;
export type FilterField = (typeof filterFields)[number];
const operators = ['$is', '$in', '$is_not', '$not_in', '$has_value', '$is_unknown'] as const;

/** What a qualified redeemable shows the filters: each field's values (a voucher matches by id or code). */
export type Facts = Partial<Record<FilterField, string[]>>;

export interface Filters {
  junction?: string;
  [field: string]: unknown;
}

/** Checks the filters (400 on an unknown field, operator or a value that is not a list) and returns the test. */
export function compileFilters(filters: Filters | undefined): (facts: Facts) => boolean {
  if (!filters) return () => true;
  const junction = filters.junction ?? 'and';
  if (junction !== 'and' && junction !== 'or') throw invalidPayload(`options.filters.junction must be and or or, not ${String(junction)}`);
  const tests: Array<(facts: Facts) => boolean> = [];
  for (const [field, spec] of Object.entries(filters)) {
    if (field === 'junction') continue;
    if (!(filterFields as readonly string[]).includes(field)) throw invalidPayload(`options.filters.${field} is not a qualification filter; use ${filterFields.join(', ')}`);
    const conditions = (spec as { conditions?: Record<string, unknown> } | null)?.conditions;
    if (!conditions || typeof conditions !== 'object') throw invalidPayload(`options.filters.${field} needs conditions, e.g. {"conditions": {"$in": ["..."]}}`);
    for (const [op, values] of Object.entries(conditions)) {
      if (!(operators as readonly string[]).includes(op)) throw invalidPayload(`options.filters.${field}: operator ${op} is not one of ${operators.join(', ')}`);
      if (op !== '$has_value' && op !== '$is_unknown' && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) {
        throw invalidPayload(`options.filters.${field}.conditions.${op} must be a list of strings`);
      }
    }
    tests.push((facts) => {
      const have = facts[field as FilterField] ?? [];
      return Object.entries(conditions).every(([op, values]) => {
        const list = values as string[];
        switch (op) {
          case '$is':
          case '$in':
            return have.some((h) => list.includes(h));
          case '$is_not':
          case '$not_in':
            return !have.some((h) => list.includes(h));
          case '$has_value':
            return have.length > 0;
          default:
            return have.length === 0;
        }
      });
    });
  }
  if (tests.length === 0) return () => true;
  return junction === 'and' ? (f) => tests.every((t) => t(f)) : (f) => tests.some((t) => t(f));
}

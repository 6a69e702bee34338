/**
 * The management API's stacking rules (`/management/v1/projects/{id}/stacking-rules`): one record per project, its
 * rules kept in the project's `stacking_rules` setting. Voucherify's record has every key of its dashboard; a project
 * here sets the keys Tessera applies (settableStackingKeys), and the others are accepted only with the value Tessera
 * always uses, so a record read and sent back is taken as it is. Pure: the caller reads and writes the project.
 */
import { invalidPayload, notFound } from '../../core/errors.js';
import { defaultStackingRules, settableStackingKeys, stackingRulesObject, stackingRulesOf, stackingRulesSchema, type StackingRules } from './stacking.js';

/** A project's record: its own id once created (a default one before), times, and the rules over the defaults. */
export function stackingRecord(project: { id: string; created_at: Date; settings: Record<string, unknown> }) {
  const stored = project.settings.stacking_rules as { id?: string; created_at?: string; updated_at?: string | null } | null | undefined;
  return {
    id: stored?.id ?? `sr_${project.id.replace(/^proj_/, '')}`,
    ...stackingRulesObject(stackingRulesOf(project.settings)),
    created_at: stored?.created_at ?? project.created_at.toISOString(),
    ...(stored?.updated_at ? { updated_at: stored.updated_at } : {}),
  };
}

/** Whether the project has set its own rules (POST refuses a second record). */
export const hasOwnStackingRules = (settings: Record<string, unknown>) => !!settings.stacking_rules && typeof settings.stacking_rules === 'object';

const fixed: Record<string, unknown> = (() => {
  const all = stackingRulesObject(defaultStackingRules) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (!(settableStackingKeys as readonly string[]).includes(k) && k !== 'applicable_exclusive_redeemables_per_category_limit') out[k] = v;
  return out;
})();

/**
 * The setting a request body makes, over `current`: settable keys change; the keys Tessera does not let projects set
 * must have Tessera's value (400 naming the key otherwise); the record's id and times are kept.
 */
export function stackingSetting(body: Record<string, unknown>, current: StackingRules, meta: { id: string; created_at: string; updated_at: string | null }) {
  for (const [k, v] of Object.entries(body)) {
    if (k in fixed && JSON.stringify(v) !== JSON.stringify(fixed[k])) {
      throw invalidPayload(`stacking_rules.${k}: Tessera always uses ${JSON.stringify(fixed[k])} (it can set ${settableStackingKeys.join(', ')})`);
    }
  }
  const out: Record<string, unknown> = { ...current };
  for (const k of settableStackingKeys) if (body[k] !== undefined) out[k] = body[k];
  // No per-category limit: as many as a request may apply.
  if (out.applicable_redeemables_per_category_limit === null) out.applicable_redeemables_per_category_limit = 30;
  const perExclusive = body.applicable_exclusive_redeemables_per_category_limit;
  if (perExclusive !== undefined && perExclusive !== null && perExclusive !== out.applicable_exclusive_redeemables_limit) {
    throw invalidPayload('stacking_rules.applicable_exclusive_redeemables_per_category_limit: Tessera counts exclusive redeemables per request, so it equals applicable_exclusive_redeemables_limit');
  }
  return { ...out, ...meta };
}

/**
 * The checks of rules a project is about to keep, made by every route that sets them (the stacking-rules record's
 * POST and PUT, the project's create and update with `stacking_rules`): limits that agree with each other, and
 * categories the project has (404 category otherwise). `categoriesOf` is read only when the rules name categories.
 */
export async function checkStackingRules(rules: StackingRules, categoriesOf: () => Promise<ReadonlyArray<{ id: string }>>): Promise<void> {
  if (rules.applicable_redeemables_limit > rules.redeemables_limit) {
    throw invalidPayload('stacking_rules.applicable_redeemables_limit must be at most redeemables_limit');
  }
  const named = [...rules.exclusive_categories, ...rules.joint_categories];
  if (named.length === 0) return;
  const known = new Set((await categoriesOf()).map((c) => c.id));
  const unknown = named.find((id) => !known.has(id));
  if (unknown !== undefined) throw notFound('category', unknown);
}

/** Every key a stacking-rules body may carry: the settable ones, Tessera's fixed ones, the record's own. */
export const stackingRecordBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...stackingRulesSchema.properties,
    applicable_redeemables_per_category_limit: { type: ['integer', 'null'], minimum: 1, maximum: 30 },
    applicable_exclusive_redeemables_per_category_limit: { type: ['integer', 'null'], minimum: 1, maximum: 30 },
    applicable_redeemables_category_limits: { type: 'object' },
    discount_calculation_mode: { type: 'string', enum: ['INITIAL_AMOUNT', 'DISCOUNTED_AMOUNT'] },
    initial_amount_mode_categories: { type: 'array' },
    discounted_amount_mode_categories: { type: 'array' },
    redeemables_products_application_mode: { type: 'string', enum: ['STACK', 'ONCE'] },
    redeemables_no_effect_rule: { type: 'string', enum: ['REDEEM_ANYWAY', 'SKIP'] },
    no_effect_skip_categories: { type: 'array' },
    no_effect_redeem_anyway_categories: { type: 'array' },
    redeemables_rollback_order_mode: { type: 'string', enum: ['WITH_ORDER', 'WITHOUT_ORDER'] },
    object: { type: 'string' },
  },
} as const;

/**
 * Stacking rules (Voucherify's project-level settings; ours in the project's `stacking_rules`): how many of a
 * request's applicable redeemables apply, in which order, and which categories exclude the others. Redeemables the
 * rules leave out are SKIPPED (with the rule's key); in PARTIAL mode inapplicable ones no longer fail the request.
 */
import type { CampaignRow, CategoryRow } from '../campaigns/index.js';
import { effective } from '../vouchers/index.js';
import type { Applicable, Checked, Skipped } from './check.js';

export interface StackingRules {
  redeemables_limit: number;
  applicable_redeemables_limit: number;
  applicable_redeemables_per_category_limit: number;
  applicable_exclusive_redeemables_limit: number;
  exclusive_categories: string[];
  joint_categories: string[];
  redeemables_application_mode: 'ALL' | 'PARTIAL';
  redeemables_sorting_rule: 'REQUESTED_ORDER' | 'CATEGORY_HIERARCHY';
}

/** Voucherify's defaults. */
export const defaultStackingRules: StackingRules = {
  redeemables_limit: 30,
  applicable_redeemables_limit: 5,
  applicable_redeemables_per_category_limit: 1,
  applicable_exclusive_redeemables_limit: 1,
  exclusive_categories: [],
  joint_categories: [],
  redeemables_application_mode: 'ALL',
  redeemables_sorting_rule: 'REQUESTED_ORDER',
};

/** The JSON Schema of a project's `stacking_rules` (management API): the rules Tessera applies, nothing else. */
export const stackingRulesSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    redeemables_limit: { type: 'integer', minimum: 1, maximum: 30 },
    applicable_redeemables_limit: { type: 'integer', minimum: 1, maximum: 30 },
    applicable_redeemables_per_category_limit: { type: 'integer', minimum: 1, maximum: 30 },
    applicable_exclusive_redeemables_limit: { type: 'integer', minimum: 1, maximum: 5 },
    exclusive_categories: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
    joint_categories: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
    redeemables_application_mode: { type: 'string', enum: ['ALL', 'PARTIAL'] },
    redeemables_sorting_rule: { type: 'string', enum: ['REQUESTED_ORDER', 'CATEGORY_HIERARCHY'] },
    // The record's own fields, kept by the stacking-rules routes (a project read and written back keeps them).
    id: { type: 'string', maxLength: 100 },
    created_at: { type: 'string', maxLength: 40 },
    updated_at: { type: ['string', 'null'], maxLength: 40 },
  },
} as const;

/** The keys a project sets; the others are what Tessera always does (stackingRulesObject). */
export const settableStackingKeys = ['redeemables_limit', 'applicable_redeemables_limit', 'applicable_redeemables_per_category_limit', 'applicable_exclusive_redeemables_limit', 'exclusive_categories', 'joint_categories', 'redeemables_application_mode', 'redeemables_sorting_rule'] as const;

/**
 * The stacking rules as validations answer them: the project's, and what Tessera always does for the keys it does
 * not let projects set (every discount stacks on a product, a redeemable without effect is redeemed anyway, a
 * rollback leaves the order as it is).
 */
export function stackingRulesObject(rules: StackingRules) {
  return {
    ...rules,
    applicable_redeemables_category_limits: {},
    applicable_exclusive_redeemables_per_category_limit: rules.applicable_exclusive_redeemables_limit,
    redeemables_no_effect_rule: 'REDEEM_ANYWAY' as const,
    no_effect_skip_categories: [],
    no_effect_redeem_anyway_categories: [],
    redeemables_products_application_mode: 'STACK' as const,
    redeemables_rollback_order_mode: 'WITHOUT_ORDER' as const,
    discount_calculation_mode: 'DISCOUNTED_AMOUNT' as const,
    initial_amount_mode_categories: [],
    discounted_amount_mode_categories: [],
  };
}

/** A project's stacking rules: its settings over the defaults. */
export function stackingRulesOf(settings: Record<string, unknown> | undefined): StackingRules {
  const given = settings?.stacking_rules as Partial<StackingRules> | null | undefined;
  if (!given || typeof given !== 'object') return defaultStackingRules;
  const out: Record<string, unknown> = { ...defaultStackingRules };
  for (const k of settableStackingKeys) if (given[k] !== undefined) out[k] = given[k];
  return out as unknown as StackingRules;
}

/** Whether the rules can change anything for these redeemables (most requests: one redeemable, no categories). */
export function stackingMatters(rules: StackingRules, checked: Checked[]): boolean {
  const applicable = checked.filter((c) => c.status === 'APPLICABLE').length;
  return applicable > 1 && (applicable > rules.applicable_redeemables_limit || checked.some((c) => categoryIdOf(c) !== null));
}

/** The category a redeemable counts in: its voucher's (or its campaign's), or its tier's own (else its campaign's). */
export function categoryIdOf(c: Checked): string | null {
  if (c.voucher) return effective(c.voucher, c.campaign as CampaignRow | undefined).category_id ?? null;
  return c.tier?.category_id ?? c.campaign?.category_id ?? null;
}

const skip = (c: Applicable, key: string, message: string): Skipped => ({ status: 'SKIPPED', input: c.input, key, message, voucher: c.voucher, tier: c.tier, campaign: c.campaign });

/**
 * Applies the rules to checked redeemables: sorts them (CATEGORY_HIERARCHY: lower hierarchy first, uncategorized
 * last, ties in request order), then, among applicable ones, lets an exclusive category's redeemables stand alone
 * (with joint ones), keeps at most `applicable_redeemables_per_category_limit` per category and
 * `applicable_redeemables_limit` in all; the others become SKIPPED.
 */
export function applyStackingRules(checked: Checked[], rules: StackingRules, categories: CategoryRow[]): Checked[] {
  const hierarchy = new Map(categories.map((c) => [c.id, c.hierarchy]));
  const order = checked.map((c, i) => ({ c, i, cat: categoryIdOf(c) }));
  if (rules.redeemables_sorting_rule === 'CATEGORY_HIERARCHY') {
    const rank = (cat: string | null) => (cat !== null && hierarchy.has(cat) ? hierarchy.get(cat)! : Number.MAX_SAFE_INTEGER);
    order.sort((a, b) => rank(a.cat) - rank(b.cat) || a.i - b.i);
  }
  const exclusive = new Set(rules.exclusive_categories);
  const joint = new Set(rules.joint_categories);
  const exclusives = order.filter((x) => x.c.status === 'APPLICABLE' && x.cat !== null && exclusive.has(x.cat));
  const kept = new Set(exclusives.slice(0, rules.applicable_exclusive_redeemables_limit).map((x) => x.i));
  const perCategory = new Map<string, number>();
  let applied = 0;
  return order.map(({ c, i, cat }) => {
    if (c.status !== 'APPLICABLE') return c;
    if (exclusives.length > 0) {
      if (cat !== null && exclusive.has(cat) && !kept.has(i)) return skip(c, 'applicable_exclusive_redeemables_limit_exceeded', 'Applicable exclusive redeemables limit exceeded');
      if (!kept.has(i) && !(cat !== null && joint.has(cat))) return skip(c, 'exclusion_rules_not_met', 'Redeemable cannot be applied due to exclusion rules');
    }
    const counted = cat !== null && !joint.has(cat);
    const n = counted ? (perCategory.get(cat) ?? 0) + 1 : 0;
    if (counted && n > rules.applicable_redeemables_per_category_limit) return skip(c, 'applicable_redeemables_per_category_limit_exceeded', 'Applicable redeemables limit per category exceeded');
    if (applied + 1 > rules.applicable_redeemables_limit) return skip(c, 'applicable_redeemables_limit_exceeded', 'Applicable redeemables limit exceeded');
    applied++;
    if (counted) perCategory.set(cat, n);
    return c;
  });
}

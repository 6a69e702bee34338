import type { Shape } from '../locations/index.js';
export const targetObjects = ['product', 'sku', 'products_collection'] as const;
export const targetEffects = ['APPLY_TO_EVERY', 'APPLY_TO_CHEAPEST', 'APPLY_FROM_CHEAPEST', 'APPLY_TO_MOST_EXPENSIVE', 'APPLY_FROM_MOST_EXPENSIVE'] as const;

/** A discount target of `applicable_to` (targets.ts applies them). */
export interface Target {
  object: (typeof targetObjects)[number];
  id?: string;
  source_id?: string;
  product_id?: string;
  product_source_id?: string;
  effect?: (typeof targetEffects)[number];
  [more: string]: unknown;
}

/** One rule of a rule set: a name (what it reads), conditions on it, optional nested rules and message. */
export interface Rule {
  name: string;
  property?: string | null;
  conditions?: Record<string, unknown[]>;
  rules?: RuleSet;
  error?: { message?: string };
}

/** Rules numbered "1", "2"... and the logic formula over their numbers (`(1 and 2) or 3`). */
export interface RuleSet {
  logic?: string;
  [n: string]: Rule | string | undefined;
}

export const contextTypes = ['global'] as const;
export const ruleTypes = ['expression', 'basic', 'advanced', 'complex'] as const;
export const relatedObjectTypes = ['voucher', 'campaign', 'earning_rule', 'reward_assignment', 'promotion_tier', 'distribution'] as const;
export type RelatedObjectType = (typeof relatedObjectTypes)[number];

export interface ValidationRuleRow {
  id: string;
  project_id: string;
  name: string;
  type: string;
  context_type: string;
  rules: RuleSet;
  bundle_rules: Record<string, unknown> | null;
  error: { message?: string } | null;
  applicable_to: { included: Target[]; excluded: Target[]; included_all: boolean };
  created_at: Date;
  updated_at: Date | null;
  assignments_count?: number;
  /** The shapes of the locations its conditions name ($in_location), read with it; not stored. */
  locations?: Readonly<Record<string, Shape>>;
}

export interface ValidationRuleInput {
  name?: string;
  type?: string;
  context_type?: string;
  rules?: RuleSet;
  bundle_rules?: Record<string, unknown> | null;
  error?: { message?: string } | null;
  applicable_to?: { included?: Target[]; excluded?: Target[]; included_all?: boolean } | null;
}

export interface AssignmentRow {
  id: string;
  project_id: string;
  rule_id: string;
  related_object_type: RelatedObjectType;
  related_object_id: string;
  created_at: Date;
}

/** JSON Schemas of validation-rule bodies; the rule grammar itself is checked by grammar.ts (clear messages). */
import { relatedObjectTypes, ruleTypes } from './types.js';
import { budgetKeys, collectionBudgetKeys } from './targets.js';
import { targetEffects, targetObjects } from './types.js';

const key = { type: 'string', minLength: 1, maxLength: 500 } as const;
const count = { type: 'integer', minimum: 0 } as const;
const formula = { type: 'string', minLength: 1, maxLength: 2000 } as const;
/** An ApplicableTo: a product, SKU or collection (by id or source_id), with its effect and limits. */
const target = {
  type: 'object',
  required: ['object'],
  properties: {
    object: { type: 'string', enum: [...targetObjects] },
    id: key,
    source_id: key,
    product_id: key,
    product_source_id: key,
    effect: { type: 'string', enum: [...targetEffects] },
    price: { type: 'number', minimum: 0 },
    quantity_limit: count,
    aggregated_quantity_limit: count,
    amount_limit: count,
    aggregated_amount_limit: count,
    ...Object.fromEntries([...budgetKeys, ...collectionBudgetKeys].flatMap((k) => [[k, count], [`${k}_formula`, formula]])),
  },
} as const;
const applicable = { type: 'array', maxItems: 1000, items: target } as const;

export const validationRuleBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 500 },
    type: { type: 'string', enum: [...ruleTypes] },
    context_type: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[a-z_.]+$' },
    rules: { type: 'object' },
    bundle_rules: { type: ['object', 'null'] },
    error: { type: ['object', 'null'], properties: { message: { type: 'string', maxLength: 1000 } } },
    applicable_to: { type: ['object', 'null'], properties: { included: applicable, excluded: applicable, included_all: { type: 'boolean' } } },
  },
} as const;

export const createValidationRuleBody = { ...validationRuleBody, required: ['name'] } as const;

/**
 * The current shape {related_object_type, related_object_id}, or the older one the official SDK still sends
 * (ValidationRulesCreateAssignment): exactly one of {voucher}, {campaign}, {promotion_tier}.
 */
export const assignmentBody = {
  type: 'object',
  properties: {
    related_object_type: { type: 'string', enum: [...relatedObjectTypes] },
    related_object_id: { type: 'string', minLength: 1, maxLength: 500 },
    voucher: { type: 'string', minLength: 1, maxLength: 500 },
    campaign: { type: 'string', minLength: 1, maxLength: 500 },
    promotion_tier: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;

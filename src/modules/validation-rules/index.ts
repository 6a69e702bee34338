/**
 * Validation rules: business rules a redemption (or a distribution, an earning rule) must meet. Glossary:
 * - rule set: rules numbered "1", "2"... each with a name (what it reads: customer.segment, order.amount,
 *   order.items.any, redemption.count.per_customer...), a property for metadata names, conditions ($is, $in,
 *   $more_than, $timeframe, $dow...), optional nested rules and error.message; `logic` combines the numbers
 *   (`(1 and 2) or not 3`), all of them with `and` when absent.
 * - assignment (`asgm_`): the rule guards an object named by type (voucher, campaign, promotion_tier, earning_rule,
 *   distribution, reward_assignment) and id; the object is not looked up.
 * - evaluator: pure (evaluate.ts); callers give the context (customer and segments, order and items, metadata,
 *   redemption and campaign counts, a custom event) and `now`, and get a verdict with the failed rule's message.
 * Emits business_validation_rule.created|updated|deleted and .assignment.created|deleted.
 */
import type { EventLog } from '../event-log/index.js';
import type { LocationsService } from '../locations/index.js';
import { defineModule } from '../module.js';
import { createValidationRulesService, type TargetResolver } from './service.js';
export { createValidationRulesService, type ValidationRulesService, type TargetResolver } from './service.js';
export { ruleFacts, ruleLines, type CatalogLines } from './rule-facts.js';
export { evaluateRules, type RuleContext, type RuleItem, type Verdict, type ViolationKey, type PeriodCounts } from './evaluate.js';
export { checkRuleSet, countBound, countRuleName, parseLogic } from './grammar.js';
export { holds } from './conditions.js';
export { isoDuration } from './timeframe.js';
export { validationRuleObject, assignmentObject, assignmentPayload } from './view.js';
export { targetsOf, restricts, lineMatches, eligibleLines, capsOf, hasBudget, hasCollectionBudget, type BudgetKey, lineProduct, type Caps, type LineCap, namesCollections, targetLists, type Targets, type CollectionTest } from './targets.js';
export { targetObjects, targetEffects, type Target } from './types.js';
export { validationRuleBody, createValidationRuleBody, assignmentBody } from './schemas.js';
export type { Rule, RuleSet, ValidationRuleRow, ValidationRuleInput, AssignmentRow, RelatedObjectType } from './types.js';

/** Rules record their webhooks through the event log; they react to no event and run no job. */
export const validationRulesModule = defineModule<{ validationRules: ReturnType<typeof createValidationRulesService> }, { log: EventLog; products: { resolveTargets: TargetResolver }; locations: LocationsService }>({
  name: 'validation-rules',
  create: ({ db, clock, definitions, services }) => ({ services: { validationRules: createValidationRulesService({ db, clock, log: services.log, definitions, resolveTargets: services.products.resolveTargets, locations: services.locations }) } }),
});

/**
 * The rule grammar: rule names, condition operators, the logic formula. Checked when a rule set is saved, so the
 * evaluator only ever meets rule sets it understands. Pure.
 */
import { invalidValidationRules } from '../../core/errors.js';
import { timeframeOf } from './timeframe.js';
import type { Rule, RuleSet } from './types.js';

/** Names that read a metadata key: they need a `property`. */
export const metadataNames = new Set([
  'customer.metadata',
  'order.metadata',
  'order.items.metadata_any',
  'order.items.metadata_each',
  'order.items.metadata',
  'custom_event.metadata',
  'redemption.metadata',
  'product.metadata',
]);

const periods = ['', '.daily', '.weekly', '.monthly'];
export const ruleNames = new Set([
  'customer.segment',
  'order.amount',
  'order.total_amount',
  'order.initial_amount',
  'order.items.count',
  'order.items.price_any',
  'order.items.price_each',
  'order.items.every',
  'order.items.any',
  'order.items.none',
  'order.items.cheapest',
  'order.items.most_expensive',
  'order.items.quantity',
  'order.items.aggregated_quantity',
  'order.items.price',
  'order.items.aggregated_amount',
  'campaign.orders.amount_discounted',
  'campaign.orders.amount',
  ...periods.map((p) => `campaign.redemptions.count${p}`),
  ...periods.map((p) => `campaign.redemptions.customers_count${p}`),
  'redemption.gift.amount',
  ...periods.slice(1).map((p) => `redemption.count${p}`),
  ...periods.map((p) => `redemption.count.per_customer${p}`),
  'redemption.api_key',
  'redemption.count.per_api_key',
  'redemption.user.login',
  'redemption.count.per_user',
  'redemption.reward.pay_with_points.points_used',
  'product.id',
  'product.price',
  'product.quantity',
  'product.discount_applicable',
  'product.metadata.aggregated_quantity',
  'product.metadata.aggregated_amount',
  'product.metadata.discount_applicable',
  'product.metadata.match_all',
  'sku.id',
  'sku.price',
  'sku.quantity',
  'sku.discount_applicable',
  'publication.redeemable_by_linked_customer',
  ...metadataNames,
]);

/** Operators, with the spellings Voucherify's own examples use mapped to one. */
export const operatorAliases: Record<string, string> = {
  $greater_than: '$more_than',
  $greater_than_or_equal: '$more_than_or_equal',
  $more_than_equal: '$more_than_or_equal',
  $less_than_equal: '$less_than_or_equal',
  is_days_ago: '$is_days_ago',
};

export const operators = new Set([
  '$is',
  '$is_not',
  '$in',
  '$not_in',
  '$less_than',
  '$less_than_or_equal',
  '$more_than',
  '$more_than_or_equal',
  '$starts_with',
  '$ends_with',
  '$contains',
  '$not_contain',
  '$timeframe',
  '$timeframe_absolute',
  '$timeframe_daily_hours',
  '$dow',
  '$count',
  '$count_more',
  '$count_less',
  '$from',
  '$not_differ',
  '$not_intersect',
  '$after',
  '$before',
  '$more_than_ago',
  '$less_than_ago',
  '$is_days_ago',
  '$more_than_future',
  '$less_than_future',
  '$is_days_in_future',
  '$has_value',
  '$is_unknown',
  '$in_location',
  '$not_in_location',
  ...Object.keys(operatorAliases),
]);

export const canonicalOperator = (op: string) => operatorAliases[op] ?? op;

/** The rule set's numbered rules, in number order. */
export function numbered(set: RuleSet): [string, Rule][] {
  return Object.entries(set)
    .filter(([k]) => k !== 'logic')
    .sort(([a], [b]) => Number(a) - Number(b)) as [string, Rule][];
}

/** `and` and `or` hold their operands in a list, so a long chain (as rules saved before the length bound may have)
 * is a flat node rather than a tree as deep as the chain is long. */
export type Logic = { kind: 'rule'; n: string } | { kind: 'not'; of: Logic } | { kind: 'and' | 'or'; of: Logic[] } | { kind: 'true' };

/** Bounds on a formula, so that parsing and evaluating it stay within the stack: its length (checked when saved)
 * and how deep its parentheses and `not`s nest. */
export const maxLogicLength = 4096;
export const maxLogicDepth = 100;

/** Parses `(1 and 2) or not 3`: numbers, and / or / not (any case), parentheses; `and` binds tighter than `or`. */
export function parseLogic(formula: string, known: Set<string>): Logic {
  const tokens = formula.match(/\(|\)|[A-Za-z]+|\d+|\S/g) ?? [];
  if (tokens.length === 0) return { kind: 'true' };
  let i = 0;
  const fail = (why: string): never => {
    throw invalidValidationRules(`Property .rules.logic '${formula}' is invalid: ${why}`);
  };
  const peek = () => tokens[i]?.toLowerCase();
  let depth = 0;
  const deeper = <T>(parse: () => T): T => {
    if (++depth > maxLogicDepth) fail(`it nests parentheses and 'not' deeper than ${maxLogicDepth} levels`);
    const out = parse();
    depth--;
    return out;
  };
  const atom = (): Logic => {
    const t = tokens[i++];
    if (t === undefined) return fail('it ends too early');
    if (t === '(') {
      const inner = deeper(or);
      if (tokens[i++] !== ')') fail('a parenthesis is not closed');
      return inner;
    }
    if (t.toLowerCase() === 'not') return { kind: 'not', of: deeper(atom) };
    if (/^\d+$/.test(t)) {
      if (!known.has(t)) fail(`it names rule ${t}, which does not exist`);
      return { kind: 'rule', n: t };
    }
    return fail(`unexpected '${t}'`);
  };
  const chain = (kind: 'and' | 'or', operand: () => Logic): Logic => {
    const of = [operand()];
    while (peek() === kind) {
      i++;
      of.push(operand());
    }
    return of.length === 1 ? of[0]! : { kind, of };
  };
  const and = () => chain('and', atom);
  const or = () => chain('or', and);
  const out = or();
  if (i < tokens.length) fail(`unexpected '${tokens[i]}'`);
  return out;
}

/** The formula of a rule set: as written, or all its rules joined with `and`. */
export function logicOf(set: RuleSet): Logic {
  const known = new Set(numbered(set).map(([n]) => n));
  const formula = typeof set.logic === 'string' && set.logic.trim() !== '' ? set.logic : [...known].join(' and ');
  return parseLogic(formula, known);
}

/** The names of redemption counts (`redemption.count[.per_customer][.daily|.weekly|.monthly]`): per customer, period. */
export const countRuleName = /^redemption\.count(\.per_customer)?(?:\.(daily|weekly|monthly))?$/;

/** A count's bound as a number: a numeric string (`"3"`) is the number, as the evaluator compares it. */
export const countBound = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);

/**
 * A redemption.count rule counts only as a limit (its counter is kept and read only then): a rule of the top-level
 * set, combined with `and` (no `or` / `not`), bounded by a number (or numeric string) with `$less_than` or
 * `$less_than_or_equal`. Anywhere else it would always see 0, so it is refused.
 */
function checkCountRule(rule: Rule, set: RuleSet, at: string, depth: number) {
  if (!countRuleName.test(rule.name)) return;
  const bounded = (op: string) => Number.isFinite(countBound(rule.conditions?.[op]?.[0]));
  let why: string | undefined;
  if (depth > 0) why = 'it is nested in another rule';
  else if (typeof set.logic === 'string' && /\b(or|not)\b/i.test(set.logic)) why = "its rule set's logic has 'or' or 'not'";
  else if (!bounded('$less_than') && !bounded('$less_than_or_equal')) why = 'it has no number bound with $less_than or $less_than_or_equal';
  if (why) throw invalidValidationRules(`Property ${at}: redemption.count rules count only in a top-level and, as limits with a $less_than or $less_than_or_equal number (${why})`);
}

/** Item rules that select order lines, and the operators that select them. */
export const itemSelectionNames = new Set(['order.items.any', 'order.items.every', 'order.items.none', 'order.items.cheapest', 'order.items.most_expensive']);
const itemSelectionOperators = new Set(['$is', '$in', '$is_not', '$not_in', '$from']);

/** Refuses what the evaluator would not understand: unknown names or operators, missing properties, bad logic. */
export function checkRuleSet(set: unknown, path = '.rules', depth = 0): RuleSet {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) throw invalidValidationRules(`Property ${path} must be object`);
  if (depth > 3) throw invalidValidationRules(`Property ${path} nests rules deeper than 3 levels`);
  const s = set as RuleSet;
  if (s.logic !== undefined && typeof s.logic !== 'string') throw invalidValidationRules(`Property ${path}.logic must be string`);
  if (typeof s.logic === 'string' && s.logic.length > maxLogicLength) throw invalidValidationRules(`Property ${path}.logic is longer than ${maxLogicLength} characters`);
  const rules = numbered(s);
  rules.forEach(([n], i) => {
    if (n !== String(i + 1)) throw invalidValidationRules(`Property ${path} must number its rules 1, 2, 3...: found '${n}'`);
  });
  for (const [n, rule] of rules) {
    const at = `${path}.${n}`;
    if (typeof rule !== 'object' || rule === null) throw invalidValidationRules(`Property ${at} must be object`);
    if (typeof rule.name !== 'string' || !ruleNames.has(rule.name)) throw invalidValidationRules(`Property ${at}.name '${String(rule.name)}' is not a rule name`);
    if (metadataNames.has(rule.name) && (typeof rule.property !== 'string' || rule.property === '')) {
      throw invalidValidationRules(`Rule '${rule.name}' must have a 'property'`);
    }
    const conditions = rule.conditions ?? {};
    if (typeof conditions !== 'object' || Array.isArray(conditions)) throw invalidValidationRules(`Property ${at}.conditions must be object`);
    for (const [op, operand] of Object.entries(conditions)) {
      if (!operators.has(op)) throw invalidValidationRules(`Property ${at}.conditions has an unknown operator '${op}'`);
      if (!Array.isArray(operand)) throw invalidValidationRules(`Property ${at}.conditions.${op} must be array`);
      if (op === '$timeframe' && (operand.length === 0 || operand.some((o) => typeof o !== 'string' || timeframeOf(o) === undefined))) {
        throw invalidValidationRules(`Property ${at}.conditions.$timeframe must list '<start>;<interval>;<duration>' (e.g. '2024-11-12T14:59:23.019Z;P1D;PT1H'; days, hours, minutes, seconds or weeks)`);
      }
      if (itemSelectionNames.has(rule.name) && !itemSelectionOperators.has(op)) {
        throw invalidValidationRules(`Property ${at}.conditions: '${rule.name}' selects items with $is, $in, $is_not, $not_in or $from, not '${op}'`);
      }
    }
    checkCountRule(rule, s, at, depth);
    if (rule.error !== undefined && rule.error !== null && (typeof rule.error !== 'object' || (typeof rule.error.message !== 'string' && rule.error.message !== undefined))) {
      throw invalidValidationRules(`Property ${at}.error.message must be string`);
    }
    if (rule.rules !== undefined && (rule.rules === null || typeof rule.rules !== 'object' || Object.keys(rule.rules).length > 0)) checkRuleSet(rule.rules, `${at}.rules`, depth + 1);
  }
  logicOf(s);
  return s;
}

/** The location ids a rule set's conditions name ($in_location, $not_in_location), at any depth. */
export function locationRefs(set: RuleSet): string[] {
  const out = new Set<string>();
  const walk = (s: RuleSet) => {
    for (const [, r] of numbered(s)) {
      for (const op of ['$in_location', '$not_in_location']) for (const id of (r.conditions?.[op] as unknown[] | undefined) ?? []) out.add(String(id));
      if (r.rules) walk(r.rules);
    }
  };
  walk(set);
  return [...out];
}

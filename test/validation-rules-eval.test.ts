/** The pure validation-rule evaluator and its grammar: names, operators, logic, nesting, messages, time frames. */
import { describe, expect, it } from 'vitest';
import { checkRuleSet, evaluateRules, holds, isoDuration, parseLogic, type RuleContext, type RuleSet } from '../src/modules/validation-rules/index.js';

const now = new Date('2024-11-13T15:30:00.000Z'); // a Wednesday (3)
const order = (amount: number, items: RuleContext['order'] extends infer O ? (O extends { items?: infer I } ? I : never) : never = []) => ({ amount, total_amount: amount, items });
const ctx = (c: RuleContext = {}): RuleContext => c;
const valid = (rules: RuleSet, c: RuleContext, error?: { message: string }) => evaluateRules(checkRuleSet(rules), c, now, error);

describe('logic formulas', () => {
  const known = new Set(['1', '2', '3']);
  it('parses and / or / not with precedence and parentheses', () => {
    expect(parseLogic('1 and 2 or 3', known)).toEqual({ kind: 'or', of: [{ kind: 'and', of: [{ kind: 'rule', n: '1' }, { kind: 'rule', n: '2' }] }, { kind: 'rule', n: '3' }] });
    expect(parseLogic('1 AND (2 OR 3)', known)).toEqual({ kind: 'and', of: [{ kind: 'rule', n: '1' }, { kind: 'or', of: [{ kind: 'rule', n: '2' }, { kind: 'rule', n: '3' }] }] });
    expect(parseLogic('1 and 2 and 3', known)).toEqual({ kind: 'and', of: [{ kind: 'rule', n: '1' }, { kind: 'rule', n: '2' }, { kind: 'rule', n: '3' }] });
    expect(parseLogic('not 1', known)).toEqual({ kind: 'not', of: { kind: 'rule', n: '1' } });
  });
  it.each(['1 and', '(1 and 2', '1 xor 2', '4', '1 2', 'and 1'])('refuses %s', (f) => {
    expect(() => parseLogic(f, known)).toThrow(/logic/);
  });
  it('combines rule results: (1 and 2) or 3', () => {
    const rules: RuleSet = {
      logic: '(1 and 2) or 3',
      '1': { name: 'order.amount', conditions: { $more_than: [1000] } },
      '2': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } },
      '3': { name: 'customer.segment', conditions: { $in: ['seg_vip'] } },
    };
    expect(valid(rules, { order: order(2000), customer: { metadata: { tier: 'gold' } } }).valid).toBe(true);
    expect(valid(rules, { order: order(2000), customer: { metadata: { tier: 'silver' } } }).valid).toBe(false);
    expect(valid(rules, { order: order(10), customer: { metadata: {}, segments: ['seg_a', 'seg_vip'] } }).valid).toBe(true);
  });
  it('evaluates a stored chain of 50,000 and / or (saved before formulas had a length bound) without overflowing', () => {
    const rules = (logic: string): RuleSet => ({ logic, '1': { name: 'order.amount', conditions: { $more_than: [100] } }, '2': { name: 'order.amount', conditions: { $less_than: [50] } } });
    expect(evaluateRules(rules('1and'.repeat(50_000) + '1'), { order: order(150) }, now).valid).toBe(true);
    expect(evaluateRules(rules('2 or '.repeat(50_000) + '1'), { order: order(150) }, now).valid).toBe(true);
    expect(evaluateRules(rules('1 and '.repeat(50_000) + '2'), { order: order(150) }, now)).toMatchObject({ valid: false, rule: '2' });
  });
  it('without logic, every rule must hold', () => {
    const rules: RuleSet = { '1': { name: 'order.amount', conditions: { $more_than_or_equal: [100] } }, '2': { name: 'order.amount', conditions: { $less_than: [200] } } };
    expect(valid(rules, { order: order(150) }).valid).toBe(true);
    expect(valid(rules, { order: order(200) }).valid).toBe(false);
  });
});

describe('grammar checks when saved', () => {
  it.each([
    [{ '1': { name: 'customer.metadata', conditions: { $is: ['x'] } } }, "Rule 'customer.metadata' must have a 'property'"],
    [{ '1': { name: 'customer.shoe_size', conditions: {} } }, 'is not a rule name'],
    [{ '1': { name: 'order.amount', conditions: { $bigger: [1] } } }, "unknown operator '$bigger'"],
    [{ '1': { name: 'order.amount', conditions: { $is: 5 } } }, 'must be array'],
    [{ '2': { name: 'order.amount', conditions: {} } }, 'number its rules 1, 2, 3'],
    [{ logic: '1 and 2', '1': { name: 'order.amount', conditions: {} } }, 'rule 2, which does not exist'],
    [{ '1': { name: 'order.items.any', conditions: {}, rules: { '1': { name: 'nope' } } } }, '.rules.1.rules.1.name'],
    [{ '1': { name: 'order.items.any', conditions: {}, rules: null } }, '.rules.1.rules must be object'],
    [{ '1': { name: 'order.amount', conditions: {}, error: 'oops' } }, '.rules.1.error.message must be string'],
    // redemption.count rules are counted only as top-level limits of an `and` set.
    [{ logic: '1 or 2', '1': { name: 'redemption.count.per_customer', conditions: { $less_than: [1] } }, '2': { name: 'order.amount', conditions: {} } }, "redemption.count rules count only in a top-level and, as limits with a $less_than or $less_than_or_equal number (its rule set's logic has 'or' or 'not')"],
    [{ logic: 'not 1', '1': { name: 'redemption.count.daily', conditions: { $less_than: [1] } } }, "logic has 'or' or 'not'"],
    [{ '1': { name: 'order.items.any', conditions: {}, rules: { '1': { name: 'redemption.count.per_customer', conditions: { $less_than: [1] } } } } }, '.rules.1.rules.1: redemption.count rules count only in a top-level and'],
    [{ '1': { name: 'redemption.count.per_customer', conditions: { $more_than: [1] } } }, 'no number bound'],
    [{ '1': { name: 'redemption.count.per_customer', conditions: { $less_than: ['one'] } } }, 'no number bound'],
  ])('refuses %j', (rules, message) => {
    expect(() => checkRuleSet(rules)).toThrow(message);
  });
  it('takes redemption.count limits in a top-level and, with number or numeric string bounds', () => {
    for (const rules of [
      { '1': { name: 'redemption.count.per_customer', conditions: { $less_than: ['1'] } } },
      { logic: '1 and 2', '1': { name: 'redemption.count.monthly', conditions: { $less_than_or_equal: [3], $more_than: [0] } }, '2': { name: 'order.amount', conditions: {} } },
    ]) expect(() => checkRuleSet(rules)).not.toThrow();
  });
});

describe('names', () => {
  it('customer.segment: member of any / none of the listed segments', () => {
    const c = ctx({ customer: { segments: ['seg_1', 'seg_2'] } });
    expect(valid({ '1': { name: 'customer.segment', conditions: { $in: ['seg_2', 'seg_9'] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'customer.segment', conditions: { $is: ['seg_9'] } } }, c).valid).toBe(false);
    expect(valid({ '1': { name: 'customer.segment', conditions: { $not_in: ['seg_9'] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'customer.segment', conditions: { $is_not: ['seg_1'] } } }, c).valid).toBe(false);
    expect(valid({ '1': { name: 'customer.segment', conditions: { $in: [{ id: 'seg_1', object: 'segment' }] } } }, c).valid).toBe(true);
  });

  it('order amounts and metadata; a missing amount fails', () => {
    const c = ctx({ order: { amount: 5000, total_amount: 4500, initial_amount: 5200, metadata: { channel: 'web', tags: ['a', 'b'] } } });
    expect(valid({ '1': { name: 'order.total_amount', conditions: { $less_than_or_equal: [4500] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'order.initial_amount', conditions: { $more_than: [5100] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'order.metadata', property: 'channel', conditions: { $starts_with: ['we'] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'order.metadata', property: 'tags', conditions: { $count: [2] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'order.metadata', property: 'tags', conditions: { $count_more: [2] } } }, c).valid).toBe(false);
    expect(valid({ '1': { name: 'order.amount', conditions: { $more_than: [0] } } }, {}).valid).toBe(false);
  });

  it('a metadata property named like an inherited one (constructor, toString) has no value unless the metadata has it', () => {
    for (const property of ['constructor', 'toString', '__proto__', 'channel.length', 'channel.constructor']) {
      const rule = (name: string, op: string): RuleSet => ({ '1': { name, property, conditions: { [op]: [] } } });
      const c = ctx({ customer: { metadata: { channel: 'web' } }, order: { amount: 1, metadata: { channel: 'web' } } });
      expect(valid(rule('customer.metadata', '$has_value'), c).valid, property).toBe(false);
      expect(valid(rule('customer.metadata', '$is_unknown'), c).valid, property).toBe(true);
      expect(valid(rule('order.metadata', '$has_value'), c).valid, property).toBe(false);
    }
    expect(valid({ '1': { name: 'customer.metadata', property: 'constructor', conditions: { $is: ['c'] } } }, ctx({ customer: { metadata: { constructor: 'c' } } })).valid).toBe(true);
  });

  const items = [
    { product_id: 'prod_a', quantity: 2, price: 1000, amount: 2000, metadata: { color: 'red' } },
    { product_id: 'prod_b', sku_id: 'sku_b1', quantity: 1, price: 5000, amount: 5000, product: { metadata: { color: 'blue' } } },
    { source_id: 'ext-c', quantity: 5, price: 100, amount: 500 },
  ];
  const withItems = ctx({ order: order(7500, items), inCollection: (id, item) => id === 'pc_red' && item.metadata?.color === 'red' });

  it('order.items.* summaries: count, price_any / price_each, metadata_any / metadata_each', () => {
    expect(valid({ '1': { name: 'order.items.count', conditions: { $is: [3] } } }, withItems).valid).toBe(true);
    expect(valid({ '1': { name: 'order.items.price_any', conditions: { $more_than: [4000] } } }, withItems).valid).toBe(true);
    expect(valid({ '1': { name: 'order.items.price_each', conditions: { $more_than: [200] } } }, withItems).valid).toBe(false);
    expect(valid({ '1': { name: 'order.items.metadata_any', property: 'color', conditions: { $is: ['blue'] } } }, withItems).valid).toBe(true);
    expect(valid({ '1': { name: 'order.items.metadata_each', property: 'color', conditions: { $in: ['red', 'blue'] } } }, withItems).valid).toBe(false);
  });

  it('order.items.any / every / none / cheapest / most_expensive with nested item rules', () => {
    const any = (conditions: Record<string, unknown[]>, rules?: RuleSet) => valid({ '1': { name: 'order.items.any', conditions, ...(rules ? { rules } : {}) } }, withItems).valid;
    expect(any({ $is: [{ id: 'prod_a', object: 'product' }] })).toBe(true);
    expect(any({ $is: [{ id: 'prod_a', object: 'product' }] }, { '1': { name: 'order.items.quantity', conditions: { $more_than_or_equal: [2] } } })).toBe(true);
    expect(any({ $is: [{ id: 'prod_a', object: 'product' }] }, { '1': { name: 'order.items.quantity', conditions: { $more_than: [2] } } })).toBe(false);
    expect(any({ $is: [{ id: 'sku_b1', object: 'sku' }] }, { '1': { name: 'order.items.price', conditions: { $is: [5000] } } })).toBe(true);
    expect(any({ $is: [{ source_id: 'ext-c', object: 'product' }] }, { '1': { name: 'order.items.aggregated_amount', conditions: { $is: [500] } } })).toBe(true);
    expect(any({ $is: [{ id: 'pc_red', object: 'products_collection' }] })).toBe(true);
    expect(any({ $is: [{ id: 'pc_green', object: 'products_collection' }] })).toBe(false);
    const every = (refs: unknown[]) => valid({ '1': { name: 'order.items.every', conditions: { $is: refs } } }, withItems).valid;
    expect(every([{ id: 'prod_a', object: 'product' }, { id: 'prod_b', object: 'product' }])).toBe(true);
    expect(every([{ id: 'prod_a', object: 'product' }, { id: 'prod_z', object: 'product' }])).toBe(false);
    expect(valid({ '1': { name: 'order.items.none', conditions: { $is: [{ id: 'prod_z', object: 'product' }] } } }, withItems).valid).toBe(true);
    expect(valid({ '1': { name: 'order.items.none', conditions: { $is: [{ id: 'prod_a', object: 'product' }] } } }, withItems).valid).toBe(false);
    expect(valid({ '1': { name: 'order.items.cheapest', conditions: { $is: [{ source_id: 'ext-c', object: 'product' }] } } }, withItems).valid).toBe(true);
    expect(valid({ '1': { name: 'order.items.most_expensive', conditions: { $is: [{ id: 'prod_b', object: 'product' }] } } }, withItems).valid).toBe(true);
    expect(valid({ '1': { name: 'order.items.most_expensive', conditions: { $is: [{ id: 'prod_a', object: 'product' }] } } }, withItems).valid).toBe(false);
    // Nested rules with their own logic and a sum over the selected lines.
    const nested: RuleSet = {
      '1': {
        name: 'order.items.every',
        conditions: { $is: [{ id: 'prod_a', object: 'product' }] },
        rules: { logic: '1 or 2', '1': { name: 'order.items.aggregated_quantity', conditions: { $more_than: [10] } }, '2': { name: 'order.items.metadata', property: 'color', conditions: { $is: ['red'] } } },
      },
    };
    expect(valid(nested, withItems).valid).toBe(true);
  });

  it('redemption and campaign counts (0 when not given), custom event metadata', () => {
    const c = ctx({ redemption: { per_customer: { total: 2, daily: 1 }, count: { daily: 40 } }, campaign: { redemptions: { count: { total: 99 }, customers_count: { monthly: 7 } } }, custom_event: { metadata: { review_type: 'video' } } });
    expect(valid({ '1': { name: 'redemption.count.per_customer', conditions: { $less_than: [3] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'redemption.count.per_customer.daily', conditions: { $less_than: [1] } } }, c).valid).toBe(false);
    expect(valid({ '1': { name: 'redemption.count.daily', conditions: { $less_than: [50] } } }, c).valid).toBe(true);
    expect(evaluateRules({ '1': { name: 'redemption.count.weekly', conditions: { $is: [0] } } }, c, now).valid).toBe(true);
    expect(valid({ '1': { name: 'campaign.redemptions.count', conditions: { $less_than: [100] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'campaign.redemptions.customers_count.monthly', conditions: { $more_than: [7] } } }, c).valid).toBe(false);
    expect(valid({ '1': { name: 'custom_event.metadata', property: 'review_type', conditions: { $is: ['video'] } } }, c).valid).toBe(true);
    expect(valid({ '1': { name: 'custom_event.metadata', property: 'review_type', conditions: { $in: ['text'] } } }, {}).valid).toBe(false);
  });
});

describe('messages and violation keys', () => {
  it('the failed rule speaks with its own message, else the rule set message', () => {
    const rules: RuleSet = {
      logic: '1 and 2',
      '1': { name: 'customer.segment', conditions: { $is: ['seg_vip'] }, error: { message: 'VIPs only' } },
      '2': { name: 'order.amount', conditions: { $more_than: [100] } },
    };
    expect(valid(rules, { customer: { segments: [] }, order: order(500) })).toEqual({ valid: false, rule: '1', name: 'customer.segment', key: 'customer_rules_violated', message: 'VIPs only' });
    expect(valid(rules, { customer: { segments: ['seg_vip'] }, order: order(50) }, { message: 'Spend more' })).toEqual({ valid: false, rule: '2', name: 'order.amount', key: 'order_rules_violated', message: 'Spend more' });
    expect(valid(rules, { customer: { segments: ['seg_vip'] }, order: order(50) })).toEqual({ valid: false, rule: '2', name: 'order.amount', key: 'order_rules_violated' });
    expect(valid({ '1': { name: 'redemption.count.per_customer', conditions: { $less_than: [1] } } }, { redemption: { per_customer: { total: 1 } } })).toMatchObject({ key: 'redemption_rules_violated' });
  });
  it('a nested rule message wins over its parent', () => {
    const rules: RuleSet = {
      '1': { name: 'order.items.any', conditions: { $is: [{ id: 'prod_a', object: 'product' }] }, rules: { '1': { name: 'order.items.quantity', conditions: { $more_than: [5] }, error: { message: 'Buy 6 or more' } } } },
    };
    expect(valid(rules, { order: order(100, [{ product_id: 'prod_a', quantity: 1, price: 100 }]) })).toMatchObject({ valid: false, rule: '1.1', message: 'Buy 6 or more' });
  });
});

describe('operators', () => {
  it('compares numbers, numeric strings and dates', () => {
    expect(holds('$more_than', 10, ['9'], now)).toBe(true);
    expect(holds('$greater_than_or_equal', 10, [10], now)).toBe(true);
    expect(holds('$less_than_equal', '2024-01-01', ['2024-01-02'], now)).toBe(true);
    expect(holds('$after', '2024-11-14T00:00:00Z', ['2024-11-13'], now)).toBe(true);
    expect(holds('$before', undefined, ['2024-11-13'], now)).toBe(false);
    expect(holds('$more_than', 'abc', [1], now)).toBe(false);
    expect(holds('$contains', 'hello world', ['lo w'], now)).toBe(true);
    expect(holds('$ends_with', 'file.png', ['.jpg', '.png'], now)).toBe(true);
    expect(holds('$not_differ', ['a', 'b'], ['b', 'a'], now)).toBe(true);
    expect(holds('$not_intersect', ['a', 'b'], ['c'], now)).toBe(true);
    expect(holds('$has_value', '', [], now)).toBe(false);
  });
  it('$is, $is_not, $in and $not_in compare numbers and numeric strings as numbers, other values as text', () => {
    for (const v of [10, '10', 10.0, ' 10 ', '1e1']) {
      expect(holds('$is', v, ['10.0'], now), String(v)).toBe(true);
      expect(holds('$is_not', v, ['10.0'], now), String(v)).toBe(false);
      expect(holds('$in', v, [3, '10.00'], now), String(v)).toBe(true);
      expect(holds('$not_in', v, [3, '10.00'], now), String(v)).toBe(false);
    }
    expect(holds('$is', 10, ['10.5'], now)).toBe(false);
    expect(holds('$is', 'ten', ['10'], now)).toBe(false);
    expect(holds('$is', '', [0], now)).toBe(false);
    expect(holds('$is', 'Infinity', ['Infinity'], now)).toBe(true);
    expect(holds('$is', true, ['true'], now)).toBe(true);
    expect(valid({ '1': { name: 'order.metadata', property: 'size', conditions: { $is: ['10.0'] } } }, ctx({ order: { amount: 1, metadata: { size: 10 } } })).valid).toBe(true);
  });
  it('relative days', () => {
    expect(holds('$more_than_ago', '2024-11-01T00:00:00Z', [10], now)).toBe(true);
    expect(holds('$less_than_ago', '2024-11-10T00:00:00Z', [10], now)).toBe(true);
    expect(holds('$is_days_ago', '2024-11-10T12:00:00Z', [3], now)).toBe(true);
    expect(holds('$less_than_future', '2024-11-15T00:00:00Z', [2], now)).toBe(true);
    expect(holds('$more_than_future', '2024-11-15T00:00:00Z', [2], now)).toBe(false);
    expect(holds('$is_days_in_future', '2024-11-20T16:00:00Z', [7], now)).toBe(true);
  });
  it('time frames and days of the week test the moment of evaluation when the value is no date', () => {
    expect(isoDuration('P1D')).toBe(86_400_000);
    expect(isoDuration('PT1H30M')).toBe(5_400_000);
    expect(isoDuration('P1M')).toBeUndefined();
    // Every day from 2024-11-01T15:00Z for one hour: 15:30 is inside, 16:30 is not.
    expect(holds('$timeframe', undefined, ['2024-11-01T15:00:00.000Z;P1D;PT1H'], now)).toBe(true);
    expect(holds('$timeframe', undefined, ['2024-11-01T15:00:00.000Z;P1D;PT1H'], new Date('2024-11-13T16:30:00Z'))).toBe(false);
    expect(holds('$timeframe', undefined, ['2024-11-20T15:00:00.000Z;P1D;PT1H'], now)).toBe(false);
    expect(holds('$timeframe_absolute', undefined, ['2024-11-01T00:00:00Z;2024-11-30T00:00:00Z'], now)).toBe(true);
    expect(holds('$timeframe_daily_hours', undefined, ['15:00;16:00;3'], now)).toBe(true);
    expect(holds('$timeframe_daily_hours', undefined, ['15:00;16:00;1,2'], now)).toBe(false);
    expect(holds('$timeframe_daily_hours', undefined, ['22:00;02:00'], new Date('2024-11-13T01:00:00Z'))).toBe(true);
    expect(holds('$dow', undefined, [3, 4], now)).toBe(true);
    expect(holds('$dow', '2024-11-17', [0], now)).toBe(true);
    // A rule set restricted to weekend shopping, as a redemption at `now` would evaluate it.
    expect(valid({ '1': { name: 'order.amount', conditions: { $more_than: [0] } }, '2': { name: 'redemption.metadata', property: 'at', conditions: { $dow: [0, 6] } } }, { order: order(1) }).valid).toBe(false);
  });
});

describe('redemption.count names (as the README lists them)', () => {
  it('a bare redemption.count is no rule name; its periods and per_customer are', () => {
    expect(() => checkRuleSet({ '1': { name: 'redemption.count', conditions: { $less_than: [3] } } })).toThrow('is not a rule name');
    for (const name of ['redemption.count.daily', 'redemption.count.weekly', 'redemption.count.monthly', 'redemption.count.per_customer', 'redemption.count.per_customer.daily']) {
      expect(() => checkRuleSet({ '1': { name, conditions: { $less_than: [3] } } })).not.toThrow();
    }
  });
});

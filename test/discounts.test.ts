/** The pure discount module: types, effects, limits, formulas, rounding and stacking, in minor units. */
import { describe, expect, it } from 'vitest';
import { applyDiscount, calculateDiscount, evaluateFormula, FormulaError, parseFormula, splitProportionally, type DiscountOrder } from '../src/modules/discounts/index.js';

const cart: DiscountOrder = {
  amount: 20000,
  items: [
    { product_id: 'prod_a', quantity: 2, price: 5000, amount: 10000 },
    { product_id: 'prod_b', quantity: 1, price: 7000, amount: 7000 },
    { product_id: 'prod_c', quantity: 3, price: 1000, amount: 3000 },
  ],
};
const only = (...ids: string[]) => (l: { product_id?: string }) => ids.includes(l.product_id ?? '');

describe('AMOUNT', () => {
  it('APPLY_TO_ORDER takes amount_off, never more than the order', () => {
    expect(calculateDiscount({ type: 'AMOUNT', amount_off: 1500 }, { order: cart })).toMatchObject({ order_discount: 1500, items: [], total: 1500 });
    expect(calculateDiscount({ type: 'AMOUNT', amount_off: 99999, effect: 'APPLY_TO_ORDER' }, { order: cart }).total).toBe(20000);
  });
  it('APPLY_TO_ITEMS takes amount_off from each eligible line; BY_QUANTITY from each unit; capped by the line', () => {
    expect(calculateDiscount({ type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ITEMS' }, { order: cart, eligible: only('prod_a', 'prod_c') }).items).toEqual([
      { line: 0, discount: 500 },
      { line: 2, discount: 500 },
    ]);
    expect(calculateDiscount({ type: 'AMOUNT', amount_off: 1500, effect: 'APPLY_TO_ITEMS_BY_QUANTITY' }, { order: cart }).items).toEqual([
      { line: 0, discount: 3000 },
      { line: 1, discount: 1500 },
      { line: 2, discount: 3000 },
    ]);
  });
  it('PROPORTIONALLY splits one amount by line amounts, exactly; BY_QUANTITY by quantities', () => {
    const r = calculateDiscount({ type: 'AMOUNT', amount_off: 1000, effect: 'APPLY_TO_ITEMS_PROPORTIONALLY' }, { order: cart });
    expect(r.items).toEqual([
      { line: 0, discount: 500 },
      { line: 1, discount: 350 },
      { line: 2, discount: 150 },
    ]);
    const odd = calculateDiscount({ type: 'AMOUNT', amount_off: 1001, effect: 'APPLY_TO_ITEMS_PROPORTIONALLY' }, { order: cart });
    expect(odd.total).toBe(1001);
    const q = calculateDiscount({ type: 'AMOUNT', amount_off: 600, effect: 'APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY' }, { order: cart });
    expect(q.items).toEqual([
      { line: 0, discount: 200 },
      { line: 1, discount: 100 },
      { line: 2, discount: 300 },
    ]);
    // A line whose share exceeds it is capped; the rest goes to the others.
    const tight = calculateDiscount(
      { type: 'AMOUNT', amount_off: 3000, effect: 'APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY' },
      { order: { amount: 2100, items: [{ quantity: 1, amount: 100 }, { quantity: 1, amount: 2000 }] } },
    );
    expect(tight.items).toEqual([
      { line: 0, discount: 100 },
      { line: 1, discount: 2000 },
    ]);
  });
  it('aggregated_amount_limit caps the items together', () => {
    expect(calculateDiscount({ type: 'AMOUNT', amount_off: 2000, effect: 'APPLY_TO_ITEMS', aggregated_amount_limit: 3000 }, { order: cart }).total).toBe(3000);
  });
});

describe('PERCENT', () => {
  it('APPLY_TO_ORDER, rounded half up, capped by amount_limit', () => {
    expect(calculateDiscount({ type: 'PERCENT', percent_off: 15 }, { order: cart }).order_discount).toBe(3000);
    expect(calculateDiscount({ type: 'PERCENT', percent_off: 10, amount_limit: 1200 }, { order: cart }).order_discount).toBe(1200);
    expect(calculateDiscount({ type: 'PERCENT', percent_off: 12.5 }, { order: { amount: 1004 } }).order_discount).toBe(126); // 125.5 -> 126
    expect(calculateDiscount({ type: 'PERCENT', percent_off: 12.5 }, { order: { amount: 1003 } }).order_discount).toBe(125); // 125.375
    expect(calculateDiscount({ type: 'PERCENT', percent_off: 150 }, { order: { amount: 1000 } }).order_discount).toBe(1000);
  });
  it('APPLY_TO_ITEMS: each eligible line, amount_limit per line', () => {
    expect(calculateDiscount({ type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS', amount_limit: 3000 }, { order: cart, eligible: only('prod_a', 'prod_b') }).items).toEqual([
      { line: 0, discount: 3000 },
      { line: 1, discount: 3000 },
    ]);
  });
});

describe('FIXED', () => {
  it('brings the order down to fixed_amount, never up', () => {
    expect(calculateDiscount({ type: 'FIXED', fixed_amount: 15000 }, { order: cart }).order_discount).toBe(5000);
    expect(calculateDiscount({ type: 'FIXED', fixed_amount: 25000 }, { order: cart }).total).toBe(0);
  });
  it('APPLY_TO_ITEMS sets each eligible unit price', () => {
    expect(calculateDiscount({ type: 'FIXED', fixed_amount: 4000, effect: 'APPLY_TO_ITEMS' }, { order: cart, eligible: only('prod_a', 'prod_c') }).items).toEqual([{ line: 0, discount: 2000 }]);
  });
});

describe('UNIT', () => {
  it('ADD_MISSING_ITEMS gives units free, adding those the cart lacks', () => {
    const have = calculateDiscount({ type: 'UNIT', unit_off: 2, unit_type: 'prod_c', effect: 'ADD_MISSING_ITEMS' }, { order: cart });
    expect(have.added).toEqual([{ unit_type: 'prod_c', line: 2, added_quantity: 0, discount_quantity: 2, price: 1000, discount: 2000 }]);
    expect(have.total).toBe(2000);
    const lack = calculateDiscount({ type: 'UNIT', unit_off: 5, unit_type: 'prod_c', effect: 'ADD_MISSING_ITEMS' }, { order: cart });
    expect(lack.added[0]).toMatchObject({ added_quantity: 2, discount_quantity: 5, discount: 5000 });
    const after = applyDiscount(cart, lack);
    expect(after.items[2]).toMatchObject({ quantity: 5, amount: 5000, discount_amount: 5000 });
    expect(after).toMatchObject({ amount: 22000, items_discount_amount: 5000, total_amount: 17000 });
  });
  it('ADD_MISSING_ITEMS on a line an earlier discount took from gives only what is left of it (never below zero)', () => {
    const taken: DiscountOrder = { amount: 1000, items: [{ product_id: 'prod_x', quantity: 1, price: 1000, amount: 1000, discount_amount: 1000 }] };
    const free = calculateDiscount({ type: 'UNIT', unit_off: 1, unit_type: 'prod_x', effect: 'ADD_MISSING_ITEMS' }, { order: taken });
    expect(free.total).toBe(0);
    expect(applyDiscount(taken, free)).toMatchObject({ items_discount_amount: 1000, total_amount: 0 });
    // Half taken, two more units missing: the rest of the line and the added units.
    const half: DiscountOrder = { amount: 1000, items: [{ product_id: 'prod_x', quantity: 1, price: 1000, amount: 1000, discount_amount: 500 }] };
    const more = calculateDiscount({ type: 'UNIT', unit_off: 3, unit_type: 'prod_x', effect: 'ADD_MISSING_ITEMS' }, { order: half });
    expect(more.added[0]).toMatchObject({ added_quantity: 2, discount_quantity: 3, discount: 2500 });
    expect(applyDiscount(half, more)).toMatchObject({ amount: 3000, items_discount_amount: 3000, total_amount: 0 });
  });
  it('ADD_NEW_ITEMS adds a free line, priced from the catalog; ADD_MANY_ITEMS several', () => {
    const r = calculateDiscount({ type: 'UNIT', unit_off: 1, unit_type: 'prod_gift', effect: 'ADD_NEW_ITEMS' }, { order: cart, unitPrice: (t) => (t === 'prod_gift' ? 800 : undefined) });
    expect(r.added).toEqual([{ unit_type: 'prod_gift', added_quantity: 1, discount_quantity: 1, price: 800, discount: 800 }]);
    const after = applyDiscount(cart, r);
    expect(after.items).toHaveLength(4);
    expect(after).toMatchObject({ amount: 20800, total_amount: 20000 });
    const many = calculateDiscount(
      { type: 'UNIT', effect: 'ADD_MANY_ITEMS', units: [{ unit_off: 1, unit_type: 'prod_a', effect: 'ADD_MISSING_ITEMS' }, { unit_off: 2, unit_type: 'prod_x', effect: 'ADD_NEW_ITEMS', product: { id: 'prod_x', price: 300 } }] },
      { order: cart },
    );
    expect(many.total).toBe(5000 + 600);
  });
});

describe('formulas', () => {
  it("computes seed 002's percent_off_formula: IF(ORDER_AMOUNT > 150;15;10), money in major units", () => {
    const d = { type: 'PERCENT' as const, percent_off: 10, percent_off_formula: 'IF(ORDER_AMOUNT > 150;15;10)' };
    expect(calculateDiscount(d, { order: { amount: 20000 } })).toMatchObject({ order_discount: 3000, is_dynamic: true });
    expect(calculateDiscount(d, { order: { amount: 10000 } })).toMatchObject({ order_discount: 1000, is_dynamic: true });
  });
  it('metadata functions, arithmetic and per-item variables; a formula that cannot be computed falls back', () => {
    const amount = { type: 'AMOUNT' as const, amount_off: 500, amount_off_formula: 'IF(CUSTOMER_METADATA("age") > 30;CUSTOMER_METADATA("age") / 2;5)' };
    expect(calculateDiscount(amount, { order: cart, metadata: { CUSTOMER: { age: 40 } } }).order_discount).toBe(2000);
    const fallback = calculateDiscount(amount, { order: cart });
    expect(fallback).toMatchObject({ order_discount: 500, is_dynamic: false });
    expect(fallback.formula_error).toContain('CUSTOMER_METADATA');
    const perItem = calculateDiscount({ type: 'FIXED', fixed_amount: 0, fixed_amount_formula: 'IF(ORDER_AMOUNT > 150;ORDER_ITEM_PRICE * 0.8;ORDER_ITEM_PRICE)', effect: 'APPLY_TO_ITEMS' }, { order: cart });
    expect(perItem.items).toEqual([
      { line: 0, discount: 2000 },
      { line: 1, discount: 1400 },
      { line: 2, discount: 600 },
    ]);
    const units = calculateDiscount({ type: 'UNIT', unit_off: 1, unit_off_formula: 'IF(ORDER_UNITS_QUANTITY > 3;2;1)', unit_type: 'prod_c', effect: 'ADD_NEW_ITEMS' }, { order: cart });
    expect(units.added[0]).toMatchObject({ discount_quantity: 2, discount: 2000 });
    expect(calculateDiscount({ type: 'AMOUNT', amount_off: 0, amount_off_formula: 'IF(VOUCHER_PUBLISH_COUNT = 1;25;5)' }, { order: cart, vars: { VOUCHER_PUBLISH_COUNT: 1 } }).total).toBe(2500);
  });
  it('a metadata key named like an inherited property (constructor, toString) has no value unless the metadata has it', () => {
    const f = (key: string, metadata: Record<string, unknown>) => evaluateFormula(`IF(CUSTOMER_METADATA("${key}") contains "native";1;2)`, { vars: {}, metadata: { CUSTOMER: metadata } });
    expect(() => f('constructor', {})).toThrow(FormulaError);
    expect(() => f('toString', { k: 1 })).toThrow(FormulaError);
    expect(f('toString', { toString: 'native' })).toBe(1);
    const d = { type: 'AMOUNT' as const, amount_off: 500, amount_off_formula: 'IF(CUSTOMER_METADATA("hasOwnProperty") = "";1;20)' };
    expect(calculateDiscount(d, { order: cart, metadata: { CUSTOMER: {} } })).toMatchObject({ order_discount: 500, is_dynamic: false });
  });
  it('the interpreter: precedence, comparisons, contains, min/max/round, errors instead of code', () => {
    const f = (s: string, vars = {}, metadata = {}) => evaluateFormula(s, { vars, metadata });
    expect(f('1 + 2 * 3')).toBe(7);
    expect(f('(1 + 2) * 3 - -1')).toBe(10);
    expect(f('IF(2 >= 2 AND NOT 0;1;0)')).toBe(1);
    expect(f('IF(1 <> 1 OR 3 < 2;1;0)')).toBe(0);
    expect(f('MIN(5, 3; 9) + MAX(1;2) + ROUND(2.456; 2) + FLOOR(1.9) + CEIL(1.1) + ABS(-1)')).toBeCloseTo(3 + 2 + 2.46 + 1 + 2 + 1);
    expect(f('IF(CUSTOMER_METADATA("brands") contains "Nike";20;5)', {}, { CUSTOMER: { brands: ['Adidas', 'Nike'] } })).toBe(20);
    for (const bad of ['1 +', 'IF(1;2)', 'process.exit(1)', 'constructor', '"a" * 2', '1 / 0', 'X(1)', '1 ; 2', '((1)']) {
      expect(() => evaluateFormula(bad, { vars: {} }), bad).toThrow(FormulaError);
    }
    expect(() => parseFormula('a'.repeat(3000))).toThrow(FormulaError);
  });
});

describe('stacking and rounding helpers', () => {
  it('a second discount works on what the first left', () => {
    const first = calculateDiscount({ type: 'AMOUNT', amount_off: 5000, effect: 'APPLY_TO_ITEMS' }, { order: cart, eligible: only('prod_a') });
    const after = applyDiscount(cart, first);
    expect(after).toMatchObject({ items_discount_amount: 5000, total_amount: 15000 });
    const second = calculateDiscount({ type: 'PERCENT', percent_off: 10 }, { order: after });
    expect(second.order_discount).toBe(1500);
    const third = calculateDiscount({ type: 'AMOUNT', amount_off: 99999, effect: 'APPLY_TO_ITEMS' }, { order: after });
    expect(third.items).toEqual([
      { line: 0, discount: 5000 },
      { line: 1, discount: 7000 },
      { line: 2, discount: 3000 },
    ]);
  });
  it('splitProportionally is exact and deterministic', () => {
    expect(splitProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitProportionally(7, [0, 5, 5])).toEqual([0, 4, 3]);
    expect(splitProportionally(0, [1, 2])).toEqual([0, 0]);
    for (let total = 0; total < 200; total += 7) expect(splitProportionally(total, [3, 11, 17, 0, 2]).reduce((a, b) => a + b, 0)).toBe(total);
  });
});

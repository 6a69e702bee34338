/**
 * Discounts: what a voucher or promotion takes off an order, computed without side effects (validations and
 * redemptions call it). Glossary:
 * - type: AMOUNT (amount_off), PERCENT (percent_off, capped by amount_limit), FIXED (the order or each line's unit
 *   price brought down to fixed_amount), UNIT (units of a product given free; ADD_MANY_ITEMS for several).
 * - effect: APPLY_TO_ORDER, APPLY_TO_ITEMS (each eligible line), APPLY_TO_ITEMS_BY_QUANTITY (per unit),
 *   APPLY_TO_ITEMS_PROPORTIONALLY (one amount split by line amounts), ..._BY_QUANTITY (split by quantities);
 *   ADD_MISSING_ITEMS / ADD_NEW_ITEMS / ADD_SAME_ITEMS for units.
 * - formula: `*_formula` computed by a small interpreter (formula.ts); when it cannot be computed the static value
 *   is used. Money in formulas is in major units; results are minor units, rounded half up.
 * - eligible lines: the caller's predicate (a validation rule's applicable_to).
 * - unit types: the products / SKUs UNIT discounts give, checked against the catalog when saved (units.ts).
 */
export { calculateDiscount, applyDiscount, splitProportionally, orderFormulaVars } from './calculate.js';
export { evaluateFormula, parseFormula, FormulaError, type FormulaContext } from './formula.js';
export { amountEffects, oneUnitEffects, orderOrItemsEffects, unitEffects, type AmountEffect, type UnitEffect, type Discount, type DiscountInput, type DiscountLine, type DiscountOrder, type DiscountResult, type AddedUnits, type OneUnit } from './types.js';
export { checkUnitTypes, unitTypesOf, type UnknownUnits } from './units.js';

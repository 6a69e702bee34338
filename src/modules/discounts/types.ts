export const amountEffects = ['APPLY_TO_ORDER', 'APPLY_TO_ITEMS', 'APPLY_TO_ITEMS_PROPORTIONALLY', 'APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY', 'APPLY_TO_ITEMS_BY_QUANTITY'] as const;
export type AmountEffect = (typeof amountEffects)[number];
/** The effects of PERCENT and FIXED discounts, of UNIT ones, and of each unit of an ADD_MANY_ITEMS one (the spec's enums). */
export const orderOrItemsEffects = ['APPLY_TO_ORDER', 'APPLY_TO_ITEMS'] as const;
export const unitEffects = ['ADD_MISSING_ITEMS', 'ADD_NEW_ITEMS', 'ADD_MANY_ITEMS', 'ADD_SAME_ITEMS'] as const;
export const oneUnitEffects = ['ADD_NEW_ITEMS', 'ADD_MISSING_ITEMS'] as const;
export type UnitEffect = 'ADD_MISSING_ITEMS' | 'ADD_NEW_ITEMS' | 'ADD_SAME_ITEMS';

/** A product or SKU a UNIT discount gives away. */
export interface UnitTarget {
  id?: string;
  source_id?: string;
  name?: string;
  price?: number;
}

export interface OneUnit {
  unit_off?: number;
  unit_off_formula?: string;
  unit_type: string;
  effect?: UnitEffect;
  product?: UnitTarget;
  sku?: UnitTarget;
}

export type Discount =
  | { type: 'AMOUNT'; amount_off: number; amount_off_formula?: string; effect?: AmountEffect; aggregated_amount_limit?: number }
  | { type: 'PERCENT'; percent_off: number; percent_off_formula?: string; amount_limit?: number; aggregated_amount_limit?: number; effect?: 'APPLY_TO_ORDER' | 'APPLY_TO_ITEMS' }
  | { type: 'FIXED'; fixed_amount: number; fixed_amount_formula?: string; effect?: 'APPLY_TO_ORDER' | 'APPLY_TO_ITEMS' }
  | ({ type: 'UNIT' } & OneUnit)
  | { type: 'UNIT'; effect: 'ADD_MANY_ITEMS'; units: OneUnit[] };

/** An order line as the discount sees it; `discount_amount` is what earlier discounts took off it already. */
export interface DiscountLine {
  product_id?: string;
  sku_id?: string;
  source_id?: string;
  /** What `source_id` names: a product (the default) or a SKU. */
  related_object?: string;
  /** The line's product and SKU as sent or resolved (`id`, `source_id`). */
  product?: Record<string, unknown>;
  sku?: Record<string, unknown>;
  quantity?: number;
  price?: number;
  amount?: number;
  discount_amount?: number;
  metadata?: Record<string, unknown>;
}

export interface DiscountOrder {
  amount: number;
  /** Order-level discounts earlier discounts applied. */
  discount_amount?: number;
  items?: DiscountLine[];
  metadata?: Record<string, unknown>;
}

export interface DiscountInput {
  order: DiscountOrder;
  /** Which lines the discount may touch (the validation rule's applicable_to); all when absent. */
  eligible?: (line: DiscountLine, index: number) => boolean;
  /**
   * Limits per line (units discounted at most, amount at most) and on groups of lines (their sum), from the targets;
   * none when absent.
   */
  caps?: { lines: Array<{ units?: number; amount?: number; price?: number }>; groups: Array<{ lines: number[]; amount: number }> };
  /** More formula variables (VOUCHER_PUBLISH_COUNT...) and metadata (CUSTOMER_METADATA...). */
  vars?: Record<string, number | string | undefined>;
  metadata?: { CUSTOMER?: Record<string, unknown>; REDEMPTION?: Record<string, unknown>; VOUCHER?: Record<string, unknown>; CAMPAIGN?: Record<string, unknown> };
  /** The unit price of a UNIT discount's product or SKU when the order has no line of it. */
  unitPrice?: (unitType: string) => number | undefined;
  /**
   * What a UNIT discount's unit_type is in the catalog: a product or a SKU, and its keys (id, source id). An order
   * line naming it by any of them (`product_id`, `source_id` with `related_object`, `product.source_id`...) is its
   * line. Without it, a line is the unit's when one of its keys equals the unit_type.
   */
  unitKeys?: (unitType: string) => { object: 'product' | 'sku'; keys: string[] } | undefined;
}

/** Units a UNIT discount added to the order (or gave free on an existing line). */
export interface AddedUnits {
  unit_type: string;
  /** The existing line they go to, when there is one (ADD_MISSING_ITEMS, ADD_SAME_ITEMS). */
  line?: number;
  /** Units added to the order (0 when the customer already had them). */
  added_quantity: number;
  /** Units given free. */
  discount_quantity: number;
  price: number;
  discount: number;
}

export interface DiscountResult {
  /** Applied to the order as a whole. */
  order_discount: number;
  /** Applied to lines: per line index, in minor units. */
  items: { line: number; discount: number }[];
  added: AddedUnits[];
  /** order_discount + the items' discounts. */
  total: number;
  /** A formula gave the value (not its fallback). */
  is_dynamic: boolean;
  /** Why a formula could not be computed (the static value was used). */
  formula_error?: string;
}

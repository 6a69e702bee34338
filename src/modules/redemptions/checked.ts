/** What checking a request's redeemables gives (check.ts) and what applying them reads (apply-stack.ts). */
import type { CampaignRow } from '../campaigns/index.js';
import type { TesseraError } from '../../core/errors.js';
import type { Discount, DiscountInput, DiscountResult } from '../discounts/index.js';
import type { OrderItem } from '../orders/index.js';
import type { TierRow } from '../promotions/index.js';
import type { RewardsService } from '../rewards/index.js';
import type { AssignmentRow, Caps, RuleItem, Targets } from '../validation-rules/index.js';
import type { VoucherRow } from '../vouchers/index.js';
import type { Limit } from './limits.js';
import type { CounterKey, RedeemableInput } from './types.js';

export interface Applicable {
  status: 'APPLICABLE';
  input: RedeemableInput;
  /** The voucher or promotion tier redeemed. */
  objectType: 'voucher' | 'promotion_tier';
  objectId: string;
  voucher?: VoucherRow;
  tier?: TierRow;
  campaign: CampaignRow | undefined;
  limits: Limit[];
  /** What the redeemable takes off the order (discount or gift credits), minor units. */
  amount: number;
  discount?: Discount;
  discountResult?: DiscountResult;
  /** What its discount's formulas read besides the order: metadata (CUSTOMER_METADATA...) and variables. */
  formula?: Pick<DiscountInput, 'vars' | 'metadata'>;
  /**
   * The products and SKUs a UNIT discount gives, by unit_type: their keys (to find their line however the order
   * names it) and catalog prices (for an order without their line).
   */
  unitItems?: Map<string, UnitItem>;
  /**
   * Credits to spend; after the spend, the card's balance and redeemed total. `effect` APPLY_TO_ITEMS: the credits
   * go against the order's lines when it has lines (see applyStack, which sets `onItems` when they did), else
   * against the order's total.
   */
  gift?: { credits: number; balance: number; redeemed?: number; effect?: 'APPLY_TO_ITEMS'; onItems?: boolean };
  /** A loyalty card paying for a reward: the points it spends (a COIN reward's are set by applyStack). */
  loyalty?: Loyalty;
  /** The products, SKUs and collections its rules let it discount (applicable_to), when they name any. */
  targets?: Targets;
  /**
   * Which lines of an order the discount may touch, and the targets' limits on them, when its targets choose;
   * `taken`: units earlier members of the stack took of budget counters (by counter key), which are not left to it.
   */
  choose?: (lines: RuleItem[], taken?: ReadonlyMap<string, number>) => { eligible: boolean[]; caps?: Caps };
  /** The campaign-budget units its discount takes (set by `choose` for the order it last saw): what a redemption spends. */
  budgets?: { current: BudgetUse[] };
  /** Whether a rule guarding it asks for items (order.items.*, product.*, sku.*): it is about products. */
  itemRules?: boolean;
  /** The assignments of the rules guarding it (its own and its campaign's), in assignment order. */
  assignments?: AssignmentRow[];
}


/** Units a discount takes of one budget counter (a target's campaign-wide or per-customer budget). */
export interface BudgetUse {
  key: CounterKey;
  units: number;
  bound: number;
}

/** A loyalty card's reward in a validation or redemption. */
export interface Loyalty {
  reward: Awaited<ReturnType<RewardsService['quote']>>['reward'];
  assignment: Awaited<ReturnType<RewardsService['quote']>>['assignment'];
  /** Points spent: the assignment's price, or for COIN what pays the order (at most `requested` or the balance). */
  points: number;
  balance: number;
  requested?: number;
  coin?: { exchange_ratio: number; points_ratio: number };
  /** What the reward gave (a code, a card), once redeemed. */
  given?: Record<string, unknown>;
}

export interface Inapplicable {
  status: 'INAPPLICABLE';
  input: RedeemableInput;
  error: TesseraError;
  voucher?: VoucherRow;
  tier?: TierRow;
  campaign?: CampaignRow;
}

/** Applicable, but left out by the project's stacking rules (stacking.ts). */
export interface Skipped {
  status: 'SKIPPED';
  input: RedeemableInput;
  key: string;
  message: string;
  voucher?: VoucherRow;
  tier?: TierRow;
  campaign?: CampaignRow;
}

export type Checked = Applicable | Inapplicable | Skipped;

export interface CheckContext {
  projectId: string;
  customer: { id: string | null; metadata?: Record<string, unknown>; segments?: string[] } | null;
  order: { amount: number | null; initial_amount?: number | null; total_amount?: number | null; items: OrderItem[]; metadata: Record<string, unknown> };
  metadata?: Record<string, unknown>;
  now: Date;
}

/** A product or SKU of the catalog that a UNIT discount gives: its id and source id, and its unit price. */
export interface UnitItem {
  object: 'product' | 'sku';
  keys: string[];
  price?: number;
}

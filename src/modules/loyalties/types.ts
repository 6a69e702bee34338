import type { Validity } from '../campaigns/index.js';

export const transactionTypes = ['POINTS_ACCRUAL', 'PENDING_POINTS_ACTIVATION', 'POINTS_ADDITION', 'POINTS_REMOVAL', 'POINTS_REDEMPTION', 'POINTS_EXPIRATION', 'POINTS_TRANSFER_IN', 'POINTS_TRANSFER_OUT', 'POINTS_REFUND'] as const;
export type TransactionType = (typeof transactionTypes)[number];

export interface TransactionRow {
  id: string;
  project_id: string;
  voucher_id: string;
  campaign_id: string | null;
  type: TransactionType;
  /** bigint columns: strings from node-postgres. */
  points: number | string;
  balance: number | string;
  total: number | string;
  source: string | null;
  source_id: string | null;
  reason: string | null;
  related: { earning_rule_id?: string; earning_rule_banner?: string; event_id?: string; event_type?: string; card_id?: string; segment_id?: string; order_id?: string; redemption_id?: string; rollback_id?: string; reward_id?: string; reward_name?: string; related_transaction_id?: string; source_voucher?: Record<string, unknown>; destination_voucher?: Record<string, unknown> };
  created_at: Date;
}

/** How many points a rule gives: a fixed number, or so many per `every` units of a numeric property. */
export type EarningLoyalty =
  | { type: 'FIXED'; points: number }
  | {
      type: 'PROPORTIONAL';
      calculation_type: 'CUSTOM_EVENT_METADATA' | 'CUSTOMER_METADATA' | 'ORDER_AMOUNT' | 'ORDER_TOTAL_AMOUNT' | 'ORDER_METADATA' | 'ORDER_ITEMS_QUANTITY';
      custom_event?: { metadata: Proportion };
      customer?: { metadata: Proportion };
      order?: { amount?: { every: number; points: number }; total_amount?: { every: number; points: number }; metadata?: Proportion };
      order_items?: { quantity?: ItemsProportion };
    };

/** Items of the products, SKUs or collections named (`object` and `id`, or `applicable_to`); none named: every item. */
export interface ItemsProportion {
  every: number;
  points: number;
  object?: ItemsObject;
  id?: string;
  applicable_to?: Array<{ object: ItemsObject; id: string }>;
}
export const itemsObjects = ['product', 'sku', 'products_collection'] as const;
export type ItemsObject = (typeof itemsObjects)[number];

export interface Proportion {
  property: string;
  every: number;
  points: number;
}

/** An earning rule as sent (create takes an array of these). */
export interface EarningRuleInput extends Validity {
  event?: string;
  custom_event?: { schema_id: string };
  segment?: { id: string };
  /** Tier-event rules: the tier (or `__ANY__`). */
  loyalty_tier?: { id: string };
  loyalty?: EarningLoyalty;
  validation_rule_id?: string | null;
  source?: { banner?: string };
  active?: boolean;
  metadata?: Record<string, unknown>;
}

export interface EarningRuleRow {
  id: string;
  project_id: string;
  campaign_id: string;
  event: string;
  active: boolean;
  definition: Omit<EarningRuleInput, 'event' | 'active'>;
  created_at: Date;
  updated_at: Date | null;
}

/** The most points one accrual gives (a card's balance stays a safe integer). */
export const maxEarnedPoints = 1e12;

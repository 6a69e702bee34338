import type { CustomerInput } from '../customers/index.js';
import type { OrderInput } from '../orders/index.js';

/** A counter key: object, customer ('' for everyone), period ('' for all time). */
export type CounterKey = [objectId: string, customerId: string, period: string];

/** One redeemable of a validation or redemption request. */
export interface RedeemableInput {
  object: 'voucher' | 'promotion_tier' | 'promotion_stack';
  id: string;
  gift?: { credits?: number };
  reward?: { id?: string; points?: number };
}

/** POST /v1/validations and /v1/redemptions (and their client-side forms). */
export interface StackInput {
  redeemables: RedeemableInput[];
  order?: OrderInput;
  customer?: CustomerInput;
  tracking_id?: string;
  metadata?: Record<string, unknown>;
  session?: Record<string, unknown>;
  options?: Record<string, unknown>;
}

/** What a redemption spent, to be given back by its rollback. */
export interface Spent {
  quantity?: boolean;
  counters?: CounterKey[];
  gift?: number;
  /** Loyalty points a card paid (given back by a rollback as POINTS_REFUND). */
  points?: number;
  /** A reward the card paid for (its reward redemption turned ROLLEDBACK, a limited reward's unit given back). */
  reward?: boolean;
  /** Units of a campaign budget (a discount target's) the discount used: [counter key..., units]. */
  units?: Array<[objectId: string, customerId: string, period: string, units: number]>;
}

export interface RedemptionRow {
  id: string;
  project_id: string;
  parent_id: string | null;
  customer_id: string | null;
  order_id: string | null;
  tracking_id: string | null;
  related_object_type: 'voucher' | 'promotion_tier' | 'redemption';
  related_object_id: string;
  voucher_id: string | null;
  campaign_id: string | null;
  /** The promotion stack redeemed (its parent redemption and each tier's); null otherwise. */
  promotion_stack_id: string | null;
  result: 'SUCCESS' | 'FAILURE';
  status: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
  /** bigint columns come back as strings from node-postgres. */
  amount: number | string;
  gift_amount: number | string;
  spent: Spent;
  body: Record<string, unknown>;
  created_at: Date;
}

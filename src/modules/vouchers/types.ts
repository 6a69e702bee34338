import type { Validity, VoucherTemplate, VoucherType } from '../campaigns/index.js';

/** What a voucher holds besides its campaign's template (everything, for a voucher without a campaign). */
export interface VoucherOverrides extends Validity, Partial<Omit<VoucherTemplate, 'type' | 'code_config'>> {
  additional_info?: string | null;
  metadata?: Record<string, unknown>;
  category_id?: string | null;
}

export interface VoucherRow {
  id: string;
  project_id: string;
  campaign_id: string | null;
  code: string;
  type: VoucherType;
  active: boolean;
  holder_id: string | null;
  publish_count: number;
  /** Redemptions spent of a limited voucher (unlimited vouchers' redemptions are not counted here). */
  redeemed_quantity?: number;
  /** bigint: a string from node-postgres; read through Number(). */
  gift_balance: number | string | null;
  overrides: VoucherOverrides;
  /** Gift credits added since the voucher was made (bigint, like gift_balance); absent on rows just built. */
  gift_added?: number | string;
  /** A loyalty card's points earned over its life and its balance (bigint); null until they first change. */
  loyalty_points?: number | string | null;
  loyalty_balance?: number | string | null;
  /** Gift credits and loyalty points the code has paid out (bigint; redemptions less rollbacks); absent on rows just built. */
  gift_redeemed?: number | string;
  loyalty_redeemed?: number | string;
  created_at: Date;
  updated_at: Date | null;
}

/** POST /v1/vouchers[/{code}], PUT /v1/vouchers/{code}, one item of an import. */
export interface VoucherInput extends VoucherOverrides {
  code?: string;
  /** Rule ids assigned to the new voucher (creation only). */
  validation_rules?: string[];
  type?: VoucherType;
  campaign?: string;
  campaign_id?: string;
  category?: string | null;
  active?: boolean;
  code_config?: VoucherTemplate['code_config'];
}

export interface VoucherListQuery {
  limit: number;
  page: number;
  campaign_id?: string;
  campaign?: string;
  customer?: string;
  code?: string;
  ids?: string[];
  /** A category id or name: codes of it (their own, else their campaign's). */
  category?: string;
  created_at?: { before?: Date; after?: Date };
  updated_at?: { before?: Date; after?: Date };
  order?: string;
}

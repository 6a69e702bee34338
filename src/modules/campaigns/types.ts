import type { Cause } from '../event-log/index.js';
import type { CodeConfig } from './codes.js';

export const campaignTypes = ['DISCOUNT_COUPONS', 'GIFT_VOUCHERS', 'REFERRAL_PROGRAM', 'LOYALTY_PROGRAM', 'PROMOTION'] as const;
export type CampaignType = (typeof campaignTypes)[number];
export type CampaignKind = 'AUTO_UPDATE' | 'STATIC' | 'STANDALONE';
export type VoucherType = 'DISCOUNT_VOUCHER' | 'GIFT_VOUCHER' | 'LOYALTY_CARD';
export type GenerationStatus = 'DONE' | 'IN_PROGRESS' | 'FAILED' | 'DRAFT' | 'MODIFYING';

/** What every code of a campaign is made of. */
export interface VoucherTemplate {
  type: VoucherType;
  discount?: Record<string, unknown>;
  gift?: { amount: number; balance?: number; effect?: string };
  loyalty_card?: { points: number; expiration_rules?: Record<string, unknown> };
  code_config?: CodeConfig;
  redemption?: { quantity: number | null };
  is_referral_code?: boolean;
}

export interface ValidityTimeframe {
  interval?: string;
  duration?: string;
}

export interface ValidityHours {
  daily?: Array<{ start_time?: string; expiration_time?: string; days_of_week?: number[] }>;
}

/** Validity of a campaign or of one voucher. */
export interface Validity {
  start_date?: string | null;
  expiration_date?: string | null;
  validity_timeframe?: ValidityTimeframe | null;
  validity_day_of_week?: number[] | null;
  validity_hours?: ValidityHours | null;
}

/** The campaign's attributes besides its columns, stored as sent (after checks). */
export interface CampaignDefinition extends Validity {
  description?: string | null;
  voucher?: VoucherTemplate;
  auto_join?: boolean;
  use_voucher_metadata_schema?: boolean;
  activity_duration_after_publishing?: string | null;
  metadata?: Record<string, unknown>;
  promotion?: { tiers?: unknown[] };
  referral_program?: ReferralProgram;
  loyalty_tiers_expiration?: TiersExpiration;
}

/**
 * How a loyalty program's tiers are held: by the balance (the default) or by the points earned in a calendar
 * period, and when a tier ends.
 */
export interface TiersExpiration {
  qualification_type: 'BALANCE' | 'POINTS_IN_PERIOD';
  qualification_period?: 'MONTH' | 'QUARTER' | 'HALF_YEAR' | 'YEAR';
  start_date?: { type: 'IMMEDIATE' | 'NEXT_PERIOD' };
  expiration_date?: { type: 'END_OF_PERIOD' | 'END_OF_NEXT_PERIOD' | 'BALANCE_DROP' | 'CUSTOM'; extend?: string; rounding?: Record<string, unknown> };
}

/** How a referral program converts and what the referee gets. */
export interface ReferralProgram {
  conversion_event_type?: 'redemption' | 'custom_event';
  custom_event?: { id?: string; name?: string };
  referee_reward?: ReferralReward;
  /** Tessera's extension: a referrer's reward when their conversions in the program reach `conversions`. */
  referrer_rewards?: Array<{ conversions: number; reward: ReferralReward }>;
}

export interface ReferralReward {
  related_object_parent: { id: string; name?: string; object?: 'CAMPAIGN' };
  type: 'LOYALTY_CARD' | 'GIFT_VOUCHER';
  amount: number;
}

export interface CampaignRow {
  id: string;
  project_id: string;
  name: string;
  campaign_type: CampaignType;
  type: CampaignKind;
  active: boolean;
  join_once: boolean;
  category_id: string | null;
  definition: CampaignDefinition;
  generation_status: GenerationStatus;
  created_at: Date;
  updated_at: Date | null;
  /** Codes the campaign holds (counted when read). */
  vouchers_count?: number;
}

/** POST and PUT /v1/campaigns. */
export interface CampaignInput extends Validity {
  name?: string;
  /** Rule ids assigned to the new campaign (creation only). */
  validation_rules?: string[];
  description?: string | null;
  campaign_type?: CampaignType;
  type?: CampaignKind;
  join_once?: boolean;
  auto_join?: boolean;
  use_voucher_metadata_schema?: boolean;
  vouchers_count?: number;
  activity_duration_after_publishing?: string | null;
  category_id?: string | null;
  category?: string | null;
  metadata?: Record<string, unknown> | null;
  voucher?: VoucherTemplate;
  promotion?: { tiers?: unknown[] };
  referral_program?: ReferralProgram;
  loyalty_tiers_expiration?: TiersExpiration;
}

export interface CategoryRow {
  id: string;
  project_id: string;
  name: string;
  hierarchy: number;
  created_at: Date;
  updated_at: Date | null;
}

export interface AsyncActionRow {
  id: string;
  project_id: string;
  type: string;
  status: 'ENQUEUED' | 'IN_PROGRESS' | 'DONE' | 'FAILED';
  campaign_id: string | null;
  target: number;
  progress: number;
  idle_rounds: number;
  result: Record<string, unknown> | null;
  cause: Cause;
  created_at: Date;
  updated_at: Date | null;
}

import type { CampaignInput } from '../campaigns/index.js';
import type { ValidationRuleRow } from '../validation-rules/index.js';

export const templateTypes = ['DISCOUNT_COUPONS', 'GIFT_VOUCHERS'] as const;
export type TemplateType = (typeof templateTypes)[number];

/** What a template keeps of a campaign: everything a new campaign takes except its name, category and code count. */
export type TemplateDefinition = Omit<CampaignInput, 'name' | 'category' | 'category_id' | 'vouchers_count' | 'validation_rules' | 'campaign_type' | 'promotion' | 'referral_program' | 'loyalty_tiers_expiration'>;

/** A validation rule as a template keeps it: its definition, copied into a new rule at each setup. */
export type TemplateRule = Pick<ValidationRuleRow, 'name' | 'type' | 'context_type' | 'rules' | 'bundle_rules' | 'error' | 'applicable_to'>;

export interface TemplateRow {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  campaign_type: TemplateType;
  definition: TemplateDefinition;
  rules: TemplateRule[];
  created_at: Date;
  updated_at: Date | null;
}

/** POST /v1/templates/campaigns. */
export interface TemplateInput {
  name: string;
  description?: string | null;
  campaign_id?: string | null;
  promotion_tier_id?: string | null;
}

/** POST /v1/templates/campaigns/{id}/campaign-setup: the new campaign's name and what it changes of the template. */
export type CampaignSetupInput = Omit<CampaignInput, 'campaign_type' | 'voucher' | 'promotion' | 'referral_program' | 'loyalty_tiers_expiration'> & {
  name: string;
  voucher?: { code_config?: Record<string, unknown>; redemption?: { quantity: number | null } };
};

export interface TemplateListQuery {
  limit: number;
  order?: 'id' | '-id';
  starting_after_id?: string;
  include_total?: boolean;
  filters?: Record<string, { conditions?: Record<string, unknown> }>;
}

import type { Validity } from '../campaigns/index.js';

export interface TierRow {
  id: string;
  project_id: string;
  campaign_id: string;
  name: string;
  banner: string | null;
  action: { discount?: Record<string, unknown> };
  metadata: Record<string, unknown>;
  hierarchy: number;
  active: boolean;
  validity: Validity;
  category_id: string | null;
  created_at: Date;
  updated_at: Date | null;
}

/** POST /v1/promotions/{campaignId}/tiers, PUT /v1/promotions/tiers/{tierId}. */
export interface TierInput extends Validity {
  name?: string;
  /** Rule ids assigned to the new tier (creation only). */
  validation_rules?: string[];
  banner?: string | null;
  action?: { discount?: Record<string, unknown> };
  metadata?: Record<string, unknown> | null;
  hierarchy?: number;
  active?: boolean;
  category_id?: string | null;
}

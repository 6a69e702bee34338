import type { ValueFilter } from '../../core/list-filters.js';
import type { CustomerInput } from '../customers/index.js';

export interface PublicationRow {
  id: string;
  project_id: string;
  customer_id: string;
  campaign_id: string | null;
  vouchers: Array<{ id: string; code: string }>;
  source_id: string | null;
  channel: string;
  metadata: Record<string, unknown>;
  created_at: Date;
}

/** POST /v1/publications (and its GET and client-side forms). */
export interface PublicationInput {
  voucher?: string;
  campaign?: string | { name?: string; id?: string; count?: number };
  customer?: CustomerInput;
  source_id?: string;
  metadata?: Record<string, unknown>;
  channel?: string;
}

export interface PublicationListQuery {
  limit: number;
  page: number;
  order?: string;
  campaign?: string;
  customer?: string;
  voucher?: string;
  source_id?: string;
  voucher_type?: 'discount' | 'loyalty';
  is_referral_code?: boolean;
  filters?: Record<string, ValueFilter | undefined>;
}

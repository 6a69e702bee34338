export interface ProjectRow {
  id: string;
  name: string;
  settings: ProjectSettings;
  webhook_token: string;
  created_at: Date;
  updated_at: Date | null;
}

/** The management API's project fields other than id and name, stored as sent (with defaults filled in). */
export interface ProjectSettings {
  description?: string | null;
  timezone?: string;
  currency?: string;
  dial_code?: string | null;
  case_sensitive_codes?: boolean;
  client_trusted_domains?: string[];
  client_redeem_enabled?: boolean;
  client_publish_enabled?: boolean;
  client_list_vouchers_enabled?: boolean;
  client_create_customer_enabled?: boolean;
  client_loyalty_events_enabled?: boolean;
  client_set_voucher_expiration_date_enabled?: boolean;
  [key: string]: unknown;
}

export type KeyKind = 'server' | 'client';

export interface ApiKeyRow {
  app_id: string;
  project_id: string;
  kind: KeyKind;
  name: string;
  token_hash: string;
}

/** Who is calling: resolved from the request's keys, carried into everything the request causes. */
export interface Caller {
  projectId: string;
  appId: string;
  keyName: string;
  channel: 'API' | 'CLIENT_API';
}

export interface KeyPair {
  app_id: string;
  app_token: string;
}

import type { WebhookFilter } from './filter.js';

export interface WebhookRow {
  id: string;
  project_id: string;
  target_url: string;
  /** Canonical event types, or ['*'] for every event. */
  events: string[];
  description: string | null;
  headers: Record<string, string>;
  /** Delivery attempts that may start per second (null: no limit). */
  rate_limit: number | null;
  /** Conditions on the message that must hold for it to be sent (filter.ts); null: every message. */
  filter: WebhookFilter | null;
  active: boolean;
  disabled_reason: string | null;
  /** The endpoint's own signing secret (null: the project's signs), and the one before it while it still signs. */
  secret: string | null;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface WebhookInput {
  target_url: string;
  events: string[];
  active?: boolean;
  description?: string | null;
  headers?: Record<string, string>;
  rate_limit?: number | null;
  filter?: WebhookFilter | null;
  /** true: sign with a secret of its own (made now, or kept); false: with the project's; absent: as it was. */
  own_secret?: boolean;
}

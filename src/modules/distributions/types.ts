export type DistributionStatus = 'TO SEND' | 'PAUSED' | 'DRAFT' | 'DONE';

/** What starts a distribution: an event type, narrowed by event name or segment. */
export interface Trigger {
  /** manual: sent only when asked (POST /v1/distributions/{id}/send), after a delay. */
  type:
    | 'customer.custom_event'
    | 'customer.segment.entered'
    | 'customer.segment.left'
    | 'customer.publication.succeeded'
    | 'customer.order.created'
    | 'customer.order.updated'
    | 'customer.order.paid'
    | 'customer.order.canceled'
    | 'manual';
  /** customer.custom_event: the custom event's name. */
  event?: string;
  /** For segment triggers, the segment; for custom events and orders, an optional segment the customer must be in. */
  segment_id?: string;
  /** customer.publication.succeeded: only publications of this campaign (any campaign when absent). */
  campaign_id?: string;
}

/**
 * What a distribution does besides its message: publish a code of campaign_id to the customer and send it
 * (publish_unique_codes), tell about campaign_id (notify_promotion), or only send the message (plain_message).
 */
export type Purpose = 'plain_message' | 'publish_unique_codes' | 'notify_promotion';

export interface WebhookChannel {
  type: 'webhook';
  target_url: string;
  /** Becomes the envelope's `type`. */
  event_name: string;
  headers: Record<string, string>;
  /** A payload design: static values and `{{path}}` placeholders resolved against the event's data. */
  template: Record<string, unknown> | null;
  /** Send the designed payload as the whole body, without the envelope. */
  raw_payload: boolean;
}

export interface DistributionRow {
  id: string;
  project_id: string;
  name: string;
  status: DistributionStatus;
  paused_reason: string | null;
  trigger: Trigger;
  purpose: Purpose;
  campaign_id: string | null;
  channel: WebhookChannel;
  created_at: Date;
  updated_at: Date | null;
}

export interface DistributionInput {
  name: string;
  status?: 'TO SEND' | 'PAUSED' | 'DRAFT';
  trigger: Trigger;
  purpose?: Purpose;
  campaign_id?: string;
  channel: Omit<WebhookChannel, 'headers' | 'template' | 'raw_payload'> & Partial<Pick<WebhookChannel, 'headers' | 'template' | 'raw_payload'>>;
}

export interface EventSource {
  channel: 'USER_PORTAL' | 'API' | 'CLIENT_API' | 'INTERNAL';
  user?: { id: string };
  api_key?: { name: string; app_id: string };
}

/** What caused a change: the project, the request (its id becomes group_id) and who made it. */
export interface Cause {
  projectId: string;
  groupId: string;
  source: EventSource;
}

export interface NewEvent {
  type: string;
  customerId?: string | null;
  entityId?: string | null;
  /** The type-specific payload: `data.data` of an activity, `data` of a webhook. */
  data: Record<string, unknown>;
  /**
   * For derivers in the recording transaction, not stored: what a customer.updated changed (customer field
   * names, `address`, `metadata.<key>`, `updated_at`). Absent means unknown: anything may have changed.
   */
  changed?: string[];
  /**
   * For derivers in the recording transaction, not stored: a client-side custom event of a project whose loyalty
   * programs do not take client-side events (`client_loyalty_events_enabled` off) earns no points.
   */
  earnsNothing?: true;
}

/** One recorded event: a customer's activity, and the record that webhooks and segments consume. */
export interface EventRecord {
  seq: string;
  id: string;
  projectId: string;
  type: string;
  customerId: string | null;
  entityId: string | null;
  data: Record<string, unknown>;
  eventSource: EventSource;
  groupId: string;
  createdAt: Date;
}

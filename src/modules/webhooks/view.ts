import type { WebhookRow } from './types.js';

/** The management API's webhook object, plus our description, headers, rate limit, filter and why Tessera disabled it. */
export function webhookObject(w: WebhookRow) {
  return {
    id: w.id,
    object: 'webhook',
    created_at: w.created_at.toISOString(),
    updated_at: w.updated_at ? w.updated_at.toISOString() : null,
    target_url: w.target_url,
    events: w.events,
    active: w.active,
    description: w.description,
    headers: w.headers,
    rate_limit: w.rate_limit,
    filter: w.filter,
    disabled_reason: w.disabled_reason,
    own_secret: w.secret !== null,
  };
}

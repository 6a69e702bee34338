/**
 * Project-settings webhooks. Glossary:
 * - webhook (`wh_`): an endpoint (target_url) subscribed to event types, or to every event (`*`), with optional
 *   description and custom headers; disabled by Tessera after 410 Gone or exhausted retries (disabled_reason).
 * - emit: the event-log subscriber that writes one sendout per subscribed active endpoint, in the event's
 *   transaction (transactional outbox); delivery takes it from there.
 * - target checks: delivery's (shared with distributions).
 */
export { createWebhooksService, type WebhooksService, type WebhooksDeps } from './service.js';
export { webhookObject } from './view.js';
export { webhookBody } from './schemas.js';
export { subscribableTypes, canonicalType, isSubscribable } from './event-types.js';
export type { WebhookInput, WebhookRow } from './types.js';

/**
 * Project-settings webhooks. Glossary:
 * - webhook (`wh_`): an endpoint (target_url) subscribed to event types, or to every event (`*`), with optional
 *   description and custom headers; disabled by Tessera after 410 Gone or exhausted retries (disabled_reason).
 * - emit: the event-log subscriber that writes one sendout per subscribed active endpoint, in the event's
 *   transaction (transactional outbox); delivery takes it from there.
 * - target checks: delivery's (shared with distributions).
 * - alerts: operational webhooks (`tessera.*` types), from delivery's incidents.
 */
import type { Clock } from '../../core/clock.js';
import { sampleCustomer, customerObject } from '../customers/index.js';
import { brokerKinds, type Delivery } from '../delivery/index.js';
import { defineModule } from '../module.js';
import { createAlerts, operationalSample } from './alerts.js';
import { createWebhooksService, type Sample } from './service.js';
export { createWebhooksService, type WebhooksService, type WebhooksDeps, type Sample, type SampleSource } from './service.js';
export { webhookObject } from './view.js';
export { webhookBody } from './schemas.js';
export { subscribableTypes, emittedTypes, operationalTypes, canonicalType, isSubscribable, eventTypeCatalog, type EventTypeInfo } from './event-types.js';
export type { WebhookInput, WebhookRow } from './types.js';

/** A sample of what the customer and operational types carry, for test sendouts (webhook-samples registers the others). */
function sampleData(clock: Clock) {
  return (type: string): Sample => {
    if (type.startsWith('tessera.')) return { data: operationalSample(type, clock.now()), entityId: null };
    if (!type.startsWith('customer.')) return { data: {}, entityId: null };
    const customer = sampleCustomer(clock.now());
    return { data: { customer: customerObject(customer) }, entityId: customer.id };
  };
}

export const webhooksModule = defineModule<{ webhooks: ReturnType<typeof createWebhooksService> }, { delivery: Delivery }>({
  name: 'webhooks',
  create: ({ db, clock, config, definitions, services }) => {
    const webhooks = createWebhooksService({
      db,
      clock,
      delivery: services.delivery,
      allowPrivateTargets: config.allowPrivateTargets,
      brokers: brokerKinds(config.brokers),
      sampleData: sampleData(clock),
      definitions,
    });
    services.delivery.own('webhook', webhooks.owner);
    services.delivery.watch(createAlerts({ db, clock, endpoints: webhooks.endpoints, delivery: services.delivery }).announce);
    return {
      services: { webhooks },
      reactions: [{ kind: 'subscriber', name: 'webhooks.outbox', types: '*', handle: webhooks.emit, wants: webhooks.wants }],
    };
  },
});

/**
 * Distributions (our API; Voucherify keeps them in its dashboard). Glossary:
 * - trigger: a custom event by name (optionally only for members of a segment), or a customer entering or
 *   leaving an auto-update segment.
 * - channel: a webhook (target URL, the event name that becomes the envelope `type`, custom headers, an optional
 *   payload template with {{path}} placeholders, and raw_payload to send the designed JSON without the envelope).
 * - status: TO SEND (live), PAUSED (by a person, or by Tessera after the last failed retry), DRAFT.
 * Sendouts go through the same outbox, delivery engine and audit log as project webhooks (source.object distribution).
 */
import type { CustomersService } from '../customers/index.js';
import type { Delivery } from '../delivery/index.js';
import { defineModule } from '../module.js';
import type { SegmentsService } from '../segments/index.js';
import { createDistributionsService, eventTriggers } from './service.js';
export { createDistributionsService, type DistributionsService, triggerTypes, defaultManualDelaySeconds, maxManualDelaySeconds } from './service.js';
export { distributionObject, simpleDistribution } from './view.js';
export { distributionBody } from './schemas.js';
export { renderTemplate } from './template.js';
export type { DistributionInput, DistributionRow } from './types.js';

export const distributionsModule = defineModule<
  { distributions: ReturnType<typeof createDistributionsService> },
  { delivery: Delivery; segments: SegmentsService; customers: CustomersService }
>({
  name: 'distributions',
  create: ({ db, clock, config, definitions, services }) => {
    const distributions = createDistributionsService({
      db,
      clock,
      delivery: services.delivery,
      segments: services.segments,
      customers: services.customers,
      allowPrivateTargets: config.allowPrivateTargets,
      definitions,
    });
    services.delivery.own('distribution', distributions.owner);
    return {
      services: { distributions },
      reactions: [{ kind: 'subscriber', name: 'distributions.triggers', types: eventTriggers, handle: distributions.emit }],
    };
  },
});

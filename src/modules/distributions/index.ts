/**
 * Distributions (our API; Voucherify keeps them in its dashboard). Glossary:
 * - trigger: a custom event by name or a customer's order created, updated, paid or canceled, a customer entering or
 *   leaving an auto-update segment, a code published to a customer (customer.publication.succeeded, optionally of
 *   one campaign), a redemption, a loyalty event; any but the segment ones optionally only for members of a segment.
 * - purpose: plain_message; publish_unique_codes (a code of campaign_id is published to the customer and sent with
 *   campaign, voucher and publication); notify_promotion (the campaign is sent along).
 * - channel: a webhook (target URL, the event name that becomes the envelope `type`, custom headers, an optional
 *   payload template with {{path}} placeholders, and raw_payload to send the designed JSON without the envelope).
 * - status: TO SEND (live), PAUSED (by a person, or by Tessera after the last failed retry), DRAFT.
 * Sendouts go through the same outbox, delivery engine and audit log as project webhooks (source.object distribution).
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { EventSchemasService } from '../event-schemas/index.js';
import { brokerKinds, type Delivery } from '../delivery/index.js';
import { defineModule } from '../module.js';
import type { PublicationsService } from '../publications/index.js';
import type { ValidationRulesService } from '../validation-rules/index.js';
import type { ProductsService } from '../products/index.js';
import type { SegmentsService } from '../segments/index.js';
import { createDistributionsService, eventTriggers } from './service.js';
export { createDistributionsService, type DistributionsService, triggerTypes, defaultManualDelaySeconds, maxManualDelaySeconds } from './service.js';
export { distributionObject, simpleDistribution } from './view.js';
export { distributionBody } from './schemas.js';
export { renderTemplate } from './template.js';
export type { DistributionInput, DistributionRow } from './types.js';

export const distributionsModule = defineModule<
  { distributions: ReturnType<typeof createDistributionsService> },
  { delivery: Delivery; schemas: EventSchemasService; segments: SegmentsService; customers: CustomersService; campaigns: CampaignsService; publications: PublicationsService; validationRules: ValidationRulesService; products: Pick<ProductsService, 'catalogLines'> }
>({
  name: 'distributions',
  create: (ctx) => {
    const distributions = createDistributionsService({ ...ctx, ...ctx.services, catalogLines: ctx.services.products.catalogLines, allowPrivateTargets: ctx.config.allowPrivateTargets, brokers: brokerKinds(ctx.config.brokers) });
    ctx.services.delivery.own('distribution', distributions.owner);
    return {
      services: { distributions },
      reactions: [{ kind: 'subscriber', name: 'distributions.triggers', types: eventTriggers, handle: distributions.emit }],
    };
  },
});

/**
 * Promotions: the tiers of PROMOTION campaigns (`promo_`), discounts applied without a code, in the order of their
 * hierarchy. A tier has a name, a banner, an action (its discount), validity and metadata; validation rules
 * assigned to it (related_object_type promotion_tier) apply when it is validated or redeemed.
 * Stacks (`stack_`, stacks.ts): a campaign's tiers in a fixed order, redeemed as one redeemable.
 * Emits campaign.promotion_tier.created|updated|enabled|disabled|deleted.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { EventLog } from '../event-log/index.js';
import type { UnknownUnits } from '../discounts/index.js';
import { defineModule } from '../module.js';
import { createPromotionsService } from './service.js';
export { createPromotionsService, type PromotionsService } from './service.js';
export { tierInputSchema } from './schemas.js';
export { maxStackTiers, simpleStack, type StackInput, type StackListQuery, type StackRow, type Stacks } from './stacks.js';
export { simpleTier, tierObject } from './view.js';
export type { TierInput, TierRow } from './types.js';

export const promotionsModule = defineModule<{ promotions: ReturnType<typeof createPromotionsService> }, { log: EventLog; campaigns: CampaignsService; products: { unknownUnits: UnknownUnits } }>({
  name: 'promotions',
  create: ({ db, clock, definitions, services }) => ({ services: { promotions: createPromotionsService({ db, clock, log: services.log, campaigns: services.campaigns, definitions, unknownUnits: services.products.unknownUnits }) } }),
});

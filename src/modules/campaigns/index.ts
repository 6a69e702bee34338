/**
 * Campaigns: the containers of codes. Glossary:
 * - campaign_type: DISCOUNT_COUPONS, GIFT_VOUCHERS, REFERRAL_PROGRAM, LOYALTY_PROGRAM (codes only here), PROMOTION
 *   (a shell with tiers, no codes).
 * - type: AUTO_UPDATE (codes made on demand when a publication needs one), STATIC (a fixed batch), STANDALONE
 *   (one code).
 * - voucher template: what each code of the campaign is (discount, gift, loyalty card, redemption quantity,
 *   code_config); codes store only what differs from it.
 * - code_config: length/pattern (`#` = one random charset character), charset, prefix, postfix; its code space is
 *   checked against the codes asked before anything is written.
 * - async action: background work a request started (code generation), with status and progress.
 * - category: a named, ordered label of campaigns and vouchers.
 * Emits campaign.created / updated / enabled / disabled / deleted; the vouchers module emits
 * campaign.vouchers.generation.completed when a generation action finishes.
 */
import type { EventLog } from '../event-log/index.js';
import type { MetadataSchemasService } from '../metadata-schemas/index.js';
import { defineModule } from '../module.js';
import type { TrashBin } from '../trash-bin/index.js';
import type { UnknownUnits } from '../discounts/index.js';
import { createCampaignsService } from './service.js';
import { createCategoriesService } from './categories.js';
export { checkTemplate, generationAction } from './service.js';
export { type CategoriesService } from './categories.js';
export { type CampaignsService, type CampaignListQuery } from './service.js';
export type { CampaignState } from './sql.js';
export { asyncActionObject, campaignObject, campaignVoucherObject, categoryObject, simpleCampaign } from './view.js';
export { campaignInputSchema, categoryInputSchema, codeConfigSchema, discountSchema, expirationRulesSchema, giftSchema, loyaltyCardSchema, redemptionSchema, validityProperties } from './schemas.js';
export { checkCapacity, codeShape, drawCodes, type CodeConfig, type CodeShape } from './codes.js';
export { checkTiersExpiration, checkValidity, expirationRulesProblem, validAt } from './validity.js';
export { rewardCampaignType, rewardProblem } from './referral-program.js';
export type { AsyncActionRow, CampaignInput, CampaignRow, ReferralProgram, ReferralReward, TiersExpiration, CategoryRow, Validity, VoucherTemplate, VoucherType } from './types.js';

export const campaignsModule = defineModule<
  { campaigns: ReturnType<typeof createCampaignsService>; categories: ReturnType<typeof createCategoriesService> },
  // The catalog (products) comes later in the composition: asked only when a discount is saved.
  { log: EventLog; metadataSchemas: MetadataSchemasService; trashBin: TrashBin; products: { unknownUnits: UnknownUnits } }
>({
  name: 'campaigns',
  create: ({ db, clock, definitions, services }) => ({
    services: {
      campaigns: createCampaignsService({ db, clock, log: services.log, definitions, bin: services.trashBin, checkMetadata: (p, o, m, ex) => services.metadataSchemas.check(p, o, m, ex), unknownUnits: (ex, p, keys) => services.products.unknownUnits(ex, p, keys) }),
      categories: createCategoriesService({ db, clock }),
    },
  }),
});

/**
 * Campaign templates (`camp_tpl_`): the configuration of a discount or gift card campaign (or of a promotion tier,
 * kept as a discount campaign) without its name, category and code count, with the definitions of the validation
 * rules that guarded it. A campaign setup creates a campaign from one, a tier setup a promotion tier of a PROMOTION
 * campaign; each gets new copies of the rules (`created_resources`). The management API copies a template to
 * another project. Templates themselves emit no event; the campaigns, tiers and rules set up from them do.
 */
import type { CampaignsService } from '../campaigns/index.js';
import { defineModule } from '../module.js';
import type { PromotionsService } from '../promotions/index.js';
import type { ValidationRulesService } from '../validation-rules/index.js';
import { createCampaignTemplatesService } from './service.js';
export { createCampaignTemplatesService, type CampaignTemplatesService } from './service.js';
export { campaignSetupSchema, copyInputSchema, templateInputSchema, templateListQuery, templateUpdateSchema, tierSetupSchema } from './schemas.js';
export type { CampaignSetupInput, TemplateInput, TemplateListQuery } from './types.js';

export const campaignTemplatesModule = defineModule<
  { campaignTemplates: ReturnType<typeof createCampaignTemplatesService> },
  { campaigns: CampaignsService; promotions: PromotionsService; validationRules: ValidationRulesService }
>({
  name: 'campaign-templates',
  create: ({ db, clock, services }) => ({
    services: { campaignTemplates: createCampaignTemplatesService({ db, clock, campaigns: services.campaigns, promotions: services.promotions, validationRules: services.validationRules }) },
  }),
});

/**
 * Campaign summaries: a campaign's figures over a period, read across the modules that write them (a read model:
 * it writes nothing, reacts to nothing, runs no job). Listed after redemptions, whose validation counts it flushes.
 */
import type { CampaignsService } from '../campaigns/index.js';
import { defineModule } from '../module.js';
import type { ValidationCounts } from '../redemptions/index.js';
import { createCampaignSummary } from './service.js';
export { type CampaignSummary, type SummaryQuery, isSummaryDay, firstSummaryDay, lastSummaryDay } from './service.js';

export const campaignSummaryModule = defineModule<{ campaignSummary: ReturnType<typeof createCampaignSummary> }, { campaigns: CampaignsService; validationCounts: ValidationCounts }>({
  name: 'campaign-summary',
  create: ({ db, services }) => ({ services: { campaignSummary: createCampaignSummary({ db, campaigns: services.campaigns, flushValidations: () => services.validationCounts.flush() }) } }),
});

import type { FastifyInstance } from 'fastify';
import {
  campaignSetupSchema,
  copyInputSchema,
  templateInputSchema,
  templateListQuery,
  templateUpdateSchema,
  tierSetupSchema,
  type CampaignSetupInput,
  type CampaignTemplatesService,
  type TemplateInput,
  type TemplateListQuery,
} from '../../modules/campaign-templates/index.js';
import type { TierInput } from '../../modules/promotions/index.js';
import type { ValidationRulesService } from '../../modules/validation-rules/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam } from '../list.js';

type P = { templateId: string };
const params = { type: 'object', required: ['templateId'], properties: { templateId: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const listQuery = templateListQuery(limitParam);

/** /v1/templates/campaigns: campaign templates, and campaigns and promotion tiers set up from them. */
export function campaignTemplateRoutes(app: FastifyInstance, deps: { campaignTemplates: CampaignTemplatesService; validationRules: ValidationRulesService }): void {
  const { campaignTemplates: templates, validationRules: rules } = deps;
  app.post<{ Body: TemplateInput }>('/templates/campaigns', { schema: { body: templateInputSchema } }, async (req) => templates.create(projectIdOf(req), req.body));
  app.get<{ Querystring: TemplateListQuery }>('/templates/campaigns', { schema: { querystring: listQuery } }, async (req) => templates.list(projectIdOf(req), req.query));
  app.get<{ Params: P }>('/templates/campaigns/:templateId', { schema: { params } }, async (req) => templates.get(projectIdOf(req), req.params.templateId));
  app.put<{ Params: P; Body: { name?: string; description?: string | null } }>('/templates/campaigns/:templateId', { schema: { params, body: templateUpdateSchema } }, async (req) =>
    templates.update(projectIdOf(req), req.params.templateId, req.body),
  );
  app.delete<{ Params: P }>('/templates/campaigns/:templateId', { schema: { params } }, async (req, reply) => {
    await templates.remove(projectIdOf(req), req.params.templateId);
    return reply.code(204).send();
  });
  app.post<{ Params: P; Body: CampaignSetupInput }>('/templates/campaigns/:templateId/campaign-setup', { schema: { params, body: campaignSetupSchema } }, async (req) => {
    const setup = await templates.setupCampaign(causeOf(req), req.params.templateId, req.body);
    return { ...setup, campaign: { ...setup.campaign, validation_rules_assignments: await rules.assignmentsOf(projectIdOf(req), 'campaign', setup.campaign.id) } };
  });
  app.post<{ Params: P; Body: TierInput & { campaign_id: string } }>('/templates/campaigns/:templateId/tier-setup', { schema: { params, body: tierSetupSchema } }, async (req) => {
    const setup = await templates.setupTier(causeOf(req), req.params.templateId, req.body);
    return { ...setup, promotion_tier: { ...setup.promotion_tier, validation_rule_assignments: await rules.assignmentsOf(projectIdOf(req), 'promotion_tier', setup.promotion_tier.id) } };
  });
}

/** /management/v1/projects/{projectId}/templates/campaigns: a project's templates, and copies to another project. */
export function campaignTemplateManagementRoutes(app: FastifyInstance, deps: { campaignTemplates: CampaignTemplatesService; projects: { get(id: string): Promise<unknown> } }): void {
  const { campaignTemplates: templates } = deps;
  type MP = { projectId: string };
  app.get<{ Params: MP; Querystring: TemplateListQuery }>('/projects/:projectId/templates/campaigns', { schema: { querystring: listQuery } }, async (req) =>
    templates.list(req.params.projectId, req.query),
  );
  app.post<{ Params: MP & P; Body: { name: string; description?: string | null; destination_project_id: string } }>(
    '/projects/:projectId/templates/campaigns/:templateId/copy',
    { schema: { body: copyInputSchema } },
    async (req) => {
      // The destination must exist (404 about it otherwise), like the project in the path.
      await deps.projects.get(req.body.destination_project_id);
      return templates.copy(req.params.projectId, req.params.templateId, req.body);
    },
  );
}

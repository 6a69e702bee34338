import type { FastifyInstance } from 'fastify';
import { tierInputSchema, type PromotionsService, type StackInput, type StackListQuery, type TierInput } from '../../modules/promotions/index.js';
import type { ValidationRulesService } from '../../modules/validation-rules/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { onlyAtCreation } from '../rule-assignments.js';
import { dateRangeParam, limitParam, listOf, toRange, type DateRangeQuery } from '../list.js';

const tierParams = { type: 'object', required: ['tierId'], properties: { tierId: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
const campaignParams = { type: 'object', required: ['campaignId'], properties: { campaignId: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
const listQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    page: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
    is_available: { type: 'boolean' },
    order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at'] },
  },
} as const;

type ListQuery = { limit: number; page: number; is_available?: boolean; order?: string };

const stackBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    tiers: { type: 'object', properties: { ids: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 500 } }, hierarchy_mode: { type: 'string', enum: ['MANUAL'] } } },
    category_id: { type: ['string', 'null'], maxLength: 200 },
  },
} as const;
const stackList = {
  type: 'object',
  properties: {
    limit: limitParam,
    page: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
    order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'name', '-name'] },
    created_at: dateRangeParam,
    updated_at: dateRangeParam,
  },
} as const;
type StackListParams = Omit<StackListQuery, 'created_at' | 'updated_at'> & { created_at?: DateRangeQuery; updated_at?: DateRangeQuery };
const stackQueryOf = (q: StackListParams): StackListQuery => ({ ...q, created_at: toRange(q.created_at), updated_at: toRange(q.updated_at) });
type StackParams = { campaignId: string; stackId: string };

/** /v1/promotions/tiers, /v1/promotions/{campaignId}/tiers and the stacks (the SDK's promotions.tiers and .stacks). */
export function promotionRoutes(app: FastifyInstance, deps: { promotions: PromotionsService; validationRules: ValidationRulesService }): void {
  const { promotions, validationRules: rules } = deps;
  app.get<{ Querystring: ListQuery }>('/promotions/tiers', { schema: { querystring: listQuery } }, async (req) => {
    const page = await promotions.list(projectIdOf(req), req.query);
    return { ...listOf('tiers', page.tiers, { total: page.total }), has_more: req.query.page * req.query.limit < page.total };
  });
  app.get<{ Params: { campaignId: string }; Querystring: ListQuery }>('/promotions/:campaignId/tiers', { schema: { params: campaignParams, querystring: listQuery } }, async (req) => {
    const page = await promotions.list(projectIdOf(req), { ...req.query, campaignId: req.params.campaignId });
    return { ...listOf('tiers', page.tiers, { total: page.total }), has_more: req.query.page * req.query.limit < page.total };
  });
  app.post<{ Params: { campaignId: string }; Body: TierInput }>('/promotions/:campaignId/tiers', { schema: { params: campaignParams, body: tierInputSchema } }, async (req) =>
  {
    const cause = causeOf(req);
    const tier = await promotions.create(cause, req.params.campaignId, req.body, (tx, t) => rules.assignNamed(tx, cause, req.body.validation_rules, 'promotion_tier', t.id));
    if (req.body.validation_rules?.length) await rules.changed(cause.projectId);
    return { ...tier, validation_rule_assignments: await rules.assignmentsOf(cause.projectId, 'promotion_tier', tier.id) };
  });
  app.get<{ Params: { tierId: string } }>('/promotions/tiers/:tierId', { schema: { params: tierParams } }, async (req) => {
    const tier = await promotions.get(projectIdOf(req), req.params.tierId);
    return { ...tier, validation_rule_assignments: await rules.assignmentsOf(projectIdOf(req), 'promotion_tier', tier.id) };
  });
  app.put<{ Params: { tierId: string }; Body: TierInput }>('/promotions/tiers/:tierId', { schema: { params: tierParams, body: tierInputSchema } }, async (req) => {
    if (req.body.validation_rules !== undefined) throw onlyAtCreation('promotion tier');
    return promotions.update(causeOf(req), req.params.tierId, req.body);
  });
  app.delete<{ Params: { tierId: string } }>('/promotions/tiers/:tierId', { schema: { params: tierParams } }, async (req, reply) => {
    await promotions.remove(causeOf(req), req.params.tierId);
    return reply.code(204).send();
  });
  app.post<{ Params: { tierId: string } }>('/promotions/tiers/:tierId/enable', { schema: { params: tierParams } }, async (req) => promotions.enable(causeOf(req), req.params.tierId));
  app.post<{ Params: { tierId: string } }>('/promotions/tiers/:tierId/disable', { schema: { params: tierParams } }, async (req) => promotions.disable(causeOf(req), req.params.tierId));

  const { stacks } = promotions;
  app.get<{ Querystring: StackListParams }>('/promotions/stacks', { schema: { querystring: stackList } }, async (req) => stacks.list(projectIdOf(req), stackQueryOf(req.query)));
  app.get<{ Params: { campaignId: string }; Querystring: StackListParams }>('/promotions/:campaignId/stacks', { schema: { params: campaignParams, querystring: stackList } }, async (req) =>
    stacks.list(projectIdOf(req), { ...stackQueryOf(req.query), campaignId: req.params.campaignId }),
  );
  app.post<{ Params: { campaignId: string }; Body: StackInput }>('/promotions/:campaignId/stacks', { schema: { params: campaignParams, body: stackBody } }, async (req) =>
    stacks.create(projectIdOf(req), req.params.campaignId, req.body),
  );
  app.get<{ Params: StackParams }>('/promotions/:campaignId/stacks/:stackId', async (req) => stacks.get(projectIdOf(req), req.params.campaignId, req.params.stackId));
  app.put<{ Params: StackParams; Body: StackInput }>('/promotions/:campaignId/stacks/:stackId', { schema: { body: stackBody } }, async (req) =>
    stacks.update(projectIdOf(req), req.params.campaignId, req.params.stackId, req.body),
  );
  app.delete<{ Params: StackParams }>('/promotions/:campaignId/stacks/:stackId', async (req, reply) => {
    await stacks.remove(projectIdOf(req), req.params.campaignId, req.params.stackId);
    return reply.code(204).send();
  });
}

/** GET /client/v1/promotions/tiers: the promotion tiers a storefront may show (the same list as the server's). */
export function clientPromotionRoutes(app: FastifyInstance, deps: { promotions: PromotionsService }): void {
  app.get<{ Querystring: ListQuery }>('/promotions/tiers', { schema: { querystring: listQuery } }, async (req) => {
    const page = await deps.promotions.list(projectIdOf(req), req.query);
    return { ...listOf('tiers', page.tiers, { total: page.total }), has_more: req.query.page * req.query.limit < page.total };
  });
}

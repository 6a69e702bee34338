import type { FastifyInstance, FastifyRequest } from 'fastify';
import { campaignInputSchema, validityProperties, type CampaignInput, type CampaignsService } from '../../modules/campaigns/index.js';
import type { BalanceChangeInput, EarningRuleInput, EarningRules, EstimateInput, LoyaltiesService, MemberActivity, MemberActivityQuery, Pending, PointsEstimate, TierInput, Tiers, TransferInput } from '../../modules/loyalties/index.js';
import { customerInputSchema } from '../../modules/customers/index.js';
import { orderInputSchema } from '../../modules/orders/index.js';
import { mapPoints, maxRulesPerProject, maxTiers, maxTransfers } from '../../modules/loyalties/index.js';
import { publicationInputSchema, type PublicationInput } from '../../modules/publications/index.js';
import type { MemberRewardsQuery, RewardsService } from '../../modules/rewards/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { forceQuery, limitParam, listOf, pagedListQuery, pageParam, toRange, transactionsListQuery, transactionsQueryOf, type DateRangeQuery, type TransactionsListQuery } from '../list.js';

type P = { campaignId: string };
type M = P & { memberId: string };
type R = P & { ruleId: string };

const pageQuery = { type: 'object', properties: { limit: limitParam, page: pageParam } } as const;
const timeOrderParam = { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at'] } as const;
/** A program's members (its cards), narrowed and ordered as GET /v1/vouchers is. */
const membersQuery = pagedListQuery({
  customer: { type: 'string', maxLength: 500 },
  code: { type: 'string', maxLength: 500 },
  ids: { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 100 },
  order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'code', '-code'] },
});
type MembersQuery = { limit: number; page: number; customer?: string; code?: string; ids?: string[]; order?: string; created_at?: DateRangeQuery; updated_at?: DateRangeQuery };
const balanceBody = {
  type: 'object',
  required: ['points'],
  properties: {
    points: { type: 'integer', minimum: -1e12, maximum: 1e12 },
    source_id: { type: 'string', maxLength: 200 },
    reason: { type: 'string', maxLength: 1000 },
    expiration_type: { type: 'string', enum: ['PROGRAM_RULES', 'NON_EXPIRING', 'CUSTOM_DATE'] },
    expiration_date: { type: 'string', maxLength: 40 },
  },
} as const;
const transfersBody = {
  type: 'array',
  minItems: 1,
  maxItems: maxTransfers,
  items: {
    type: 'object',
    required: ['code', 'points'],
    properties: { code: { type: 'string', minLength: 1, maxLength: 200 }, points: { type: 'integer', minimum: 1, maximum: 1e12 }, reason: { type: 'string', maxLength: 1000 }, source_id: { type: 'string', maxLength: 200 } },
  },
} as const;
/** An earning rule: its validity (HH:mm hours, date-time dates) checked as a campaign's; the rest by the service. */
const ruleBody = { type: 'object', properties: validityProperties } as const;
const rulesBody = { type: 'array', minItems: 1, maxItems: maxRulesPerProject, items: ruleBody } as const;
const activityQuery = {
  type: 'object',
  properties: { limit: limitParam, order: { type: 'string', enum: ['created_at', '-created_at'], default: '-created_at' }, starting_after_id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
const memberRewardsQuery = { type: 'object', properties: { affordable_only: { type: 'boolean' }, limit: limitParam, page: pageParam } } as const;

/** /v1/loyalties: programs, members and their points, earning rules (the official SDK's `loyalties`). */
export function loyaltyRoutes(app: FastifyInstance, deps: { loyalties: LoyaltiesService; earningRules: EarningRules; campaigns: CampaignsService; loyaltyTiers: Tiers; pendingPoints: Pending; pointsEstimate: PointsEstimate; memberActivity: MemberActivity; rewards: RewardsService }): void {
  const { loyalties, earningRules, campaigns, loyaltyTiers, pendingPoints, memberActivity, rewards } = deps;

  const programsQuery = { type: 'object', properties: { ...pageQuery.properties, order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'name', '-name'] } } } as const;
  app.get<{ Querystring: { limit: number; page: number; order?: string } }>('/loyalties', { schema: { querystring: programsQuery } }, async (req) => {
    // Only what the list takes: other query parameters (filters...) are not passed on.
    const { limit, page: at, order } = req.query;
    const page = await campaigns.list(projectIdOf(req), { limit, page: at, ...(order ? { order } : {}), campaign_type: 'LOYALTY_PROGRAM' });
    return listOf('campaigns', page.campaigns, { total: page.total });
  });
  app.post<{ Body: CampaignInput }>('/loyalties', { schema: { body: campaignInputSchema } }, async (req) => loyalties.createProgram(causeOf(req), req.body));
  // The points an order paid would earn (Voucherify's estimate-points).
  app.post<{ Params: P; Body: EstimateInput | null }>(
    '/loyalties/:campaignId/qualifications',
    { schema: { body: { type: ['object', 'null'], properties: { customer: customerInputSchema, order: orderInputSchema } } } },
    async (req) => deps.pointsEstimate.estimate(projectIdOf(req), req.params.campaignId, req.body ?? {}),
  );
  // Deprecated in Voucherify for /v1/campaigns/{id}/transactions; the same list.
  app.get<{ Params: P; Querystring: TransactionsListQuery }>('/loyalties/:campaignId/transactions', { schema: { querystring: transactionsListQuery } }, async (req) =>
    loyalties.programTransactions(projectIdOf(req), req.params.campaignId, transactionsQueryOf(req.query)),
  );
  app.get<{ Params: P }>('/loyalties/:campaignId', async (req) => {
    const projectId = projectIdOf(req);
    const p = await loyalties.program(projectId, req.params.campaignId);
    return campaigns.view(projectId, await campaigns.counted(projectId, p.id));
  });
  app.put<{ Params: P; Body: CampaignInput }>('/loyalties/:campaignId', { schema: { body: campaignInputSchema } }, async (req) => {
    const p = await loyalties.program(projectIdOf(req), req.params.campaignId);
    return campaigns.update(causeOf(req), p.id, req.body);
  });
  app.delete<{ Params: P; Querystring: { force?: boolean } }>('/loyalties/:campaignId', { schema: { querystring: forceQuery } }, async (req, reply) => {
    const p = await loyalties.program(projectIdOf(req), req.params.campaignId);
    return reply.code(202).send(await campaigns.remove(causeOf(req), p.id, req.query.force === true));
  });

  // Earning rules.
  const programId = async (req: { params: P }, projectId: string) => (await loyalties.program(projectId, req.params.campaignId)).id;
  app.get<{ Params: P; Querystring: { limit: number; page: number; order?: string } }>('/loyalties/:campaignId/earning-rules', { schema: { querystring: { ...pageQuery, properties: { ...pageQuery.properties, order: timeOrderParam } } } }, async (req) => {
    const projectId = projectIdOf(req);
    return earningRules.list(projectId, await programId(req, projectId), req.query);
  });
  app.post<{ Params: P; Body: EarningRuleInput[] }>('/loyalties/:campaignId/earning-rules', { schema: { body: rulesBody } }, async (req) => {
    const projectId = projectIdOf(req);
    return earningRules.create(projectId, await programId(req, projectId), req.body);
  });
  app.get<{ Params: R }>('/loyalties/:campaignId/earning-rules/:ruleId', async (req) => {
    const projectId = projectIdOf(req);
    return earningRules.get(projectId, await programId(req, projectId), req.params.ruleId);
  });
  app.put<{ Params: R; Body: EarningRuleInput }>('/loyalties/:campaignId/earning-rules/:ruleId', { schema: { body: ruleBody } }, async (req) => {
    const projectId = projectIdOf(req);
    return earningRules.update(projectId, await programId(req, projectId), req.params.ruleId, req.body);
  });
  app.delete<{ Params: R }>('/loyalties/:campaignId/earning-rules/:ruleId', async (req, reply) => {
    const projectId = projectIdOf(req);
    await earningRules.remove(projectId, await programId(req, projectId), req.params.ruleId);
    return reply.code(204).send();
  });
  for (const [action, on] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: R }>(`/loyalties/:campaignId/earning-rules/:ruleId/${action}`, async (req) => {
      const projectId = projectIdOf(req);
      return earningRules.setActive(projectId, await programId(req, projectId), req.params.ruleId, on);
    });
  }

  // Tiers.
  const tiersBody = {
    type: 'array',
    minItems: 1,
    maxItems: maxTiers,
    items: {
      type: 'object',
      required: ['name', 'points'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        points: { type: 'object', required: ['from'], properties: { from: { type: 'integer', minimum: 0, maximum: 1e15 }, to: { type: ['integer', 'null'], minimum: 0, maximum: 1e15 } } },
        metadata: { type: 'object' },
        earning_rules: { type: 'object', description: 'Earning rule id -> {type: MULTIPLY, multiplier} or {type: CUSTOM, points}: the rule\'s points for members of this tier' },
        rewards: { type: 'object', description: 'Reward (or reward assignment) id -> {type: MULTIPLY, multiplier} or {type: CUSTOM, points}: its price for members of this tier' },
      },
    },
  } as const;
  app.post<{ Params: P; Body: TierInput[] }>('/loyalties/:campaignId/tiers', { schema: { body: tiersBody } }, async (req) =>
    loyaltyTiers.create(causeOf(req), await loyalties.program(projectIdOf(req), req.params.campaignId), req.body),
  );
  // A program's tiers (a few per program): by points (the default), or `order` by creation or update, `limit` first.
  app.get<{ Params: P; Querystring: { limit?: number; order?: string } }>(
    '/loyalties/:campaignId/tiers',
    { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 }, order: timeOrderParam } } } },
    async (req) => {
      const projectId = projectIdOf(req);
      const { order, limit } = req.query;
      const all = await loyaltyTiers.list(projectId, await programId(req, projectId), order);
      const data = limit === undefined ? all : all.slice(0, limit);
      return { object: 'list', data_ref: 'data', data, total: all.length, has_more: data.length < all.length };
    },
  );
  app.get<{ Params: P & { tierId: string } }>('/loyalties/:campaignId/tiers/:tierId', async (req) => {
    const projectId = projectIdOf(req);
    return loyaltyTiers.get(projectId, await programId(req, projectId), req.params.tierId);
  });
  // Tessera's extension (Voucherify changes tiers in its dashboard): a tier's name, metadata and terms; and deleting a
  // tier no member holds.
  app.put<{ Params: P & { tierId: string }; Body: TierInput }>('/loyalties/:campaignId/tiers/:tierId', { schema: { body: { ...tiersBody.items, required: [] } } }, async (req) =>
    loyaltyTiers.update(causeOf(req), await loyalties.program(projectIdOf(req), req.params.campaignId), req.params.tierId, req.body),
  );
  app.delete<{ Params: P & { tierId: string } }>('/loyalties/:campaignId/tiers/:tierId', async (req, reply) => {
    await loyaltyTiers.remove(causeOf(req), await loyalties.program(projectIdOf(req), req.params.campaignId), req.params.tierId);
    return reply.code(204).send();
  });
  // A tier's earning rules: the program's, a FIXED rule's points as the tier sets them.
  app.get<{ Params: P & { tierId: string }; Querystring: { limit: number; page: number } }>('/loyalties/:campaignId/tiers/:tierId/earning-rules', { schema: { querystring: pageQuery } }, async (req) => {
    const projectId = projectIdOf(req);
    const id = await programId(req, projectId);
    const tier = await loyaltyTiers.row(projectId, id, req.params.tierId);
    const rules = await earningRules.list(projectId, id, req.query);
    const data = rules.data.map((r) => {
      const terms = tier.earning_rules?.[r.id];
      const loyalty = r.loyalty as { type?: string; points?: number };
      return terms && loyalty.type === 'FIXED' && typeof loyalty.points === 'number' ? { ...r, loyalty: { ...loyalty, points: mapPoints(loyalty.points, terms) } } : r;
    });
    return { ...rules, data };
  });
  app.get<{ Params: { memberId: string } }>('/loyalties/members/:memberId/tiers', async (req) => {
    const data = await loyalties.memberTiers(projectIdOf(req), req.params.memberId);
    return { object: 'list', data_ref: 'data', data, total: data.length };
  });

  // Members and their points.
  app.get<{ Params: P; Querystring: MembersQuery }>('/loyalties/:campaignId/members', { schema: { querystring: membersQuery } }, async (req) => {
    const q = req.query;
    return loyalties.members(projectIdOf(req), req.params.campaignId, { ...q, created_at: toRange(q.created_at), updated_at: toRange(q.updated_at) });
  });
  app.post<{ Params: P; Body: PublicationInput }>('/loyalties/:campaignId/members', { schema: { body: publicationInputSchema } }, async (req) =>
    loyalties.addMember(causeOf(req), req.params.campaignId, req.body),
  );
  app.get<{ Params: M }>('/loyalties/:campaignId/members/:memberId', async (req) => loyalties.member(projectIdOf(req), req.params.memberId, req.params.campaignId));
  app.get<{ Params: { memberId: string } }>('/loyalties/members/:memberId', async (req) => loyalties.member(projectIdOf(req), req.params.memberId));
  app.post<{ Params: M; Body: BalanceChangeInput }>('/loyalties/:campaignId/members/:memberId/balance', { schema: { body: balanceBody } }, async (req) =>
    loyalties.changeBalance(causeOf(req), req.params.memberId, req.body, req.params.campaignId),
  );
  app.post<{ Params: { memberId: string }; Body: BalanceChangeInput }>('/loyalties/members/:memberId/balance', { schema: { body: balanceBody } }, async (req) =>
    loyalties.changeBalance(causeOf(req), req.params.memberId, req.body),
  );
  app.post<{ Params: M; Body: TransferInput[] }>('/loyalties/:campaignId/members/:memberId/transfers', { schema: { body: transfersBody } }, async (req) =>
    loyalties.transfer(causeOf(req), req.params.campaignId, req.params.memberId, req.body),
  );
  // Pending points: a card's or a program's (newest first unless order=created_at), and by hand: activate, adjust, cancel.
  const pendingQuery = { type: 'object', properties: { limit: limitParam, order: { type: 'string', enum: ['created_at', '-created_at'] }, starting_after_id: { type: 'string', maxLength: 200 } } } as const;
  type PendingQuery = { limit: number; order?: string; starting_after_id?: string };
  const memberPending = async (req: FastifyRequest<{ Params: { campaignId?: string; memberId: string }; Querystring: PendingQuery }>) => {
    const projectId = projectIdOf(req);
    const { card } = await loyalties.card(projectId, req.params.memberId, req.params.campaignId);
    return pendingPoints.page(projectId, { cardId: card.id }, req.query);
  };
  app.get<{ Params: M; Querystring: PendingQuery }>('/loyalties/:campaignId/members/:memberId/pending-points', { schema: { querystring: pendingQuery } }, memberPending);
  app.get<{ Params: { memberId: string }; Querystring: PendingQuery }>('/loyalties/members/:memberId/pending-points', { schema: { querystring: pendingQuery } }, memberPending);
  app.get<{ Params: P; Querystring: PendingQuery }>('/loyalties/:campaignId/pending-points', { schema: { querystring: pendingQuery } }, async (req) => {
    const projectId = projectIdOf(req);
    const program = await loyalties.program(projectId, req.params.campaignId);
    return pendingPoints.page(projectId, { campaignId: program.id }, req.query);
  });
  type PendingParams = { memberId: string; pendingId: string };
  const cardOf = async (req: FastifyRequest<{ Params: PendingParams }>) => (await loyalties.card(projectIdOf(req), req.params.memberId)).card;
  app.post<{ Params: PendingParams }>('/loyalties/members/:memberId/pending-points/:pendingId/activate', async (req) => pendingPoints.activate(causeOf(req), await cardOf(req), req.params.pendingId));
  app.post<{ Params: PendingParams; Body: { points: number } }>(
    '/loyalties/members/:memberId/pending-points/:pendingId/balance',
    { schema: { body: { type: 'object', required: ['points'], properties: { points: { type: 'integer', minimum: -1e12, maximum: 1e12, not: { const: 0 } } } } } },
    async (req) => pendingPoints.adjust(causeOf(req), await cardOf(req), req.params.pendingId, req.body.points),
  );
  app.post<{ Params: PendingParams }>('/loyalties/members/:memberId/pending-points/:pendingId/cancel', async (req, reply) => {
    await pendingPoints.cancel(causeOf(req), await cardOf(req), req.params.pendingId);
    return reply.code(204).send();
  });
  app.get<{ Params: M; Querystring: { limit: number; page: number } }>('/loyalties/:campaignId/members/:memberId/points-expiration', { schema: { querystring: pageQuery } }, async (req) =>
    loyalties.pointsExpiration(projectIdOf(req), req.params.campaignId, req.params.memberId, req.query),
  );
  // Not in Voucherify's reference, as the other member paths without a program: the card's own program.
  app.get<{ Params: { memberId: string }; Querystring: { limit: number; page: number } }>('/loyalties/members/:memberId/points-expiration', { schema: { querystring: pageQuery } }, async (req) =>
    loyalties.pointsExpiration(projectIdOf(req), undefined, req.params.memberId, req.query),
  );
  app.get<{ Params: M; Querystring: TransactionsListQuery }>('/loyalties/:campaignId/members/:memberId/transactions', { schema: { querystring: transactionsListQuery } }, async (req) =>
    loyalties.transactions(projectIdOf(req), req.params.memberId, transactionsQueryOf(req.query), req.params.campaignId),
  );
  app.get<{ Params: { memberId: string }; Querystring: TransactionsListQuery }>('/loyalties/members/:memberId/transactions', { schema: { querystring: transactionsListQuery } }, async (req) =>
    loyalties.transactions(projectIdOf(req), req.params.memberId, transactionsQueryOf(req.query)),
  );

  // A member's activity: the holder's activity records that concern the card. /activities is the deprecated form.
  app.get<{ Params: M; Querystring: MemberActivityQuery }>('/loyalties/:campaignId/members/:memberId/activity', { schema: { querystring: activityQuery } }, async (req) =>
    memberActivity.list(projectIdOf(req), req.params.memberId, req.query, req.params.campaignId),
  );
  app.get<{ Params: { memberId: string }; Querystring: MemberActivityQuery }>('/loyalties/members/:memberId/activity', { schema: { querystring: activityQuery } }, async (req) =>
    memberActivity.list(projectIdOf(req), req.params.memberId, req.query),
  );
  app.get<{ Params: M; Querystring: MemberActivityQuery }>('/loyalties/:campaignId/members/:memberId/activities', { schema: { querystring: activityQuery } }, async (req) =>
    memberActivity.legacyList(projectIdOf(req), req.params.memberId, req.query, req.params.campaignId),
  );
  app.get<{ Params: { memberId: string }; Querystring: MemberActivityQuery }>('/loyalties/members/:memberId/activities', { schema: { querystring: activityQuery } }, async (req) =>
    memberActivity.legacyList(projectIdOf(req), req.params.memberId, req.query),
  );

  // A member's rewards (at their tier's prices), and the reward of one of the program's assignments.
  app.get<{ Params: { memberId: string }; Querystring: MemberRewardsQuery }>('/loyalties/members/:memberId/rewards', { schema: { querystring: memberRewardsQuery } }, async (req) =>
    rewards.memberRewards(projectIdOf(req), req.params.memberId, req.query),
  );
  app.get<{ Params: P & { assignmentId: string } }>('/loyalties/:campaignId/reward-assignments/:assignmentId/reward', async (req) =>
    rewards.assignmentReward(projectIdOf(req), req.params.campaignId, req.params.assignmentId),
  );
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidPayload } from '../../core/errors.js';
import { assignmentBody, rewardBody, type AssignmentInput, type RewardInput, type RewardsService } from '../../modules/rewards/index.js';
import type { LoyaltiesService, Tiers } from '../../modules/loyalties/index.js';
import { orderInputSchema, type OrderInput } from '../../modules/orders/index.js';
import { stackingRulesOf, type RedemptionsService } from '../../modules/redemptions/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam, pageParam } from '../list.js';

const pageQuery = { type: 'object', properties: { limit: limitParam, page: pageParam } } as const;
const assignmentsQuery = { type: 'object', properties: { limit: limitParam, page: pageParam, assignment_id: { type: 'string', maxLength: 200 }, assignmentId: { type: 'string', maxLength: 200 } } } as const;
type AssignmentsQuery = { limit: number; page: number; assignment_id?: string; assignmentId?: string };
const redemptionBody = { type: 'object', required: ['reward'], properties: { reward: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 }, points: { type: 'number' } } }, order: orderInputSchema, metadata: { type: 'object' } } } as const;

type R = { rewardId: string };
type A = R & { assignmentId: string };
type C = { campaignId: string };

/** /v1/rewards and a program's rewards (/v1/loyalties/{id}/rewards), and redeeming one (the SDK's `rewards`). */
export function rewardRoutes(app: FastifyInstance, deps: { rewards: RewardsService; loyaltyTiers: Tiers; loyalties: LoyaltiesService; redemptions: RedemptionsService }): void {
  const { rewards } = deps;
  /** The program a route names, by id or name (404 when there is none). */
  const programOf = async (req: FastifyRequest<{ Params: C }>) => (await deps.loyalties.program(projectIdOf(req), req.params.campaignId)).id;
  // A tier's rewards: the program's, at the tier's prices.
  app.get<{ Params: C & { tierId: string } }>('/loyalties/:campaignId/tiers/:tierId/rewards', async (req) => {
    const projectId = projectIdOf(req);
    const program = await deps.loyalties.program(projectId, req.params.campaignId);
    return rewards.tierRewards(projectId, program.id, await deps.loyaltyTiers.row(projectId, program.id, req.params.tierId));
  });
  app.post<{ Body: RewardInput }>('/rewards', { schema: { body: rewardBody } }, async (req) => rewards.create(projectIdOf(req), req.body));
  // `assignment_id` narrows the list to the reward that assignment offers.
  app.get<{ Querystring: { limit: number; page: number; assignment_id?: string } }>('/rewards', { schema: { querystring: { ...pageQuery, properties: { ...pageQuery.properties, assignment_id: { type: 'string', maxLength: 200 } } } } }, async (req) =>
    rewards.list(projectIdOf(req), req.query),
  );
  app.get<{ Params: R }>('/rewards/:rewardId', async (req) => rewards.get(projectIdOf(req), req.params.rewardId));
  app.put<{ Params: R; Body: RewardInput }>('/rewards/:rewardId', { schema: { body: rewardBody } }, async (req) => rewards.update(projectIdOf(req), req.params.rewardId, req.body));
  app.delete<{ Params: R }>('/rewards/:rewardId', async (req, reply) => {
    await rewards.remove(projectIdOf(req), req.params.rewardId);
    return reply.code(204).send();
  });
  app.post<{ Params: R; Body: AssignmentInput }>('/rewards/:rewardId/assignments', { schema: { body: assignmentBody } }, async (req) =>
    rewards.assign(projectIdOf(req), req.params.rewardId, req.body.campaign ?? '', req.body.parameters?.loyalty?.points),
  );
  app.get<{ Params: R; Querystring: { limit: number; page: number } }>('/rewards/:rewardId/assignments', { schema: { querystring: pageQuery } }, async (req) =>
    rewards.assignments(projectIdOf(req), { rewardId: req.params.rewardId }, req.query),
  );
  app.get<{ Params: A }>('/rewards/:rewardId/assignments/:assignmentId', async (req) => rewards.getAssignment(projectIdOf(req), req.params.assignmentId, { rewardId: req.params.rewardId }));
  app.put<{ Params: A; Body: AssignmentInput }>('/rewards/:rewardId/assignments/:assignmentId', { schema: { body: assignmentBody } }, async (req) =>
    rewards.updateAssignment(projectIdOf(req), req.params.assignmentId, { rewardId: req.params.rewardId }, req.body.parameters?.loyalty?.points),
  );
  app.delete<{ Params: A }>('/rewards/:rewardId/assignments/:assignmentId', async (req, reply) => {
    await rewards.unassign(projectIdOf(req), req.params.assignmentId, { rewardId: req.params.rewardId });
    return reply.code(204).send();
  });

  // A program's reward assignments (`assignment_id` narrows them to one), a page at a time.
  app.get<{ Params: C; Querystring: AssignmentsQuery }>('/loyalties/:campaignId/rewards', { schema: { querystring: assignmentsQuery } }, async (req) =>
    rewards.assignments(projectIdOf(req), { campaignId: await programOf(req), assignmentId: req.query.assignment_id }, req.query),
  );
  // An array (Voucherify's body, what the SDK's createRewardAssignments sends) answers an array; one object, one.
  app.post<{ Params: C; Body: AssignmentInput | AssignmentInput[] }>(
    '/loyalties/:campaignId/rewards',
    { schema: { body: { anyOf: [assignmentBody, { type: 'array', minItems: 1, maxItems: 100, items: assignmentBody }] } } },
    async (req) => {
      const body = req.body;
      if (Array.isArray(body)) return rewards.assignMany(projectIdOf(req), req.params.campaignId, body.map((a) => ({ reward: a.reward, points: a.parameters?.loyalty?.points })));
      return rewards.assign(projectIdOf(req), body.reward ?? '', req.params.campaignId, body.parameters?.loyalty?.points);
    },
  );
  app.get<{ Params: C & { assignmentId: string } }>('/loyalties/:campaignId/rewards/:assignmentId', async (req) =>
    rewards.getAssignment(projectIdOf(req), req.params.assignmentId, { campaignId: await programOf(req) }),
  );
  app.put<{ Params: C & { assignmentId: string }; Body: AssignmentInput }>('/loyalties/:campaignId/rewards/:assignmentId', { schema: { body: assignmentBody } }, async (req) =>
    rewards.updateAssignment(projectIdOf(req), req.params.assignmentId, { campaignId: await programOf(req) }, req.body.parameters?.loyalty?.points),
  );
  app.delete<{ Params: C & { assignmentId: string } }>('/loyalties/:campaignId/rewards/:assignmentId', async (req, reply) => {
    await rewards.unassign(projectIdOf(req), req.params.assignmentId, { campaignId: await programOf(req) });
    return reply.code(204).send();
  });
  type MemberRedemption = { reward: { id: string; points?: number }; order?: OrderInput; metadata?: Record<string, unknown> };
  async function memberRedemption(req: FastifyRequest, campaignId: string, memberId: string, body: MemberRedemption) {
    await rewards.get(projectIdOf(req), body.reward.id);
    return deps.redemptions.redeemReward(causeOf(req), campaignId, memberId, body, stackingRulesOf(req.project?.settings));
  }
  app.post<{ Params: C & { memberId: string }; Body: MemberRedemption }>('/loyalties/:campaignId/members/:memberId/redemption', { schema: { body: redemptionBody } }, async (req) =>
    memberRedemption(req, req.params.campaignId, req.params.memberId, req.body),
  );
  // Voucherify's older forms: the member's program is the card's; the program's assignments under reward-assignments.
  app.post<{ Params: { memberId: string }; Body: MemberRedemption }>('/loyalties/members/:memberId/redemption', { schema: { body: redemptionBody } }, async (req) => {
    const { card } = await deps.loyalties.card(projectIdOf(req), req.params.memberId);
    if (!card.campaign_id) throw invalidPayload(`Loyalty card ${card.code} belongs to no program: its rewards are redeemed through a program`);
    return memberRedemption(req, card.campaign_id, req.params.memberId, req.body);
  });
  app.get<{ Params: C; Querystring: AssignmentsQuery }>('/loyalties/:campaignId/reward-assignments', { schema: { querystring: assignmentsQuery } }, async (req) =>
    rewards.assignments(projectIdOf(req), { campaignId: await programOf(req), assignmentId: req.query.assignment_id ?? req.query.assignmentId }, req.query),
  );
  app.get<{ Params: C & { assignmentId: string } }>('/loyalties/:campaignId/reward-assignments/:assignmentId', async (req) =>
    rewards.getAssignment(projectIdOf(req), req.params.assignmentId, { campaignId: await programOf(req) }),
  );
}

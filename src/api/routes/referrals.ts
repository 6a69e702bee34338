import type { FastifyInstance } from 'fastify';
import { customerInputSchema } from '../../modules/customers/index.js';
import { maxHoldersPerRequest, type Holders, type HoldersInput, type HoldersQuery } from '../../modules/referrals/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam } from '../list.js';

const holdersBody = {
  type: 'object',
  required: ['holders'],
  properties: {
    holders: { type: 'array', minItems: 1, maxItems: maxHoldersPerRequest, items: customerInputSchema },
    metadata: { type: 'object' },
  },
} as const;
const conditions = { type: 'object', properties: { conditions: { type: 'object' } } } as const;
const holdersQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    order: { type: 'string', enum: ['id', '-id', 'created_at', '-created_at'] },
    starting_after_id: { type: 'string' },
    filters: { type: 'object', properties: { holder_role: conditions, customer_id: conditions, junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;

type M = { memberId: string };
type CM = M & { campaignId: string };

/** /v1/referrals: the holders of a referral code (its referrer and referees). */
export function referralRoutes(app: FastifyInstance, deps: { referralHolders: Holders }): void {
  const { referralHolders: holders } = deps;
  for (const prefix of ['/referrals/members/:memberId', '/referrals/:campaignId/members/:memberId']) {
    app.post<{ Params: CM; Body: HoldersInput }>(`${prefix}/holders`, { schema: { body: holdersBody } }, async (req) =>
      holders.add(causeOf(req), req.params.memberId, req.body, req.params.campaignId),
    );
    app.get<{ Params: CM; Querystring: HoldersQuery }>(`${prefix}/holders`, { schema: { querystring: holdersQuery } }, async (req) =>
      holders.list(projectIdOf(req), req.params.memberId, req.query, req.params.campaignId),
    );
    app.delete<{ Params: CM & { holderId: string } }>(`${prefix}/holders/:holderId`, async (req, reply) => {
      await holders.remove(causeOf(req), req.params.memberId, req.params.holderId, req.params.campaignId);
      return reply.code(204).send();
    });
  }
}

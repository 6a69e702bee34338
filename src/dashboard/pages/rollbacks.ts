import type { FastifyInstance } from 'fastify';
import type { RollbacksService } from '../../modules/redemptions/index.js';
import { dashOf, field, projectCtx } from '../context.js';
import { userCause } from '../v1.js';

/** A redemption rolled back by the signed-in user, from the voucher's or the customer's page (back there after). */
export function rollbackRoutes(d: FastifyInstance, s: { rollbacks: Pick<RollbacksService, 'rollback'> }): void {
  d.post<{ Params: { projectId: string; redemptionId: string } }>('/p/:projectId/redemptions/:redemptionId/rollback', async (req, reply) => {
    const c = await projectCtx(req);
    // Back to the page the button was on: only a page of this project.
    const sent = field(req.body, 'back');
    const back = sent.startsWith(`${c.base}/`) && !sent.includes('//', 1) ? sent : `${c.base}/campaigns`;
    // Rolled back already, a gift card spent since...: said on the page, nothing changed.
    return c.attempt(reply, back, async () => {
      await s.rollbacks.rollback(userCause(req, c.project.id, dashOf(req).session), req.params.redemptionId, { reason: 'Rolled back from the dashboard' });
      return `Redemption ${req.params.redemptionId} rolled back.`;
    });
  });
}

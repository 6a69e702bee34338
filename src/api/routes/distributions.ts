import type { FastifyInstance } from 'fastify';
import { distributionBody, distributionObject, type DistributionInput, type DistributionsService } from '../../modules/distributions/index.js';
import { projectIdOf } from '../auth.js';
import { listOf } from '../list.js';

/** /v1/distributions: our extension (Voucherify has distributions only in its dashboard). */
export function distributionRoutes(app: FastifyInstance, deps: { distributions: DistributionsService }): void {
  const { distributions } = deps;
  type P = { distributionId: string };
  app.post<{ Body: DistributionInput }>('/distributions', { schema: { body: distributionBody } }, async (req) =>
    distributionObject(await distributions.create(projectIdOf(req), req.body)),
  );
  app.get('/distributions', async (req) => {
    const rows = await distributions.list(projectIdOf(req));
    return listOf('data', rows.map(distributionObject), { total: rows.length });
  });
  app.get<{ Params: P }>('/distributions/:distributionId', async (req) => distributionObject(await distributions.get(projectIdOf(req), req.params.distributionId)));
  app.put<{ Params: P; Body: DistributionInput }>('/distributions/:distributionId', { schema: { body: distributionBody } }, async (req) =>
    distributionObject(await distributions.update(projectIdOf(req), req.params.distributionId, req.body)),
  );
  app.delete<{ Params: P }>('/distributions/:distributionId', async (req, reply) => {
    await distributions.remove(projectIdOf(req), req.params.distributionId);
    return reply.code(204).send();
  });
}

import type { FastifyInstance } from 'fastify';
import { distributionBody, distributionObject, maxManualDelaySeconds, type DistributionInput, type DistributionsService } from '../../modules/distributions/index.js';
import { causeOf, projectIdOf } from '../auth.js';
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
  app.post<{ Params: P; Body: { customer?: string; segment_id?: string; delay_seconds?: number } }>(
    '/distributions/:distributionId/send',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            customer: { type: 'string', minLength: 1 },
            segment_id: { type: 'string', minLength: 1 },
            delay_seconds: { type: 'integer', minimum: 0, maximum: maxManualDelaySeconds },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      const r = await distributions.sendManual(causeOf(req), req.params.distributionId, req.body);
      return { object: 'distribution_send', distribution_id: req.params.distributionId, scheduled_at: r.scheduledAt.toISOString(), sendouts: r.count };
    },
  );
  app.post<{ Params: P; Body: { customer?: string; email?: string } | undefined }>(
    '/distributions/:distributionId/test',
    {
      schema: {
        body: {
          type: ['object', 'null'],
          properties: { customer: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email', maxLength: 254 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      const { sendout, distribution } = await distributions.sendTest(causeOf(req), req.params.distributionId, req.body ?? {});
      return {
        object: 'distribution_test',
        distribution_id: distribution.id,
        sendout_id: sendout.id,
        target_url: sendout.targetUrl,
        // What goes out: the envelope, or the designed message (raw_payload, e-mail).
        message: JSON.parse(sendout.body),
        created_at: sendout.eventCreatedAt.toISOString(),
      };
    },
  );
  app.delete<{ Params: P }>('/distributions/:distributionId', async (req, reply) => {
    await distributions.remove(projectIdOf(req), req.params.distributionId);
    return reply.code(204).send();
  });
}

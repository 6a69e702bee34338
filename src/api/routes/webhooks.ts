import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { invalidPayload, invalidQueryParams, resourceInUse } from '../../core/errors.js';
import { standardWebhooksSecret, type Audit, type SendoutStatus, type SourceObject } from '../../modules/delivery/index.js';
import type { DistributionsService } from '../../modules/distributions/index.js';
import type { ProjectSecrets, SigningSecretsService } from '../../modules/projects/index.js';
import { eventTypeCatalog, webhookBody, webhookObject, type WebhookInput, type WebhooksService } from '../../modules/webhooks/index.js';
import { dateParam, limitParam, listOf, pageParam, toDate } from '../list.js';

type P = { projectId: string; webhookId: string; sendoutId: string };

function secretObject(s: ProjectSecrets) {
  return {
    object: 'webhook_secret',
    secret: s.current,
    standard_webhooks_secret: standardWebhooksSecret(s.current),
    previous: s.previous
      ? { secret: s.previous, standard_webhooks_secret: standardWebhooksSecret(s.previous), expires_at: s.previousExpiresAt!.toISOString() }
      : null,
  };
}

const range = { type: 'object', properties: { before: dateParam, after: dateParam }, additionalProperties: false } as const;

const sendoutQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    starting_after_id: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'sent', 'retrying', 'failed'] },
    type: { type: 'string' },
    webhook_id: { type: 'string' },
    source_object: { type: 'string', enum: ['webhook', 'distribution'] },
    target_url: { type: 'string' },
    id: { type: 'string' },
    request_id: { type: 'string' },
    event_id: { type: 'string' },
    created_at: range,
    executed_at: range,
  },
} as const;

type SendoutQuery = {
  limit: number;
  starting_after_id?: string;
  status?: SendoutStatus;
  type?: string;
  webhook_id?: string;
  source_object?: string;
  target_url?: string;
  id?: string;
  request_id?: string;
  event_id?: string;
  created_at?: { before?: string; after?: string };
  executed_at?: { before?: string; after?: string };
};

/** /management/v1/projects/{projectId}/webhooks (DIGEST e.1), the signing secret, and the audit log of sendouts. */
export function webhookRoutes(
  app: FastifyInstance,
  deps: { webhooks: WebhooksService; distributions: Pick<DistributionsService, 'get'>; audit: Audit; secrets: SigningSecretsService; clock: Clock },
): void {
  const { webhooks, distributions, audit, secrets, clock } = deps;
  const base = '/projects/:projectId/webhooks';

  /** Retrying toward a disabled endpoint would only fail again: say so instead. */
  async function requireActive(projectId: string, webhookId: string): Promise<void> {
    const w = await webhooks.get(projectId, webhookId);
    if (!w.active) {
      throw resourceInUse(`Webhook ${w.id} is disabled${w.disabled_reason ? ` (${w.disabled_reason})` : ''}: re-enable it with PUT before retrying`, {
        resourceId: w.id,
        resourceType: 'webhook',
      });
    }
  }

  /**
   * Likewise a distribution sends only while TO SEND (its test messages go whatever its status); a deleted source
   * is a 404. Sendouts of a distribution are retried through their `distr_` id.
   */
  async function requireSending(projectId: string, source: { object: SourceObject; id: string; test?: boolean }): Promise<void> {
    if (source.object === 'webhook') return requireActive(projectId, source.id);
    const d = await distributions.get(projectId, source.id);
    if (d.status !== 'TO SEND' && !source.test) {
      throw resourceInUse(`Distribution ${d.id} is ${d.status}${d.paused_reason ? ` (${d.paused_reason})` : ''}: set its status to TO SEND with PUT before retrying`, {
        resourceId: d.id,
        resourceType: 'distribution',
      });
    }
  }

  app.post<{ Params: P; Body: WebhookInput }>(base, { schema: { body: webhookBody } }, async (req) =>
    webhookObject(await webhooks.create(req.params.projectId, req.body)),
  );
  // Without `limit`, every endpoint (a project has few); with it, a page of them. `total` counts them all.
  const webhookListQuery = { type: 'object', properties: { limit: { ...limitParam, default: undefined }, page: pageParam }, additionalProperties: false } as const;
  app.get<{ Params: P; Querystring: { limit?: number; page: number } }>(base, { schema: { querystring: webhookListQuery } }, async (req) => {
    const rows = await webhooks.list(req.params.projectId);
    const { limit, page } = req.query;
    const shown = limit === undefined ? rows : rows.slice((page - 1) * limit, page * limit);
    return listOf('data', shown.map(webhookObject), { total: rows.length });
  });
  app.get<{ Params: P }>(`${base}/:webhookId`, async (req) => webhookObject(await webhooks.get(req.params.projectId, req.params.webhookId)));
  app.put<{ Params: P; Body: WebhookInput }>(`${base}/:webhookId`, { schema: { body: webhookBody } }, async (req) =>
    webhookObject(await webhooks.update(req.params.projectId, req.params.webhookId, req.body)),
  );
  app.delete<{ Params: P }>(`${base}/:webhookId`, async (req, reply) => {
    await webhooks.remove(req.params.projectId, req.params.webhookId);
    return reply.code(204).send();
  });

  // `type` is what the envelope calls it, `event_type` what the audit log does: both are read, an unknown key refused.
  app.post<{ Params: P; Body: { event_type?: string; type?: string } | undefined }>(
    `${base}/:webhookId/test`,
    {
      schema: {
        body: {
          type: ['object', 'null'],
          properties: { event_type: { type: 'string', minLength: 1 }, type: { type: 'string', minLength: 1 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      const { type, event_type } = req.body ?? {};
      if (type !== undefined && event_type !== undefined && type !== event_type) {
        throw invalidPayload('Properties .type and .event_type name different event types: send one of them');
      }
      const id = await webhooks.sendTest(
        { projectId: req.params.projectId, groupId: req.id, source: { channel: 'INTERNAL' } },
        req.params.webhookId,
        type ?? event_type,
        type !== undefined ? '.type' : '.event_type',
      );
      return audit.get(req.params.projectId, id);
    },
  );

  app.post<{ Params: P; Body: { start_date?: string; end_date?: string } | undefined }>(
    `${base}/:webhookId/retry-failed`,
    { schema: { body: { type: ['object', 'null'], properties: { start_date: dateParam, end_date: dateParam }, additionalProperties: false } } },
    async (req) => {
      const object = req.params.webhookId.startsWith('distr_') ? 'distribution' : 'webhook';
      await requireSending(req.params.projectId, { object, id: req.params.webhookId });
      const from = toDate(req.body?.start_date);
      const to = toDate(req.body?.end_date);
      if (from && to && from > to) throw invalidPayload('Property .start_date must not be after .end_date');
      const retried = await audit.retryFailed(req.params.projectId, req.params.webhookId, { from, to });
      return { object: 'webhook_retry', webhook_id: req.params.webhookId, retried };
    },
  );

  // Our extension: how an endpoint fares over a window of sendout creation (default: the last 24 hours).
  app.get<{ Params: P; Querystring: { start_date?: string; end_date?: string } }>(
    `${base}/:webhookId/stats`,
    { schema: { querystring: { type: 'object', properties: { start_date: dateParam, end_date: dateParam }, additionalProperties: false } } },
    async (req) => {
      const w = await webhooks.get(req.params.projectId, req.params.webhookId);
      const to = toDate(req.query.end_date) ?? clock.now();
      const from = toDate(req.query.start_date) ?? new Date(to.getTime() - 24 * 60 * 60 * 1000);
      if (from >= to) throw invalidQueryParams('Query start_date must be before end_date');
      return audit.sourceHealth(req.params.projectId, w.id, from, to);
    },
  );

  // Our extension: every v2024-01-01 type, whether Tessera emits it and whether a project webhook can subscribe.
  app.get('/webhook-event-types', async () => {
    const rows = eventTypeCatalog();
    return listOf('data', rows, { total: rows.length });
  });

  app.get<{ Params: P }>('/projects/:projectId/webhook-secret', async (req) => secretObject(await secrets.get(req.params.projectId)));
  app.post<{ Params: P }>('/projects/:projectId/webhook-secret/rotate', async (req) => secretObject(await secrets.rotate(req.params.projectId)));
  // An endpoint's own secret (our extension; own_secret: true on the endpoint).
  app.get<{ Params: P }>('/projects/:projectId/webhooks/:webhookId/secret', async (req) => ({
    ...secretObject(await webhooks.ownSecrets(req.params.projectId, req.params.webhookId)),
    webhook_id: req.params.webhookId,
  }));
  app.post<{ Params: P }>('/projects/:projectId/webhooks/:webhookId/secret/rotate', async (req) => ({
    ...secretObject(await webhooks.rotateSecret(req.params.projectId, req.params.webhookId)),
    webhook_id: req.params.webhookId,
  }));

  app.get<{ Params: P; Querystring: SendoutQuery }>('/projects/:projectId/webhook-sendouts', { schema: { querystring: sendoutQuery } }, async (req) => {
    const q = req.query;
    const page = await audit.list({
      projectId: req.params.projectId,
      limit: q.limit,
      startingAfterId: q.starting_after_id,
      status: q.status,
      eventType: q.type,
      sourceId: q.webhook_id,
      sourceObject: q.source_object,
      targetUrl: q.target_url,
      id: q.id,
      groupId: q.request_id,
      eventId: q.event_id,
      createdBefore: toDate(q.created_at?.before),
      createdAfter: toDate(q.created_at?.after),
      executedBefore: toDate(q.executed_at?.before),
      executedAfter: toDate(q.executed_at?.after),
    });
    const last = page.sendouts.at(-1);
    return listOf('data', page.sendouts, { has_more: page.hasMore, ...(page.hasMore && last ? { more_starting_after: last.id } : {}) });
  });
  app.get<{ Params: P }>('/projects/:projectId/webhook-sendouts/:sendoutId', async (req) =>
    audit.get(req.params.projectId, req.params.sendoutId),
  );
  app.post<{ Params: P }>('/projects/:projectId/webhook-sendouts/:sendoutId/retry', async (req) => {
    const source = await audit.sourceOf(req.params.projectId, req.params.sendoutId);
    await requireSending(req.params.projectId, source);
    return audit.retry(req.params.projectId, req.params.sendoutId);
  });
}

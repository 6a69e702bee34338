import type { FastifyInstance } from 'fastify';
import { forbidden, invalidQueryParams } from '../../core/errors.js';
import { publicationInputSchema, type PublicationInput, type PublicationListQuery, type PublicationsService } from '../../modules/publications/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam, listOf } from '../list.js';
import { valueFilters, type ListFilters } from '../../core/list-filters.js';

const joinOnceQuery = { type: 'object', properties: { join_once: { type: 'boolean' } } } as const;

const listQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    page: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
    order: { type: 'string', enum: ['id', '-id', 'voucher_code', '-voucher_code', 'tracking_id', '-tracking_id', 'customer_id', '-customer_id', 'created_at', '-created_at', 'channel', '-channel'] },
    campaign: { type: 'string' },
    customer: { type: 'string' },
    voucher: { type: 'string' },
    source_id: { type: 'string' },
    result: { type: 'string', enum: ['SUCCESS', 'FAILURE'] },
    voucher_type: { type: 'string', enum: ['discount', 'loyalty'] },
    is_referral_code: { type: 'boolean' },
    filters: { type: 'object', properties: { junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;
/** GET /v1/publications: Voucherify's filters. */
const publicationFilterFields = ['failure_code', 'result', 'customer_id', 'campaign_name', 'voucher_type', 'is_referral_code', 'parent_object_id', 'related_object_id', 'source_id'] as const;

/** /v1/publications (POST, list, and the legacy GET /v1/publications/create). */
export function publicationRoutes(app: FastifyInstance, deps: { publications: PublicationsService }): void {
  const { publications } = deps;
  app.post<{ Body: PublicationInput; Querystring: { join_once?: boolean } }>(
    '/publications',
    { schema: { body: publicationInputSchema, querystring: joinOnceQuery } },
    async (req) => publications.publish(causeOf(req), req.body, { joinOnce: req.query.join_once }),
  );
  // The legacy form: the same fields as query parameters (campaign[name], customer[source_id], metadata[key]).
  app.get<{ Querystring: PublicationInput & { join_once?: boolean } }>(
    '/publications/create',
    { schema: { querystring: { ...publicationInputSchema, properties: { ...publicationInputSchema.properties, join_once: { type: 'boolean' } } } } },
    async (req) => {
      const { join_once, ...input } = req.query;
      return publications.publish(causeOf(req), input, { joinOnce: join_once });
    },
  );
  app.get<{ Querystring: Omit<PublicationListQuery, 'filters'> & { result?: string; filters?: ListFilters } }>('/publications', { schema: { querystring: listQuery } }, async (req) => {
    const { filters: raw, ...q } = req.query;
    const filters = valueFilters(raw, publicationFilterFields, 'publications');
    // Only successful publications are stored: asking for failures finds none.
    if (q.result === 'FAILURE') return listOf('publications', [], { total: 0 });
    const page = await publications.list(projectIdOf(req), { ...q, filters });
    return listOf('publications', page.publications, { total: page.total });
  });
}

/**
 * POST /client/v1/publish: the client-side publish, when the project allows it. The SDK names the campaign in the
 * query (`?campaign=NAME`); Voucherify's current API takes `campaign` or `voucher` in the body: both work (the
 * query wins when both are sent).
 */
export function clientPublicationRoutes(app: FastifyInstance, deps: { publications: PublicationsService }): void {
  const p = publicationInputSchema.properties;
  app.post<{ Body: PublicationInput; Querystring: { campaign?: string; join_once?: boolean } }>(
    '/publish',
    {
      schema: {
        body: { type: 'object', properties: { customer: p.customer, campaign: p.campaign, voucher: p.voucher, channel: p.channel, metadata: { type: 'object' }, source_id: { type: 'string' } } },
        querystring: { type: 'object', properties: { campaign: { type: 'string', minLength: 1 }, join_once: { type: 'boolean' } } },
      },
    },
    async (req) => {
      if (req.project?.settings.client_publish_enabled !== true) throw forbidden('Client-side publishing is off for this project (client_publish_enabled)');
      const body = req.body ?? {};
      const campaign = req.query.campaign ?? body.campaign;
      if (campaign === undefined && body.voucher === undefined) throw invalidQueryParams('Name the campaign to publish from (?campaign=NAME, or campaign in the body) or the voucher');
      return deps.publications.publish(causeOf(req), { ...body, ...(campaign !== undefined ? { campaign } : {}) }, { joinOnce: req.query.join_once, channel: 'Voucherify.js' });
    },
  );
}

import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { exportedObjects, exportObject, type ExportFilters, type ExportInput, type ExportParameters, type ExportsService } from '../../modules/exports/index.js';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import type { VouchersService } from '../../modules/vouchers/index.js';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam, listOf } from '../list.js';

const parametersSchema = {
  type: 'object',
  properties: {
    fields: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 100 } },
    order: { type: 'string', maxLength: 100 },
    filters: { type: 'object' },
  },
} as const;
const createSchema = { type: 'object', required: ['exported_object'], properties: { exported_object: { type: 'string', enum: exportedObjects }, parameters: parametersSchema } } as const;
const forcedSchema = { type: ['object', 'null'], properties: { parameters: parametersSchema } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

/** Where the file is downloaded from: this server, as the client reached it. */
const baseOf = (req: FastifyRequest) => req.publicOrigin;

/** An export of one object's transactions or points: the asked parameters with that object's filter and'ed in. */
/**
 * The export's parameters narrowed to one card or campaign, as Voucherify records them: `{$in: [id]}` for
 * transactions, `{$is: id}` for points expirations. The asked filters sit beside that one when they are and'ed and
 * leave its field alone; else they are kept whole, as a group under their own junction. A campaign's transactions
 * leave out the campaign column unless asked for (their fields' list in Voucherify has none).
 */
function narrowed(body: { parameters?: ExportParameters } | null | undefined, field: string, value: string, form: '$in' | '$is' = '$in', fields?: string[]): ExportParameters {
  const p = body?.parameters ?? {};
  const own = p.filters;
  const forced = { conditions: form === '$in' ? { $in: [value] } : { $is: value } };
  const beside = !own || (String(own.junction ?? 'and').toLowerCase() === 'and' && !Object.hasOwn(own, field));
  const filters: ExportFilters = beside ? { ...(own ?? {}), junction: 'and', [field]: forced } : { junction: 'and', [field]: forced, filters: own };
  return { ...(fields && !p.fields ? { fields } : {}), ...p, filters };
}

/** A campaign's transactions export's default columns (the voucher transactions' defaults but the campaign). */
const campaignTransactionFields = ['id', 'type', 'source_id', 'reason', 'balance', 'amount', 'created_at', 'voucher_id', 'details', 'source'];

type Deps = { exports: ExportsService; vouchers: Pick<VouchersService, 'find'>; campaigns: Pick<CampaignsService, 'get'>; loyalties: Pick<LoyaltiesService, 'member'> };

/** /v1/exports and the transaction and points-expiration exports (the SDK's distributions.exports and the export methods). */
export function exportRoutes(app: FastifyInstance, deps: Deps): void {
  const { exports } = deps;
  const create = async (req: FastifyRequest, input: ExportInput) => exportObject(await exports.create(causeOf(req), input), baseOf(req));

  app.post<{ Body: ExportInput }>('/exports', { schema: { body: createSchema } }, async (req) => create(req, req.body));
  app.get<{ Querystring: { limit: number; page: number; order?: string } }>(
    '/exports',
    { schema: { querystring: { type: 'object', properties: { limit: limitParam, page: { type: 'integer', minimum: 1, maximum: 1000, default: 1 }, order: { type: 'string', enum: ['created_at', '-created_at', 'status', '-status'] } } } } },
    async (req) => {
      const page = await exports.list(projectIdOf(req), req.query);
      return listOf('exports', page.rows.map((e) => exportObject(e, baseOf(req))), { total: page.total });
    },
  );
  app.get<{ Params: { id: string } }>('/exports/:id', { schema: { params: idParams } }, async (req) => exportObject(await exports.get(projectIdOf(req), req.params.id), baseOf(req)));
  app.delete<{ Params: { id: string } }>('/exports/:id', { schema: { params: idParams } }, async (req, reply) => {
    await exports.remove(projectIdOf(req), req.params.id);
    return reply.code(204).send();
  });

  type Forced = { Body: { parameters?: ExportParameters } | null };
  app.post<Forced & { Params: { code: string } }>('/vouchers/:code/transactions/export', { schema: { body: forcedSchema } }, async (req) => {
    const v = await deps.vouchers.find(projectIdOf(req), req.params.code);
    return create(req, { exported_object: 'voucher_transactions', parameters: narrowed(req.body, 'voucher_id', v.id) });
  });
  for (const path of ['/campaigns/:campaignId/transactions/export', '/loyalties/:campaignId/transactions/export']) {
    app.post<Forced & { Params: { campaignId: string } }>(path, { schema: { body: forcedSchema } }, async (req) => {
      const c = await deps.campaigns.get(projectIdOf(req), req.params.campaignId);
      return create(req, { exported_object: 'voucher_transactions', parameters: narrowed(req.body, 'campaign_id', c.id, '$in', campaignTransactionFields) });
    });
  }
  const memberExport = async (req: FastifyRequest<Forced & { Params: { campaignId?: string; memberId: string } }>) => {
    const m = (await deps.loyalties.member(projectIdOf(req), req.params.memberId, req.params.campaignId)) as { id: string };
    return create(req, { exported_object: 'voucher_transactions', parameters: narrowed(req.body, 'voucher_id', m.id) });
  };
  app.post<Forced & { Params: { memberId: string } }>('/loyalties/members/:memberId/transactions/export', { schema: { body: forcedSchema } }, memberExport);
  app.post<Forced & { Params: { campaignId: string; memberId: string } }>('/loyalties/:campaignId/members/:memberId/transactions/export', { schema: { body: forcedSchema } }, memberExport);
  app.post<Forced & { Params: { campaignId: string } }>('/loyalties/:campaignId/points-expiration/export', { schema: { body: forcedSchema } }, async (req) => {
    const c = await deps.campaigns.get(projectIdOf(req), req.params.campaignId);
    return create(req, { exported_object: 'points_expiration', parameters: narrowed(req.body, 'campaign_id', c.id, '$is') });
  });
  app.post<Forced>('/orders/export', { schema: { body: forcedSchema } }, async (req) => create(req, { exported_object: 'order', parameters: req.body?.parameters ?? {} }));
}

/** GET /v1/exports/{id}/download?token=...: the file, for whoever holds the export's URL (no API key). */
export function exportDownloadRoute(app: FastifyInstance, deps: { exports: ExportsService }): void {
  app.get<{ Params: { id: string }; Querystring: { token: string } }>(
    '/exports/:id/download',
    { schema: { params: idParams, querystring: { type: 'object', required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } } } },
    async (req, reply) => {
      const chunks = deps.exports.download(req.params.id, req.query.token);
      // The first chunk is read before answering, so that a wrong token or an unfinished export is a clean error.
      const first = await chunks.next();
      async function* all() {
        if (!first.done) yield first.value;
        yield* chunks;
      }
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${req.params.id}.csv"`)
        .send(Readable.from(all()));
    },
  );
}

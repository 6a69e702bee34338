import type { FastifyInstance, FastifyRequest } from 'fastify';
import { balanceSchema, bulkUpdateSchema, metadataUpdateSchema, voucherInputSchema, type BalanceInput, type Balances, type MetadataChange, type VoucherBulk, type VoucherInput, type VoucherListQuery, type VouchersService } from '../../modules/vouchers/index.js';
import { forbidden, invalidPayload } from '../../core/errors.js';
import type { ValidationRulesService } from '../../modules/validation-rules/index.js';
import { createVoucher, onlyAtCreation } from '../rule-assignments.js';
import { importBodySchema, importItems } from '../voucher-import.js';
import { causeOf, projectIdOf } from '../auth.js';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import { forceQuery, limitParam, listOf, pagedListQuery, toRange, transactionsQueryOf, type DateRangeQuery } from '../list.js';

type P = { code: string };
const listQuery = pagedListQuery({
  campaign_id: { type: 'string' },
  campaign: { type: 'string' },
  customer: { type: 'string' },
  code: { type: 'string' },
  ids: { type: 'array', items: { type: 'string' }, maxItems: 100 },
  category: { type: 'string' },
  order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'code', '-code', 'type', '-type', 'campaign', '-campaign', 'category', '-category'] },
});


/** /v1/vouchers. */
export function voucherRoutes(app: FastifyInstance, deps: { vouchers: VouchersService; balances: Balances; voucherBulk: VoucherBulk; validationRules: ValidationRulesService; loyalties: Pick<LoyaltiesService, 'transactions'> }): void {
  const { vouchers, balances, voucherBulk, validationRules: rules } = deps;
  // Bulk metadata changes (the SDK's vouchers.bulkUpdate and bulkUpdateMetadata): 202 with the async action.
  app.post<{ Body: MetadataChange[] }>('/vouchers/bulk/async', { schema: { body: bulkUpdateSchema } }, async (req, reply) => reply.code(202).send(await voucherBulk.updateMany(causeOf(req), req.body)));
  app.post<{ Body: { codes: string[]; metadata: Record<string, unknown> } }>('/vouchers/metadata/async', { schema: { body: metadataUpdateSchema } }, async (req, reply) =>
    reply.code(202).send(await voucherBulk.updateMetadata(causeOf(req), req.body.codes, req.body.metadata)),
  );

  const create = (req: FastifyRequest, input: VoucherInput) => createVoucher(deps, causeOf(req), input);

  app.post<{ Body: VoucherInput | undefined }>('/vouchers', { schema: { body: voucherInputSchema } }, async (req) => create(req, { ...req.body }));
  // Each item is checked on its own: those refused are listed in the action's result, the others go in.
  app.post<{ Body: unknown[] }>('/vouchers/import', { schema: { body: importBodySchema } }, async (req, reply) => {
    const i = req.body.findIndex((v) => (v as VoucherInput | null)?.validation_rules !== undefined);
    if (i >= 0) throw invalidPayload(`Item ${i}: imported vouchers take no validation_rules; assign a rule to the codes' campaign, or to each code with POST /v1/validation-rules/{id}/assignments`);
    const { valid, failed } = importItems(req.body);
    return reply.code(202).send(await vouchers.importMany(causeOf(req), valid, failed));
  });
  app.get<{ Querystring: Omit<VoucherListQuery, 'created_at' | 'updated_at'> & { created_at?: DateRangeQuery; updated_at?: DateRangeQuery } }>(
    '/vouchers',
    { schema: { querystring: listQuery } },
    async (req) => {
      const q = req.query;
      const page = await vouchers.list(projectIdOf(req), { ...q, created_at: toRange(q.created_at), updated_at: toRange(q.updated_at) });
      return listOf('vouchers', page.vouchers, { total: page.total });
    },
  );
  app.post<{ Params: P; Body: VoucherInput | undefined }>('/vouchers/:code', { schema: { body: voucherInputSchema } }, async (req) =>
    create(req, { ...req.body, code: req.params.code }),
  );
  app.get<{ Params: P }>('/vouchers/:code', async (req) => {
    const v = await vouchers.view(await vouchers.find(projectIdOf(req), req.params.code));
    return { ...v, validation_rules_assignments: await rules.assignmentsOf(projectIdOf(req), 'voucher', v.id) };
  });
  app.put<{ Params: P; Body: VoucherInput }>('/vouchers/:code', { schema: { body: voucherInputSchema } }, async (req) => {
    if (req.body.validation_rules !== undefined) throw onlyAtCreation('voucher');
    return vouchers.update(causeOf(req), req.params.code, req.body);
  });
  app.delete<{ Params: P; Querystring: { force?: boolean } }>('/vouchers/:code', { schema: { querystring: forceQuery } }, async (req, reply) => {
    await vouchers.remove(causeOf(req), req.params.code, req.query.force === true);
    return reply.code(204).send();
  });
  app.post<{ Params: P }>('/vouchers/:code/enable', async (req) => vouchers.enable(causeOf(req), req.params.code));
  app.post<{ Params: P }>('/vouchers/:code/disable', async (req) => vouchers.disable(causeOf(req), req.params.code));
  app.post<{ Params: P; Body: BalanceInput }>('/vouchers/:code/balance', { schema: { body: balanceSchema } }, async (req) => balances.change(causeOf(req), req.params.code, req.body));
  app.get<{ Params: P; Querystring: { limit: number; starting_after_id?: string; order?: string } }>(
    '/vouchers/:code/transactions',
    { schema: { querystring: { type: 'object', properties: { limit: limitParam, starting_after_id: { type: 'string' }, order: { type: 'string', enum: ['id', '-id'] } } } } },
    async (req) => {
      const projectId = projectIdOf(req);
      // A loyalty card's movements are its points (the loyalty list's objects); a gift card's, its credits.
      if ((await vouchers.find(projectId, req.params.code)).type === 'LOYALTY_CARD') return deps.loyalties.transactions(projectId, req.params.code, transactionsQueryOf(req.query));
      const page = await balances.transactions(projectId, req.params.code, req.query);
      return listOf('data', page.data, { has_more: page.has_more, ...(page.more_starting_after ? { more_starting_after: page.more_starting_after } : {}) });
    },
  );
}

/**
 * The client side's voucher listing (the SDK's client `listVouchers`), when the project turns it on
 * (`client_list_vouchers_enabled`): the list's filters, and of each code only what a shop front shows (code, active,
 * dates, metadata, assets).
 */
export function clientVoucherRoutes(app: FastifyInstance, deps: { vouchers: VouchersService }): void {
  app.get<{ Querystring: Omit<VoucherListQuery, 'created_at' | 'updated_at'> & { created_at?: DateRangeQuery; updated_at?: DateRangeQuery } }>(
    '/vouchers',
    { schema: { querystring: listQuery } },
    async (req) => {
      if (req.project?.settings.client_list_vouchers_enabled !== true) throw forbidden('Client-side voucher listing is off for this project (client_list_vouchers_enabled)');
      const q = req.query;
      const page = await deps.vouchers.list(projectIdOf(req), { ...q, created_at: toRange(q.created_at), updated_at: toRange(q.updated_at) });
      const shown = (page.vouchers as Array<Record<string, unknown>>).map((v) => ({
        code: v.code,
        active: v.active,
        start_date: v.start_date ?? null,
        expiration_date: v.expiration_date ?? null,
        metadata: v.metadata ?? {},
        ...(v.assets !== undefined ? { assets: v.assets } : {}),
        created_at: v.created_at,
        object: 'voucher',
      }));
      return listOf('vouchers', shown, { total: page.total });
    },
  );
}

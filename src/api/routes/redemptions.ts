import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from '../../core/errors.js';
import { type QualificationInput, stackingRulesOf, legacyInputSchema, rollbackInputSchema, stackInputSchema, type RedemptionsService, type RollbacksService, type StackInput } from '../../modules/redemptions/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { limitParam, listOf, pageParam } from '../list.js';

type Legacy = Omit<StackInput, 'redeemables'> & { gift?: { credits?: number } };
const codeParams = { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
/** Unknown scenarios reach the service, which names the supported ones. */
const qualificationSchema = {
  type: 'object',
  properties: {
    customer: stackInputSchema.properties.customer,
    order: stackInputSchema.properties.order,
    scenario: { type: 'string', maxLength: 100 },
    options: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 50 } } },
    metadata: { type: 'object' },
    tracking_id: { type: 'string', maxLength: 500 },
  },
} as const;

/** The body is optional (the reason may come in the query). */
const rollbackBody = { ...rollbackInputSchema, type: ['object', 'null'] } as const;
const reasonQuery = { type: 'object', properties: { reason: { type: 'string', maxLength: 1000 }, tracking_id: { type: 'string', maxLength: 500 } } } as const;

/** The project's stacking rules (its settings over Voucherify's defaults). */
const rulesOf = (req: FastifyRequest) => stackingRulesOf(req.project?.settings);

const asStack = (code: string, body: Legacy | undefined): StackInput => {
  const { gift, ...rest } = body ?? {};
  return { ...rest, redeemables: [{ object: 'voucher', id: code, ...(gift ? { gift } : {}) }] };
};

/** /v1/validations, /v1/redemptions (stacked), rollbacks, and the legacy single-voucher forms. */
export function redemptionRoutes(app: FastifyInstance, deps: { redemptions: RedemptionsService; rollbacks: RollbacksService }): void {
  const { redemptions, rollbacks } = deps;
  app.post<{ Body: StackInput }>('/validations', { schema: { body: stackInputSchema } }, async (req) => redemptions.validate(causeOf(req), req.body, rulesOf(req)));
  app.post<{ Body: StackInput }>('/redemptions', { schema: { body: stackInputSchema } }, async (req) => {
    const { stack: _s, ...out } = await redemptions.redeem(causeOf(req), req.body, rulesOf(req));
    return out;
  });
  app.post<{ Body: QualificationInput }>('/qualifications', { schema: { body: qualificationSchema } }, async (req) => redemptions.qualify(causeOf(req), req.body ?? {}));
  app.get<{ Params: { id: string } }>('/redemptions/:id', { schema: { params: idParams } }, async (req) => (await redemptions.get(projectIdOf(req), req.params.id)).body);
  app.get<{ Querystring: { limit: number; page: number; voucher?: string; customer?: string } }>(
    '/redemptions',
    { schema: { querystring: { type: 'object', properties: { limit: limitParam, page: pageParam, voucher: { type: 'string' }, customer: { type: 'string' } } } } },
    async (req) => {
      const page = await redemptions.list(projectIdOf(req), { limit: req.query.limit, page: req.query.page, voucherId: req.query.voucher, customerId: req.query.customer });
      return listOf('redemptions', page.rows.map((r) => r.body), { total: page.total });
    },
  );
  app.post<{ Params: { id: string }; Body: { reason?: string; tracking_id?: string; metadata?: Record<string, unknown> }; Querystring: { reason?: string; tracking_id?: string } }>(
    '/redemptions/:id/rollback',
    { schema: { params: idParams, body: rollbackBody, querystring: reasonQuery } },
    async (req) => rollbacks.rollback(causeOf(req), req.params.id, { ...req.query, ...(req.body ?? {}) }),
  );
  app.post<{ Params: { id: string }; Body: { reason?: string; tracking_id?: string; metadata?: Record<string, unknown> }; Querystring: { reason?: string; tracking_id?: string } }>(
    '/redemptions/:id/rollbacks',
    { schema: { params: idParams, body: rollbackBody, querystring: reasonQuery } },
    async (req) => rollbacks.rollbackStack(causeOf(req), req.params.id, { ...req.query, ...(req.body ?? {}) }),
  );

  // Legacy: one voucher. An invalid voucher is a 200 with valid false and the reason, as Voucherify answers.
  app.post<{ Params: { code: string }; Body: Legacy }>('/vouchers/:code/validate', { schema: { params: codeParams, body: legacyInputSchema } }, async (req) => {
    const v = await redemptions.validate(causeOf(req), asStack(req.params.code, req.body));
    const entry = v.redeemables[0]! as { status: string; result: Record<string, any>; metadata?: unknown };
    if (!v.valid) {
      const e = entry.result.error;
      return { valid: false, code: req.params.code, reason: e.details, error: { code: e.code, key: e.key, message: e.error?.message ?? e.message, details: e.details }, tracking_id: v.tracking_id, metadata: entry.metadata ?? {} };
    }
    return { valid: true, code: req.params.code, ...entry.result, order: v.order, tracking_id: v.tracking_id, metadata: entry.metadata ?? {} };
  });
  app.post<{ Params: { code: string }; Body: Legacy }>('/vouchers/:code/redemption', { schema: { params: codeParams, body: legacyInputSchema } }, async (req) => {
    const out = await redemptions.redeem(causeOf(req), asStack(req.params.code, req.body));
    return out.redemptions[0];
  });
}

/** /client/v1/validations, /qualifications and /redemptions (the last when the project allows client-side redeeming). */
export function clientRedemptionRoutes(app: FastifyInstance, deps: { redemptions: RedemptionsService }): void {
  const { redemptions } = deps;
  app.post<{ Body: QualificationInput }>('/qualifications', { schema: { body: qualificationSchema } }, async (req) => redemptions.qualify(causeOf(req), req.body ?? {}));
  app.post<{ Body: StackInput }>('/validations', { schema: { body: stackInputSchema } }, async (req) => redemptions.validate(causeOf(req), req.body, rulesOf(req)));
  app.post<{ Body: StackInput }>('/redemptions', { schema: { body: stackInputSchema } }, async (req) => {
    if (req.project?.settings.client_redeem_enabled !== true) throw forbidden('Client-side redeeming is off for this project (client_redeem_enabled)');
    const { stack: _s, ...out } = await redemptions.redeem(causeOf(req), req.body, rulesOf(req));
    return out;
  });
}

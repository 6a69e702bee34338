import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VouchersService } from '../../modules/vouchers/index.js';
import { forbidden } from '../../core/errors.js';
import { type QualificationInput, type PromotionValidationInput, stackingRulesOf, legacyInputSchema, legacyClientQuerySchema, legacyStack, type LegacyInput, promotionValidationSchema, rollbackInputSchema, stackInputSchema, type RedemptionsService, type RollbacksService, type StackInput } from '../../modules/redemptions/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { dateRangeParam, limitParam, listOf, pageParam, toRange, type DateRangeQuery } from '../list.js';
import { valueFilters, type ListFilters } from '../../core/list-filters.js';

const codeParams = { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
const tierParams = { type: 'object', required: ['tierId'], properties: { tierId: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 500 } } } as const;
/** Unknown scenarios, sorting rules and filters reach the service, which names the supported ones. */
const qualificationSchema = {
  type: 'object',
  properties: {
    customer: stackInputSchema.properties.customer,
    order: stackInputSchema.properties.order,
    scenario: { type: 'string', maxLength: 100 },
    options: {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 50 },
        starting_after: { type: ['string', 'null'], maxLength: 100 },
        filters: { type: 'object', maxProperties: 20 },
        expand: { type: 'array', maxItems: 10, items: { type: 'string', enum: ['redeemable', 'category', 'validation_rules'] } },
        sorting_rule: { type: 'string', maxLength: 50 },
      },
    },
    metadata: { type: 'object' },
    tracking_id: { type: 'string', maxLength: 500 },
  },
} as const;

type ExamineBody = { customer?: QualificationInput['customer']; order?: QualificationInput['order']; metadata?: Record<string, unknown> };
type ExamineQuery = { audienceRulesOnly?: boolean; order?: string; limit?: number };
const examineBody = {
  type: ['object', 'null'],
  properties: { customer: stackInputSchema.properties.customer, order: stackInputSchema.properties.order, metadata: { type: 'object' }, reward: { type: 'object' } },
} as const;
/** `audienceRulesOnly` is accepted; every rule is checked. */
const examineQuery = {
  type: 'object',
  properties: { audienceRulesOnly: { type: 'boolean' }, order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at'] }, limit: { type: 'integer', minimum: 1, maximum: 100 } },
} as const;

/** The body is optional (the reason may come in the query). */
const rollbackBody = { ...rollbackInputSchema, type: ['object', 'null'] } as const;
const reasonQuery = { type: 'object', properties: { reason: { type: 'string', maxLength: 1000 }, tracking_id: { type: 'string', maxLength: 500 } } } as const;

/** GET /v1/redemptions: Voucherify's filters. */
const redemptionFilterFields = ['voucher_code', 'related_object_id', 'related_object_parent_id', 'parent_redemption_id', 'failure_code', 'result', 'object', 'customer_id', 'campaign_name', 'user_login'] as const;
const conditions = { type: 'object', properties: { conditions: { type: 'object' } } } as const;
const redemptionListQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    page: pageParam,
    voucher: { type: 'string', maxLength: 500 },
    customer: { type: 'string', maxLength: 500 },
    campaign: { type: 'string', maxLength: 500 },
    result: { anyOf: [{ type: 'string', enum: ['SUCCESS', 'FAILURE'] }, { type: 'array', maxItems: 2, items: { type: 'string', enum: ['SUCCESS', 'FAILURE'] } }] },
    order: { type: 'string', enum: ['created_at', '-created_at', 'id', '-id', 'voucher_code', '-voucher_code', 'tracking_id', '-tracking_id', 'customer_id', '-customer_id'] },
    created_at: dateRangeParam,
    filters: { type: 'object', properties: { ...Object.fromEntries(redemptionFilterFields.map((f) => [f, conditions])), junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;
type RedemptionListParams = { limit: number; page: number; voucher?: string; customer?: string; campaign?: string; result?: string | string[]; order?: string; created_at?: DateRangeQuery; filters?: ListFilters };

/** The project's stacking rules (its settings over Voucherify's defaults). */
const rulesOf = (req: FastifyRequest) => stackingRulesOf(req.project?.settings);

/** /v1/validations, /v1/redemptions (stacked), rollbacks, and the legacy single-voucher forms. */
export function redemptionRoutes(app: FastifyInstance, deps: { redemptions: RedemptionsService; rollbacks: RollbacksService; vouchers: Pick<VouchersService, 'find' | 'view'> }): void {
  const { redemptions, rollbacks } = deps;
  app.post<{ Body: StackInput }>('/validations', { schema: { body: stackInputSchema } }, async (req) => redemptions.validate(causeOf(req), req.body, rulesOf(req)));
  app.post<{ Body: StackInput }>('/redemptions', { schema: { body: stackInputSchema } }, async (req) => {
    const { stack: _s, ...out } = await redemptions.redeem(causeOf(req), req.body, rulesOf(req));
    return out;
  });
  app.post<{ Body: QualificationInput }>('/qualifications', { schema: { body: qualificationSchema } }, async (req) => redemptions.qualify(causeOf(req), req.body ?? {}, rulesOf(req)));
  // Voucherify's deprecated examines (the SDK's campaigns/vouchers.qualifications.examine).
  app.post<{ Body: ExamineBody | null; Querystring: ExamineQuery }>('/campaigns/qualification', { schema: { body: examineBody, querystring: examineQuery } }, async (req) =>
    redemptions.examine.campaigns(causeOf(req), req.body ?? {}, req.query),
  );
  app.post<{ Body: ExamineBody | null; Querystring: ExamineQuery }>('/vouchers/qualification', { schema: { body: examineBody, querystring: examineQuery } }, async (req) =>
    redemptions.examine.vouchers(causeOf(req), req.body ?? {}, req.query, async (code) => deps.vouchers.view(await deps.vouchers.find(projectIdOf(req), code))),
  );
  // The SDK's validationRules.validate: one rule against a customer, an order and metadata.
  app.post<{ Params: { id: string }; Body: ExamineBody | null }>('/validation-rules/:id/validation', { schema: { params: idParams, body: examineBody } }, async (req) =>
    redemptions.examine.rule(causeOf(req), req.params.id, req.body ?? {}),
  );
  app.get<{ Params: { id: string } }>('/redemptions/:id', { schema: { params: idParams } }, async (req) => (await redemptions.get(projectIdOf(req), req.params.id)).body);
  app.get<{ Querystring: RedemptionListParams }>('/redemptions', { schema: { querystring: redemptionListQuery } }, async (req) => {
    const q = req.query;
    const filters = valueFilters(q.filters, redemptionFilterFields, 'redemptions');
    const page = await redemptions.list(projectIdOf(req), {
      limit: q.limit, page: q.page, voucher: q.voucher, customer: q.customer, campaign: q.campaign, order: q.order,
      results: q.result === undefined ? undefined : [q.result].flat(), createdAt: toRange(q.created_at), filters,
    });
    return listOf('redemptions', page.rows.map((r) => r.body), { total: page.total });
  });
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
  app.post<{ Params: { code: string }; Body: LegacyInput }>('/vouchers/:code/validate', { schema: { params: codeParams, body: legacyInputSchema } }, async (req) =>
    redemptions.validateVoucher(causeOf(req), req.params.code, req.body),
  );
  // `?tracking_id=` names the customer of a redemption without one in the body (Voucherify's older form).
  app.post<{ Params: { code: string }; Body: LegacyInput; Querystring: { tracking_id?: string } }>(
    '/vouchers/:code/redemption',
    { schema: { params: codeParams, body: legacyInputSchema, querystring: { type: 'object', properties: { tracking_id: { type: 'string', minLength: 1, maxLength: 500 } } } } },
    async (req) => {
      const body = req.query.tracking_id !== undefined && !req.body?.customer ? { ...req.body, customer: { source_id: req.query.tracking_id } } : req.body;
      const out = await redemptions.redeem(causeOf(req), legacyStack(req.params.code, body));
      return out.redemptions[0];
    },
  );
  // The SDK's vouchers.releaseValidationSession: a LOCK session gives back what it reserved of this voucher.
  app.delete<{ Params: { code: string; key: string } }>(
    '/vouchers/:code/sessions/:key',
    { schema: { params: { type: 'object', required: ['code', 'key'], properties: { code: { type: 'string', minLength: 1, maxLength: 500 }, key: { type: 'string', minLength: 1, maxLength: 200 } } } } },
    async (req, reply) => {
      await redemptions.releaseSession(projectIdOf(req), req.params.code, req.params.key);
      return reply.code(204).send();
    },
  );
  // GET /v1/vouchers/{code}/redemption (the SDK's redemptions.getForVoucher): the voucher's redemptions, newest first.
  app.get<{ Params: { code: string }; Querystring: { limit: number; page: number } }>(
    '/vouchers/:code/redemption',
    { schema: { params: codeParams, querystring: { type: 'object', properties: { limit: limitParam, page: pageParam } } } },
    async (req) => {
      const voucher = await deps.vouchers.find(projectIdOf(req), req.params.code);
      const view = (await deps.vouchers.view(voucher)) as { redemption?: { quantity?: number | null; redeemed_quantity?: number } };
      const page = await redemptions.list(projectIdOf(req), { limit: req.query.limit, page: req.query.page, voucher: voucher.id });
      return {
        quantity: view.redemption?.quantity ?? null,
        redeemed_quantity: view.redemption?.redeemed_quantity ?? 0,
        object: 'list',
        url: `/v1/vouchers/${encodeURIComponent(voucher.code)}/redemption?page=${req.query.page}&limit=${req.query.limit}`,
        data_ref: 'redemption_entries',
        total: page.total,
        redemption_entries: page.rows.map((r) => r.body),
      };
    },
  );

  // Legacy promotion validations and the tier redemption (deprecated by Voucherify, still called by the SDK).
  app.post<{ Body: PromotionValidationInput | null }>('/promotions/validation', { schema: { body: { ...promotionValidationSchema, type: ['object', 'null'] } } }, async (req) =>
    redemptions.validatePromotions(causeOf(req), req.body ?? {}),
  );
  app.post<{ Params: { tierId: string }; Body: PromotionValidationInput | null }>(
    '/promotions/tiers/:tierId/validation',
    { schema: { params: tierParams, body: { ...promotionValidationSchema, type: ['object', 'null'] } } },
    async (req) => redemptions.validateTier(causeOf(req), req.params.tierId, req.body ?? {}),
  );
  app.post<{ Params: { tierId: string }; Body: LegacyInput | null }>('/promotions/tiers/:tierId/redemption', { schema: { params: tierParams, body: { ...legacyInputSchema, type: ['object', 'null'] } } }, async (req) => {
    const { gift: _g, reward: _r, ...rest } = req.body ?? {};
    const out = await redemptions.redeem(causeOf(req), { ...rest, redeemables: [{ object: 'promotion_tier', id: req.params.tierId }] });
    return out.redemptions[0];
  });
}

type ClientQuery = {
  code?: string;
  amount?: number;
  item?: NonNullable<StackInput['order']>['items'];
  metadata?: Record<string, unknown>;
  order?: { metadata?: Record<string, unknown> };
  customer?: StackInput['customer'];
  tracking_id?: string;
  session_type?: 'LOCK';
  session_key?: string;
  session_ttl?: number;
  session_ttl_unit?: NonNullable<StackInput['session']>['ttl_unit'];
};

/** The SDK's client.validate sends its context in the query string: the same context as a legacy body. */
function legacyBodyOf(q: ClientQuery): LegacyInput {
  const order = q.amount !== undefined || q.item !== undefined || q.order?.metadata !== undefined
    ? { ...(q.amount !== undefined ? { amount: q.amount } : {}), ...(q.item !== undefined ? { items: q.item } : {}), ...(q.order?.metadata !== undefined ? { metadata: q.order.metadata } : {}) }
    : undefined;
  const session = q.session_type !== undefined || q.session_key !== undefined
    ? { ...(q.session_type ? { type: q.session_type } : {}), ...(q.session_key ? { key: q.session_key } : {}), ...(q.session_ttl !== undefined ? { ttl: q.session_ttl } : {}), ...(q.session_ttl_unit ? { ttl_unit: q.session_ttl_unit } : {}) }
    : undefined;
  return {
    ...(order ? { order } : {}),
    ...(q.customer ? { customer: q.customer } : {}),
    ...(q.metadata ? { metadata: q.metadata } : {}),
    ...(q.tracking_id ? { tracking_id: q.tracking_id } : {}),
    ...(session ? { session } : {}),
  } as LegacyInput;
}

/** /client/v1/validations, /qualifications and /redemptions (the last when the project allows client-side redeeming). */
export function clientRedemptionRoutes(app: FastifyInstance, deps: { redemptions: RedemptionsService }): void {
  const { redemptions } = deps;
  app.post<{ Body: QualificationInput }>('/qualifications', { schema: { body: qualificationSchema } }, async (req) => redemptions.qualify(causeOf(req), req.body ?? {}, rulesOf(req)));
  app.post<{ Body: StackInput }>('/validations', { schema: { body: stackInputSchema } }, async (req) => redemptions.validate(causeOf(req), req.body, rulesOf(req)));
  app.post<{ Body: StackInput }>('/redemptions', { schema: { body: stackInputSchema } }, async (req) => {
    if (req.project?.settings.client_redeem_enabled !== true) throw forbidden('Client-side redeeming is off for this project (client_redeem_enabled)');
    const { stack: _s, ...out } = await redemptions.redeem(causeOf(req), req.body, rulesOf(req));
    return out;
  });
  // The SDK's client.validate (legacy): a code in the query validates that voucher, no code the promotion tiers.
  app.get<{ Querystring: ClientQuery }>('/validate', { schema: { querystring: legacyClientQuerySchema } }, async (req) => {
    if (req.query.code === undefined) return redemptions.validatePromotions(causeOf(req), legacyBodyOf(req.query));
    return redemptions.validateVoucher(causeOf(req), req.query.code, legacyBodyOf(req.query));
  });
  app.get<{ Querystring: ClientQuery }>('/promotions/validation', { schema: { querystring: legacyClientQuerySchema } }, async (req) =>
    redemptions.validatePromotions(causeOf(req), legacyBodyOf(req.query)),
  );
  // The SDK's client.redeem (legacy): POST /client/v1/redeem?code=..., when the project allows client-side redeeming.
  app.post<{ Querystring: { code: string; tracking_id?: string }; Body: LegacyInput | null }>(
    '/redeem',
    { schema: { querystring: { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 500 }, tracking_id: { type: 'string', maxLength: 500 } } }, body: { ...legacyInputSchema, type: ['object', 'null'] } } },
    async (req) => {
      if (req.project?.settings.client_redeem_enabled !== true) throw forbidden('Client-side redeeming is off for this project (client_redeem_enabled)');
      const body = { ...(req.query.tracking_id ? { tracking_id: req.query.tracking_id } : {}), ...(req.body ?? {}) };
      const out = await redemptions.redeem(causeOf(req), legacyStack(req.query.code, body));
      return out.redemptions[0];
    },
  );
}

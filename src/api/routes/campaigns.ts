import type { FastifyInstance } from 'fastify';
import { asyncActionObject, campaignInputSchema, categoryInputSchema, categoryObject, type CampaignInput, type CampaignListQuery, type CampaignState, type CampaignsService, type CategoriesService } from '../../modules/campaigns/index.js';
import { valueFilter, type ListFilters } from '../../core/list-filters.js';
import { voucherInputSchema, type Balances, type VoucherInput, type VouchersService } from '../../modules/vouchers/index.js';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import type { CampaignSummary, SummaryQuery } from '../../modules/campaign-summary/index.js';
import { invalidCampaign, invalidQueryParams } from '../../core/errors.js';
import { tierInputSchema, type PromotionsService, type TierInput } from '../../modules/promotions/index.js';
import type { ValidationRulesService } from '../../modules/validation-rules/index.js';
import { createVoucher, onlyAtCreation } from '../rule-assignments.js';
import { importBodySchema, importItems } from '../voucher-import.js';
import { causeOf, projectIdOf } from '../auth.js';
import { forceQuery, limitParam, listOf, transactionsListQuery, transactionsQueryOf, type TransactionsListQuery } from '../list.js';

type P = { campaignId: string };

const listQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    page: { type: 'integer', minimum: 1, maximum: 1000, default: 1 },
    campaign_type: { type: 'string', enum: ['PROMOTION', 'GIFT_VOUCHERS', 'REFERRAL_PROGRAM', 'DISCOUNT_COUPONS', 'LOYALTY_PROGRAM'] },
    is_referral_code: { type: 'boolean' },
    order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'name', '-name'] },
    expand: { type: 'string' },
    campaign_status: { type: 'string', enum: ['DONE', 'IN_PROGRESS', 'FAILED', 'DRAFT', 'MODIFYING'] },
    filters: { type: 'object', properties: { junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;

/** `filters[...]` of the campaigns list: fields of values, and the time-dependent states of `active` and `status`. */
const campaignValueFilters = ['campaigns', 'campaigns_id', 'campaign_status', 'type', 'voucher_type', 'category_ids', 'categories', 'is_referral_code'] as const;
const stateOperators: Record<'active' | 'status', Record<string, CampaignState>> = {
  active: { $enabled: 'enabled', $disabled: 'disabled', $active: 'active', $expired: 'expired' },
  status: { $active: 'generated', $failed: 'failed', $in_progress: 'in_progress', $expired: 'expired', before_start: 'before_start', $before_start: 'before_start' },
};

function campaignFilters(raw: ListFilters | undefined): Pick<CampaignListQuery, 'filters' | 'states'> {
  const states: CampaignState[] = [];
  for (const [field, entry] of Object.entries(raw ?? {})) {
    if (field === 'junction') continue;
    if (field === 'active' || field === 'status') {
      const ops = Object.keys((typeof entry === 'object' ? entry.conditions : undefined) ?? {});
      for (const op of ops) {
        const state = stateOperators[field][op];
        if (!state) throw invalidQueryParams(`Query filters.${field}.conditions.${op} is not supported; use ${Object.keys(stateOperators[field]).join(', ')}`);
        states.push(state);
      }
    } else if (!(campaignValueFilters as readonly string[]).includes(field)) {
      throw invalidQueryParams(`Query filters.${field} is not a filter of campaigns; use ${[...campaignValueFilters, 'active', 'status'].join(', ')}`);
    }
  }
  return { filters: Object.fromEntries(campaignValueFilters.map((f) => [f, valueFilter(raw, f)])), states };
}

/** A campaign's body, with a PROMOTION's tiers checked as the tiers endpoint checks them. */
const campaignBody = {
  ...campaignInputSchema,
  properties: { ...campaignInputSchema.properties, promotion: { type: 'object', properties: { tiers: { type: 'array', maxItems: 100, items: tierInputSchema } } } },
} as const;

/** Tiers a PROMOTION campaign's object lists (the first 100, in hierarchy order). */
const shownTiers = 100;

/** /v1/campaigns, /v1/categories and /v1/async-actions. */
export function campaignRoutes(app: FastifyInstance, deps: { campaigns: CampaignsService; vouchers: VouchersService; categories: CategoriesService; promotions: PromotionsService; validationRules: ValidationRulesService; balances: Balances; loyalties: LoyaltiesService; campaignSummary: CampaignSummary }): void {
  const { campaigns, vouchers, categories, promotions, validationRules: rules } = deps;

  /** A PROMOTION campaign shows its tiers as they are. */
  async function withTiers<T extends { id: string; campaign_type: string }>(projectId: string, c: T): Promise<T> {
    if (c.campaign_type !== 'PROMOTION') return c;
    const page = await promotions.list(projectId, { campaignId: c.id, limit: shownTiers, page: 1 });
    return { ...c, promotion: { object: 'list', data_ref: 'tiers', tiers: page.tiers, total: page.total, has_more: page.total > shownTiers } };
  }

  /** The campaign with the assignments of the rules that guard it, as Voucherify's campaign object lists them. */
  async function withAssignments<T extends { id: string }>(projectId: string, c: T): Promise<T> {
    return { ...c, validation_rules_assignments: await rules.assignmentsOf(projectId, 'campaign', c.id) };
  }

  // The rule named in `validation_rules` (and each tier's) is assigned in the transaction that creates them.
  app.post<{ Body: CampaignInput }>('/campaigns', { schema: { body: campaignBody } }, async (req) => {
    const cause = causeOf(req);
    const body = req.body;
    const tierInputs = (body.promotion?.tiers ?? []) as TierInput[];
    const created =
      body.campaign_type === 'PROMOTION'
        ? await promotions.createCampaign(cause, body, async (tx, c, tiers) => {
            await rules.assignNamed(tx, cause, body.validation_rules, 'campaign', c.id);
            for (const [i, t] of tiers.entries()) await rules.assignNamed(tx, cause, tierInputs[i]?.validation_rules, 'promotion_tier', t.id);
          })
        : await campaigns.create(cause, body, (tx, c) => rules.assignNamed(tx, cause, body.validation_rules, 'campaign', c.id));
    if (body.validation_rules?.length || tierInputs.some((t) => t.validation_rules?.length)) await rules.changed(cause.projectId);
    return withAssignments(cause.projectId, await withTiers(cause.projectId, created));
  });
  app.get<{ Querystring: Omit<CampaignListQuery, 'filters' | 'states'> & { filters?: ListFilters } }>(
    '/campaigns',
    { schema: { querystring: listQuery } },
    async (req) => {
      const { filters, ...q } = req.query;
      const page = await campaigns.list(projectIdOf(req), { ...q, ...campaignFilters(filters) });
      return listOf('campaigns', page.campaigns, { total: page.total });
    },
  );
  app.get<{ Params: P }>('/campaigns/:campaignId', async (req) => {
    const projectId = projectIdOf(req);
    return withAssignments(projectId, await withTiers(projectId, await campaigns.view(projectId, await campaigns.counted(projectId, req.params.campaignId))));
  });
  app.put<{ Params: P; Body: CampaignInput }>('/campaigns/:campaignId', { schema: { body: campaignInputSchema } }, async (req) => {
    if (req.body.validation_rules !== undefined) throw onlyAtCreation('campaign');
    const projectId = projectIdOf(req);
    return withAssignments(projectId, await withTiers(projectId, await campaigns.update(causeOf(req), req.params.campaignId, req.body)));
  });
  // The campaign's figures (whole days, UTC; start_date and end_date both counted).
  app.get<{ Params: P; Querystring: SummaryQuery }>(
    '/campaigns/:campaignId/summary',
    { schema: { querystring: { type: 'object', properties: { start_date: { type: 'string', maxLength: 10 }, end_date: { type: 'string', maxLength: 10 } } } } },
    async (req) => deps.campaignSummary.summary(projectIdOf(req), req.params.campaignId, req.query),
  );
  // A gift card campaign's or loyalty program's transactions (its cards' credits or points), newest first.
  app.get<{ Params: P; Querystring: TransactionsListQuery }>(
    '/campaigns/:campaignId/transactions',
    { schema: { querystring: transactionsListQuery } },
    async (req) => {
      const projectId = projectIdOf(req);
      const q = transactionsQueryOf(req.query);
      const c = await campaigns.get(projectId, req.params.campaignId);
      if (c.campaign_type === 'LOYALTY_PROGRAM') return deps.loyalties.programTransactions(projectId, c.id, q);
      if (c.campaign_type !== 'GIFT_VOUCHERS') throw invalidCampaign(`Campaign ${c.id} is a ${c.campaign_type}: transactions belong to gift card campaigns and loyalty programs`);
      const page = await deps.balances.campaignTransactions(projectId, c.id, q);
      return listOf('data', page.data, { has_more: page.has_more, ...(page.more_starting_after ? { more_starting_after: page.more_starting_after } : {}) });
    },
  );
  app.delete<{ Params: P; Querystring: { force?: boolean } }>('/campaigns/:campaignId', { schema: { querystring: forceQuery } }, async (req, reply) =>
    reply.code(202).send(await campaigns.remove(causeOf(req), req.params.campaignId, req.query.force === true)),
  );
  app.post<{ Params: P }>('/campaigns/:campaignId/enable', async (req) => {
    await campaigns.enable(causeOf(req), req.params.campaignId);
    return {};
  });
  app.post<{ Params: P }>('/campaigns/:campaignId/disable', async (req) => {
    await campaigns.disable(causeOf(req), req.params.campaignId);
    return {};
  });
  // One more code in a campaign: random (POST .../vouchers) or given (POST .../vouchers/{code}).
  // One code (the voucher), or with `vouchers_count` above 1 that many from the campaign's code_config in the
  // background (202 with the async action).
  app.post<{ Params: P; Body: VoucherInput | undefined; Querystring: { vouchers_count?: number } }>(
    '/campaigns/:campaignId/vouchers',
    { schema: { body: { ...voucherInputSchema, type: ['object', 'null'] }, querystring: { type: 'object', properties: { vouchers_count: { type: 'integer', minimum: 1, maximum: 10_000_000 } } } } },
    async (req, reply) => {
      const count = req.query.vouchers_count ?? 1;
      if (count === 1) return createVoucher(deps, causeOf(req), { ...req.body, code: undefined, campaign_id: undefined, campaign: req.params.campaignId });
      const sent = Object.keys(req.body ?? {});
      if (sent.length > 0) throw invalidCampaign(`Codes added in bulk (vouchers_count ${count}) are made from the campaign as it is; send no attributes (${sent.join(', ')}), or add codes one at a time`);
      return reply.code(202).send(await campaigns.addCodes(causeOf(req), req.params.campaignId, count));
    },
  );
  app.post<{ Params: P & { code: string }; Body: VoucherInput | undefined }>('/campaigns/:campaignId/vouchers/:code', { schema: { body: voucherInputSchema } }, async (req) =>
    createVoucher(deps, causeOf(req), { ...req.body, code: req.params.code, campaign_id: undefined, campaign: req.params.campaignId }),
  );
  app.post<{ Params: P; Body: unknown[] }>('/campaigns/:campaignId/import', { schema: { body: importBodySchema } }, async (req, reply) => {
    const campaign = await campaigns.get(projectIdOf(req), req.params.campaignId);
    const { valid, failed } = importItems(req.body, campaign.id);
    return reply.code(202).send(await vouchers.importMany(causeOf(req), valid, failed));
  });

  app.get('/categories', async (req) => {
    const rows = await categories.list(projectIdOf(req));
    return listOf('data', rows.map(categoryObject), { total: rows.length });
  });
  app.post<{ Body: { name: string; hierarchy: number } }>('/categories', { schema: { body: categoryInputSchema } }, async (req) =>
    categoryObject(await categories.create(projectIdOf(req), req.body)),
  );
  app.get<{ Params: { categoryId: string } }>('/categories/:categoryId', async (req) => categoryObject(await categories.get(projectIdOf(req), req.params.categoryId)));
  app.put<{ Params: { categoryId: string }; Body: { name: string; hierarchy: number } }>('/categories/:categoryId', { schema: { body: categoryInputSchema } }, async (req) =>
    categoryObject(await categories.update(projectIdOf(req), req.params.categoryId, req.body)),
  );
  app.delete<{ Params: { categoryId: string } }>('/categories/:categoryId', async (req, reply) => {
    await categories.remove(projectIdOf(req), req.params.categoryId);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/async-actions/:id', async (req) => asyncActionObject(await campaigns.actions.get(projectIdOf(req), req.params.id)));
  app.get<{ Querystring: { limit: number } }>('/async-actions', { schema: { querystring: { type: 'object', properties: { limit: limitParam } } } }, async (req) => {
    const rows = await campaigns.actions.list(projectIdOf(req), req.query.limit);
    return listOf('async_actions', rows.map(asyncActionObject));
  });
}

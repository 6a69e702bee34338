import type { Clock } from '../../core/clock.js';
import { duplicate, invalidCampaign, invalidPayload, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { valueFilters } from '../../core/list-filters.js';
import { isUniqueViolation, type Db, type Executor } from '../../store/db.js';
import type { CampaignInput, CampaignRow, CampaignsService, Validity } from '../campaigns/index.js';
import type { Cause } from '../event-log/index.js';
import type { PromotionsService, TierInput, TierRow } from '../promotions/index.js';
import type { RelatedObjectType, ValidationRulesService } from '../validation-rules/index.js';
import * as sql from './sql.js';
import type { CampaignSetupInput, TemplateDefinition, TemplateInput, TemplateListQuery, TemplateRow, TemplateRule, TemplateType } from './types.js';
import { templateTypes } from './types.js';
import { templateObject } from './view.js';

/** A campaign's attributes a template keeps (besides its voucher, type and join_once). */
const keptKeys = ['description', 'auto_join', 'use_voucher_metadata_schema', 'activity_duration_after_publishing', 'metadata', 'start_date', 'expiration_date', 'validity_timeframe', 'validity_day_of_week', 'validity_hours'] as const;
/** What a campaign setup may change of its template (the voucher's code_config and redemption apart). */
const setupKeys = [...keptKeys, 'type', 'join_once', 'vouchers_count', 'category', 'category_id'] as const;
const validityKeys = ['start_date', 'expiration_date', 'validity_timeframe', 'validity_day_of_week', 'validity_hours'] as const;

/** A resource a setup added to the project (here: the copies of the template's validation rules). */
export interface CreatedResource {
  id: string;
  object: 'validation_rules';
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** `filters[id|name|campaign_type][conditions][$in|$is|$not_in|$is_not]`. */
function filterOf(filters: TemplateListQuery['filters']): sql.TemplateFilter {
  return valueFilters(filters, ['id', 'name', 'campaign_type'], 'campaign templates');
}

/**
 * Campaign templates: made from a discount or gift card campaign (or a promotion tier, kept as a discount campaign);
 * a setup creates a campaign, or a promotion tier of a PROMOTION campaign, from one, with new copies of its rules.
 */
export function createCampaignTemplatesService(deps: { db: Db; clock: Clock; campaigns: CampaignsService; promotions: PromotionsService; validationRules: ValidationRulesService }) {
  const { db, clock, campaigns, promotions, validationRules: rules } = deps;

  async function get(projectId: string, id: string): Promise<TemplateRow> {
    const t = await sql.selectTemplate(db, projectId, id);
    if (!t) throw notFound('campaign_template', id);
    return t;
  }

  /** The definitions of the rules assigned to an object, to be copied at each setup. */
  async function rulesOf(projectId: string, type: RelatedObjectType, id: string): Promise<TemplateRule[]> {
    const assigned = await rules.assignedTo(db, projectId, [{ type, id }]);
    return assigned.map(({ rule: r }) => ({ name: r.name, type: r.type, context_type: r.context_type, rules: r.rules, bundle_rules: r.bundle_rules, error: r.error, applicable_to: r.applicable_to }));
  }

  async function fromCampaign(projectId: string, id: string): Promise<{ type: TemplateType; definition: TemplateDefinition; rules: TemplateRule[] }> {
    const c: CampaignRow = await campaigns.get(projectId, id);
    if (!(templateTypes as readonly string[]).includes(c.campaign_type)) {
      throw invalidCampaign(`Campaign ${c.id} is a ${c.campaign_type}: templates are made from DISCOUNT_COUPONS and GIFT_VOUCHERS campaigns (or from a promotion tier)`);
    }
    const definition: TemplateDefinition = { type: c.type, join_once: c.join_once, ...pick(c.definition, keptKeys), ...(c.definition.voucher ? { voucher: c.definition.voucher } : {}) };
    return { type: c.campaign_type as TemplateType, definition, rules: await rulesOf(projectId, 'campaign', c.id) };
  }

  async function fromTier(projectId: string, id: string): Promise<{ type: TemplateType; definition: TemplateDefinition; rules: TemplateRule[] }> {
    const [t] = await promotions.byIds(db, projectId, [id]);
    if (!t) throw notFound('promotion_tier', id);
    const definition: TemplateDefinition = {
      type: 'AUTO_UPDATE',
      join_once: false,
      description: t.banner,
      metadata: t.metadata,
      ...pick(t.validity, validityKeys),
      voucher: { type: 'DISCOUNT_VOUCHER', discount: t.action.discount ?? {} },
    };
    return { type: 'DISCOUNT_COUPONS', definition, rules: await rulesOf(projectId, 'promotion_tier', t.id) };
  }

  async function insert(row: TemplateRow): Promise<TemplateRow> {
    if (!(await sql.insertTemplate(db, row))) throw duplicate('campaign_template', 'name', row.name);
    return row;
  }

  /** POST /v1/templates/campaigns: from a campaign or a promotion tier (one of them). */
  async function create(projectId: string, input: TemplateInput) {
    const hasCampaign = input.campaign_id !== undefined && input.campaign_id !== null;
    const hasTier = input.promotion_tier_id !== undefined && input.promotion_tier_id !== null;
    if (hasCampaign === hasTier) throw invalidPayload('A template is made from one campaign_id or one promotion_tier_id: send exactly one of them');
    const source = hasCampaign ? await fromCampaign(projectId, input.campaign_id!) : await fromTier(projectId, input.promotion_tier_id!);
    const now = clock.now();
    return templateObject(
      await insert({ id: newId('camp_tpl', 18), project_id: projectId, name: input.name, description: input.description ?? null, campaign_type: source.type, definition: source.definition, rules: source.rules, created_at: now, updated_at: null }),
    );
  }

  async function update(projectId: string, id: string, input: { name?: string | null; description?: string | null }) {
    const current = await get(projectId, id);
    const name = input.name ?? current.name;
    const row = await sql.updateTemplate(db, { id: current.id, project_id: projectId, name, description: input.description !== undefined ? input.description : current.description, updated_at: clock.now() }).catch((err: unknown) => {
      throw isUniqueViolation(err, 'campaign_templates_name_unique') ? duplicate('campaign_template', 'name', name) : err;
    });
    if (!row) throw notFound('campaign_template', id);
    return templateObject(row);
  }

  async function remove(projectId: string, id: string): Promise<void> {
    if (!(await sql.deleteTemplate(db, projectId, id))) throw notFound('campaign_template', id);
  }

  async function list(projectId: string, q: TemplateListQuery) {
    const page = await sql.selectPage(db, projectId, { limit: q.limit, descending: q.order === '-id', afterId: q.starting_after_id, filter: filterOf(q.filters), withTotal: q.include_total === true });
    const shown = page.rows.slice(0, q.limit);
    const hasMore = page.rows.length > q.limit;
    return {
      object: 'list' as const,
      data_ref: 'data' as const,
      data: shown.map(templateObject),
      ...(page.total !== undefined ? { total: page.total } : {}),
      has_more: hasMore,
      ...(hasMore ? { more_starting_after: shown[shown.length - 1]!.id } : {}),
    };
  }

  /** New rules copied from the template's and assigned to the new object, in its creating transaction. */
  async function copyRules(tx: Executor, cause: Cause, t: TemplateRow, type: RelatedObjectType, objectId: string, created: CreatedResource[]): Promise<void> {
    for (const source of t.rules) {
      const rule = await rules.copyIn(tx, cause, source, `${source.name} · ${objectId}`);
      await rules.assignIn(tx, cause, rule.id, { related_object_type: type, related_object_id: objectId });
      created.push({ id: rule.id, object: 'validation_rules' });
    }
  }

  /** POST .../campaign-setup: a campaign with the template's configuration and what the body changes of it. */
  async function setupCampaign(cause: Cause, id: string, input: CampaignSetupInput) {
    const t = await get(cause.projectId, id);
    if (input.validation_rules !== undefined) throw invalidPayload("A campaign made from a template gets new copies of the template's validation rules; assign other rules afterwards with POST /v1/validation-rules/{id}/assignments");
    const changes: NonNullable<CampaignSetupInput['voucher']> = input.voucher ?? {};
    const voucher = t.definition.voucher
      ? { ...t.definition.voucher, ...(changes.code_config ? { code_config: changes.code_config } : {}), ...(changes.redemption ? { redemption: changes.redemption } : {}) }
      : undefined;
    const campaign: CampaignInput = { ...t.definition, ...pick(input, setupKeys), name: input.name, campaign_type: t.campaign_type, ...(voucher ? { voucher: voucher as CampaignInput['voucher'] } : {}) };
    const created: CreatedResource[] = [];
    const made = await campaigns.create(cause, campaign, (tx, row) => copyRules(tx, cause, t, 'campaign', row.id, created));
    if (created.length > 0) await rules.changed(cause.projectId);
    return { created_resources: created, campaign: made, object: 'campaign_setup' as const };
  }

  /** POST .../tier-setup: a promotion tier of a PROMOTION campaign with the template's discount. */
  async function setupTier(cause: Cause, id: string, input: TierInput & { campaign_id: string }) {
    const t = await get(cause.projectId, id);
    if (t.campaign_type !== 'DISCOUNT_COUPONS') throw invalidCampaign(`Template ${t.id} is of a ${t.campaign_type} campaign: promotion tiers are set up from templates of discounts (DISCOUNT_COUPONS)`);
    if (!t.definition.voucher?.discount) throw invalidCampaign(`Template ${t.id} holds no discount (its code is a ${String(t.definition.voucher?.type ?? 'voucher')} of no discount): a promotion tier needs one`);
    if (input.validation_rules !== undefined) throw invalidPayload("A promotion tier made from a template gets new copies of the template's validation rules; assign other rules afterwards with POST /v1/validation-rules/{id}/assignments");
    const validity: Validity = { ...pick(t.definition, validityKeys), ...pick(input, validityKeys) };
    const tier: TierInput = {
      ...validity,
      name: input.name,
      banner: input.banner !== undefined ? input.banner : (t.definition.description ?? null),
      action: { discount: t.definition.voucher.discount },
      metadata: input.metadata ?? t.definition.metadata ?? {},
      ...pick(input, ['hierarchy', 'active', 'category_id'] as const),
    };
    const created: CreatedResource[] = [];
    const made = await promotions.create(cause, input.campaign_id, tier, (tx, row: TierRow) => copyRules(tx, cause, t, 'promotion_tier', row.id, created));
    if (created.length > 0) await rules.changed(cause.projectId);
    return { created_resources: created, promotion_tier: made, object: 'promotion_tier_setup' as const };
  }

  /** The management API's copy: the same template in another project (its rules as definitions, set up there). */
  async function copy(projectId: string, id: string, input: { name: string; description?: string | null; destination_project_id: string }) {
    const t = await get(projectId, id);
    const now = clock.now();
    return templateObject(
      await insert({ ...t, id: newId('camp_tpl', 18), project_id: input.destination_project_id, name: input.name, description: input.description !== undefined ? input.description : t.description, created_at: now, updated_at: null }),
    );
  }

  return { create, get: async (projectId: string, id: string) => templateObject(await get(projectId, id)), update, remove, list, setupCampaign, setupTier, copy };
}

export type CampaignTemplatesService = ReturnType<typeof createCampaignTemplatesService>;

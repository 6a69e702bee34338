import type { Clock } from '../../core/clock.js';
import { duplicate, invalidCampaign as invalid, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { ValueFilter } from '../../core/list-filters.js';
import { isUniqueViolation, type Db, type Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import type { Cause, EventLog } from '../event-log/index.js';
import type { TrashBin } from '../trash-bin/index.js';
import { checkUnitTypes, type UnknownUnits } from '../discounts/index.js';
import { checkCapacity, codeShape } from './codes.js';
import * as sql from './sql.js';
import type { AsyncActionRow, CampaignInput, CampaignRow, CampaignType, CategoryRow, VoucherTemplate, VoucherType } from './types.js';
import { campaignObject, simpleCampaign } from './view.js';
import { checkTiersExpiration, checkValidity, expirationRulesProblem } from './validity.js';
import { createRecentCampaigns } from './recent.js';
import { checkReferralProgram } from './referral-program.js';

/** The voucher type each campaign type makes. */
const voucherTypeOf: Record<Exclude<CampaignType, 'PROMOTION'>, VoucherType> = {
  DISCOUNT_COUPONS: 'DISCOUNT_VOUCHER',
  GIFT_VOUCHERS: 'GIFT_VOUCHER',
  REFERRAL_PROGRAM: 'DISCOUNT_VOUCHER',
  LOYALTY_PROGRAM: 'LOYALTY_CARD',
};

/** Which field each discount type needs. */
const discountNeeds: Record<string, string> = { AMOUNT: 'amount_off', PERCENT: 'percent_off', FIXED: 'fixed_amount', UNIT: 'unit_type' };

export const generationAction = 'CAMPAIGN_VOUCHERS_GENERATION';

/** Checks a voucher template (of a campaign or a standalone voucher) and fills what follows from its type. */
export function checkTemplate(t: VoucherTemplate, expected?: VoucherType): VoucherTemplate {
  const type = t.type ?? expected;
  if (!type) throw invalid("Property .voucher should have required property 'type'");
  if (expected && type !== expected && !(expected === 'DISCOUNT_VOUCHER' && type === 'GIFT_VOUCHER')) {
    throw invalid(`Property .voucher.type must be ${expected} for this campaign type`);
  }
  if (type === 'DISCOUNT_VOUCHER') {
    if (!t.discount) throw invalid("Property .voucher should have required property 'discount' for a DISCOUNT_VOUCHER");
    const need = discountNeeds[String(t.discount.type)]!;
    if (t.discount[need] === undefined && !(t.discount.type === 'UNIT' && t.discount.units)) {
      throw invalid(`Property .voucher.discount should have required property '${need}' for a ${String(t.discount.type)} discount`);
    }
  }
  if (type === 'GIFT_VOUCHER' && !t.gift) throw invalid("Property .voucher should have required property 'gift' for a GIFT_VOUCHER");
  if (type === 'LOYALTY_CARD' && !t.loyalty_card) throw invalid("Property .voucher should have required property 'loyalty_card' for a LOYALTY_CARD");
  const expiry = expirationRulesProblem(t.loyalty_card?.expiration_rules);
  if (expiry) throw invalid(`Property .voucher.loyalty_card.expiration_rules ${expiry}`);
  const out: VoucherTemplate = { ...t, type };
  if (out.gift) out.gift = { ...out.gift, balance: out.gift.balance ?? out.gift.amount };
  codeShape(out.code_config);
  return out;
}

/** Checks a resource's metadata against the project's metadata schema of it (given at composition). */
/** An async action done within its request: how many items it had, how many it did, and its report. */
export interface DoneAction {
  id: string;
  type: string;
  target: number;
  done: number;
  result: Record<string, unknown>;
}

/** GET /v1/campaigns: what the list is narrowed to (`states`: the time-dependent `filters[active|status]`). */
export interface CampaignListQuery {
  limit: number;
  page: number;
  campaign_type?: string;
  is_referral_code?: boolean;
  campaign_status?: string;
  order?: string;
  filters?: Record<string, ValueFilter | undefined>;
  states?: sql.CampaignState[];
}

/** Checks metadata against the project's schema; inside a transaction, give it (the schemas are read with it). */
export type MetadataCheck = (projectId: string, relatedObject: string, metadata: Record<string, unknown> | null | undefined, ex?: Executor) => Promise<void>;

export function createCampaignsService(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; checkMetadata?: MetadataCheck; definitions?: Pick<Definitions, 'watch' | 'changed'>; bin?: Pick<TrashBin, 'keep'>; unknownUnits?: UnknownUnits }) {
  const { db, clock, log } = deps;
  const recent = createRecentCampaigns(deps.definitions);
  /** After a change to a campaign committed: cached copies (here and, by NOTIFY, in other processes) are dropped. */
  const announce = (projectId: string) => deps.definitions?.changed(projectId);

  /** The campaign, without counting its codes (see counted). */
  async function get(projectId: string, idOrName: string, tx: Executor = db): Promise<CampaignRow> {
    const row = await sql.selectCampaign(tx, projectId, idOrName);
    if (!row) throw notFound('campaign', idOrName);
    return row;
  }

  /** The campaign with vouchers_count, for answers that show it. */
  async function counted(projectId: string, idOrName: string): Promise<CampaignRow> {
    const row = await sql.selectCampaign(db, projectId, idOrName, { counted: true });
    if (!row) throw notFound('campaign', idOrName);
    return row;
  }

  async function category(projectId: string, id: string | null | undefined, name: string | null | undefined, ex: Executor = db): Promise<string | null> {
    const key = id ?? name;
    if (key === undefined || key === null) return null;
    const c = await sql.selectCategory(ex, projectId, key);
    if (!c) throw notFound('category', key);
    return c.id;
  }

  async function categoriesOf(projectId: string, rows: CampaignRow[], tx: Executor = db): Promise<CategoryRow[]> {
    return rows.some((r) => r.category_id) ? sql.selectCategories(tx, projectId) : [];
  }

  /** The campaign object; in a transaction, pass it (on PGlite a query beside an open transaction waits for it). */
  async function view(projectId: string, row: CampaignRow, tx: Executor = db) {
    return campaignObject(row, await categoriesOf(projectId, [row], tx));
  }

  /**
   * POST /v1/campaigns. `within` runs in the creating transaction after campaign.created is recorded (a PROMOTION's
   * tiers are created there by the promotions module, so that the campaign and its tiers commit together).
   */
  async function create(cause: Cause, input: CampaignInput, within?: (tx: Executor, row: CampaignRow) => Promise<void>) {
    if (!input.name) throw invalid("Payload should have required property 'name'");
    if (!input.campaign_type) throw invalid("Payload should have required property 'campaign_type'");
    const campaignType = input.campaign_type;
    const kind = input.type ?? 'AUTO_UPDATE';
    let count = input.vouchers_count ?? 0;
    let voucher: VoucherTemplate | undefined;
    if (campaignType === 'PROMOTION') {
      if (input.voucher) throw invalid('A PROMOTION campaign has tiers, not a voucher');
      if (count > 0) throw invalid('A PROMOTION campaign has no codes: vouchers_count must be 0');
    } else {
      if (!input.voucher) throw invalid("Payload should have required property 'voucher'");
      voucher = checkTemplate(input.voucher, voucherTypeOf[campaignType]);
      if (campaignType === 'REFERRAL_PROGRAM') voucher.is_referral_code = true;
      if (kind === 'STANDALONE') count = 1;
      checkCapacity(codeShape(voucher.code_config), voucher.code_config, count);
    }
    checkValidity(input);
    if (input.referral_program !== undefined && campaignType !== 'REFERRAL_PROGRAM') throw invalid('Only a REFERRAL_PROGRAM campaign has a referral_program');
    if (input.loyalty_tiers_expiration !== undefined) {
      if (campaignType !== 'LOYALTY_PROGRAM') throw invalid('Only a LOYALTY_PROGRAM campaign has loyalty_tiers_expiration');
      checkTiersExpiration(input.loyalty_tiers_expiration);
    }
    if (input.referral_program !== undefined) await checkReferralProgram(db, cause.projectId, input.referral_program);
    await deps.checkMetadata?.(cause.projectId, 'campaign', input.metadata);
    await checkUnitTypes(db, cause.projectId, voucher?.discount, deps.unknownUnits);
    const now = clock.now();
    const row: CampaignRow = {
      id: newId('camp'),
      project_id: cause.projectId,
      name: input.name,
      campaign_type: campaignType,
      type: kind,
      active: true,
      // Loyalty programs give each customer one card; standalone campaigns one public code.
      join_once: campaignType === 'LOYALTY_PROGRAM' ? true : kind === 'STANDALONE' ? false : (input.join_once ?? false),
      category_id: await category(cause.projectId, input.category_id, input.category),
      definition: {
        description: input.description ?? null,
        ...(voucher ? { voucher } : {}),
        auto_join: input.auto_join ?? false,
        use_voucher_metadata_schema: input.use_voucher_metadata_schema ?? true,
        activity_duration_after_publishing: input.activity_duration_after_publishing ?? null,
        metadata: input.metadata ?? {},
        start_date: input.start_date ?? null,
        expiration_date: input.expiration_date ?? null,
        validity_timeframe: input.validity_timeframe ?? null,
        validity_day_of_week: input.validity_day_of_week ?? null,
        validity_hours: input.validity_hours ?? null,
        // A PROMOTION's tiers are rows of their own (the promotions module); the definition keeps none.
        ...(campaignType === 'PROMOTION' ? { promotion: { tiers: [] } } : {}),
        ...(campaignType === 'REFERRAL_PROGRAM' ? { referral_program: input.referral_program ?? { conversion_event_type: 'redemption' } } : {}),
        ...(input.loyalty_tiers_expiration ? { loyalty_tiers_expiration: input.loyalty_tiers_expiration } : {}),
      },
      generation_status: count > 0 ? 'IN_PROGRESS' : 'DONE',
      created_at: now,
      updated_at: null,
      vouchers_count: 0,
    };
    const action: AsyncActionRow | undefined =
      count > 0
        ? { id: newId('aa'), project_id: cause.projectId, type: generationAction, status: 'ENQUEUED', campaign_id: row.id, target: count, progress: 0, idle_rounds: 0, result: null, cause, created_at: now, updated_at: null }
        : undefined;
    const categories = await categoriesOf(cause.projectId, [row]);
    await db.transaction(async (tx) => {
      try {
        await sql.insertCampaign(tx, row);
      } catch (err) {
        if (isUniqueViolation(err, 'campaigns_name_unique')) throw duplicate('campaign', 'name', row.name);
        throw err;
      }
      if (action) await sql.insertAsyncAction(tx, action);
      const campaign = campaignObject(row, categories);
      await log.record(tx, [{ cause, event: { type: 'campaign.created', entityId: row.id, data: { campaign, created_at: now.toISOString() } } }]);
      await within?.(tx, row);
    });
    return { ...campaignObject(row, categories), ...(action ? { async_action_id: action.id } : {}) };
  }

  /** PUT: the fields sent change; campaign_type and code counts do not. */
  async function update(cause: Cause, idOrName: string, input: CampaignInput) {
    const out = await updateRow(cause, idOrName, input);
    await announce(cause.projectId);
    return out;
  }

  async function updateRow(cause: Cause, idOrName: string, input: CampaignInput) {
    // Reads of other tables first: on PGlite nothing else runs while the transaction is open.
    if (input.metadata !== undefined) await deps.checkMetadata?.(cause.projectId, 'campaign', input.metadata);
    const categoryId = input.category_id !== undefined || input.category !== undefined ? await category(cause.projectId, input.category_id, input.category) : undefined;
    return db.transaction(async (tx) => {
      const current = await sql.selectCampaign(tx, cause.projectId, idOrName, { lock: true, counted: input.voucher?.code_config != null });
      if (!current) throw notFound('campaign', idOrName);
      if (input.campaign_type !== undefined && input.campaign_type !== current.campaign_type) throw invalid('Property .campaign_type cannot be changed');
      const d = { ...current.definition };
      for (const k of ['description', 'auto_join', 'use_voucher_metadata_schema', 'activity_duration_after_publishing', 'start_date', 'expiration_date', 'validity_timeframe', 'validity_day_of_week', 'validity_hours'] as const) {
        if (input[k] !== undefined) (d as Record<string, unknown>)[k] = input[k];
      }
      if (input.metadata !== undefined) d.metadata = input.metadata ?? {};
      if (input.loyalty_tiers_expiration !== undefined) {
        if (current.campaign_type !== 'LOYALTY_PROGRAM') throw invalid('Only a LOYALTY_PROGRAM campaign has loyalty_tiers_expiration');
        checkTiersExpiration(input.loyalty_tiers_expiration);
        d.loyalty_tiers_expiration = input.loyalty_tiers_expiration;
      }
      if (input.referral_program !== undefined) {
        if (current.campaign_type !== 'REFERRAL_PROGRAM') throw invalid('Only a REFERRAL_PROGRAM campaign has a referral_program');
        await checkReferralProgram(tx, cause.projectId, input.referral_program);
        d.referral_program = input.referral_program;
      }
      if (input.voucher !== undefined) {
        const was = d.voucher;
        if (!was) throw invalid('A PROMOTION campaign has tiers, not a voucher');
        // As campaign_type, the codes' type stays: a template of two types would mint codes of the other one.
        if (input.voucher.type !== undefined && input.voucher.type !== was.type) throw invalid(`Property .voucher.type cannot be changed (the campaign's codes are ${was.type})`);
        // A code_config sent in part changes those fields; the others (prefix...) stay.
        const codeConfig = input.voucher.code_config ? { ...was.code_config, ...input.voucher.code_config } : was.code_config;
        d.voucher = checkTemplate({ ...was, ...input.voucher, ...(codeConfig ? { code_config: codeConfig } : {}) }, was.type);
        if (input.voucher.discount !== undefined) await checkUnitTypes(tx, cause.projectId, input.voucher.discount, deps.unknownUnits);
        // The new code space must still hold the codes the campaign has and those it is generating.
        if (input.voucher.code_config) checkCapacity(codeShape(codeConfig), codeConfig, (current.vouchers_count ?? 0) + (await sql.selectPendingCodes(tx, current.id)));
      }
      checkValidity(d);
      const row: CampaignRow = {
        ...current,
        name: input.name ?? current.name,
        type: input.type ?? current.type,
        join_once: current.campaign_type === 'LOYALTY_PROGRAM' ? true : (input.join_once ?? current.join_once),
        category_id: categoryId !== undefined ? categoryId : current.category_id,
        definition: d,
        updated_at: clock.now(),
      };
      try {
        await sql.updateCampaign(tx, row);
        // A limit on codes redeemed while unlimited counts those redemptions.
        const limited = (c: CampaignRow) => typeof c.definition.voucher?.redemption?.quantity === 'number';
        if (limited(row) && !limited(current)) await sql.recountRedeemed(tx, cause.projectId, row.id);
      } catch (err) {
        if (isUniqueViolation(err, 'campaigns_name_unique')) throw duplicate('campaign', 'name', row.name);
        throw err;
      }
      const fresh = (await sql.selectCampaign(tx, cause.projectId, row.id, { counted: true }))!;
      const campaign = await view(cause.projectId, fresh, tx);
      await log.record(tx, [{ cause, event: { type: 'campaign.updated', entityId: row.id, data: { campaign } } }]);
      return campaign;
    });
  }

  /** Deletes a campaign and its codes, into the bin (restorable) or for good with `force`; answers like Voucherify's async deletion. */
  async function remove(cause: Cause, idOrName: string, force = false): Promise<{ async_action_id: string }> {
    const now = clock.now();
    const id = newId('aa');
    await db.transaction(async (tx) => {
      // Locked: of two deletes at once, the second finds nothing (and keeps no second bin entry).
      const current = await sql.selectCampaign(tx, cause.projectId, idOrName, { lock: true, counted: true });
      if (!current) throw notFound('campaign', idOrName);
      const campaign = await view(cause.projectId, current, tx);
      const binned = !force && deps.bin ? await deps.bin.keep(tx, { projectId: cause.projectId, type: 'campaign', id: current.id, name: current.name, parentId: null, userId: cause.source.user?.id }) : undefined;
      await sql.deleteCampaign(tx, cause.projectId, current.id);
      const what = `Campaign ${current.id} and its ${current.vouchers_count ?? 0} codes`;
      await sql.insertAsyncAction(tx, {
        id, project_id: cause.projectId, type: 'CAMPAIGN_DELETE', status: 'DONE', campaign_id: current.id, target: 0, progress: 0, idle_rounds: 0,
        result: { message: binned ? `${what} moved to the bin (${binned.id})` : `${what} deleted` }, cause, created_at: now, updated_at: now,
      });
      await log.record(tx, [{ cause, event: { type: 'campaign.deleted', entityId: current.id, data: { campaign, deleted_at: now.toISOString() } } }]);
    });
    await announce(cause.projectId);
    return { async_action_id: id };
  }

  /**
   * POST /v1/campaigns/{id}/vouchers with `vouchers_count` above 1: that many more codes from the campaign's
   * code_config, generated in the background like its first ones (an async action; the campaign IN_PROGRESS until
   * done). The code space must hold them with the codes it has and those still to come, or nothing is enqueued.
   */
  async function addCodes(cause: Cause, idOrName: string, count: number): Promise<{ async_action_id: string }> {
    const now = clock.now();
    const action: AsyncActionRow = { id: newId('aa'), project_id: cause.projectId, type: generationAction, status: 'ENQUEUED', campaign_id: null, target: count, progress: 0, idle_rounds: 0, result: null, cause, created_at: now, updated_at: null };
    await db.transaction(async (tx) => {
      const c = await sql.selectCampaign(tx, cause.projectId, idOrName, { lock: true, counted: true });
      if (!c) throw notFound('campaign', idOrName);
      const voucher = c.definition.voucher;
      if (!voucher) throw invalid(`Campaign ${c.name} is a PROMOTION: it has tiers, not codes`);
      if (c.type === 'STANDALONE') throw invalid(`Campaign ${c.name} is STANDALONE: it has one code`);
      checkCapacity(codeShape(voucher.code_config), voucher.code_config, (c.vouchers_count ?? 0) + (await sql.selectPendingCodes(tx, c.id)) + count);
      await sql.insertAsyncAction(tx, { ...action, campaign_id: c.id });
      await sql.setGenerationStatus(tx, c.id, 'IN_PROGRESS');
    });
    await announce(cause.projectId);
    return { async_action_id: action.id };
  }

  async function setActive(cause: Cause, idOrName: string, active: boolean): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await sql.selectCampaign(tx, cause.projectId, idOrName, { lock: true });
      if (!current) throw notFound('campaign', idOrName);
      const now = clock.now();
      await sql.setActive(tx, cause.projectId, current.id, active, now);
      const campaign = await view(cause.projectId, (await sql.selectCampaign(tx, cause.projectId, current.id, { counted: true }))!, tx);
      await log.record(tx, [{ cause, event: { type: active ? 'campaign.enabled' : 'campaign.disabled', entityId: current.id, data: { campaign } } }]);
    });
    await announce(cause.projectId);
  }

  async function list(projectId: string, q: CampaignListQuery) {
    const order = q.order ?? '-created_at';
    const { rows, total } = await sql.selectPage(db, {
      projectId,
      campaignType: q.campaign_type,
      isReferralCode: q.is_referral_code,
      generationStatus: q.campaign_status,
      filters: q.filters,
      states: q.states,
      now: clock.now(),
      column: order.replace('-', '') as 'created_at' | 'updated_at' | 'name',
      ascending: !order.startsWith('-'),
      offset: (q.page - 1) * q.limit,
      limit: q.limit,
    });
    const categories = await categoriesOf(projectId, rows);
    return { campaigns: rows.map((r) => campaignObject(r, categories)), total };
  }

  return {
    create,
    get,
    counted,
    view,
    update,
    remove,
    list,
    addCodes,
    enable: (cause: Cause, idOrName: string) => setActive(cause, idOrName, true),
    disable: (cause: Cause, idOrName: string) => setActive(cause, idOrName, false),
    byIds: (tx: Executor, projectId: string, ids: string[]) => sql.selectByIds(tx, projectId, ids),
    simple: simpleCampaign,
    /** The project's categories (to name a voucher's). */
    categories: (projectId: string, tx: Executor = db) => sql.selectCategories(tx, projectId),
    /** A category named by id or name (404 when there is none), for other resources (vouchers). */
    /** A category's id by id or name (404 when unknown); in a transaction, pass it (PGlite has one connection). */
    categoryId: (projectId: string, id: string | null | undefined, name: string | null | undefined, ex?: Executor) => category(projectId, id, name, ex),
    /** Metadata of other resources (vouchers, publications) against their schemas; nothing to check without one. */
    checkMetadata: (projectId: string, relatedObject: string, metadata: Record<string, unknown> | null | undefined, ex?: Executor) => deps.checkMetadata?.(projectId, relatedObject, metadata, ex) ?? Promise.resolve(),
    /**
     * The campaign as get finds it, from a per-process copy at most a few seconds old and dropped when a campaign of
     * the project changes (for hot paths that only read its definition: publications).
     */
    cached: (projectId: string, idOrName: string, tx: Executor = db) => recent.get(projectId, idOrName, () => get(projectId, idOrName, tx)),
    setGenerationStatus: (tx: Executor, id: string, status: string) => sql.setGenerationStatus(tx, id, status),
    /** Async actions: what requests left to the background (code generation, imports) and how far it got. */
    actions: {
      insert: (tx: Executor, a: AsyncActionRow) => sql.insertAsyncAction(tx, a),
      /** An action done within its request (imports, bulk changes): kept DONE with its outcome, in the request's tx. */
      recordDone: (tx: Executor, cause: Cause, a: DoneAction) =>
        sql.insertAsyncAction(tx, { id: a.id, project_id: cause.projectId, type: a.type, status: 'DONE', campaign_id: null, target: a.target, progress: a.done, idle_rounds: 0, result: a.result, cause, created_at: clock.now(), updated_at: clock.now() }),
      claim: (tx: Executor, types: string[]) => sql.claimAsyncAction(tx, types),
      save: (tx: Executor, a: AsyncActionRow) => sql.saveProgress(tx, a, clock.now()),
      async get(projectId: string, id: string): Promise<AsyncActionRow> {
        const row = await sql.selectAsyncAction(db, projectId, id);
        if (!row) throw notFound('async_action', id);
        return row;
      },
      list: (projectId: string, limit: number) => sql.selectAsyncActions(db, projectId, limit),
      /** Codes a campaign's unfinished generations still have to make. */
      pending: (tx: Executor, campaignId: string) => sql.selectPendingCodes(tx, campaignId),
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;

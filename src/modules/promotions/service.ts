import type { Clock } from '../../core/clock.js';
import { invalidCampaign, invalidPayload, notFound, TesseraError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import { checkValidity, type CampaignInput, type CampaignRow, type CampaignsService, type Validity } from '../campaigns/index.js';
import type { Cause, EventLog } from '../event-log/index.js';
import { checkUnitTypes, type UnknownUnits } from '../discounts/index.js';
import * as sql from './sql.js';
import type { TierInput, TierRow } from './types.js';
import { createStacks } from './stacks.js';
import { tierObject } from './view.js';

const validityKeys = ['start_date', 'expiration_date', 'validity_timeframe', 'validity_day_of_week', 'validity_hours'] as const;

function validityOf(input: TierInput, current: Validity = {}): Validity {
  const v: Validity = { ...current };
  for (const k of validityKeys) if (input[k] !== undefined) (v as Record<string, unknown>)[k] = input[k];
  checkValidity(v);
  return v;
}

/** Tiers a project may have for them to be kept per process; a project with more reads them each time. */
const maxCachedTiers = 5_000;

export function createPromotionsService(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; campaigns: Pick<CampaignsService, 'get' | 'byIds' | 'simple' | 'categoryId' | 'categories' | 'create'>; definitions?: Pick<Definitions, 'cache' | 'changed'>; unknownUnits?: UnknownUnits }) {
  const { db, clock, log, campaigns } = deps;
  /** Per-process copies of each project's tiers (for validations and redemptions), dropped when one changes. */
  const cached = deps.definitions?.cache(async (ex, projectIds) =>
    Promise.all(
      projectIds.map(async (projectId) => {
        const rows = await sql.selectProjectTiers(ex, projectId, maxCachedTiers + 1);
        return { project_id: projectId, tiers: rows.length > maxCachedTiers ? undefined : new Map(rows.map((t) => [t.id, t])) };
      }),
    ),
  );
  const announce = async (projectId: string) => {
    await deps.definitions?.changed(projectId);
  };

  /** Tiers by id (those that exist): from the per-process copy, else read. */
  async function byIds(tx: Executor, projectId: string, ids: string[]): Promise<TierRow[]> {
    const copy = cached ? (await cached.get(tx, [projectId]))[0]?.tiers : undefined;
    if (copy) return ids.flatMap((id) => copy.get(id) ?? []);
    return sql.selectTiers(tx, projectId, ids);
  }

  async function promotion(projectId: string, idOrName: string, tx: Executor = db): Promise<CampaignRow> {
    const c = await campaigns.get(projectId, idOrName, tx);
    if (c.campaign_type !== 'PROMOTION') throw invalidCampaign(`Campaign ${c.id} is a ${c.campaign_type}: promotion tiers belong to PROMOTION campaigns`);
    return c;
  }

  async function find(projectId: string, id: string, tx: Executor = db, lock = false): Promise<TierRow> {
    const t = await sql.selectTier(tx, projectId, id, lock);
    if (!t) throw notFound('promotion_tier', id);
    return t;
  }

  /** The project's categories when a tier has one (its object shows it in `categories`). */
  async function categoriesOf(ex: Executor, projectId: string, rows: TierRow[]) {
    return rows.some((r) => r.category_id) ? campaigns.categories(projectId, ex) : [];
  }

  /** A tier's object as it is in ex now: its summary and category read there. */
  async function view(ex: Executor, t: TierRow, c: CampaignRow | undefined) {
    return tierObject(t, c, (await sql.selectTierSummaries(ex, t.project_id, [t.id])).get(t.id), await categoriesOf(ex, t.project_id, [t]));
  }

  async function record(tx: Executor, cause: Cause, type: string, t: TierRow, c: CampaignRow) {
    const tier = type === 'campaign.promotion_tier.created' ? tierObject(t, c, undefined, await categoriesOf(tx, t.project_id, [t])) : await view(tx, t, c);
    await log.record(tx, [{ cause, event: { type, customerId: null, entityId: t.id, data: { campaign: campaigns.simple(c), promotion_tier: tier } } }]);
  }

  /** A new tier's input checked: name and discount required, validity well formed. */
  function checkTier(input: TierInput): asserts input is TierInput & { name: string; action: { discount: Record<string, unknown> } } {
    if (!input.name) throw invalidPayload("Payload must have required property 'name'");
    if (!input.action?.discount) throw invalidPayload("Property .action should have required property 'discount'");
    validityOf(input);
  }

  /** A tier's row from its input, at the given place when none is asked for. */
  function tierRow(cause: Cause, c: CampaignRow, input: TierInput, hierarchy: number): TierRow {
    checkTier(input);
    return {
      id: newId('promo', 24),
      project_id: cause.projectId,
      campaign_id: c.id,
      name: input.name,
      banner: input.banner ?? null,
      action: { discount: input.action.discount },
      metadata: input.metadata ?? {},
      hierarchy: input.hierarchy ?? hierarchy,
      active: input.active ?? true,
      validity: validityOf(input),
      category_id: input.category_id ?? null,
      created_at: clock.now(),
      updated_at: null,
    };
  }

  /** A tier's category as its id (sent by id or name; 404 for one the project does not have), read before a transaction. */
  async function withCategory(projectId: string, input: TierInput): Promise<TierInput> {
    return input.category_id ? { ...input, category_id: await campaigns.categoryId(projectId, input.category_id, undefined) } : input;
  }

  /** POST /v1/promotions/{campaignId}/tiers; `within` runs in the creating transaction (rule assignments). */
  async function create(cause: Cause, campaignId: string, given: TierInput, within?: (tx: Executor, row: TierRow) => Promise<void>) {
    checkTier(given);
    await checkUnitTypes(db, cause.projectId, given.action.discount, deps.unknownUnits);
    const input = await withCategory(cause.projectId, given);
    return db.transaction(async (tx) => {
      const c = await promotion(cause.projectId, campaignId, tx);
      const row = tierRow(cause, c, input, input.hierarchy ?? (await sql.nextHierarchy(tx, c.id)));
      await sql.insertTier(tx, row);
      await record(tx, cause, 'campaign.promotion_tier.created', row, c);
      await within?.(tx, row);
      return tierObject(row, c, undefined, await categoriesOf(tx, cause.projectId, [row]));
    });
  }

  /**
   * POST /v1/campaigns of a PROMOTION with `promotion.tiers`: the campaign and its tiers in one transaction (tiers
   * are checked before anything is written; hierarchy defaults to their place in the list, from 1).
   */
  async function createCampaign(cause: Cause, input: CampaignInput, within?: (tx: Executor, c: CampaignRow, tiers: TierRow[]) => Promise<void>) {
    const given = (input.promotion?.tiers ?? []) as TierInput[];
    const inputs: TierInput[] = [];
    for (const [i, t] of given.entries()) {
      try {
        checkTier(t);
        await checkUnitTypes(db, cause.projectId, t.action.discount, deps.unknownUnits);
        inputs.push(await withCategory(cause.projectId, t));
      } catch (err) {
        if (err instanceof TesseraError && err.details) throw new TesseraError(err.key, `Promotion tier ${i + 1} (promotion.tiers[${i}]): ${err.details}`);
        throw err;
      }
    }
    const made: TierRow[] = [];
    const campaign = await campaigns.create(cause, input, async (tx, c) => {
      for (const [i, t] of inputs.entries()) {
        const row = tierRow(cause, c, t, i + 1);
        await sql.insertTier(tx, row);
        await record(tx, cause, 'campaign.promotion_tier.created', row, c);
        made.push(row);
      }
      await within?.(tx, c, made);
    });
    if (made.length > 0) await announce(cause.projectId);
    return campaign;
  }

  async function update(cause: Cause, id: string, given: TierInput) {
    const input = await withCategory(cause.projectId, given);
    return db.transaction(async (tx) => {
      const current = await find(cause.projectId, id, tx, true);
      if (input.action?.discount) await checkUnitTypes(tx, cause.projectId, input.action.discount, deps.unknownUnits);
      const row: TierRow = {
        ...current,
        name: input.name ?? current.name,
        banner: input.banner !== undefined ? input.banner : current.banner,
        action: input.action?.discount ? { discount: input.action.discount } : current.action,
        metadata: input.metadata !== undefined ? (input.metadata ?? {}) : current.metadata,
        hierarchy: input.hierarchy ?? current.hierarchy,
        active: input.active ?? current.active,
        validity: validityOf(input, current.validity),
        category_id: input.category_id !== undefined ? input.category_id : current.category_id,
        updated_at: clock.now(),
      };
      await sql.updateTier(tx, row);
      const c = await promotion(cause.projectId, row.campaign_id, tx);
      await record(tx, cause, 'campaign.promotion_tier.updated', row, c);
      return view(tx, row, c);
    });
  }

  async function setActive(cause: Cause, id: string, active: boolean) {
    return db.transaction(async (tx) => {
      const current = await find(cause.projectId, id, tx, true);
      const row = { ...current, active, updated_at: clock.now() };
      await sql.updateTier(tx, row);
      const c = await promotion(cause.projectId, row.campaign_id, tx);
      await record(tx, cause, active ? 'campaign.promotion_tier.enabled' : 'campaign.promotion_tier.disabled', row, c);
      return view(tx, row, c);
    });
  }

  async function remove(cause: Cause, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await find(cause.projectId, id, tx, true);
      await sql.deleteTier(tx, current.id);
      const c = await promotion(cause.projectId, current.campaign_id, tx);
      await record(tx, cause, 'campaign.promotion_tier.deleted', current, c);
    });
  }

  async function get(projectId: string, id: string) {
    const t = await find(projectId, id);
    const [c] = await campaigns.byIds(db, projectId, [t.campaign_id]);
    return view(db, t, c);
  }

  async function list(projectId: string, q: { campaignId?: string; is_available?: boolean; order?: string; limit: number; page: number }) {
    const campaignId = q.campaignId !== undefined ? (await promotion(projectId, q.campaignId)).id : undefined;
    const { rows, total } = await sql.selectPage(db, projectId, { campaignId, active: q.is_available, order: q.order, offset: (q.page - 1) * q.limit, limit: q.limit });
    const ids = [...new Set(rows.map((r) => r.campaign_id))];
    const byId = new Map((ids.length > 0 ? await campaigns.byIds(db, projectId, ids) : []).map((c) => [c.id, c]));
    const summaries = await sql.selectTierSummaries(db, projectId, rows.map((r) => r.id));
    const categories = await categoriesOf(db, projectId, rows);
    return { tiers: rows.map((r) => tierObject(r, byId.get(r.campaign_id), summaries.get(r.id), categories)), total };
  }

  /** A write, then its project's cached tiers dropped (here at once, elsewhere by NOTIFY). */
  const announced =
    <A extends unknown[], R>(fn: (cause: Cause, ...a: A) => Promise<R>) =>
    async (cause: Cause, ...a: A): Promise<R> => {
      const r = await fn(cause, ...a);
      await announce(cause.projectId);
      return r;
    };

  return {
    create: announced(create),
    createCampaign,
    update: announced(update),
    remove: announced(remove),
    get,
    list,
    enable: announced((cause: Cause, id: string) => setActive(cause, id, true)),
    disable: announced((cause: Cause, id: string) => setActive(cause, id, false)),
    byIds,
    stacks: createStacks({ db, clock, campaigns, promotion, tiersOf: byIds }),
  };
}

export type PromotionsService = ReturnType<typeof createPromotionsService>;

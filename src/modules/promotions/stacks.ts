import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { CampaignRow, CampaignsService } from '../campaigns/index.js';

/** Most tiers a stack holds (Voucherify's limit). */
export const maxStackTiers = 30;

export interface StackRow {
  id: string;
  project_id: string;
  campaign_id: string;
  name: string;
  tier_ids: string[];
  hierarchy_mode: string;
  category_id: string | null;
  created_at: Date;
  updated_at: Date | null;
}

export interface StackInput {
  name?: string;
  tiers?: { ids?: string[]; hierarchy_mode?: 'MANUAL' };
  category_id?: string | null;
}

export interface StackListQuery {
  limit: number;
  page: number;
  order?: string;
  campaignId?: string;
  created_at?: { before?: Date; after?: Date };
  updated_at?: { before?: Date; after?: Date };
}

const columns = 'id, project_id, campaign_id, name, tier_ids, hierarchy_mode, category_id, created_at, updated_at';
const orders: Record<string, string> = { created_at: 'created_at', updated_at: 'COALESCE(updated_at, created_at)', name: 'name' };

/** PromotionStack. */
export function stackObject(s: StackRow) {
  return {
    id: s.id,
    name: s.name,
    tiers: { ids: s.tier_ids, hierarchy_mode: s.hierarchy_mode },
    campaign_id: s.campaign_id,
    category_id: s.category_id,
    categories: [],
    created_at: s.created_at.toISOString(),
    ...(s.updated_at ? { updated_at: s.updated_at.toISOString() } : {}),
    object: 'promotion_stack' as const,
  };
}

/** SimplePromotionStack, as redemption webhooks embed it. */
export function simpleStack(s: StackRow) {
  return { id: s.id, name: s.name, ...(s.category_id ? { category_id: s.category_id } : {}), campaign: { id: s.campaign_id }, tiers: { ids: [...s.tier_ids], hierarchy_mode: s.hierarchy_mode } };
}

/**
 * Promotion stacks (`stack_`): a PROMOTION campaign's tiers in a fixed order (hierarchy_mode MANUAL), 1 to 30 of
 * them, redeemed as one redeemable `{ object: "promotion_stack", id }` that stands for its tiers.
 */
export function createStacks(deps: { db: Db; clock: Clock; campaigns: Pick<CampaignsService, 'categoryId'>; promotion: (projectId: string, idOrName: string, tx?: Executor) => Promise<CampaignRow>; tiersOf: (tx: Executor, projectId: string, ids: string[]) => Promise<Array<{ id: string; campaign_id: string }>> }) {
  const { db, clock } = deps;

  async function tierIds(projectId: string, campaign: CampaignRow, ids: unknown): Promise<string[]> {
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > maxStackTiers || ids.some((x) => typeof x !== 'string' || x.length === 0)) {
      throw invalidPayload(`Property .tiers.ids must list 1 to ${maxStackTiers} promotion tier ids`);
    }
    if (new Set(ids).size !== ids.length) throw invalidPayload('Property .tiers.ids names a tier twice');
    const found = new Map((await deps.tiersOf(db, projectId, ids as string[])).map((t) => [t.id, t]));
    for (const id of ids as string[]) {
      const t = found.get(id);
      if (!t) throw notFound('promotion_tier', id);
      if (t.campaign_id !== campaign.id) throw invalidPayload(`Promotion tier ${id} belongs to another campaign than ${campaign.id}: a stack holds tiers of its own campaign`);
    }
    return ids as string[];
  }

  async function find(projectId: string, id: string, campaignId?: string, tx: Executor = db): Promise<StackRow> {
    const { rows } = await tx.query<StackRow>(`SELECT ${columns} FROM promotion_stacks WHERE project_id = $1 AND id = $2`, [projectId, id]);
    const s = rows[0];
    if (!s || (campaignId !== undefined && s.campaign_id !== campaignId)) throw notFound('promotion_stack', id);
    return s;
  }

  async function create(projectId: string, campaignIdOrName: string, input: StackInput) {
    const campaign = await deps.promotion(projectId, campaignIdOrName);
    if (typeof input.name !== 'string' || input.name.trim() === '') throw invalidPayload("Payload should have required property 'name'");
    const row: StackRow = {
      id: newId('stack'),
      project_id: projectId,
      campaign_id: campaign.id,
      name: input.name,
      tier_ids: await tierIds(projectId, campaign, input.tiers?.ids),
      hierarchy_mode: input.tiers?.hierarchy_mode ?? 'MANUAL',
      category_id: input.category_id ? await deps.campaigns.categoryId(projectId, input.category_id, undefined) : null,
      created_at: clock.now(),
      updated_at: null,
    };
    await db.query(`INSERT INTO promotion_stacks (${columns}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)`, [
      row.id, row.project_id, row.campaign_id, row.name, JSON.stringify(row.tier_ids), row.hierarchy_mode, row.category_id, row.created_at, row.updated_at,
    ]);
    return stackObject(row);
  }

  async function update(projectId: string, campaignIdOrName: string, id: string, input: StackInput) {
    const campaign = await deps.promotion(projectId, campaignIdOrName);
    const current = await find(projectId, id, campaign.id);
    if (input.name !== undefined && (typeof input.name !== 'string' || input.name.trim() === '')) throw invalidPayload('Property .name must be a non-empty string');
    const row: StackRow = {
      ...current,
      name: input.name ?? current.name,
      tier_ids: input.tiers?.ids !== undefined ? await tierIds(projectId, campaign, input.tiers.ids) : current.tier_ids,
      hierarchy_mode: input.tiers?.hierarchy_mode ?? current.hierarchy_mode,
      category_id: input.category_id !== undefined ? (input.category_id ? await deps.campaigns.categoryId(projectId, input.category_id, undefined) : null) : current.category_id,
      updated_at: clock.now(),
    };
    await db.query('UPDATE promotion_stacks SET name = $2, tier_ids = $3::jsonb, hierarchy_mode = $4, category_id = $5, updated_at = $6 WHERE id = $1', [
      row.id, row.name, JSON.stringify(row.tier_ids), row.hierarchy_mode, row.category_id, row.updated_at,
    ]);
    return stackObject(row);
  }

  async function remove(projectId: string, campaignIdOrName: string, id: string): Promise<void> {
    const campaign = await deps.promotion(projectId, campaignIdOrName);
    await find(projectId, id, campaign.id);
    await db.query('DELETE FROM promotion_stacks WHERE id = $1', [id]);
  }

  async function list(projectId: string, q: StackListQuery) {
    const campaignId = q.campaignId !== undefined ? (await deps.promotion(projectId, q.campaignId)).id : null;
    const order = q.order ?? 'created_at';
    const dir = order.startsWith('-') ? 'DESC' : 'ASC';
    const by = orders[order.replace('-', '')] ?? 'created_at';
    // Created and updated within the dates asked (an update time falls back to the creation time).
    const updated = 'COALESCE(updated_at, created_at)';
    const where = `project_id = $1 AND ($2::text IS NULL OR campaign_id = $2)
      AND ($3::timestamptz IS NULL OR created_at < $3) AND ($4::timestamptz IS NULL OR created_at > $4)
      AND ($5::timestamptz IS NULL OR ${updated} < $5) AND ($6::timestamptz IS NULL OR ${updated} > $6)`;
    const params = [projectId, campaignId, q.created_at?.before ?? null, q.created_at?.after ?? null, q.updated_at?.before ?? null, q.updated_at?.after ?? null];
    const [{ rows }, count] = await Promise.all([
      db.query<StackRow>(`SELECT ${columns} FROM promotion_stacks WHERE ${where} ORDER BY ${by} ${dir}, id ${dir} LIMIT $7 OFFSET $8`, [...params, q.limit, (q.page - 1) * q.limit]),
      db.query<{ n: string }>(`SELECT count(*) AS n FROM promotion_stacks WHERE ${where}`, params),
    ]);
    return { object: 'list' as const, data_ref: 'data' as const, data: rows.map(stackObject), total: Number(count.rows[0]?.n ?? 0) };
  }

  return {
    create,
    update,
    remove,
    list,
    get: async (projectId: string, campaignIdOrName: string, id: string) => stackObject(await find(projectId, id, (await deps.promotion(projectId, campaignIdOrName)).id)),
    /** The tiers a stack stands for, in order (for validations and redemptions). */
    tiersOf: async (tx: Executor, projectId: string, id: string) => (await find(projectId, id, undefined, tx)).tier_ids,
    /** The stack itself (404 naming promotion_stack when there is none), for validations and redemptions. */
    find: (tx: Executor, projectId: string, id: string) => find(projectId, id, undefined, tx),
    /** A stack that may be gone (rollbacks name it when it is still there). */
    byId: (tx: Executor, projectId: string, id: string) => find(projectId, id, undefined, tx).catch(() => undefined),
  };
}

export type Stacks = ReturnType<typeof createStacks>;

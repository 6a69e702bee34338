import type { ValueFilter } from '../../core/list-filters.js';
import { filterConditions } from '../../store/list-filters.js';
import type { Executor } from '../../store/db.js';
import type { AsyncActionRow, CampaignRow, CategoryRow } from './types.js';

const columns = 'id, project_id, name, campaign_type, type, active, join_once, category_id, definition, generation_status, created_at, updated_at';
/** The campaign and how many codes it holds (an index-only count: no counter row that every new code would lock). */
/**
 * Sets the redeemed counts of a campaign's codes that take its redemption limit (no limit of their own) from their
 * succeeded redemptions: when the campaign's codes, redeemed while unlimited, get a limit.
 */
export async function recountRedeemed(db: Executor, projectId: string, campaignId: string): Promise<void> {
  await db.query(
    `UPDATE vouchers v SET redeemed_quantity = (SELECT count(*) FROM redemptions r WHERE r.project_id = $1 AND r.voucher_id = v.id AND r.status = 'SUCCEEDED')
      WHERE v.project_id = $1 AND v.campaign_id = $2 AND NOT (v.overrides ? 'redemption')`,
    [projectId, campaignId],
  );
}

const withCount = `${columns.split(', ').map((c) => `c.${c}`).join(', ')}, (SELECT count(*)::int FROM vouchers v WHERE v.campaign_id = c.id) AS vouchers_count`;

export async function insertCampaign(db: Executor, c: CampaignRow): Promise<void> {
  await db.query(
    `INSERT INTO campaigns (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)`,
    [c.id, c.project_id, c.name, c.campaign_type, c.type, c.active, c.join_once, c.category_id, JSON.stringify(c.definition), c.generation_status, c.created_at, c.updated_at],
  );
}

export async function updateCampaign(db: Executor, c: CampaignRow): Promise<void> {
  await db.query(
    `UPDATE campaigns SET name = $3, type = $4, active = $5, join_once = $6, category_id = $7, definition = $8::jsonb, updated_at = $9
      WHERE project_id = $1 AND id = $2`,
    [c.project_id, c.id, c.name, c.type, c.active, c.join_once, c.category_id, JSON.stringify(c.definition), c.updated_at],
  );
}

/**
 * By id or by name (an id wins). `counted` adds vouchers_count (an index scan over the campaign's codes: for
 * answers that show it, not for the paths that only need the campaign); `lock` takes the row FOR UPDATE.
 */
export async function selectCampaign(db: Executor, projectId: string, idOrName: string, how: { lock?: boolean; counted?: boolean } = {}): Promise<CampaignRow | undefined> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${how.counted ? withCount : columns} FROM campaigns c WHERE c.project_id = $1 AND (c.id = $2 OR c.name = $2)
      ORDER BY (c.id = $2) DESC LIMIT 1${how.lock ? ' FOR UPDATE' : ''}`,
    [projectId, idOrName],
    { prepare: true },
  );
  return rows[0];
}

export async function selectByIds(db: Executor, projectId: string, ids: string[]): Promise<CampaignRow[]> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${columns} FROM campaigns WHERE project_id = $1 AND id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))`,
    [projectId, JSON.stringify(ids)],
  );
  return rows;
}

export interface CampaignFilter {
  projectId: string;
  campaignType?: string;
  isReferralCode?: boolean;
  /** The code generation status (`campaign_status`). */
  generationStatus?: string;
  /** `filters[...]` of values (see listedColumns). */
  filters?: Record<string, ValueFilter | undefined>;
  /** `filters[active|status][conditions][$...]`: states that depend on the time. */
  states?: CampaignState[];
  now?: Date;
  ascending: boolean;
  column: 'created_at' | 'updated_at' | 'name';
  offset: number;
  limit: number;
}

/** What each `filters[...]` field of the campaigns list reads of a campaign (c). */
const listedColumns: Record<string, string> = {
  campaigns: 'c.name',
  campaigns_id: 'c.id',
  campaign_status: 'c.generation_status',
  type: 'c.type',
  voucher_type: "(c.definition -> 'voucher' ->> 'type')",
  category_ids: 'c.category_id',
  categories: '(SELECT k.name FROM categories k WHERE k.id = c.category_id)',
  is_referral_code: "(c.campaign_type = 'REFERRAL_PROGRAM')::text",
};

/** The time-dependent states `filters[active]` and `filters[status]` name. */
export type CampaignState = 'enabled' | 'disabled' | 'active' | 'expired' | 'generated' | 'failed' | 'in_progress' | 'before_start';
const starts = "(c.definition ->> 'start_date')::timestamptz";
const expires = "(c.definition ->> 'expiration_date')::timestamptz";
const stateSql: Record<CampaignState, (now: () => string) => string> = {
  enabled: () => 'c.active',
  disabled: () => 'NOT c.active',
  active: (now) => `c.active AND (${starts} IS NULL OR ${starts} <= ${now()}) AND (${expires} IS NULL OR ${expires} > ${now()})`,
  expired: (now) => `${expires} <= ${now()}`,
  generated: () => "c.generation_status = 'DONE'",
  failed: () => "c.generation_status = 'FAILED'",
  in_progress: () => "c.generation_status IN ('IN_PROGRESS', 'MODIFYING')",
  before_start: (now) => `c.generation_status = 'DONE' AND ${starts} > ${now()}`,
};

export async function selectPage(db: Executor, f: CampaignFilter): Promise<{ rows: CampaignRow[]; total: number }> {
  const params: unknown[] = [f.projectId];
  const param = (v: unknown) => `$${params.push(v)}`;
  let where = 'c.project_id = $1';
  if (f.campaignType) where += ` AND c.campaign_type = ${param(f.campaignType)}`;
  if (f.isReferralCode !== undefined) where += ` AND c.campaign_type ${f.isReferralCode ? '=' : '<>'} 'REFERRAL_PROGRAM'`;
  if (f.generationStatus) where += ` AND c.generation_status = ${param(f.generationStatus)}`;
  for (const condition of filterConditions(listedColumns, f.filters ?? {}, param)) where += ` AND ${condition}`;
  // The time is a parameter only when a state reads it (an unused parameter has no type PostgreSQL can infer).
  let nowParam: string | undefined;
  const now = () => (nowParam ??= `${param(f.now ?? new Date())}::timestamptz`);
  for (const s of f.states ?? []) where += ` AND (${stateSql[s](now)})`;
  const dir = f.ascending ? 'ASC' : 'DESC';
  const order = f.column === 'updated_at' ? `COALESCE(c.updated_at, c.created_at) ${dir}, c.id ${dir}` : `c.${f.column} ${dir}, c.id ${dir}`;
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM campaigns c WHERE ${where}`, params);
  params.push(f.limit, f.offset);
  const { rows } = await db.query<CampaignRow>(
    `SELECT ${withCount} FROM campaigns c WHERE ${where} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { rows, total: count.rows[0]!.n };
}

export async function deleteCampaign(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM campaigns WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

export async function setActive(db: Executor, projectId: string, id: string, active: boolean, now: Date): Promise<void> {
  await db.query('UPDATE campaigns SET active = $3, updated_at = $4 WHERE project_id = $1 AND id = $2', [projectId, id, active, now]);
}

export async function setGenerationStatus(db: Executor, id: string, status: string): Promise<void> {
  await db.query('UPDATE campaigns SET generation_status = $2 WHERE id = $1', [id, status]);
}

// Categories

const categoryColumns = 'id, project_id, name, hierarchy, created_at, updated_at';

export async function insertCategory(db: Executor, c: CategoryRow): Promise<void> {
  await db.query(`INSERT INTO categories (${categoryColumns}) VALUES ($1, $2, $3, $4, $5, $6)`, [c.id, c.project_id, c.name, c.hierarchy, c.created_at, c.updated_at]);
}

export async function updateCategory(db: Executor, c: CategoryRow): Promise<void> {
  await db.query('UPDATE categories SET name = $3, hierarchy = $4, updated_at = $5 WHERE project_id = $1 AND id = $2', [c.project_id, c.id, c.name, c.hierarchy, c.updated_at]);
}

export async function selectCategory(db: Executor, projectId: string, idOrName: string): Promise<CategoryRow | undefined> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${categoryColumns} FROM categories WHERE project_id = $1 AND (id = $2 OR name = $2) ORDER BY (id = $2) DESC LIMIT 1`, [projectId, idOrName]);
  return rows[0];
}

export async function selectCategories(db: Executor, projectId: string): Promise<CategoryRow[]> {
  const { rows } = await db.query<CategoryRow>(`SELECT ${categoryColumns} FROM categories WHERE project_id = $1 ORDER BY hierarchy, created_at, id`, [projectId]);
  return rows;
}

/**
 * Deletes a category unless the project's stacking rules name it (exclusive or joint): 'deleted', 'named' (kept), or
 * 'missing'.
 */
export async function deleteCategory(db: Executor, projectId: string, id: string): Promise<'deleted' | 'named' | 'missing'> {
  const { rows } = await db.query<{ named: boolean; deleted: boolean }>(
    `WITH named AS (
       SELECT EXISTS (SELECT 1 FROM projects WHERE id = $1
         AND (COALESCE(settings -> 'stacking_rules' -> 'exclusive_categories', '[]'::jsonb) @> jsonb_build_array($2::text)
           OR COALESCE(settings -> 'stacking_rules' -> 'joint_categories', '[]'::jsonb) @> jsonb_build_array($2::text))) AS named
     ), gone AS (
       DELETE FROM categories WHERE project_id = $1 AND id = $2 AND NOT (SELECT named FROM named) RETURNING id
     )
     SELECT (SELECT named FROM named) AS named, EXISTS (SELECT 1 FROM gone) AS deleted`,
    [projectId, id],
  );
  const r = rows[0]!;
  return r.deleted ? 'deleted' : r.named ? 'named' : 'missing';
}

// Async actions

const actionColumns = 'id, project_id, type, status, campaign_id, target, progress, idle_rounds, result, cause, created_at, updated_at';

export async function insertAsyncAction(db: Executor, a: AsyncActionRow): Promise<void> {
  await db.query(
    `INSERT INTO async_actions (${actionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12)`,
    [a.id, a.project_id, a.type, a.status, a.campaign_id, a.target, a.progress, a.idle_rounds, a.result === null ? null : JSON.stringify(a.result), JSON.stringify(a.cause), a.created_at, a.updated_at],
  );
}

export async function selectAsyncAction(db: Executor, projectId: string, id: string): Promise<AsyncActionRow | undefined> {
  const { rows } = await db.query<AsyncActionRow>(`SELECT ${actionColumns} FROM async_actions WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function selectAsyncActions(db: Executor, projectId: string, limit: number): Promise<AsyncActionRow[]> {
  const { rows } = await db.query<AsyncActionRow>(`SELECT ${actionColumns} FROM async_actions WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [projectId, limit]);
  return rows;
}

/** The oldest pending action of these types no other worker is running, locked for this transaction. */
export async function claimAsyncAction(db: Executor, types: string[]): Promise<AsyncActionRow | undefined> {
  const { rows } = await db.query<AsyncActionRow>(
    `SELECT ${actionColumns} FROM async_actions
      WHERE status IN ('ENQUEUED', 'IN_PROGRESS') AND type = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))
      ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [JSON.stringify(types)],
  );
  return rows[0];
}

export async function saveProgress(db: Executor, a: Pick<AsyncActionRow, 'id' | 'status' | 'progress' | 'idle_rounds' | 'result'>, now: Date): Promise<void> {
  await db.query('UPDATE async_actions SET status = $2, progress = $3, idle_rounds = $4, result = $5::jsonb, updated_at = $6 WHERE id = $1', [
    a.id,
    a.status,
    a.progress,
    a.idle_rounds,
    a.result === null ? null : JSON.stringify(a.result),
    now,
  ]);
}

/** Codes a campaign's generations still have to make (actions not done yet). */
export async function selectPendingCodes(db: Executor, campaignId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT coalesce(sum(target - progress), 0)::text AS n FROM async_actions WHERE campaign_id = $1 AND status IN ('ENQUEUED', 'IN_PROGRESS')`,
    [campaignId],
  );
  return Number(rows[0]?.n ?? 0);
}

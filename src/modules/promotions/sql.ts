import { timeOrder } from '../../store/list-filters.js';
import type { Executor } from '../../store/db.js';
import type { TierRow } from './types.js';

const columns = 'id, project_id, campaign_id, name, banner, action, metadata, hierarchy, active, validity, category_id, created_at, updated_at';

export async function insertTier(db: Executor, t: TierRow): Promise<void> {
  await db.query(
    `INSERT INTO promotion_tiers (${columns}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::jsonb, $11, $12, $13)`,
    [t.id, t.project_id, t.campaign_id, t.name, t.banner, JSON.stringify(t.action), JSON.stringify(t.metadata), t.hierarchy, t.active, JSON.stringify(t.validity), t.category_id, t.created_at, t.updated_at],
  );
}

export async function updateTier(db: Executor, t: TierRow): Promise<void> {
  await db.query(
    `UPDATE promotion_tiers SET name = $2, banner = $3, action = $4::jsonb, metadata = $5::jsonb, hierarchy = $6, active = $7, validity = $8::jsonb,
       category_id = $9, updated_at = $10 WHERE id = $1`,
    [t.id, t.name, t.banner, JSON.stringify(t.action), JSON.stringify(t.metadata), t.hierarchy, t.active, JSON.stringify(t.validity), t.category_id, t.updated_at],
  );
}

export async function deleteTier(db: Executor, id: string): Promise<void> {
  await db.query('DELETE FROM promotion_tiers WHERE id = $1', [id]);
}

export async function selectTier(db: Executor, projectId: string, id: string, lock = false): Promise<TierRow | undefined> {
  const { rows } = await db.query<TierRow>(`SELECT ${columns} FROM promotion_tiers WHERE project_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [projectId, id]);
  return rows[0];
}

export async function selectTiers(db: Executor, projectId: string, ids: string[]): Promise<TierRow[]> {
  const { rows } = await db.query<TierRow>(`SELECT ${columns} FROM promotion_tiers WHERE project_id = $1 AND id = ANY($2::text[])`, [projectId, ids]);
  return rows;
}

export async function selectPage(db: Executor, projectId: string, p: { campaignId?: string; active?: boolean; order?: string; offset: number; limit: number }): Promise<{ rows: TierRow[]; total: number }> {
  const where = 'project_id = $1 AND ($2::text IS NULL OR campaign_id = $2) AND ($3::boolean IS NULL OR active = $3)';
  const params = [projectId, p.campaignId ?? null, p.active ?? null];
  const [{ rows }, c] = await Promise.all([
    db.query<TierRow>(`SELECT ${columns} FROM promotion_tiers t WHERE ${where} ORDER BY ${timeOrder(p.order, 't', 't.campaign_id, t.hierarchy, t.id')} OFFSET $4 LIMIT $5`, [...params, p.offset, p.limit]),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM promotion_tiers WHERE ${where}`, params),
  ]);
  return { rows, total: Number(c.rows[0]?.n ?? 0) };
}

export async function nextHierarchy(db: Executor, campaignId: string): Promise<number> {
  const { rows } = await db.query<{ n: number | null }>('SELECT max(hierarchy) AS n FROM promotion_tiers WHERE campaign_id = $1', [campaignId]);
  return Number(rows[0]?.n ?? 0) + 1;
}

/** A project's tiers, at most `limit` (the per-process copy validations read). */
export async function selectProjectTiers(db: Executor, projectId: string, limit: number): Promise<TierRow[]> {
  const { rows } = await db.query<TierRow>(`SELECT ${columns} FROM promotion_tiers WHERE project_id = $1 ORDER BY id LIMIT $2`, [projectId, limit]);
  return rows;
}

export interface TierSummary {
  total_redeemed: number;
  total_amount: number;
  total_discount_amount: number;
}

/**
 * What tiers did: their successful redemptions not rolled back, the amounts of the orders they were redeemed on and
 * what they took off them.
 */
export async function selectTierSummaries(db: Executor, projectId: string, tierIds: string[]): Promise<Map<string, TierSummary>> {
  if (tierIds.length === 0) return new Map();
  const { rows } = await db.query<{ tier_id: string; n: string; amount: string | null; discount: string | null }>(
    `SELECT r.related_object_id AS tier_id, count(*) AS n, sum(o.amount) AS amount, sum(r.amount) AS discount
       FROM redemptions r LEFT JOIN orders o ON o.id = r.order_id
      WHERE r.project_id = $1 AND r.related_object_type = 'promotion_tier' AND r.related_object_id = ANY($2::text[]) AND r.status = 'SUCCEEDED'
      GROUP BY r.related_object_id`,
    [projectId, tierIds],
  );
  return new Map(rows.map((r) => [r.tier_id, { total_redeemed: Number(r.n), total_amount: Number(r.amount ?? 0), total_discount_amount: Number(r.discount ?? 0) }]));
}

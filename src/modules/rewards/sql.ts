import type { Executor } from '../../store/db.js';
import { lockObjectUntilCommit } from '../../store/locks.js';

export interface RewardRow {
  id: string;
  project_id: string;
  name: string;
  type: 'CAMPAIGN' | 'MATERIAL' | 'COIN';
  parameters: { campaign?: { id: string; balance?: number; type?: string }; product?: { id: string; sku_id?: string | null }; coin?: { exchange_ratio?: number; points_ratio?: number } };
  attributes: Record<string, unknown>;
  metadata: Record<string, unknown>;
  stock: number | null;
  redeemed: number;
  created_at: Date;
  updated_at: Date | null;
}

export interface AssignmentRow {
  id: string;
  project_id: string;
  reward_id: string;
  campaign_id: string;
  points: number | string;
  created_at: Date;
  updated_at: Date | null;
}

const rewardColumns = 'id, project_id, name, type, parameters, attributes, metadata, stock, redeemed, created_at, updated_at';
/** Redemptions of a reward that no counter holds (an unlimited reward's), counted from their rows. */
const uncounted = `(SELECT count(*) FROM reward_redemptions x WHERE x.reward_id = r.id AND x.state = 'COMPLETED' AND NOT x.counted)::int`;
/** A reward as answered: `redeemed` is its counter and its uncounted redemptions. */
const rewardSelect = `r.id, r.project_id, r.name, r.type, r.parameters, r.attributes, r.metadata, r.stock, r.redeemed + ${uncounted} AS redeemed, r.created_at, r.updated_at`;
const assignmentColumns = 'id, project_id, reward_id, campaign_id, points, created_at, updated_at';

export async function insertReward(db: Executor, r: RewardRow): Promise<void> {
  await db.query(`INSERT INTO rewards (${rewardColumns}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, 0, $9, NULL)`, [
    r.id, r.project_id, r.name, r.type, JSON.stringify(r.parameters), JSON.stringify(r.attributes), JSON.stringify(r.metadata), r.stock, r.created_at,
  ]);
}

/**
 * False when the new stock is below what has been redeemed (nothing changes then). Run in a transaction: it waits for
 * the purchases in flight (they hold the reward's lock shared), so a stock set on an unlimited reward counts them.
 */
export async function updateReward(db: Executor, r: RewardRow): Promise<boolean> {
  await lockObjectUntilCommit(db, 'rewardStock', r.id, 'alone');
  const { rowCount } = await db.query(
    `UPDATE rewards r SET name = $3, parameters = $4::jsonb, attributes = $5::jsonb, metadata = $6::jsonb, stock = $7, updated_at = $8
      WHERE project_id = $1 AND id = $2 AND ($7::int IS NULL OR r.redeemed + ${uncounted} <= $7::int)`,
    [r.project_id, r.id, r.name, JSON.stringify(r.parameters), JSON.stringify(r.attributes), JSON.stringify(r.metadata), r.stock, r.updated_at],
  );
  return rowCount > 0;
}

export async function selectReward(db: Executor, projectId: string, id: string): Promise<RewardRow | undefined> {
  const { rows } = await db.query<RewardRow>(`SELECT ${rewardSelect} FROM rewards r WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

/** A project's rewards, oldest first; with `assignmentId`, the one reward that assignment offers. */
export async function selectRewards(db: Executor, projectId: string, limit: number, offset: number, assignmentId?: string): Promise<{ rows: RewardRow[]; total: number }> {
  const where = 'project_id = $1 AND ($2::text IS NULL OR id IN (SELECT a.reward_id FROM reward_assignments a WHERE a.project_id = $1 AND a.id = $2))';
  const [{ rows }, c] = await Promise.all([
    db.query<RewardRow>(`SELECT ${rewardSelect} FROM rewards r WHERE ${where} ORDER BY created_at, id LIMIT $3 OFFSET $4`, [projectId, assignmentId ?? null, limit, offset]),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM rewards WHERE ${where}`, [projectId, assignmentId ?? null]),
  ]);
  return { rows, total: Number(c.rows[0]?.n ?? 0) };
}

export async function deleteReward(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM rewards WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/**
 * One unit of a reward's stock, as the reward is once the purchase holds its lock (shared: purchases do not wait for
 * each other; a change of the stock waits for them): a limited reward's counter goes up in one guarded statement
 * ('counted'; false when none is left), an unlimited reward takes no row lock ('uncounted': its redemption row counts
 * it).
 */
export async function takeStock(db: Executor, reward: Pick<RewardRow, 'id'>): Promise<'counted' | 'uncounted' | false> {
  await lockObjectUntilCommit(db, 'rewardStock', reward.id, 'shared');
  const { rows } = await db.query<{ took: boolean; unlimited: boolean }>(
    `WITH took AS (UPDATE rewards r SET redeemed = redeemed + 1 WHERE id = $1 AND stock IS NOT NULL AND r.redeemed + ${uncounted} < stock RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM took) AS took, EXISTS (SELECT 1 FROM rewards WHERE id = $1 AND stock IS NULL) AS unlimited`,
    [reward.id],
  );
  return rows[0]?.took ? 'counted' : rows[0]?.unlimited ? 'uncounted' : false;
}

export interface RewardRedemptionRow {
  id: string;
  project_id: string;
  redemption_id: string;
  reward_id: string;
  assignment_id: string;
  voucher_id: string;
  campaign_id: string | null;
  customer_id: string | null;
  points: number | string;
  /** Whether the reward's counter holds it (a limited reward's unit). */
  counted: boolean;
  state: 'COMPLETED' | 'ROLLEDBACK';
  created_at: Date;
  updated_at: Date;
}

const redemptionColumns = 'id, project_id, redemption_id, reward_id, assignment_id, voucher_id, campaign_id, customer_id, points, counted, state, created_at, updated_at';

export async function insertRewardRedemption(db: Executor, x: RewardRedemptionRow): Promise<void> {
  await db.query(`INSERT INTO reward_redemptions (${redemptionColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
    x.id, x.project_id, x.redemption_id, x.reward_id, x.assignment_id, x.voucher_id, x.campaign_id, x.customer_id, x.points, x.counted, x.state, x.created_at, x.updated_at,
  ]);
}

/**
 * The reward redemptions of a card's redemption turned ROLLEDBACK (those still COMPLETED: a second call finds none),
 * their counted units given back to their rewards' counters.
 */
export async function rollBackRewardRedemptions(db: Executor, redemptionId: string, now: Date): Promise<RewardRedemptionRow[]> {
  const { rows } = await db.query<RewardRedemptionRow>(
    `UPDATE reward_redemptions SET state = 'ROLLEDBACK', updated_at = $2 WHERE redemption_id = $1 AND state = 'COMPLETED' RETURNING ${redemptionColumns}`,
    [redemptionId, now],
  );
  const counted = rows.filter((x) => x.counted).map((x) => x.reward_id);
  if (counted.length > 0) await db.query('UPDATE rewards SET redeemed = redeemed - 1 WHERE id = ANY($1::text[]) AND redeemed > 0', [counted]);
  return rows;
}

export async function insertAssignment(db: Executor, a: AssignmentRow): Promise<boolean> {
  const { rowCount } = await db.query(`INSERT INTO reward_assignments (${assignmentColumns}) VALUES ($1, $2, $3, $4, $5, $6, NULL) ON CONFLICT DO NOTHING`, [
    a.id, a.project_id, a.reward_id, a.campaign_id, a.points, a.created_at,
  ]);
  return rowCount > 0;
}

export async function updateAssignment(db: Executor, a: AssignmentRow): Promise<void> {
  await db.query('UPDATE reward_assignments SET points = $3, updated_at = $4 WHERE project_id = $1 AND id = $2', [a.project_id, a.id, a.points, a.updated_at]);
}

export async function deleteAssignment(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM reward_assignments WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

export async function selectAssignments(db: Executor, projectId: string, by: { rewardId?: string; campaignId?: string; assignmentId?: string }, page?: { limit: number; offset: number }): Promise<AssignmentRow[]> {
  const { rows } = await db.query<AssignmentRow>(
    `SELECT ${assignmentColumns} FROM reward_assignments WHERE ${assignmentsWhere} ORDER BY created_at, id${page ? ' LIMIT $5 OFFSET $6' : ''}`,
    [projectId, by.rewardId ?? null, by.campaignId ?? null, by.assignmentId ?? null, ...(page ? [page.limit, page.offset] : [])],
  );
  return rows;
}

const assignmentsWhere = 'project_id = $1 AND ($2::text IS NULL OR reward_id = $2) AND ($3::text IS NULL OR campaign_id = $3) AND ($4::text IS NULL OR id = $4)';

export async function countAssignments(db: Executor, projectId: string, by: { rewardId?: string; campaignId?: string; assignmentId?: string }): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM reward_assignments WHERE ${assignmentsWhere}`, [projectId, by.rewardId ?? null, by.campaignId ?? null, by.assignmentId ?? null]);
  return rows[0]!.n;
}

/** A program's assignments with their rewards, oldest assignment first. */
export async function selectProgramRewards(db: Executor, projectId: string, campaignId: string): Promise<Array<{ assignment: AssignmentRow; reward: RewardRow }>> {
  const { rows } = await db.query<{ assignment: AssignmentRow & { created_at: string; updated_at: string | null }; reward: RewardRow & { created_at: string; updated_at: string | null } }>(
    `SELECT to_jsonb(a) AS assignment, to_jsonb(r) || jsonb_build_object('redeemed', r.redeemed + ${uncounted}) AS reward
       FROM reward_assignments a JOIN rewards r ON r.project_id = a.project_id AND r.id = a.reward_id
      WHERE a.project_id = $1 AND a.campaign_id = $2
      ORDER BY a.created_at, a.id`,
    [projectId, campaignId],
  );
  const dates = <T extends { created_at: string; updated_at: string | null }>(x: T) => ({ ...x, created_at: new Date(x.created_at), updated_at: x.updated_at === null ? null : new Date(x.updated_at) });
  return rows.map((r) => ({ assignment: dates(r.assignment), reward: dates(r.reward) }));
}

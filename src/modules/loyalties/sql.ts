import type { ValueFilter } from '../../core/list-filters.js';
import { filterConditions, timeOrder } from '../../store/list-filters.js';
import type { Executor, Statement } from '../../store/db.js';
import type { EarningRuleRow, TransactionRow } from './types.js';

/** Locks cards in id order (the order every writer of card points takes them in). */
export async function lockCards(db: Executor, ids: string[]): Promise<void> {
  await db.query('SELECT 1 FROM vouchers WHERE id = ANY ($1::text[]) ORDER BY id FOR UPDATE', [ids]);
}

/** Takes an order's earning on a rule (a guarded insert); false when the order has earned on it before. */
export async function claimOrderEarning(db: Executor, projectId: string, orderId: string, ruleId: string, now: Date): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO loyalty_order_earnings (project_id, order_id, earning_rule_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [projectId, orderId, ruleId, now],
  );
  return rows.length > 0;
}

/** The most points a card holds, over its life or now: what answers carry exactly (2^53 - 1), as gift balances. */
export const maxCardPoints = Number.MAX_SAFE_INTEGER;

/**
 * Adds points to a card (negative: takes them) in one guarded statement: the balance never goes below 0 nor above
 * maxCardPoints (its lifetime points neither), whatever runs at the same time. `base` is the card's template
 * points, its balance until the first change. Points added count toward the card's lifetime total; points taken do not. `redeemed`: what the change adds to the points the
 * card has spent on rewards (a refund's is negative). Undefined when the balance was too low or would pass the
 * maximum (or no card).
 */
export async function changePoints(db: Executor, projectId: string, cardId: string, base: number, points: number, earned = true, redeemed = 0): Promise<{ loyalty_points: string; loyalty_balance: string; loyalty_redeemed: string } | undefined> {
  const { rows } = await db.query<{ loyalty_points: string; loyalty_balance: string; loyalty_redeemed: string }>(
    `UPDATE vouchers SET loyalty_balance = COALESCE(loyalty_balance, $3) + $4,
                         loyalty_points = COALESCE(loyalty_points, $3) + CASE WHEN $5::boolean THEN GREATEST($4, 0) ELSE 0 END,
                         loyalty_redeemed = GREATEST(loyalty_redeemed + $6, 0)
      WHERE project_id = $1 AND id = $2 AND COALESCE(loyalty_balance, $3) + $4 >= 0
        AND COALESCE(loyalty_balance, $3) + $4 <= ${maxCardPoints}
        AND COALESCE(loyalty_points, $3) + CASE WHEN $5::boolean THEN GREATEST($4, 0) ELSE 0 END <= ${maxCardPoints}
      RETURNING loyalty_points, loyalty_balance, loyalty_redeemed`,
    [projectId, cardId, base, points, earned, redeemed],
    { prepare: true },
  );
  return rows[0];
}

const txColumns = 'id, project_id, voucher_id, campaign_id, type, points, balance, total, source, source_id, reason, related, created_at';

/**
 * The insert of transaction rows as a statement (alone, or as a part of the event-log insert): no deriver reads
 * them (only the API's lists and exports do), so they wait for the event insert.
 */
export function transactionsInsert(ts: TransactionRow[]): Statement {
  return {
    late: true,
    text: (first) => `INSERT INTO loyalty_transactions (${txColumns})
     SELECT t->>'id', t->>'project_id', t->>'voucher_id', t->>'campaign_id', t->>'type', (t->>'points')::bigint, (t->>'balance')::bigint,
            (t->>'total')::bigint, t->>'source', t->>'source_id', t->>'reason', t->'related', (t->>'created_at')::timestamptz
       FROM jsonb_array_elements($${first}::jsonb) AS t`,
    params: [JSON.stringify(ts)],
  };
}

export async function insertTransactions(db: Executor, ts: TransactionRow[]): Promise<void> {
  if (ts.length === 0) return;
  const s = transactionsInsert(ts);
  await db.query(s.text(1), s.params);
}

/** A card's or a program's transactions by id, newest first (`ascending`: oldest first), after the cursor; `filters[id|voucher_id|created_at]`. */
export async function selectTransactions(
  db: Executor,
  projectId: string,
  of: { cardId: string } | { campaignId: string },
  limit: number,
  afterId?: string,
  how: { ascending?: boolean; filters?: Record<string, ValueFilter | undefined> } = {},
): Promise<TransactionRow[]> {
  const [column, value] = 'cardId' in of ? ['voucher_id', of.cardId] : ['campaign_id', of.campaignId];
  const params: unknown[] = [projectId, value, limit, afterId ?? null];
  const param = (v: unknown) => `$${params.push(v)}`;
  const filtered = filterConditions({ id: 't.id', voucher_id: 't.voucher_id', created_at: 't.created_at' }, how.filters ?? {}, param).map((c) => ` AND ${c}`).join('');
  const [cmp, dir] = how.ascending ? ['>', 'ASC'] : ['<', 'DESC'];
  const { rows } = await db.query<TransactionRow>(
    `SELECT ${txColumns} FROM loyalty_transactions t
      WHERE project_id = $1 AND ${column} = $2 AND ($4::text IS NULL OR id ${cmp} $4)${filtered}
      ORDER BY id ${dir} LIMIT $3`,
    params,
  );
  return rows;
}

const ruleColumns = 'id, project_id, campaign_id, event, active, definition, created_at, updated_at';

export async function insertRules(db: Executor, rules: EarningRuleRow[]): Promise<void> {
  await db.query(
    `INSERT INTO earning_rules (${ruleColumns})
     SELECT r->>'id', r->>'project_id', r->>'campaign_id', r->>'event', (r->>'active')::boolean, r->'definition', (r->>'created_at')::timestamptz, NULL
       FROM jsonb_array_elements($1::jsonb) AS r`,
    [JSON.stringify(rules)],
  );
}

export async function updateRule(db: Executor, r: EarningRuleRow): Promise<void> {
  await db.query('UPDATE earning_rules SET event = $3, active = $4, definition = $5::jsonb, updated_at = $6 WHERE project_id = $1 AND id = $2', [
    r.project_id,
    r.id,
    r.event,
    r.active,
    JSON.stringify(r.definition),
    r.updated_at,
  ]);
}

export async function deleteRule(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM earning_rules WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

export async function selectRule(db: Executor, projectId: string, id: string): Promise<EarningRuleRow | undefined> {
  const { rows } = await db.query<EarningRuleRow>(`SELECT ${ruleColumns} FROM earning_rules WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function selectCampaignRules(db: Executor, projectId: string, campaignId: string, limit: number, offset: number, order?: string): Promise<{ rows: EarningRuleRow[]; total: number }> {
  const [{ rows }, count] = await Promise.all([
    db.query<EarningRuleRow>(
      `SELECT ${ruleColumns} FROM earning_rules r WHERE project_id = $1 AND campaign_id = $2 ORDER BY ${timeOrder(order, 'r', 'r.created_at, r.id')} LIMIT $3 OFFSET $4`,
      [projectId, campaignId, limit, offset],
    ),
    db.query<{ n: string }>('SELECT count(*) AS n FROM earning_rules WHERE project_id = $1 AND campaign_id = $2', [projectId, campaignId]),
  ]);
  return { rows, total: Number(count.rows[0]?.n ?? 0) };
}

export async function countProjectRules(db: Executor, projectId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM earning_rules WHERE project_id = $1', [projectId]);
  return Number(rows[0]?.n ?? 0);
}

/** The active rules of these projects (the per-process cache's load). */
export async function selectActiveRules(db: Executor, projectIds: string[]): Promise<EarningRuleRow[]> {
  const { rows } = await db.query<EarningRuleRow>(`SELECT ${ruleColumns} FROM earning_rules WHERE project_id = ANY ($1::text[]) AND active ORDER BY created_at, id`, [projectIds]);
  return rows;
}

/**
 * Adds points to several cards at once (earning: additions only, never below 0): the caller has locked the cards in
 * id order (lockCardPoints), so that two batches touching the same cards cannot deadlock, and left out what would
 * pass maxCardPoints. `base` is each card's template points. Returns each card's new lifetime points and balance.
 */
export async function addPointsMany(db: Executor, projectId: string, adds: Array<{ id: string; base: number; points: number }>): Promise<Map<string, { loyalty_points: string; loyalty_balance: string }>> {
  const s = pointsAdded(projectId, adds, ' RETURNING v.id, v.loyalty_points, v.loyalty_balance');
  const { rows } = await db.query<{ id: string; loyalty_points: string; loyalty_balance: string }>(s.text(1), s.params);
  return new Map(rows.map((r) => [r.id, r]));
}

/** Locks cards in id order and reads their points (null: the template's, not changed yet). */
export async function lockCardPoints(db: Executor, projectId: string, ids: string[]): Promise<Map<string, { loyalty_points: string | null; loyalty_balance: string | null }>> {
  const { rows } = await db.query<{ id: string; loyalty_points: string | null; loyalty_balance: string | null }>(
    'SELECT id, loyalty_points, loyalty_balance FROM vouchers WHERE project_id = $1 AND id = ANY ($2::text[]) ORDER BY id FOR UPDATE',
    [projectId, ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** The additions of addPointsMany as a statement, for a caller that holds the cards' locks (taken in id order). */
export function pointsAdded(projectId: string, adds: Array<{ id: string; base: number; points: number }>, returning = ''): Statement {
  return {
    text: (k) => `UPDATE vouchers v SET loyalty_balance = COALESCE(v.loyalty_balance, u.base) + u.points,
                           loyalty_points = COALESCE(v.loyalty_points, u.base) + u.points
       FROM unnest($${k + 1}::text[], $${k + 2}::bigint[], $${k + 3}::bigint[]) AS u (id, base, points)
      WHERE v.project_id = $${k} AND v.id = u.id
        AND COALESCE(v.loyalty_balance, u.base) + u.points <= ${maxCardPoints} AND COALESCE(v.loyalty_points, u.base) + u.points <= ${maxCardPoints}${returning}`,
    params: [projectId, adds.map((a) => a.id), adds.map((a) => a.base), adds.map((a) => a.points)],
  };
}

/**
 * Takes points from several cards at once (expiry): the cards are locked in id order first (as additions lock them),
 * then each gives what it is asked for or, when its balance is lower, all it has: never below 0. `base` is each card's
 * template points. Returns per card the points taken and its lifetime points and balance after.
 */
export async function takePointsMany(db: Executor, projectId: string, takes: Array<{ id: string; base: number; points: number }>): Promise<Map<string, { taken: number; loyalty_points: number; loyalty_balance: number }>> {
  const asked = new Map(takes.map((t) => [t.id, t]));
  // Locked rows are read at their latest version, and nobody changes them until this transaction ends.
  const { rows } = await db.query<{ id: string; loyalty_points: string | null; loyalty_balance: string | null }>(
    'SELECT id, loyalty_points, loyalty_balance FROM vouchers WHERE project_id = $1 AND id = ANY ($2::text[]) ORDER BY id FOR UPDATE',
    [projectId, [...asked.keys()]],
  );
  const out = new Map<string, { taken: number; loyalty_points: number; loyalty_balance: number }>();
  for (const r of rows) {
    const t = asked.get(r.id)!;
    const balance = r.loyalty_balance === null ? t.base : Number(r.loyalty_balance);
    const taken = Math.max(0, Math.min(t.points, balance));
    out.set(r.id, { taken, loyalty_points: r.loyalty_points === null ? t.base : Number(r.loyalty_points), loyalty_balance: balance - taken });
  }
  const ids = [...out.keys()];
  await db.query(
    `UPDATE vouchers v SET loyalty_balance = u.balance, loyalty_points = u.total
       FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u (id, balance, total)
      WHERE v.project_id = $1 AND v.id = u.id`,
    [projectId, ids, ids.map((id) => out.get(id)!.loyalty_balance), ids.map((id) => out.get(id)!.loyalty_points)],
  );
  return out;
}

export interface BucketRow {
  id: string;
  project_id: string;
  voucher_id: string;
  campaign_id: string | null;
  points: number | string;
  remaining: number | string;
  /** YYYY-MM-DD (read as text: node-postgres would make a date a local midnight, a day early east of UTC). */
  expires_on: string;
  expire_at: Date;
  created_at: Date;
  updated_at: Date | null;
}
const bucketColumns = "id, project_id, voucher_id, campaign_id, points, remaining, to_char(expires_on, 'YYYY-MM-DD') AS expires_on, expire_at, created_at, updated_at";

/**
 * Adds points to their cards' buckets: one bucket per card and expiry day (points expiring the same day add up). The
 * caller holds the cards' locks, so two additions to one bucket never race; rows go in key order all the same.
 */
export async function insertBuckets(db: Executor, bs: Array<{ id: string; project_id: string; voucher_id: string; campaign_id: string | null; points: number; expires_on: string; expire_at: Date; created_at: Date }>): Promise<void> {
  if (bs.length === 0) return;
  const merged = new Map<string, (typeof bs)[number]>();
  for (const b of bs) {
    const key = `${b.voucher_id}\u0000${b.expires_on}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, points: seen.points + b.points } : b);
  }
  const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
  await db.query(
    `INSERT INTO loyalty_point_buckets AS o (id, project_id, voucher_id, campaign_id, points, remaining, expires_on, expire_at, created_at)
     SELECT b->>'id', b->>'project_id', b->>'voucher_id', b->>'campaign_id', (b->>'points')::bigint, (b->>'points')::bigint,
            (b->>'expires_on')::date, (b->>'expire_at')::timestamptz, (b->>'created_at')::timestamptz
       FROM jsonb_array_elements($1::jsonb) AS b
     ON CONFLICT (voucher_id, expires_on) DO UPDATE SET points = o.points + EXCLUDED.points, remaining = o.remaining + EXCLUDED.remaining, updated_at = EXCLUDED.created_at`,
    [JSON.stringify(rows)],
  );
}

/** Takes `points` out of a card's open buckets, earliest expiry first (points taken spend expiring points first). */
export async function consumeBuckets(db: Executor, cardId: string, points: number, now: Date): Promise<void> {
  await db.query(
    `UPDATE loyalty_point_buckets b SET remaining = GREATEST(0, LEAST(b.remaining, o.upto - $2)), updated_at = $3
       FROM (SELECT id, sum(remaining) OVER (ORDER BY expire_at, id) AS upto FROM loyalty_point_buckets WHERE voucher_id = $1 AND remaining > 0) AS o
      WHERE b.id = o.id AND o.upto - b.remaining < $2`,
    [cardId, points, now],
  );
}

/** Buckets due to expire by `now`, earliest first, locked (other workers skip them). */
export async function claimDueBuckets(db: Executor, now: Date, limit: number): Promise<BucketRow[]> {
  const { rows } = await db.query<BucketRow>(
    `SELECT ${bucketColumns} FROM loyalty_point_buckets WHERE remaining > 0 AND expire_at <= $1 ORDER BY expire_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows;
}

export async function closeBuckets(db: Executor, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE loyalty_point_buckets SET remaining = 0, updated_at = $2 WHERE id = ANY ($1::text[])', [ids, now]);
}

/** A card's open buckets, soonest first. */
export async function countOpenBuckets(db: Executor, cardId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM loyalty_point_buckets WHERE voucher_id = $1 AND remaining > 0', [cardId]);
  return Number(rows[0]?.n ?? 0);
}

export async function selectOpenBuckets(db: Executor, cardId: string, limit: number, offset: number): Promise<BucketRow[]> {
  const { rows } = await db.query<BucketRow>(`SELECT ${bucketColumns} FROM loyalty_point_buckets WHERE voucher_id = $1 AND remaining > 0 ORDER BY expire_at, id LIMIT $2 OFFSET $3`, [cardId, limit, offset]);
  return rows;
}

/** The earning rules that earn on a custom event schema (by its id, or by its name as the rule's event). */
export async function namingEventSchema(db: Executor, projectId: string, schema: { id: string; name: string }): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM earning_rules WHERE project_id = $1 AND (definition->'custom_event'->>'schema_id' = $2 OR event = $3) ORDER BY created_at, id`,
    [projectId, schema.id, schema.name],
  );
  return rows.map((r) => r.id);
}

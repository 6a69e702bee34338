import type { ValueFilter } from '../../core/list-filters.js';
import type { Executor, Statement } from '../../store/db.js';
import { filterConditions } from '../../store/list-filters.js';
import type { CounterKey, RedemptionRow } from './types.js';

const columns = `id, project_id, parent_id, customer_id, order_id, tracking_id, related_object_type, related_object_id, voucher_id,
  campaign_id, promotion_stack_id, result, status, amount, gift_amount, spent, body, created_at`;

/** Gives one redemption back (rollback); never below 0. */
export async function restoreQuantity(db: Executor, voucherId: string): Promise<void> {
  await db.query(`UPDATE vouchers SET redeemed_quantity = redeemed_quantity - 1 WHERE id = $1 AND redeemed_quantity > 0`, [voucherId]);
}

/**
 * Gives gift credits back (the card's redeemed total shrinks by as much); the new balance and redeemed total, or
 * undefined when the card is gone (deleted for good).
 */
export async function restoreBalance(db: Executor, voucherId: string, amount: number): Promise<{ balance: number; redeemed: number } | undefined> {
  const { rows } = await db.query<{ gift_balance: string; gift_redeemed: string }>(
    `UPDATE vouchers SET gift_balance = gift_balance + $2, gift_redeemed = GREATEST(gift_redeemed - $2, 0) WHERE id = $1 RETURNING gift_balance, gift_redeemed`,
    [voucherId, amount],
  );
  return rows[0] ? { balance: Number(rows[0].gift_balance), redeemed: Number(rows[0].gift_redeemed) } : undefined;
}

/** Counts one more redemption on a limited counter, when it is still below `bound`; false otherwise. */
export async function spendCounter(db: Executor, key: CounterKey, bound: number): Promise<boolean> {
  if (bound <= 0) return false;
  const { rows } = await db.query(
    `INSERT INTO redemption_counters (object_id, customer_id, period, count) VALUES ($1, $2, $3, 1)
     ON CONFLICT (object_id, customer_id, period) DO UPDATE SET count = redemption_counters.count + 1
       WHERE redemption_counters.count < $4
     RETURNING count`,
    [...key, bound],
  );
  return rows.length > 0;
}

export async function restoreCounters(db: Executor, keys: CounterKey[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `UPDATE redemption_counters c SET count = c.count - 1
       FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS k(o, cu, p)) k
      WHERE c.object_id = k.o AND c.customer_id = k.cu AND c.period = k.p AND c.count > 0`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
  );
}

/** Adds `units` to a budget counter when it stays at most `bound` (one guarded statement); false otherwise. */
export async function spendUnits(db: Executor, key: CounterKey, units: number, bound: number): Promise<boolean> {
  if (units <= 0) return true;
  // The counter is a 32-bit integer: a bound above it is none it can reach; sums are compared as bigint.
  const cap = Math.min(Math.floor(bound), 2_147_483_647);
  const n = Math.ceil(units);
  if (!Number.isFinite(cap) || !Number.isFinite(n) || n > cap) return false;
  const { rows } = await db.query(
    `INSERT INTO redemption_counters (object_id, customer_id, period, count) SELECT $1, $2, $3, $4::int WHERE $4::int <= $5::int
     ON CONFLICT (object_id, customer_id, period) DO UPDATE SET count = redemption_counters.count + $4::int
       WHERE redemption_counters.count::bigint + $4::int <= $5::int
     RETURNING count`,
    [...key, n, cap],
  );
  return rows.length > 0;
}

/** Gives budget units back (a rollback), in one statement: never below 0. */
export async function restoreUnits(db: Executor, spent: Array<[string, string, string, number]>): Promise<void> {
  if (spent.length === 0) return;
  await db.query(
    `UPDATE redemption_counters c SET count = greatest(0, c.count - k.n)
       FROM (SELECT o, cu, p, sum(n)::int AS n FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS k(o, cu, p, n) GROUP BY o, cu, p) k
      WHERE c.object_id = k.o AND c.customer_id = k.cu AND c.period = k.p`,
    [spent.map((k) => k[0]), spent.map((k) => k[1]), spent.map((k) => k[2]), spent.map((k) => k[3])],
  );
}

/** The counters of these objects for all customers and for one customer, in one read. */
export async function selectCounters(db: Executor, objectIds: string[], customerId: string): Promise<Array<{ object_id: string; customer_id: string; period: string; count: number }>> {
  if (objectIds.length === 0) return [];
  const { rows } = await db.query<{ object_id: string; customer_id: string; period: string; count: number }>(
    `SELECT object_id, customer_id, period, count FROM redemption_counters WHERE object_id = ANY($1::text[]) AND customer_id IN ('', $2)`,
    [objectIds, customerId],
  );
  return rows;
}

/**
 * Campaigns' standing redemptions (succeeded, not rolled back; a stack's children, not their parent) for
 * campaign.redemptions.* and campaign.orders.* rules: counts and distinct customers since each period start (all
 * time, the day, the week, the month), the discounts given and the amounts of the orders redeemed (each order once).
 */
export async function selectCampaignFigures(db: Executor, campaignIds: string[], since: { daily: Date; weekly: Date; monthly: Date }) {
  if (campaignIds.length === 0) return [];
  const { rows } = await db.query<Record<string, string | null> & { campaign_id: string }>(
    `SELECT r.campaign_id,
            count(*) AS count, count(*) FILTER (WHERE r.created_at >= $2) AS count_daily,
            count(*) FILTER (WHERE r.created_at >= $3) AS count_weekly, count(*) FILTER (WHERE r.created_at >= $4) AS count_monthly,
            count(DISTINCT r.customer_id) AS customers, count(DISTINCT r.customer_id) FILTER (WHERE r.created_at >= $2) AS customers_daily,
            count(DISTINCT r.customer_id) FILTER (WHERE r.created_at >= $3) AS customers_weekly,
            count(DISTINCT r.customer_id) FILTER (WHERE r.created_at >= $4) AS customers_monthly,
            sum(r.amount) AS amount_discounted,
            (SELECT sum(o.amount) FROM orders o WHERE o.id IN (
               SELECT x.order_id FROM redemptions x WHERE x.campaign_id = r.campaign_id AND x.status = 'SUCCEEDED' AND x.related_object_type <> 'redemption')) AS amount
       FROM redemptions r
      WHERE r.campaign_id = ANY($1::text[]) AND r.status = 'SUCCEEDED' AND r.related_object_type <> 'redemption'
      GROUP BY r.campaign_id`,
    [campaignIds, since.daily, since.weekly, since.monthly],
  );
  const n = (v: string | null | undefined) => Number(v ?? 0);
  return rows.map((r) => ({
    campaignId: r.campaign_id,
    redemptions: {
      count: { total: n(r.count), daily: n(r.count_daily), weekly: n(r.count_weekly), monthly: n(r.count_monthly) },
      customers_count: { total: n(r.customers), daily: n(r.customers_daily), weekly: n(r.customers_weekly), monthly: n(r.customers_monthly) },
    },
    orders: { amount: n(r.amount), amount_discounted: n(r.amount_discounted) },
  }));
}

const insertColumns = ['id', 'project_id', 'parent_id', 'customer_id', 'order_id', 'tracking_id', 'related_object_type', 'related_object_id', 'voucher_id', 'campaign_id', 'promotion_stack_id', 'result', 'status', 'amount', 'gift_amount', 'spent', 'body', 'created_at'] as const;

/** The insert of redemption rows as a statement (run alone, or as a part of the event insert). */
export function redemptionsInsert(rows: RedemptionRow[]): Statement {
  const params = rows.flatMap((r) => insertColumns.map((c) => (c === 'spent' || c === 'body' ? JSON.stringify(r[c]) : r[c])));
  return {
    text: (first) => {
      let k = first;
      const values = rows.map(() => `(${insertColumns.map((c) => `$${k++}${c === 'spent' || c === 'body' ? '::jsonb' : ''}`).join(', ')})`);
      return `INSERT INTO redemptions (${insertColumns.join(', ')}) VALUES ${values.join(', ')}`;
    },
    params,
  };
}

export async function insertRedemptions(db: Executor, rows: RedemptionRow[]): Promise<void> {
  if (rows.length === 0) return;
  const s = redemptionsInsert(rows);
  await db.query(s.text(1), s.params);
}

export async function selectRedemption(db: Executor, projectId: string, id: string): Promise<RedemptionRow | undefined> {
  const { rows } = await db.query<RedemptionRow>(`SELECT ${columns} FROM redemptions WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function selectChildren(db: Executor, parentId: string): Promise<RedemptionRow[]> {
  const { rows } = await db.query<RedemptionRow>(`SELECT ${columns} FROM redemptions WHERE parent_id = $1 ORDER BY id`, [parentId]);
  return rows;
}

/**
 * The bin entry holding a redemption's code or campaign (deleted into the bin, restorable), if any: what a rollback
 * gives back would be lost on a row that is not there, and the entry's copy restored as it was.
 */
export async function binEntryHolding(db: Executor, projectId: string, voucherId: string | null, campaignId: string | null): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM trash_bin WHERE project_id = $1 AND ((resource_type = 'voucher' AND resource_id = $2) OR (resource_type = 'campaign' AND resource_id = $3)) LIMIT 1`,
    [projectId, voucherId, campaignId],
  );
  return rows[0]?.id;
}

/** Marks a succeeded redemption rolled back: false when it was not SUCCEEDED any more (a concurrent rollback). */
export async function markRolledBack(db: Executor, id: string, body: unknown): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE redemptions SET status = 'ROLLED_BACK', body = $2::jsonb WHERE id = $1 AND status = 'SUCCEEDED'`, [id, JSON.stringify(body)]);
  return rowCount > 0;
}

export async function insertRollback(db: Executor, r: { id: string; projectId: string; redemptionId: string; body: unknown; now: Date }): Promise<void> {
  await db.query(`INSERT INTO redemption_rollbacks (id, project_id, redemption_id, body, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)`, [r.id, r.projectId, r.redemptionId, JSON.stringify(r.body), r.now]);
}

/** GET /v1/redemptions: what the list is narrowed to, and its order. */
export interface RedemptionListQuery {
  /** These redemptions only (an order's, for the dashboard). */
  ids?: string[];
  /** A code or a voucher id. */
  voucher?: string;
  /** A customer's id or source_id. */
  customer?: string;
  results?: string[];
  /** A campaign's name or id. */
  campaign?: string;
  createdAt?: { before?: Date; after?: Date };
  filters?: Partial<Record<'voucher_code' | 'related_object_id' | 'related_object_parent_id' | 'parent_redemption_id' | 'failure_code' | 'result' | 'object' | 'customer_id' | 'campaign_name' | 'user_login', ValueFilter>>;
  order?: string;
  offset: number;
  limit: number;
}

/** What each `filters[...]` field and `order` key reads of a redemption row (r). */
const listedColumns: Record<string, string> = {
  voucher_code: '(SELECT v.code FROM vouchers v WHERE v.id = r.voucher_id)',
  related_object_id: 'r.related_object_id',
  related_object_parent_id: 'r.campaign_id',
  parent_redemption_id: 'r.parent_id',
  failure_code: "(r.body ->> 'failure_code')",
  result: 'r.result',
  object: "'redemption'::text",
  customer_id: 'r.customer_id',
  campaign_name: '(SELECT c.name FROM campaigns c WHERE c.id = r.campaign_id)',
  user_login: 'NULL::text',
  created_at: 'r.created_at',
  id: 'r.id',
  tracking_id: 'r.tracking_id',
};

export async function selectPage(db: Executor, projectId: string, q: RedemptionListQuery): Promise<{ rows: RedemptionRow[]; total: number }> {
  const params: unknown[] = [projectId];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = ['r.project_id = $1'];
  if (q.voucher !== undefined) {
    const v = p(q.voucher);
    where.push(`(r.voucher_id = ${v} OR r.voucher_id = (SELECT id FROM vouchers WHERE project_id = $1 AND code_key = tessera_code_key($1, ${v})))`);
  }
  if (q.customer !== undefined) {
    const c = p(q.customer);
    where.push(`(r.customer_id = ${c} OR r.customer_id = (SELECT id FROM customers WHERE project_id = $1 AND source_id = ${c}))`);
  }
  if (q.ids) where.push(`r.id = ANY (${p(q.ids)}::text[])`);
  if (q.results?.length) where.push(`r.result = ANY (${p(q.results)}::text[])`);
  if (q.campaign !== undefined) where.push(`r.campaign_id IN (SELECT id FROM campaigns WHERE project_id = $1 AND (name = ${p(q.campaign)} OR id = $${params.length}))`);
  if (q.createdAt?.before) where.push(`r.created_at < ${p(q.createdAt.before)}`);
  if (q.createdAt?.after) where.push(`r.created_at > ${p(q.createdAt.after)}`);
  where.push(...filterConditions(listedColumns, q.filters ?? {}, p));
  const order = q.order ?? '-created_at';
  const key = order.replace(/^-/, '');
  const direction = order.startsWith('-') ? 'DESC' : 'ASC';
  const sort = listedColumns[key] ?? 'r.created_at';
  const filtered = where.join(' AND ');
  const [{ rows }, count] = await Promise.all([
    db.query<RedemptionRow>(
      `SELECT ${columns.split(/,\s*/).map((c) => `r.${c}`).join(', ')} FROM redemptions r WHERE ${filtered}
        ORDER BY ${sort} ${direction} NULLS LAST, r.id ${direction} OFFSET ${p(q.offset)} LIMIT ${p(q.limit)}`,
      params,
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM redemptions r WHERE ${filtered}`, params.slice(0, params.length - 2)),
  ]);
  return { rows, total: Number(count.rows[0]?.n ?? 0) };
}

/** Adds to the customer's redemption summary (one row: the customer's own). */
export async function addToSummary(db: Executor, projectId: string, customerId: string, add: Record<string, number>): Promise<void> {
  await addToSummaries(db, [{ projectId, customerId, add }]);
}

/** Adds to several customers' redemption summaries in one statement (several additions to one customer summed). */
export async function addToSummaries(db: Executor, adds: ReadonlyArray<{ projectId: string; customerId: string; add: Record<string, number> }>): Promise<void> {
  if (adds.length === 0) return;
  const per = new Map<string, { project_id: string; id: string; add: Record<string, number> }>();
  for (const a of adds) {
    const key = `${a.projectId}\u0000${a.customerId}`;
    const p = per.get(key) ?? { project_id: a.projectId, id: a.customerId, add: {} };
    for (const [k, n] of Object.entries(a.add)) p.add[k] = (p.add[k] ?? 0) + n;
    per.set(key, p);
  }
  await db.query(
    `UPDATE customers c SET redemption_summary = (
       SELECT jsonb_object_agg(k, COALESCE((c.redemption_summary ->> k)::bigint, 0) + COALESCE((a.add ->> k)::bigint, 0))
         FROM (SELECT jsonb_object_keys(COALESCE(c.redemption_summary, '{}'::jsonb) || a.add) AS k) keys)
      FROM jsonb_to_recordset($1::jsonb) AS a(project_id text, id text, add jsonb)
      WHERE c.project_id = a.project_id AND c.id = a.id`,
    [JSON.stringify([...per.values()])],
  );
}

/** Codes held by a customer, active ones, newest first (a qualification's wallet). */
export async function selectWalletIds(db: Executor, projectId: string, customerId: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM vouchers WHERE project_id = $1 AND holder_id = $2 AND active ORDER BY created_at DESC, id DESC LIMIT $3',
    [projectId, customerId, limit],
  );
  return rows.map((r) => r.id);
}

/** Active promotion tiers of active campaigns, in hierarchy order (a qualification's audience). */
export async function selectActiveTierIds(db: Executor, projectId: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT t.id FROM promotion_tiers t JOIN campaigns c ON c.id = t.campaign_id
      WHERE t.project_id = $1 AND t.active AND c.active ORDER BY t.campaign_id, t.hierarchy, t.id LIMIT $2`,
    [projectId, limit],
  );
  return rows.map((r) => r.id);
}

/** Promotion stacks of active campaigns, oldest first (a qualification's PROMOTION_STACKS). */
export async function selectActiveStacks(db: Executor, projectId: string, limit: number): Promise<Array<{ id: string; name: string; tier_ids: string[]; campaign_id: string; category_id: string | null; created_at: Date }>> {
  const { rows } = await db.query<{ id: string; name: string; tier_ids: string[]; campaign_id: string; category_id: string | null; created_at: Date }>(
    `SELECT s.id, s.name, s.tier_ids, s.campaign_id, s.category_id, s.created_at FROM promotion_stacks s JOIN campaigns c ON c.id = s.campaign_id
      WHERE s.project_id = $1 AND c.active ORDER BY s.created_at, s.id LIMIT $2`,
    [projectId, limit],
  );
  return rows;
}

/** The segments a customer is in now (its membership row, migration 0012), for customer.segment rules. */
export async function selectSegmentIds(db: Executor, projectId: string, customerId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT s.id FROM customer_segments m JOIN segments s ON s.num = ANY (m.segments) AND s.project_id = m.project_id
      WHERE m.project_id = $1 AND m.customer_id = $2`,
    [projectId, customerId],
  );
  return rows.map((r) => r.id);
}

/** A project's redemption requests per minute and result since a moment (a stack counts once: its parent). */
export async function countPerMinute(db: Executor, projectId: string, since: Date): Promise<Array<{ minute: Date; result: string; n: number }>> {
  const { rows } = await db.query<{ minute: Date; result: string; n: number }>(
    `SELECT date_trunc('minute', created_at) AS minute, result, count(*)::int AS n
       FROM redemptions WHERE project_id = $1 AND created_at >= $2 AND parent_id IS NULL
      GROUP BY 1, 2 ORDER BY 1`,
    [projectId, since],
  );
  return rows;
}

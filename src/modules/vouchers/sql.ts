import type { ValueFilter } from '../../core/list-filters.js';
import { filterConditions } from '../../store/list-filters.js';
import type { Executor } from '../../store/db.js';
import type { VoucherRow } from './types.js';

const columns = 'id, project_id, campaign_id, code, type, active, holder_id, publish_count, gift_balance, overrides, created_at, updated_at';
/** The columns a read returns: the stored ones, the credits added since, redemptions spent and what they paid out. */
const readColumns = `${columns}, gift_added, redeemed_quantity, loyalty_points, loyalty_balance, gift_redeemed, loyalty_redeemed`;

export async function insertVoucher(db: Executor, v: VoucherRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO vouchers (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12) ON CONFLICT DO NOTHING`,
    [v.id, v.project_id, v.campaign_id, v.code, v.type, v.active, v.holder_id, v.publish_count, v.gift_balance, JSON.stringify(v.overrides), v.created_at, v.updated_at],
  );
  return rowCount > 0;
}

/**
 * Codes of a campaign in one statement: the candidates (ids and codes, distinct without case) are inserted, and
 * those whose code is taken in the project (by earlier batches, imports, other campaigns, a concurrent statement)
 * are skipped through the conflict clause. Returns how many were added; the caller refills the shortfall. (A probe
 * for taken codes before the insert made each batch 2-4 times slower, and slower as the campaign grew.)
 */
export async function insertGenerated(
  db: Executor,
  g: { projectId: string; campaignId: string; type: string; giftBalance: number | null; now: Date; ids: string[]; codes: string[] },
): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO vouchers (id, project_id, campaign_id, code, type, gift_balance, created_at)
     SELECT u.id, $1, $2, u.code, $3, $4, $5 FROM unnest($6::text[], $7::text[]) AS u(id, code)
     ON CONFLICT DO NOTHING`,
    [g.projectId, g.campaignId, g.type, g.giftBalance, g.now, g.ids, g.codes],
    { prepare: true },
  );
  return rowCount;
}

/**
 * Codes of a campaign in one statement, for small or crowded batches: up to `want` of the candidates [[id, code],
 * ...] drawn at random. Codes already taken in the project (by earlier batches, imports, other campaigns) or repeated among the candidates are
 * skipped, and so, through the conflict clause, are codes a concurrent statement takes meanwhile. Drawing a few more
 * candidates than wanted fills a batch in one statement even when part of the space is taken. Returns how many.
 */
export async function insertGeneratedProbing(
  db: Executor,
  g: { projectId: string; campaignId: string; type: string; giftBalance: number | null; now: Date; want: number; pairs: Array<[string, string]> },
): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO vouchers (id, project_id, campaign_id, code, type, gift_balance, created_at)
     SELECT x->>0, $1, $2, x->>1, $3, $4, $5
       FROM (SELECT DISTINCT ON (lower(c->>1)) c AS x FROM jsonb_array_elements($6::jsonb) AS c
              WHERE NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.project_id = $1 AND v.code_key = tessera_code_key($1, c->>1))) AS free
      LIMIT $7
     ON CONFLICT DO NOTHING`,
    [g.projectId, g.campaignId, g.type, g.giftBalance, g.now, JSON.stringify(g.pairs), g.want],
    { prepare: true },
  );
  return rowCount;
}

/**
 * A new code of a campaign, published to a holder as it is made: the first candidate [[id, code], ...] not taken in
 * the project. Returns it, or nothing when every candidate was taken (even by a concurrent statement).
 */
export async function insertForHolder(
  db: Executor,
  g: { projectId: string; campaignId: string; type: string; giftBalance: number | null; now: Date; holderId: string; candidates: Array<[string, string]> },
): Promise<VoucherRow | undefined> {
  const { rows } = await db.query<VoucherRow>(
    `INSERT INTO vouchers (id, project_id, campaign_id, code, type, gift_balance, created_at, holder_id, publish_count, updated_at)
     SELECT x->>0, $1, $2, x->>1, $3, $4, $5, $6, 1, $5
       FROM (SELECT c AS x FROM jsonb_array_elements($7::jsonb) AS c
              WHERE NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.project_id = $1 AND v.code_key = tessera_code_key($1, c->>1)) LIMIT 1) AS free
     ON CONFLICT DO NOTHING RETURNING ${readColumns}`,
    [g.projectId, g.campaignId, g.type, g.giftBalance, g.now, g.holderId, JSON.stringify(g.candidates)],
    { prepare: true },
  );
  return rows[0];
}

/** By code (compared as the project's case_sensitive_codes says: tessera_code_key) or by id. */
export async function selectVoucher(db: Executor, projectId: string, codeOrId: string, lock = false): Promise<VoucherRow | undefined> {
  const { rows } = await db.query<VoucherRow>(
    `SELECT ${readColumns} FROM vouchers WHERE project_id = $1 AND (code_key = tessera_code_key($1, $2) OR id = $2) LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [projectId, codeOrId],
  );
  return rows[0];
}

/** Vouchers of a project by code (as selectVoucher compares them) or id, at once. */
export async function selectVouchers(db: Executor, projectId: string, keys: string[]): Promise<VoucherRow[]> {
  const { rows } = await db.query<VoucherRow>(
    `SELECT ${readColumns} FROM vouchers WHERE project_id = $1
        AND (code_key = ANY (ARRAY(SELECT tessera_code_key($1, k) FROM jsonb_array_elements_text($2::jsonb) AS k)) OR id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))))`,
    [projectId, JSON.stringify(keys)],
  );
  return rows;
}

/**
 * Per customer and loyalty program, the customer's oldest active card, locked FOR UPDATE in id order (several
 * customers at once: a batch of earnings locks its cards in the order every writer of card points uses). Each pair is
 * looked up through the holder index on its own, whatever the planner's statistics (without them it scanned every
 * card of the project).
 */
export async function selectOldestCardsLocked(db: Executor, projectId: string, customerIds: string[], campaignIds: string[]): Promise<VoucherRow[]> {
  const { rows } = await db.query<VoucherRow>(
    `SELECT ${readColumns} FROM vouchers WHERE project_id = $1 AND id IN (
       SELECT o.id FROM unnest($2::text[]) AS h (holder_id) CROSS JOIN unnest($3::text[]) AS c (campaign_id) CROSS JOIN LATERAL (
         SELECT id FROM vouchers
          WHERE project_id = $1 AND holder_id = h.holder_id AND campaign_id = c.campaign_id AND active AND type = 'LOYALTY_CARD'
          ORDER BY created_at, id LIMIT 1) o)
      ORDER BY id FOR UPDATE`,
    [projectId, customerIds, campaignIds],
  );
  return rows;
}

export async function updateVoucher(db: Executor, v: VoucherRow): Promise<void> {
  await db.query('UPDATE vouchers SET active = $3, overrides = $4::jsonb, updated_at = $5 WHERE project_id = $1 AND id = $2', [
    v.project_id,
    v.id,
    v.active,
    JSON.stringify(v.overrides),
    v.updated_at,
  ]);
}

export async function deleteVoucher(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vouchers WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/**
 * Takes one unpublished, active code of a campaign for a holder. Concurrent takers skip each other's locked rows
 * (SKIP LOCKED) instead of queueing on one, and the outer condition re-checks the row: a code never gets two holders.
 */
/**
 * What a free code must be to be handed out, its parameters named by number: active, and not expired at `now` (its
 * own expiration_date, a JSON null meaning none; without one, `campaignExpiry`, its campaign's, or null).
 */
const handOutText = (now: string, campaignExpiry: string) =>
  `active AND COALESCE(CASE WHEN overrides -> 'expiration_date' IS NULL THEN ${campaignExpiry}::timestamptz ELSE (overrides ->> 'expiration_date')::timestamptz END, 'infinity') > ${now}`;

export async function takeUnpublished(db: Executor, campaignId: string, holderId: string, now: Date, campaignExpiry: string | null): Promise<VoucherRow | undefined> {
  const { rows } = await db.query<VoucherRow>(
    `UPDATE vouchers SET holder_id = $2, publish_count = publish_count + 1, updated_at = $3
      WHERE id = (SELECT id FROM vouchers WHERE campaign_id = $1 AND holder_id IS NULL AND ${handOutText('$3', '$4')} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        AND holder_id IS NULL
      RETURNING ${readColumns}`,
    [campaignId, holderId, now, campaignExpiry],
    { prepare: true },
  );
  return rows[0];
}

/**
 * The UPDATE that pairs a campaign's free codes that can be handed out (skipping rows other takers hold locked) with
 * the holders in order, its parameters named by number: the campaign, the holders (text[]), the time and the
 * campaign's expiration date.
 */
const takeFreeText = (campaign: string, holders: string, now: string, campaignExpiry: string) =>
  `UPDATE vouchers v SET holder_id = m.holder, publish_count = v.publish_count + 1, updated_at = ${now}
     FROM (SELECT f.id, h.holder
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n
                     FROM (SELECT id FROM vouchers WHERE campaign_id = ${campaign} AND holder_id IS NULL AND ${handOutText(now, campaignExpiry)}
                            ORDER BY id LIMIT cardinality(${holders}::text[]) FOR UPDATE SKIP LOCKED) AS free) AS f
             JOIN unnest(${holders}::text[]) WITH ORDINALITY AS h (holder, n) ON h.n = f.n) AS m
    WHERE v.id = m.id AND v.holder_id IS NULL
    RETURNING ${readColumns.split(', ').map((c) => `v.${c}`).join(', ')}`;

/**
 * takeUnpublished for several holders at once (a holder named twice gets two codes): as many codes that can be handed
 * out as holders, skipping rows other takers hold locked, paired with the holders in order. Returns the codes taken,
 * each with its new holder; fewer than asked when the campaign runs short.
 */
export async function takeUnpublishedMany(db: Executor, campaignId: string, holderIds: string[], now: Date, campaignExpiry: string | null): Promise<VoucherRow[]> {
  const { rows } = await db.query<VoucherRow>(takeFreeText('$1', '$2', '$3', '$4'), [campaignId, holderIds, now, campaignExpiry], { prepare: true });
  return rows;
}

/**
 * takeUnpublishedMany and insertForHolders in one statement (an AUTO_UPDATE campaign's publications): the campaign's
 * free codes go to the first holders, in order, and the candidates (id, code) drawn for the holders after them are
 * inserted unless their code is taken in the project. Returns the codes taken and made, each with its holder; fewer
 * than asked when candidates collided (the caller draws again for the holders left without a code).
 */
export async function takeOrInsertForHolders(
  db: Executor,
  g: { projectId: string; campaignId: string; type: string; giftBalance: number | null; now: Date; ids: string[]; codes: string[]; holders: string[]; campaignExpiry: string | null },
): Promise<VoucherRow[]> {
  const { rows } = await db.query<VoucherRow>(
    `WITH taken AS (${takeFreeText('$2', '$8', '$5', '$9')}),
     made AS (
       INSERT INTO vouchers (id, project_id, campaign_id, code, type, gift_balance, created_at, holder_id, publish_count, updated_at)
       SELECT u.id, $1, $2, u.code, $3, $4, $5, u.holder, 1, $5
         FROM unnest($6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u (id, code, holder, n)
        WHERE u.n > (SELECT count(*) FROM taken)
       ON CONFLICT DO NOTHING RETURNING ${readColumns})
     SELECT * FROM taken UNION ALL SELECT * FROM made`,
    [g.projectId, g.campaignId, g.type, g.giftBalance, g.now, g.ids, g.codes, g.holders, g.campaignExpiry],
    { prepare: true },
  );
  return rows;
}

/**
 * insertForHolder for several holders at once: each candidate row (id, code, holder) is inserted unless its code is
 * taken in the project; returns those inserted (the caller draws again for the holders left without a code).
 */
export async function insertForHolders(
  db: Executor,
  g: { projectId: string; campaignId: string; type: string; giftBalance: number | null; now: Date; ids: string[]; codes: string[]; holders: string[] },
): Promise<VoucherRow[]> {
  const { rows } = await db.query<VoucherRow>(
    `INSERT INTO vouchers (id, project_id, campaign_id, code, type, gift_balance, created_at, holder_id, publish_count, updated_at)
     SELECT u.id, $1, $2, u.code, $3, $4, $5, u.holder, 1, $5 FROM unnest($6::text[], $7::text[], $8::text[]) AS u (id, code, holder)
     ON CONFLICT DO NOTHING RETURNING ${readColumns}`,
    [g.projectId, g.campaignId, g.type, g.giftBalance, g.now, g.ids, g.codes, g.holders],
    { prepare: true },
  );
  return rows;
}

/** Publishes a given code to a holder: only if it has none, or already this one (publishing again is allowed then). */
export async function assignHolder(db: Executor, id: string, holderId: string, now: Date): Promise<VoucherRow | undefined> {
  const { rows } = await db.query<VoucherRow>(
    `UPDATE vouchers SET holder_id = $2, publish_count = publish_count + 1, updated_at = $3
      WHERE id = $1 AND (holder_id IS NULL OR holder_id = $2) RETURNING ${readColumns}`,
    [id, holderId, now],
  );
  return rows[0];
}

export async function selectByIds(db: Executor, ids: string[]): Promise<VoucherRow[]> {
  const { rows } = await db.query<VoucherRow>(`SELECT ${readColumns} FROM vouchers WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`, [JSON.stringify(ids)]);
  return rows;
}

export interface VoucherFilter {
  projectId: string;
  campaignId?: string;
  holderId?: string;
  code?: string;
  ids?: string[];
  /** The code's category: its own, else its campaign's. */
  categoryId?: string;
  createdBefore?: Date;
  createdAfter?: Date;
  updatedBefore?: Date;
  updatedAfter?: Date;
}

function where(f: VoucherFilter): { text: string; params: unknown[] } {
  const params: unknown[] = [f.projectId];
  const parts = ['project_id = $1'];
  const add = (sqlPart: (p: string) => string, v: unknown) => {
    params.push(v);
    parts.push(sqlPart(`$${params.length}`));
  };
  if (f.campaignId !== undefined) add((p) => `campaign_id = ${p}`, f.campaignId);
  // The holder by id or source_id.
  if (f.holderId !== undefined) add((p) => `(holder_id = ${p} OR holder_id = (SELECT c.id FROM customers c WHERE c.project_id = $1 AND c.source_id = ${p}))`, f.holderId);
  if (f.code !== undefined) add((p) => `code_key = tessera_code_key($1, ${p})`, f.code);
  if (f.ids !== undefined) add((p) => `id = ANY (ARRAY(SELECT jsonb_array_elements_text(${p}::jsonb)))`, JSON.stringify(f.ids));
  if (f.categoryId !== undefined) {
    add((p) => `COALESCE(overrides ->> 'category_id', (SELECT c.category_id FROM campaigns c WHERE c.id = vouchers.campaign_id)) = ${p}`, f.categoryId);
  }
  if (f.createdBefore) add((p) => `created_at < ${p}`, f.createdBefore);
  if (f.createdAfter) add((p) => `created_at > ${p}`, f.createdAfter);
  if (f.updatedBefore) add((p) => `updated_at < ${p}`, f.updatedBefore);
  if (f.updatedAfter) add((p) => `updated_at > ${p}`, f.updatedAfter);
  return { text: parts.join(' AND '), params };
}

export type VoucherOrder = 'created_at' | 'updated_at' | 'code' | 'type' | 'campaign' | 'category';
/** What each order sorts by: the campaign's name, the category's name (the code's own, else its campaign's). */
const orderColumns: Record<VoucherOrder, string> = {
  created_at: 'created_at',
  updated_at: 'COALESCE(updated_at, created_at)',
  code: 'code',
  type: 'type',
  campaign: '(SELECT c.name FROM campaigns c WHERE c.id = vouchers.campaign_id)',
  category: `(SELECT k.name FROM categories k WHERE k.id = COALESCE(overrides ->> 'category_id', (SELECT c.category_id FROM campaigns c WHERE c.id = vouchers.campaign_id)))`,
};

/** One page in a total order: ties of the sort column (codes made in one statement share a time) broken by id. */
export async function selectPage(
  db: Executor,
  f: VoucherFilter,
  page: { column: VoucherOrder; ascending: boolean; offset: number; limit: number },
): Promise<{ rows: VoucherRow[]; total: number }> {
  const w = where(f);
  const dir = page.ascending ? 'ASC' : 'DESC';
  const col = orderColumns[page.column];
  const { rows } = await db.query<VoucherRow>(
    `SELECT ${readColumns} FROM vouchers WHERE ${w.text} ORDER BY ${col} ${dir}, id ${dir} LIMIT $${w.params.length + 1} OFFSET $${w.params.length + 2}`,
    [...w.params, page.limit, page.offset],
  );
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM vouchers WHERE ${w.text}`, w.params);
  return { rows, total: count.rows[0]!.n };
}

/**
 * Adds credits to (or, negative, takes them from) a gift voucher in one guarded statement: the balance never goes
 * below zero, whatever runs at the same time, nor, for a removal, below what live validation sessions reserve (the
 * row is locked first, as reservations lock it, so that the reserved sum read is current). Undefined when the
 * voucher is not a gift voucher, holds too little, or would hold more than answers can carry exactly (2^53 - 1).
 * In the caller's transaction.
 */
export async function changeBalance(tx: Executor, projectId: string, id: string, amount: number, now: Date): Promise<VoucherRow | undefined> {
  if (amount < 0) await tx.query('SELECT 1 FROM vouchers WHERE project_id = $1 AND id = $2 FOR UPDATE', [projectId, id]);
  const { rows } = await tx.query<VoucherRow>(
    `UPDATE vouchers SET gift_balance = gift_balance + $3, gift_added = gift_added + GREATEST($3, 0), updated_at = $4
      WHERE project_id = $1 AND id = $2 AND gift_balance IS NOT NULL AND gift_balance + $3 >= 0
        AND gift_balance + $3 <= 9007199254740991
        AND ($3 >= 0 OR locked_until IS NULL OR locked_until <= $4
             OR gift_balance + $3 >= (SELECT coalesce(sum(s.credits), 0) FROM session_locks s WHERE s.voucher_id = vouchers.id AND s.expires_at > $4))
      RETURNING ${readColumns}`,
    [projectId, id, amount, now],
  );
  return rows[0];
}

export interface TransactionRow {
  id: string;
  voucher_id: string;
  campaign_id: string | null;
  type: string;
  source_id: string | null;
  reason: string | null;
  amount: number | string;
  balance: number | string;
  created_at: Date;
}

/**
 * A card's or a campaign's gift transactions, newest first (`ascending`: oldest first), after the cursor transaction
 * in that order; `filters[id|voucher_id]`. By time, then id: ids differ in prefix by where they come from (vtx_ for
 * balance changes, the redemption's id for spends and refunds).
 */
export async function selectTransactions(
  db: Executor,
  projectId: string,
  of: { voucherId: string } | { campaignId: string },
  limit: number,
  afterId?: string,
  ascending = false,
  filters: Record<string, ValueFilter | undefined> = {},
): Promise<TransactionRow[]> {
  const [column, value] = 'voucherId' in of ? ['voucher_id', of.voucherId] : ['campaign_id', of.campaignId];
  const [cmp, dir] = ascending ? ['>', 'ASC'] : ['<', 'DESC'];
  const params: unknown[] = [projectId, value, afterId ?? null, limit];
  const filtered = filterConditions({ id: 'x.id', voucher_id: 'x.voucher_id', created_at: 'x.created_at' }, filters, (v) => `$${params.push(v)}`).map((c) => ` AND ${c}`).join('');
  const { rows } = await db.query<TransactionRow>(
    `SELECT id, voucher_id, campaign_id, type, source_id, reason, amount, balance, created_at FROM voucher_transactions x
      WHERE project_id = $1 AND ${column} = $2${filtered}
        AND ($3::text IS NULL OR (created_at, id) ${cmp} (SELECT t.created_at, t.id FROM voucher_transactions t WHERE t.id = $3))
      ORDER BY created_at ${dir}, id ${dir} LIMIT $4`,
    params,
  );
  return rows;
}

export async function insertTransaction(
  db: Executor,
  t: { id: string; projectId: string; voucherId: string; campaignId: string | null; type: string; sourceId: string | null; reason: string | null; amount: number; balance: number; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO voucher_transactions (id, project_id, voucher_id, campaign_id, type, source_id, reason, amount, balance, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [t.id, t.projectId, t.voucherId, t.campaignId, t.type, t.sourceId, t.reason, t.amount, t.balance, t.now],
  );
}

/**
 * How many times each of these (unlimited) vouchers has been redeemed, counted from the redemption rows: an
 * unlimited voucher keeps no counter, so that its redemptions never wait on one row.
 */
export async function countRedeemed(db: Executor, projectId: string, voucherIds: string[]): Promise<Map<string, number>> {
  if (voucherIds.length === 0) return new Map();
  const { rows } = await db.query<{ voucher_id: string; n: string }>(
    `SELECT voucher_id, count(*) AS n FROM redemptions
      WHERE voucher_id = ANY ($2::text[]) AND project_id = $1 AND status = 'SUCCEEDED'
      GROUP BY voucher_id`,
    [projectId, voucherIds],
  );
  return new Map(rows.map((r) => [r.voucher_id, Number(r.n)]));
}

/**
 * Sets a voucher's redeemed count from its succeeded redemptions: when a limit starts to apply to a code redeemed
 * while unlimited (whose redemptions left the row's count alone).
 */
export async function recountRedeemed(db: Executor, projectId: string, voucherId: string): Promise<void> {
  await db.query(
    `UPDATE vouchers v SET redeemed_quantity = (SELECT count(*) FROM redemptions r WHERE r.project_id = $1 AND r.voucher_id = v.id AND r.status = 'SUCCEEDED')
      WHERE v.project_id = $1 AND v.id = $2`,
    [projectId, voucherId],
  );
}

/**
 * Vouchers of the given codes (compared as selectVoucher compares them), locked in id order: a bulk change's read.
 * Each row names the code it was asked by (`requested`); a code asked twice comes twice.
 */
export async function selectByCodesLocked(db: Executor, projectId: string, codes: string[]): Promise<Array<VoucherRow & { requested: string }>> {
  const { rows } = await db.query<VoucherRow & { requested: string }>(
    `SELECT ${readColumns.split(', ').map((c) => `v.${c}`).join(', ')}, k.code AS requested
       FROM (SELECT DISTINCT code FROM unnest($2::text[]) AS u (code)) AS k
       JOIN vouchers v ON v.project_id = $1 AND v.code_key = tessera_code_key($1, k.code)
      ORDER BY v.id FOR UPDATE OF v`,
    [projectId, codes],
  );
  return rows;
}

/** Writes several vouchers' overrides at once (a bulk change). */
export async function updateOverridesMany(db: Executor, projectId: string, rows: Array<{ id: string; overrides: unknown }>, now: Date): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE vouchers v SET overrides = u.overrides, updated_at = $3
       FROM jsonb_to_recordset($2::jsonb) AS u(id text, overrides jsonb)
      WHERE v.project_id = $1 AND v.id = u.id`,
    [projectId, JSON.stringify(rows), now],
  );
}

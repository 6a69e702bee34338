import type { ValueFilter } from '../../core/list-filters.js';
import type { Executor } from '../../store/db.js';
import { lockObjectUntilCommit } from '../../store/locks.js';

/** Records a referral unless the referee was referred in this program before (then false): one guarded insert. */
export async function insertReferral(db: Executor, r: { projectId: string; campaignId: string; refereeId: string; referrerId: string; voucherId: string; eventId: string | null; now: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO referrals (project_id, campaign_id, referee_id, referrer_id, voucher_id, event_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [r.projectId, r.campaignId, r.refereeId, r.referrerId, r.voucherId, r.eventId, r.now],
  );
  return rowCount > 0;
}

/** The referrals a customer made (as referrer), per program. */
export async function selectReferred(db: Executor, projectId: string, referrerId: string): Promise<Array<{ campaign_id: string; referee_id: string; created_at: Date }>> {
  const { rows } = await db.query<{ campaign_id: string; referee_id: string; created_at: Date }>(
    'SELECT campaign_id, referee_id, created_at FROM referrals WHERE project_id = $1 AND referrer_id = $2 ORDER BY created_at',
    [projectId, referrerId],
  );
  return rows;
}

/** How a customer was referred, per program. */
export async function selectReferralsOf(db: Executor, projectId: string, refereeId: string): Promise<Array<{ campaign_id: string; referrer_id: string; event_id: string | null; voucher_id: string; created_at: Date }>> {
  const { rows } = await db.query<{ campaign_id: string; referrer_id: string; event_id: string | null; voucher_id: string; created_at: Date }>(
    'SELECT campaign_id, referrer_id, event_id, voucher_id, created_at FROM referrals WHERE project_id = $1 AND referee_id = $2 ORDER BY created_at',
    [projectId, refereeId],
  );
  return rows;
}

export interface ProgramReferral {
  referee_id: string;
  referee_source_id: string | null;
  referrer_id: string;
  referrer_source_id: string | null;
  code: string | null;
  created_at: Date;
}

/** A program's newest referrals, with the customers' source ids and the code that converted. */
export async function selectProgramReferrals(db: Executor, projectId: string, campaignId: string, limit: number): Promise<ProgramReferral[]> {
  const { rows } = await db.query<ProgramReferral>(
    `SELECT r.referee_id, ee.source_id AS referee_source_id, r.referrer_id, er.source_id AS referrer_source_id, v.code, r.created_at
       FROM referrals r
       LEFT JOIN customers ee ON ee.id = r.referee_id
       LEFT JOIN customers er ON er.id = r.referrer_id
       LEFT JOIN vouchers v ON v.id = r.voucher_id
      WHERE r.project_id = $1 AND r.campaign_id = $2
      ORDER BY r.created_at DESC, r.referee_id DESC LIMIT $3`,
    [projectId, campaignId, limit],
  );
  return rows;
}

/** A program's referrers with the most referrals (and the program's referrals and referrers in all). */
export async function selectTopReferrers(db: Executor, projectId: string, campaignId: string, limit: number): Promise<{ total: number; referrers: number; top: Array<{ referrer_id: string; source_id: string | null; referrals: number; last_at: Date }> }> {
  const { rows } = await db.query<{ referrer_id: string; source_id: string | null; referrals: string; last_at: Date; total: string; referrers: string }>(
    `SELECT t.referrer_id, c.source_id, t.referrals, t.last_at, t.total, t.referrers FROM (
       SELECT referrer_id, count(*) AS referrals, max(created_at) AS last_at, sum(count(*)) OVER () AS total, count(*) OVER () AS referrers
         FROM referrals WHERE project_id = $1 AND campaign_id = $2 GROUP BY referrer_id
         ORDER BY count(*) DESC, max(created_at) DESC LIMIT $3) t
     LEFT JOIN customers c ON c.id = t.referrer_id
     ORDER BY t.referrals DESC, t.last_at DESC`,
    [projectId, campaignId, limit],
  );
  return { total: Number(rows[0]?.total ?? 0), referrers: Number(rows[0]?.referrers ?? 0), top: rows.map((r) => ({ referrer_id: r.referrer_id, source_id: r.source_id, referrals: Number(r.referrals), last_at: r.last_at })) };
}

export interface CustomerReferral {
  campaign_id: string;
  campaign_name: string | null;
  /** referred_by: the customer was referred by the other; referred: the customer referred the other. */
  direction: 'referred_by' | 'referred';
  other_id: string;
  other_source_id: string | null;
  created_at: Date;
}

/** A customer's referrals both ways (who referred them, whom they referred), newest first. */
export async function selectCustomerReferrals(db: Executor, projectId: string, customerId: string, limit: number): Promise<CustomerReferral[]> {
  const { rows } = await db.query<CustomerReferral>(
    `SELECT r.campaign_id, k.name AS campaign_name, r.created_at,
            CASE WHEN r.referee_id = $2 THEN 'referred_by' ELSE 'referred' END AS direction,
            CASE WHEN r.referee_id = $2 THEN r.referrer_id ELSE r.referee_id END AS other_id, o.source_id AS other_source_id
       FROM referrals r
       LEFT JOIN campaigns k ON k.id = r.campaign_id
       LEFT JOIN customers o ON o.id = CASE WHEN r.referee_id = $2 THEN r.referrer_id ELSE r.referee_id END
      WHERE r.project_id = $1 AND (r.referee_id = $2 OR r.referrer_id = $2)
      ORDER BY r.created_at DESC LIMIT $3`,
    [projectId, customerId, limit],
  );
  return rows;
}

/** A referrer's conversions in a program. */
export async function countConversions(db: Executor, campaignId: string, referrerId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM referrals WHERE campaign_id = $1 AND referrer_id = $2', [campaignId, referrerId]);
  return Number(rows[0]?.n ?? 0);
}

/** Serializes the conversions of one referrer in a program, whichever of their codes converts (until the transaction ends). */
export async function lockReferrer(db: Executor, campaignId: string, referrerId: string): Promise<void> {
  await lockObjectUntilCommit(db, 'referrerConversions', `${campaignId} ${referrerId}`, 'alone');
}

export interface HolderRow {
  id: string;
  project_id: string;
  campaign_id: string;
  voucher_id: string;
  customer_id: string;
  holder_role: 'REFERRER' | 'REFEREE';
  publication_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  /** Joined: the code's voucher type. */
  voucher_type: string;
}
const holderColumns = 'h.id, h.project_id, h.campaign_id, h.voucher_id, h.customer_id, h.holder_role, h.publication_id, h.metadata, h.created_at, v.type AS voucher_type';

/** Adds holders to a code; the customers that already hold it are left out (the rows inserted are returned). */
export async function insertHolders(db: Executor, rows: Array<Omit<HolderRow, 'voucher_type'>>): Promise<string[]> {
  if (rows.length === 0) return [];
  const { rows: made } = await db.query<{ id: string }>(
    `INSERT INTO referral_holders (id, project_id, campaign_id, voucher_id, customer_id, holder_role, publication_id, metadata, created_at)
     SELECT h->>'id', h->>'project_id', h->>'campaign_id', h->>'voucher_id', h->>'customer_id', h->>'holder_role', h->>'publication_id', h->'metadata', (h->>'created_at')::timestamptz
       FROM jsonb_array_elements($1::jsonb) AS h
     ON CONFLICT (voucher_id, customer_id) DO NOTHING RETURNING id`,
    [JSON.stringify(rows)],
  );
  return made.map((r) => r.id);
}

export interface HolderFilter {
  roles?: ValueFilter;
  customers?: ValueFilter;
}

/** A code's holders by id (ascending or descending), after a cursor, filtered; and how many match. */
export async function selectHolders(db: Executor, voucherId: string, q: { limit: number; descending: boolean; afterId?: string; filter: HolderFilter }): Promise<{ rows: HolderRow[]; total: number }> {
  const where = [
    'h.voucher_id = $1',
    '($2::text[] IS NULL OR h.holder_role = ANY ($2::text[]))',
    '($3::text[] IS NULL OR NOT (h.holder_role = ANY ($3::text[])))',
    '($4::text[] IS NULL OR h.customer_id = ANY ($4::text[]))',
    '($5::text[] IS NULL OR NOT (h.customer_id = ANY ($5::text[])))',
  ].join(' AND ');
  const f = q.filter;
  const params = [voucherId, f.roles?.in ?? null, f.roles?.notIn ?? null, f.customers?.in ?? null, f.customers?.notIn ?? null];
  const [page, count] = await Promise.all([
    db.query<HolderRow>(
      `SELECT ${holderColumns} FROM referral_holders h JOIN vouchers v ON v.id = h.voucher_id
        WHERE ${where} AND ($6::text IS NULL OR ${q.descending ? 'h.id < $6' : 'h.id > $6'})
        ORDER BY h.id ${q.descending ? 'DESC' : 'ASC'} LIMIT $7`,
      [...params, q.afterId ?? null, q.limit + 1],
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM referral_holders h WHERE ${where}`, params),
  ]);
  return { rows: page.rows, total: Number(count.rows[0]?.n ?? 0) };
}

export async function selectHolder(db: Executor, voucherId: string, id: string): Promise<HolderRow | undefined> {
  const { rows } = await db.query<HolderRow>(`SELECT ${holderColumns} FROM referral_holders h JOIN vouchers v ON v.id = h.voucher_id WHERE h.voucher_id = $1 AND h.id = $2`, [voucherId, id]);
  return rows[0];
}

export async function deleteHolder(db: Executor, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM referral_holders WHERE id = $1', [id]);
  return rowCount > 0;
}

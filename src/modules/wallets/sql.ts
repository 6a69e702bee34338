import type { Executor } from '../../store/db.js';

/** One entry of a customer's wallet: a code they own, or hold a part in (a referral code's referrer or referee). */
export interface WalletRow {
  id: string;
  created_at: Date;
  voucher_id: string;
  holder_role: 'OWNER' | 'REFERRER' | 'REFEREE';
  campaign_id: string | null;
  campaign_type: string | null;
  voucher_type: string;
}

/** Codes held: owned codes (their publication's time) and referral holders, without listing a code twice. */
const wallet = `
  WITH w AS (
    SELECT 'rh_' || v.id AS id,
           COALESCE((SELECT min(p.created_at) FROM publications p
                      WHERE p.project_id = v.project_id AND p.customer_id = $2
                        AND p.vouchers @> jsonb_build_array(jsonb_build_object('id', v.id))), v.created_at) AS created_at,
           v.id AS voucher_id, 'OWNER' AS holder_role, v.campaign_id
      FROM vouchers v
     WHERE v.project_id = $1 AND v.holder_id = $2
       AND NOT EXISTS (SELECT 1 FROM referral_holders h WHERE h.voucher_id = v.id AND h.customer_id = $2)
    UNION ALL
    SELECT h.id, h.created_at, h.voucher_id, h.holder_role, h.campaign_id FROM referral_holders h WHERE h.project_id = $1 AND h.customer_id = $2
  )
  SELECT w.id, w.created_at, w.voucher_id, w.holder_role, w.campaign_id, c.campaign_type, v.type AS voucher_type
    FROM w JOIN vouchers v ON v.id = w.voucher_id LEFT JOIN campaigns c ON c.id = w.campaign_id`;

export interface WalletQuery {
  /** Conditions on the wallet's columns (w.*, c.campaign_type, v.type), with their values from $3 on. */
  where: string[];
  params: unknown[];
  descending: boolean;
  byId: boolean;
  after?: string;
  limit: number;
}

export async function selectWallet(db: Executor, projectId: string, customerId: string, q: WalletQuery): Promise<{ rows: WalletRow[]; total: number }> {
  const dir = q.descending ? 'DESC' : 'ASC';
  const key = q.byId ? 'x.id' : '(x.created_at, x.id)';
  const conditions = q.where.length > 0 ? `WHERE ${q.where.join(' AND ')}` : '';
  const params = [projectId, customerId, ...q.params];
  const cursor = q.after !== undefined ? `${conditions ? ' AND' : 'WHERE'} ${key} ${q.descending ? '<' : '>'} (SELECT ${q.byId ? 'y.id' : 'y.created_at, y.id'} FROM (${wallet}) y WHERE y.id = $${params.length + 1})` : '';
  const [{ rows }, count] = await Promise.all([
    db.query<WalletRow>(`SELECT * FROM (${wallet}) x ${conditions}${cursor} ORDER BY ${q.byId ? `x.id ${dir}` : `x.created_at ${dir}, x.id ${dir}`} LIMIT ${q.limit + 1}`, q.after !== undefined ? [...params, q.after] : params),
    db.query<{ n: string }>(`SELECT count(*) AS n FROM (${wallet}) x ${conditions}`, params),
  ]);
  return { rows, total: Number(count.rows[0]?.n ?? 0) };
}

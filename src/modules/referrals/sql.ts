import type { Executor } from '../../store/db.js';

/** Records a referral unless the referee was referred in this program before (then false): one guarded insert. */
export async function insertReferral(db: Executor, r: { projectId: string; campaignId: string; refereeId: string; referrerId: string; voucherId: string; eventId: string | null; now: Date }): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO referrals (project_id, campaign_id, referee_id, referrer_id, voucher_id, event_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
    [r.projectId, r.campaignId, r.refereeId, r.referrerId, r.voucherId, r.eventId, r.now],
  );
  return rowCount > 0;
}

/** A gift card of this campaign the customer holds (the oldest active one). */
export async function selectGiftCard(db: Executor, projectId: string, customerId: string, campaignId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM vouchers WHERE project_id = $1 AND holder_id = $2 AND campaign_id = $3 AND active AND type = 'GIFT_VOUCHER' ORDER BY created_at, id LIMIT 1`,
    [projectId, customerId, campaignId],
  );
  return rows[0]?.id;
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

/** A referrer's conversions in a program. */
export async function countConversions(db: Executor, campaignId: string, referrerId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM referrals WHERE campaign_id = $1 AND referrer_id = $2', [campaignId, referrerId]);
  return Number(rows[0]?.n ?? 0);
}

/** Serializes the conversions of one referral code (its row locked until the transaction ends). */
export async function lockCode(db: Executor, voucherId: string): Promise<void> {
  await db.query('SELECT id FROM vouchers WHERE id = $1 FOR UPDATE', [voucherId]);
}

/**
 * A campaign's figures for its summary, each over a period [from, to): a read model over tables other modules write
 * (redemptions, rollbacks, vouchers, publications, ledgers, referral holders) and the validation counts.
 */
import type { Executor } from '../../store/db.js';

export interface Period {
  from: Date;
  to: Date;
}
const n = (v: unknown) => Number(v ?? 0);

export async function redemptionFigures(db: Executor, campaignId: string, p: Period) {
  const { rows } = await db.query<Record<string, string | null>>(
    `SELECT count(*) AS redemptions,
            count(*) FILTER (WHERE r.result = 'SUCCESS') AS succeeded,
            count(*) FILTER (WHERE r.result = 'FAILURE') AS failed,
            sum(o.amount) FILTER (WHERE r.result = 'SUCCESS') AS orders_amount,
            sum(o.amount) FILTER (WHERE r.status = 'ROLLED_BACK') AS orders_rolledback_amount,
            sum(r.amount) FILTER (WHERE r.result = 'SUCCESS') AS discounted_amount,
            sum(r.amount) FILTER (WHERE r.status = 'ROLLED_BACK') AS rolledback_discounted_amount
       FROM redemptions r LEFT JOIN orders o ON o.id = r.order_id
      WHERE r.campaign_id = $1 AND r.related_object_type <> 'redemption' AND r.created_at >= $2 AND r.created_at < $3`,
    [campaignId, p.from, p.to],
  );
  const r = rows[0] ?? {};
  return {
    redemptions: n(r.redemptions),
    redemptions_succeeded: n(r.succeeded),
    redemptions_failed: n(r.failed),
    orders_amount: n(r.orders_amount),
    orders_rolledback_amount: n(r.orders_rolledback_amount),
    discounted_amount: n(r.discounted_amount),
    rolledback_discounted_amount: n(r.rolledback_discounted_amount),
  };
}

export async function rollbackCount(db: Executor, campaignId: string, p: Period): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM redemption_rollbacks b JOIN redemptions r ON r.id = b.redemption_id
      WHERE r.campaign_id = $1 AND b.created_at >= $2 AND b.created_at < $3`,
    [campaignId, p.from, p.to],
  );
  return n(rows[0]?.n);
}

export async function validationFigures(db: Executor, campaignId: string, p: Period) {
  const { rows } = await db.query<{ s: string | null; f: string | null }>(
    'SELECT sum(succeeded) AS s, sum(failed) AS f FROM campaign_validation_days WHERE campaign_id = $1 AND day >= $2::date AND day < $3::date',
    [campaignId, p.from.toISOString().slice(0, 10), p.to.toISOString().slice(0, 10)],
  );
  const s = n(rows[0]?.s);
  const f = n(rows[0]?.f);
  return { validations: s + f, validations_succeeded: s, validations_failed: f };
}

/** Codes made in the period, with the credits or points they started with (their own, else the campaign's). */
export async function voucherFigures(db: Executor, campaignId: string, p: Period, template: { gift: number; points: number }) {
  const { rows } = await db.query<{ n: string; gift: string | null; points: string | null }>(
    `SELECT count(*) AS n,
            sum(COALESCE((overrides -> 'gift' ->> 'amount')::bigint, $4)) FILTER (WHERE type = 'GIFT_VOUCHER') AS gift,
            sum(COALESCE((overrides -> 'loyalty_card' ->> 'points')::bigint, $5)) FILTER (WHERE type = 'LOYALTY_CARD') AS points
       FROM vouchers WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3`,
    [campaignId, p.from, p.to, template.gift, template.points],
  );
  return { vouchers_created: n(rows[0]?.n), created_vouchers_amount: n(rows[0]?.gift), created_vouchers_points: n(rows[0]?.points) };
}

export async function publicationCount(db: Executor, campaignId: string, p: Period): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM publications WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3', [campaignId, p.from, p.to]);
  return n(rows[0]?.n);
}

/** Sums of a ledger's amounts by transaction type (gift credits, or loyalty points). */
export async function ledgerSums(db: Executor, ledger: 'voucher_transactions' | 'loyalty_transactions', campaignId: string, p: Period): Promise<Map<string, number>> {
  const amount = ledger === 'voucher_transactions' ? 'amount' : 'points';
  const { rows } = await db.query<{ type: string; total: string }>(
    `SELECT type, sum(${amount}) AS total FROM ${ledger} WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY type`,
    [campaignId, p.from, p.to],
  );
  return new Map(rows.map((r) => [r.type, n(r.total)]));
}

export async function pendingFigures(db: Executor, campaignId: string, p: Period) {
  const { rows } = await db.query<Record<string, string | null>>(
    `SELECT sum(points) AS added, sum(points) FILTER (WHERE status = 'ACTIVATED') AS activated, sum(points) FILTER (WHERE status = 'CANCELED') AS canceled
       FROM loyalty_pending_points WHERE campaign_id = $1 AND created_at >= $2 AND created_at < $3`,
    [campaignId, p.from, p.to],
  );
  return { pending_points_added: n(rows[0]?.added), pending_points_activated: n(rows[0]?.activated), pending_points_canceled: n(rows[0]?.canceled) };
}

export async function refereeCount(db: Executor, campaignId: string, p: Period): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(DISTINCT customer_id) AS n FROM referral_holders WHERE campaign_id = $1 AND holder_role = 'REFEREE' AND created_at >= $2 AND created_at < $3`,
    [campaignId, p.from, p.to],
  );
  return n(rows[0]?.n);
}

/**
 * A member's card as GET /v1/loyalties/[{id}/]members/{code} shows it: Voucherify's LoyaltyMember `loyalty_card`
 * with its optional figures: `pending_points` (pending, not yet activated or canceled), `expired_points` (all its
 * expirations), `subtracted_points` (what else left it: removals, transfers out; so that `balance` = `points` -
 * `expired_points` - `subtracted_points` - `redemption.redeemed_points`, as the schema defines it) and the next
 * expiry (`next_expiration_date`, `next_expiration_points`; absent when no points are due to expire).
 */
import type { Executor } from '../../store/db.js';

export interface CardFigures {
  pending: number;
  expired: number;
  next: { date: string; points: number } | null;
}

export async function cardFigures(db: Executor, voucherId: string): Promise<CardFigures> {
  const { rows } = await db.query<{ pending: string | number; expired: string | number; next_on: string | null; next_points: string | number | null }>(
    `SELECT
       (SELECT COALESCE(sum(points), 0) FROM loyalty_pending_points WHERE voucher_id = $1 AND status = 'PENDING') AS pending,
       (SELECT COALESCE(-sum(points), 0) FROM loyalty_transactions WHERE voucher_id = $1 AND type = 'POINTS_EXPIRATION') AS expired,
       next.expires_on::text AS next_on, next.points AS next_points
     FROM (SELECT 1) one
     LEFT JOIN LATERAL (
       SELECT expires_on, sum(remaining) AS points FROM loyalty_point_buckets
        WHERE voucher_id = $1 AND remaining > 0 GROUP BY expires_on ORDER BY expires_on LIMIT 1
     ) next ON true`,
    [voucherId],
  );
  const r = rows[0]!;
  return { pending: Number(r.pending), expired: Number(r.expired), next: r.next_on ? { date: r.next_on, points: Number(r.next_points) } : null };
}

/** The card's `loyalty_card` with the figures (the rest of the card object as it is). */
export function withFigures<T extends { loyalty_card: { points: number; balance: number } | null; redemption?: { redeemed_points?: number } }>(card: T, f: CardFigures): T {
  if (!card.loyalty_card) return card;
  const { points, balance } = card.loyalty_card;
  const redeemed = card.redemption?.redeemed_points ?? 0;
  return {
    ...card,
    loyalty_card: {
      ...card.loyalty_card,
      pending_points: f.pending,
      expired_points: f.expired,
      subtracted_points: Math.max(0, points - balance - f.expired - redeemed),
      ...(f.next ? { next_expiration_date: f.next.date, next_expiration_points: f.next.points } : {}),
    },
  };
}

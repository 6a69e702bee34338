/**
 * Tiers a program keeps per member (loyalty_tiers_expiration: POINTS_IN_PERIOD, or BALANCE with a CUSTOM grace
 * period), as one row per card: the tier, since when, until when, and the points earned in the current and the
 * previous qualification period. A change of a card's points updates its row in the transaction of the change (the
 * card's row is locked by then, so changes of one card are serial); the tier-expiry job recomputes the rows whose
 * tier has ended, earliest first, skipping rows others hold.
 */
import type { Executor } from '../../store/db.js';
import type { TiersExpiration } from '../campaigns/index.js';
import { nextPeriod, periodTierEnd, pointsAt, tierEndFrom } from './tier-periods.js';
import { tierOf, type TierRow } from './tier-view.js';

export interface MemberTierRow {
  voucher_id: string;
  project_id: string;
  campaign_id: string;
  tier_id: string | null;
  tier_since: Date | null;
  expires_at: Date | null;
  period_start: Date | null;
  /** bigint columns: strings from node-postgres. */
  period_points: number | string;
  previous_points: number | string;
  /** The points of the period before the previous one (NEXT_PERIOD with END_OF_NEXT_PERIOD). */
  earlier_points?: number | string;
  /** When the tier-expiry job looks at the member again though their tier has not ended (NEXT_PERIOD programs). */
  recheck_at: Date | null;
  updated_at: Date;
}

export type TierMove = { kind: 'joined'; to: TierRow } | { kind: 'left'; from: TierRow } | { kind: 'upgraded' | 'downgraded'; from: TierRow; to: TierRow } | { kind: 'prolonged'; to: TierRow };

const higher = (a: TierRow, b: TierRow) => Number(a.points_from) > Number(b.points_from);

/**
 * What a card's tier becomes at `now` after a change that earned `earned` points (0 for other changes and for the
 * expiry job), its balance being `balance`: the row to keep and the moves to announce. A tier whose end has come is
 * recomputed first (from the points of the period, or of the one before for END_OF_NEXT_PERIOD, or from the
 * balance); then what the change reaches: a higher tier at once, the same tier again prolongs it.
 */
export function decide(x: TiersExpiration, tiers: TierRow[], row: MemberTierRow | undefined, now: Date, balance: number, earned: number): { row: Omit<MemberTierRow, 'voucher_id' | 'project_id' | 'campaign_id'>; moves: TierMove[] } {
  let tier = row?.tier_id ? tiers.find((t) => t.id === row.tier_id) : undefined;
  let since = tier ? (row?.tier_since ?? now) : null;
  let expires = tier ? (row?.expires_at ?? null) : null;
  const moves: TierMove[] = [];
  const inPeriod = x.qualification_type === 'POINTS_IN_PERIOD';
  const pts = inPeriod ? pointsAt(x, now, { start: row?.period_start ?? null, points: Number(row?.period_points ?? 0), previous: Number(row?.previous_points ?? 0), earlier: Number(row?.earlier_points ?? 0) }) : undefined;
  if (pts) pts.current += earned;

  const move = (q: TierRow | undefined, end: Date | null) => {
    if (!q) {
      if (tier) moves.push({ kind: 'left', from: tier });
      [tier, since, expires] = [undefined, null, null];
    } else if (!tier) {
      moves.push({ kind: 'joined', to: q });
      [tier, since, expires] = [q, now, end];
    } else if (q.id === tier.id) {
      if (end === null || expires === null || end > expires) moves.push({ kind: 'prolonged', to: q });
      expires = end;
    } else {
      moves.push({ kind: higher(q, tier) ? 'upgraded' : 'downgraded', from: tier, to: q });
      [tier, since, expires] = [q, now, end];
    }
  };

  // Tiers that start with the next period: the points of the period before decide, at its end.
  if (pts && x.start_date?.type === 'NEXT_PERIOD') return deferred(x, tiers, pts, now, { move, get: () => ({ tier, since, expires }), moves });

  // 1. A tier whose end has come: what the member holds now.
  if (tier && expires && expires <= now) {
    if (pts) {
      let best: [TierRow | undefined, Date] = [tierOf(tiers, pts.current), periodTierEnd(x, now)];
      if (x.expiration_date?.type === 'END_OF_NEXT_PERIOD') {
        // Points of the period just ended hold a tier through this one.
        const prev = tierOf(tiers, pts.previous);
        const period = x.qualification_period ?? 'MONTH';
        if (prev && (!best[0] || higher(prev, best[0]))) best = [prev, tierEndFrom(nextPeriod(pts.start, period), x)];
      }
      move(best[0], best[0] ? best[1] : null);
    } else {
      move(tierOf(tiers, balance), null);
    }
  }

  // 2. What this change reaches.
  if (pts) {
    const q = tierOf(tiers, pts.current);
    if (q && (!tier || higher(q, tier))) move(q, periodTierEnd(x, now));
    else if (q && tier && q.id === tier.id && earned > 0) {
      const end = periodTierEnd(x, now);
      if (!expires || end > expires) move(q, end);
    }
  } else {
    const q = tierOf(tiers, balance);
    if (q && (!tier || higher(q, tier))) move(q, null);
    else if (q && tier && q.id === tier.id) {
      // Back in the tier's range: its grace period is over.
      if (expires) move(q, null);
    } else if (tier && !expires) {
      // Below the tier: it lasts for the grace period.
      expires = tierEndFrom(now, x);
    }
  }
  return {
    row: { tier_id: tier?.id ?? null, tier_since: since, expires_at: expires, period_start: pts?.start ?? row?.period_start ?? null, period_points: pts?.current ?? 0, previous_points: pts?.previous ?? 0, earlier_points: pts?.earlier ?? 0, recheck_at: null, updated_at: now },
    moves,
  };
}

/**
 * NEXT_PERIOD: the tier a member holds in a period is the one their points of the period before reach, from its
 * start to its end (END_OF_PERIOD) or to the end of the period after (END_OF_NEXT_PERIOD: the points of the period
 * before the previous one still hold a tier through this one), moved on by `extend`, rounded. The best of these
 * and of a tier still running is held (a tier again prolongs it). The member is looked at again when this period
 * ends if its points reach a tier (it starts then) or a tier is held.
 */
function deferred(
  x: TiersExpiration,
  tiers: TierRow[],
  pts: { start: Date; current: number; previous: number; earlier: number },
  now: Date,
  m: { move: (q: TierRow | undefined, end: Date | null) => void; get: () => { tier: TierRow | undefined; since: Date | null; expires: Date | null }; moves: TierMove[] },
): { row: Omit<MemberTierRow, 'voucher_id' | 'project_id' | 'campaign_id'>; moves: TierMove[] } {
  const period = x.qualification_period ?? 'MONTH';
  const periodEnd = nextPeriod(pts.start, period);
  const twoPeriods = x.expiration_date?.type === 'END_OF_NEXT_PERIOD';
  // Candidates: [tier, its end], the later-starting first.
  const candidates: Array<[TierRow, Date]> = [];
  const fromPrevious = tierOf(tiers, pts.previous);
  if (fromPrevious) candidates.push([fromPrevious, tierEndFrom(twoPeriods ? nextPeriod(periodEnd, period) : periodEnd, x)]);
  const fromEarlier = twoPeriods ? tierOf(tiers, pts.earlier) : undefined;
  if (fromEarlier) candidates.push([fromEarlier, tierEndFrom(periodEnd, x)]);
  const best = candidates.reduce<[TierRow, Date] | undefined>((b, c) => (!b || higher(c[0], b[0]) ? c : b), undefined);
  const before = m.get();
  const running = before.tier && before.expires && before.expires > now ? before.tier : undefined;
  if (best && (!running || higher(best[0], running))) m.move(best[0], best[1]);
  else if (best && running && best[0].id === running.id) {
    if (before.expires && best[1] > before.expires) m.move(best[0], best[1]);
  } else if (!running) m.move(undefined, null);
  const after = m.get();
  const recheck = tierOf(tiers, pts.current) || after.tier || (twoPeriods && fromPrevious) ? periodEnd : null;
  return {
    row: { tier_id: after.tier?.id ?? null, tier_since: after.since, expires_at: after.expires, period_start: pts.start, period_points: pts.current, previous_points: pts.previous, earlier_points: pts.earlier, recheck_at: recheck, updated_at: now },
    moves: m.moves,
  };
}

const columns = 'voucher_id, project_id, campaign_id, tier_id, tier_since, expires_at, period_start, period_points, previous_points, earlier_points, recheck_at, updated_at';

export async function lockMember(tx: Executor, voucherId: string): Promise<MemberTierRow | undefined> {
  const { rows } = await tx.query<MemberTierRow>(`SELECT ${columns} FROM loyalty_tier_members WHERE voucher_id = $1 FOR UPDATE`, [voucherId]);
  return rows[0];
}

export async function saveMember(tx: Executor, r: MemberTierRow): Promise<void> {
  await tx.query(
    `INSERT INTO loyalty_tier_members (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (voucher_id) DO UPDATE SET tier_id = EXCLUDED.tier_id, tier_since = EXCLUDED.tier_since, expires_at = EXCLUDED.expires_at,
       period_start = EXCLUDED.period_start, period_points = EXCLUDED.period_points, previous_points = EXCLUDED.previous_points,
       earlier_points = EXCLUDED.earlier_points, recheck_at = EXCLUDED.recheck_at, updated_at = EXCLUDED.updated_at`,
    [r.voucher_id, r.project_id, r.campaign_id, r.tier_id, r.tier_since, r.expires_at, r.period_start, r.period_points, r.previous_points, r.earlier_points ?? 0, r.recheck_at ?? null, r.updated_at],
  );
}

/** Rows whose tier has ended or whose recheck has come by `now`, earliest first; rows other workers hold are skipped. */
export async function claimDueMembers(tx: Executor, now: Date, limit: number): Promise<MemberTierRow[]> {
  const { rows } = await tx.query<MemberTierRow>(
    `SELECT ${columns} FROM loyalty_tier_members
      WHERE (expires_at IS NOT NULL AND expires_at <= $1) OR (recheck_at IS NOT NULL AND recheck_at <= $1)
      ORDER BY least(coalesce(expires_at, recheck_at), coalesce(recheck_at, expires_at)), voucher_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows;
}

export async function selectMembers(ex: Executor, voucherIds: string[]): Promise<MemberTierRow[]> {
  if (voucherIds.length === 0) return [];
  const { rows } = await ex.query<MemberTierRow>(`SELECT ${columns} FROM loyalty_tier_members WHERE voucher_id = ANY ($1::text[])`, [voucherIds]);
  return rows;
}

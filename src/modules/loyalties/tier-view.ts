import { roundHalfUp } from '../../core/decimal.js';

/** Loyalty tier rows and Voucherify's LoyaltyTier object. */
export interface TierRow {
  id: string;
  project_id: string;
  campaign_id: string;
  name: string;
  /** bigint columns: strings from node-postgres. */
  points_from: number | string;
  points_to: number | string | null;
  metadata: Record<string, unknown>;
  /** Tier terms: earning rule id -> its points here; reward (or assignment) id -> its price here. */
  earning_rules: Record<string, PointsMapping>;
  rewards: Record<string, PointsMapping>;
  created_at: Date;
  updated_at: Date | null;
}

/** Voucherify's LoyaltyTier object. */
export function tierObject(t: TierRow) {
  const points = { from: Number(t.points_from), ...(t.points_to !== null ? { to: Number(t.points_to) } : {}) };
  return {
    id: t.id,
    name: t.name,
    campaign_id: t.campaign_id,
    metadata: t.metadata ?? {},
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at ? t.updated_at.toISOString() : null,
    points,
    config: { points },
    earning_rules: t.earning_rules ?? {},
    rewards: t.rewards ?? {},
    object: 'loyalty_tier' as const,
  };
}

/** The tier a balance falls in (the highest whose range holds it), if any. */
export function tierOf(tiers: TierRow[], balance: number): TierRow | undefined {
  let best: TierRow | undefined;
  for (const t of tiers) {
    const from = Number(t.points_from);
    if (balance >= from && (t.points_to === null || balance <= Number(t.points_to)) && (!best || from > Number(best.points_from))) best = t;
  }
  return best;
}


/** A tier's terms for a rule's points or a reward's price: multiplied, or a number of its own. */
export type PointsMapping = { type: 'MULTIPLY'; multiplier: number } | { type: 'CUSTOM'; points: number };

/** Points as a tier maps them (rounded to the nearest whole point, halves up); unmapped: as they are. */
export function mapPoints(points: number, m: PointsMapping | undefined): number {
  if (!m) return points;
  return m.type === 'CUSTOM' ? m.points : roundHalfUp(points * m.multiplier);
}

import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import { simpleCampaign, type CampaignRow } from '../campaigns/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';

export interface TierRow {
  id: string;
  project_id: string;
  campaign_id: string;
  name: string;
  /** bigint columns: strings from node-postgres. */
  points_from: number | string;
  points_to: number | string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date | null;
}

export interface TierInput {
  name?: string;
  points?: { from?: number; to?: number | null };
  metadata?: Record<string, unknown>;
}

/** Tiers one program may have. */
export const maxTiers = 100;

const columns = 'id, project_id, campaign_id, name, points_from, points_to, metadata, created_at, updated_at';

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
    earning_rules: {},
    rewards: {},
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

/**
 * Loyalty tiers: ranges of a card's balance. Every change of a card's points compares its tier before and after
 * (tiers read from a per-process cache) and records customer.loyalty.tier.joined, upgraded, downgraded or left.
 */
export function createTiers(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; definitions: Pick<Definitions, 'cache' | 'changed'> }) {
  const { db, clock } = deps;
  const cached = deps.definitions.cache(async (ex, projectIds) => (await ex.query<TierRow>(`SELECT ${columns} FROM loyalty_tiers WHERE project_id = ANY ($1::text[])`, [projectIds])).rows);

  async function list(projectId: string, campaignId: string, ex: Executor = db): Promise<TierRow[]> {
    const { rows } = await ex.query<TierRow>(`SELECT ${columns} FROM loyalty_tiers WHERE project_id = $1 AND campaign_id = $2 ORDER BY points_from, id`, [projectId, campaignId]);
    return rows;
  }

  async function create(cause: Cause, program: CampaignRow, inputs: TierInput[]) {
    const existing = await list(cause.projectId, program.id);
    if (existing.length + inputs.length > maxTiers) throw invalidPayload(`A loyalty program has at most ${maxTiers} tiers`);
    const now = clock.now();
    const rows: TierRow[] = inputs.map((t, i) => {
      const from = t.points?.from;
      const to = t.points?.to ?? null;
      if (!t.name) throw invalidPayload(`Property [${i}].name is required`);
      if (!Number.isInteger(from) || from! < 0) throw invalidPayload(`Property [${i}].points.from must be an integer of at least 0`);
      if (to !== null && (!Number.isInteger(to) || to < from!)) throw invalidPayload(`Property [${i}].points.to must be an integer of at least points.from`);
      return { id: newId('ltr'), project_id: cause.projectId, campaign_id: program.id, name: t.name, points_from: from!, points_to: to, metadata: t.metadata ?? {}, created_at: now, updated_at: null };
    });
    const all = [...existing, ...rows].sort((a, b) => Number(a.points_from) - Number(b.points_from));
    for (let i = 1; i < all.length; i++) {
      const prev = all[i - 1]!;
      if (prev.points_to === null || Number(prev.points_to) >= Number(all[i]!.points_from)) throw invalidPayload(`Tiers ${prev.name} and ${all[i]!.name} overlap: a balance belongs to one tier`);
    }
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO loyalty_tiers (${columns})
         SELECT t->>'id', t->>'project_id', t->>'campaign_id', t->>'name', (t->>'points_from')::bigint, (t->>'points_to')::bigint, t->'metadata', (t->>'created_at')::timestamptz, NULL
           FROM jsonb_array_elements($1::jsonb) AS t`,
        [JSON.stringify(rows)],
      );
      await deps.log.record(tx, rows.map((t) => ({ cause, event: { type: 'campaign.loyalty_tier.created', entityId: t.id, data: { campaign: simpleCampaign(program), loyalty_tier: tierObject(t) } } })));
    });
    await deps.definitions.changed(cause.projectId);
    return rows.map(tierObject);
  }

  async function get(projectId: string, campaignId: string, id: string) {
    const t = (await list(projectId, campaignId)).find((x) => x.id === id);
    if (!t) throw notFound('loyalty_tier', id);
    return tierObject(t);
  }

  /** The tier events of a card's balance moving from `before` to `after` (none when its program has no tiers). */
  async function changes(tx: Executor, cause: Cause, program: CampaignRow | undefined, holder: Record<string, unknown> | undefined | null, before: number, after: number): Promise<CausedEvent[]> {
    if (!program || !holder) return [];
    const tiers = (await cached.get(tx, [cause.projectId])).filter((t) => t.campaign_id === program.id);
    if (tiers.length === 0) return [];
    const from = tierOf(tiers, before);
    const to = tierOf(tiers, after);
    if (from?.id === to?.id) return [];
    const base = { customer: holder, campaign: simpleCampaign(program), created_at: clock.now().toISOString() };
    const customerId = String(holder.id);
    let type: string;
    let data: Record<string, unknown>;
    if (!from) [type, data] = ['customer.loyalty.tier.joined', { ...base, loyalty_tier: tierObject(to!) }];
    else if (!to) [type, data] = ['customer.loyalty.tier.left', { ...base, loyalty_tier: tierObject(from) }];
    else [type, data] = [Number(to.points_from) > Number(from.points_from) ? 'customer.loyalty.tier.upgraded' : 'customer.loyalty.tier.downgraded', { ...base, loyalty_tier_from: tierObject(from), loyalty_tier_to: tierObject(to) }];
    return [{ cause, event: { type, customerId, entityId: (to ?? from)!.id, data } }];
  }

  /** Whether the project has this tier (from the per-process copies). */
  const exists = async (projectId: string, id: string) => (await cached.get(db, [projectId])).some((t) => t.id === id);

  return { list: async (projectId: string, campaignId: string) => (await list(projectId, campaignId)).map(tierObject), create, get, changes, tiersOf: list, exists };
}

export type Tiers = ReturnType<typeof createTiers>;

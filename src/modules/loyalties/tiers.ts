import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound, resourceInUse } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import { timeOrder } from '../../store/list-filters.js';
import type { Definitions } from '../../store/definitions.js';
import { simpleCampaign, type CampaignRow } from '../campaigns/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { claimDueMembers, decide, lockMember, saveMember, selectMembers, type MemberTierRow, type TierMove } from './tier-members.js';
import { keepsTiers } from './tier-periods.js';
import { tierObject, tierOf, type PointsMapping, type TierRow } from './tier-view.js';
export { mapPoints, tierObject, tierOf, type PointsMapping, type TierRow } from './tier-view.js';

export interface TierInput {
  name?: string;
  points?: { from?: number; to?: number | null };
  metadata?: Record<string, unknown>;
  earning_rules?: Record<string, PointsMapping>;
  rewards?: Record<string, PointsMapping>;
}

/** Tiers one program may have. */
export const maxTiers = 100;

const columns = 'id, project_id, campaign_id, name, points_from, points_to, metadata, earning_rules, rewards, created_at, updated_at';
/** A card's points before its balance first changes: its campaign's (or its own) loyalty_card.points. */
const cardBase = "SELECT COALESCE((v.overrides -> 'loyalty_card' ->> 'points')::bigint, (c.definition -> 'voucher' -> 'loyalty_card' ->> 'points')::bigint, 0) FROM campaigns c WHERE c.id = v.campaign_id";

/**
 * Loyalty tiers: ranges of a card's balance. Every change of a card's points compares its tier before and after
 * (tiers read from a per-process cache) and records customer.loyalty.tier.joined, upgraded, downgraded or left.
 */
export function createTiers(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; definitions: Pick<Definitions, 'cache' | 'changed'> }) {
  const { db, clock } = deps;
  const cached = deps.definitions.cache(async (ex, projectIds) => (await ex.query<TierRow>(`SELECT ${columns} FROM loyalty_tiers WHERE project_id = ANY ($1::text[])`, [projectIds])).rows);

  /** A program's tiers by points, or by `order` (`created_at`, `updated_at`, `-` descending). */
  async function list(projectId: string, campaignId: string, ex: Executor = db, order?: string): Promise<TierRow[]> {
    const { rows } = await ex.query<TierRow>(
      `SELECT ${columns} FROM loyalty_tiers t WHERE project_id = $1 AND campaign_id = $2 ORDER BY ${timeOrder(order, 't', 't.points_from, t.id')}`,
      [projectId, campaignId],
    );
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
      return { id: newId('ltr'), project_id: cause.projectId, campaign_id: program.id, name: t.name, points_from: from!, points_to: to, metadata: t.metadata ?? {}, earning_rules: checkMappings(t.earning_rules, `[${i}].earning_rules`), rewards: checkMappings(t.rewards, `[${i}].rewards`), created_at: now, updated_at: null };
    });
    await checkTerms(cause.projectId, program.id, rows);
    const all = [...existing, ...rows].sort((a, b) => Number(a.points_from) - Number(b.points_from));
    for (let i = 1; i < all.length; i++) {
      const prev = all[i - 1]!;
      if (prev.points_to === null || Number(prev.points_to) >= Number(all[i]!.points_from)) throw invalidPayload(`Tiers ${prev.name} and ${all[i]!.name} overlap: a balance belongs to one tier`);
    }
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO loyalty_tiers (${columns})
         SELECT t->>'id', t->>'project_id', t->>'campaign_id', t->>'name', (t->>'points_from')::bigint, (t->>'points_to')::bigint, t->'metadata', t->'earning_rules', t->'rewards', (t->>'created_at')::timestamptz, NULL
           FROM jsonb_array_elements($1::jsonb) AS t`,
        [JSON.stringify(rows)],
      );
      await deps.log.record(tx, rows.map((t) => ({ cause, event: { type: 'campaign.loyalty_tier.created', entityId: t.id, data: { campaign: simpleCampaign(program), loyalty_tier: tierObject(t) } } })));
    });
    await deps.definitions.changed(cause.projectId);
    return rows.map(tierObject);
  }

  async function find(ex: Executor, projectId: string, programId: string, id: string, lock = false): Promise<TierRow> {
    const { rows } = await ex.query<TierRow>(`SELECT ${columns} FROM loyalty_tiers WHERE project_id = $1 AND campaign_id = $2 AND id = $3${lock ? ' FOR UPDATE' : ''}`, [projectId, programId, id]);
    if (!rows[0]) throw notFound('loyalty_tier', id);
    return rows[0];
  }

  /**
   * PUT .../tiers/{tierId} (Tessera's extension; Voucherify changes tiers in its dashboard): the name, metadata and
   * terms change; the points range does not (members hold tiers by it). Records campaign.loyalty_tier.updated.
   */
  async function update(cause: Cause, program: CampaignRow, id: string, input: TierInput) {
    if (input.points !== undefined) throw invalidPayload("A tier's points range cannot change (members hold tiers by it): create a tier with the new range and delete this one once no member holds it");
    const current = await find(db, cause.projectId, program.id, id);
    const row: TierRow = {
      ...current,
      name: input.name ?? current.name,
      metadata: input.metadata ?? current.metadata,
      earning_rules: input.earning_rules !== undefined ? checkMappings(input.earning_rules, 'earning_rules') : current.earning_rules,
      rewards: input.rewards !== undefined ? checkMappings(input.rewards, 'rewards') : current.rewards,
      updated_at: clock.now(),
    };
    await checkTerms(cause.projectId, program.id, [row]);
    await db.transaction(async (tx) => {
      await find(tx, cause.projectId, program.id, id, true);
      await tx.query('UPDATE loyalty_tiers SET name = $2, metadata = $3::jsonb, earning_rules = $4::jsonb, rewards = $5::jsonb, updated_at = $6 WHERE id = $1', [
        id, row.name, JSON.stringify(row.metadata), JSON.stringify(row.earning_rules), JSON.stringify(row.rewards), row.updated_at,
      ]);
      await deps.log.record(tx, [{ cause, event: { type: 'campaign.loyalty_tier.updated', entityId: id, data: { campaign: simpleCampaign(program), loyalty_tier: tierObject(row) } } }]);
    });
    await deps.definitions.changed(cause.projectId);
    return tierObject(row);
  }

  /**
   * DELETE .../tiers/{tierId} (Tessera's extension): only a tier no member holds, that is no card of the program
   * whose balance is in its range (or, where the program keeps tiers, whose kept tier it is): 409 resource_in_use
   * otherwise, since members would leave it without their tier events. Records campaign.loyalty_tier.deleted.
   */
  async function remove(cause: Cause, program: CampaignRow, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const t = await find(tx, cause.projectId, program.id, id, true);
      const rule = (await tx.query<{ id: string }>("SELECT id FROM earning_rules WHERE project_id = $1 AND definition -> 'loyalty_tier' ->> 'id' = $2 LIMIT 1", [cause.projectId, id])).rows[0];
      if (rule) throw resourceInUse(`Loyalty tier ${t.name} is named by earning rule ${rule.id}: delete or change the rule first`);
      const kept = keepsTiers(program.definition.loyalty_tiers_expiration);
      const { rows } = kept
        ? await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM loyalty_tier_members WHERE campaign_id = $1 AND tier_id = $2', [program.id, id])
        : await tx.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM vouchers v CROSS JOIN LATERAL (SELECT COALESCE(v.loyalty_balance, (${cardBase})) AS balance) b
              WHERE v.project_id = $1 AND v.campaign_id = $2 AND b.balance >= $3 AND ($4::bigint IS NULL OR b.balance <= $4)`,
            [cause.projectId, program.id, t.points_from, t.points_to],
          );
      const holders = rows[0]?.n ?? 0;
      if (holders > 0) throw resourceInUse(`Loyalty tier ${t.name} is held by ${holders} member${holders === 1 ? '' : 's'} of the program: a tier is deleted when no member holds it`);
      await tx.query('DELETE FROM loyalty_tiers WHERE id = $1', [id]);
      await deps.log.record(tx, [{ cause, event: { type: 'campaign.loyalty_tier.deleted', entityId: id, data: { campaign: simpleCampaign(program), loyalty_tier: tierObject(t) } } }]);
    });
    await deps.definitions.changed(cause.projectId);
  }

  /** The earning rules and rewards a tier's terms name belong to the program (rewards: by reward or assignment id). */
  async function checkTerms(projectId: string, programId: string, rows: TierRow[]): Promise<void> {
    const ruleIds = [...new Set(rows.flatMap((r) => Object.keys(r.earning_rules)))];
    const rewardIds = [...new Set(rows.flatMap((r) => Object.keys(r.rewards)))];
    if (ruleIds.length > 0) {
      const { rows: found } = await db.query<{ id: string }>('SELECT id FROM earning_rules WHERE project_id = $1 AND campaign_id = $2 AND id = ANY ($3::text[])', [projectId, programId, ruleIds]);
      const missing = ruleIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0) throw invalidPayload(`Tier earning_rules name rules the program does not have: ${missing.join(', ')}`);
    }
    if (rewardIds.length > 0) {
      const { rows: found } = await db.query<{ id: string; reward_id: string }>('SELECT id, reward_id FROM reward_assignments WHERE project_id = $1 AND campaign_id = $2 AND (id = ANY ($3::text[]) OR reward_id = ANY ($3::text[]))', [projectId, programId, rewardIds]);
      const missing = rewardIds.filter((id) => !found.some((f) => f.id === id || f.reward_id === id));
      if (missing.length > 0) throw invalidPayload(`Tier rewards name rewards the program does not offer: ${missing.join(', ')}`);
    }
  }

  /** The terms of the tier a card is in now for one earning rule or reward (by any of the ids given), if any. */
  async function termsFor(ex: Executor, projectId: string, card: { id: string }, program: CampaignRow, balance: number, kind: 'earning_rules' | 'rewards', ids: string[]): Promise<PointsMapping | undefined> {
    const tiers = (await cached.get(ex, [projectId])).filter((t) => t.campaign_id === program.id);
    // Most programs have no terms: nothing more is read.
    if (!tiers.some((t) => ids.some((id) => t[kind]?.[id] !== undefined))) return undefined;
    const now = await currentOf(ex, projectId, card, program, balance);
    if (!now) return undefined;
    for (const id of ids) if (now.tier[kind]?.[id]) return now.tier[kind][id];
    return undefined;
  }

  const get = async (projectId: string, campaignId: string, id: string) => tierObject(await find(db, projectId, campaignId, id));

  /** The events of a member's tier moves (the holder's activity and distributions). */
  function eventsOf(cause: Cause, program: CampaignRow, holder: Record<string, unknown>, moves: TierMove[]): CausedEvent[] {
    const base = { customer: holder, campaign: simpleCampaign(program), created_at: clock.now().toISOString() };
    const customerId = String(holder.id);
    return moves.map((m) => {
      const data = m.kind === 'upgraded' || m.kind === 'downgraded' ? { ...base, loyalty_tier_from: tierObject(m.from), loyalty_tier_to: tierObject(m.to) } : { ...base, loyalty_tier: tierObject(m.kind === 'left' ? m.from : m.to) };
      return { cause, event: { type: `customer.loyalty.tier.${m.kind}`, customerId, entityId: (m.kind === 'left' ? m.from : m.to).id, data } };
    });
  }

  /**
   * The tier events of a card's points moving from `before` to `after` (none when its program has no tiers). A
   * program that keeps its members' tiers (loyalty_tiers_expiration) updates the card's row: `card.earned` is what
   * the change earned in the qualification period.
   */
  async function changes(tx: Executor, cause: Cause, program: CampaignRow | undefined, holder: Record<string, unknown> | undefined | null, before: number, after: number, card?: { id: string; earned: number }): Promise<CausedEvent[]> {
    if (!program || !holder) return [];
    const tiers = (await cached.get(tx, [cause.projectId])).filter((t) => t.campaign_id === program.id);
    if (tiers.length === 0) return [];
    const kept = program.definition.loyalty_tiers_expiration;
    if (card && keepsTiers(kept)) {
      const row = await lockMember(tx, card.id);
      const next = decide(kept, tiers, row, clock.now(), after, card.earned);
      await saveMember(tx, { voucher_id: card.id, project_id: cause.projectId, campaign_id: program.id, ...next.row });
      return eventsOf(cause, program, holder, next.moves);
    }
    const from = tierOf(tiers, before);
    const to = tierOf(tiers, after);
    if (from?.id === to?.id) return [];
    const moves: TierMove[] = !from ? [{ kind: 'joined', to: to! }] : !to ? [{ kind: 'left', from }] : [{ kind: Number(to.points_from) > Number(from.points_from) ? 'upgraded' : 'downgraded', from, to }];
    return eventsOf(cause, program, holder, moves);
  }

  /**
   * The tier a card is in now: the one its program keeps for it (while it lasts), or the one its balance falls in,
   * with when it started and ends where the program keeps tiers.
   */
  async function currentOf(ex: Executor, projectId: string, card: { id: string }, program: CampaignRow, balance: number): Promise<{ tier: TierRow; expiration?: { start_date: string | null; expiration_date: string | null; created_at: string } } | undefined> {
    const tiers = (await cached.get(ex, [projectId])).filter((t) => t.campaign_id === program.id);
    if (tiers.length === 0) return undefined;
    if (!keepsTiers(program.definition.loyalty_tiers_expiration)) {
      const t = tierOf(tiers, balance);
      return t ? { tier: t } : undefined;
    }
    const row = (await selectMembers(ex, [card.id]))[0];
    const t = row?.tier_id ? tiers.find((x) => x.id === row.tier_id) : undefined;
    if (!t || !row || (row.expires_at && row.expires_at <= clock.now())) return undefined;
    return { tier: t, expiration: { start_date: row.tier_since?.toISOString() ?? null, expiration_date: row.expires_at?.toISOString() ?? null, created_at: (row.tier_since ?? row.updated_at).toISOString() } };
  }

  /**
   * The tier-expiry job's step: members whose tier has ended by now (earliest first, others' rows skipped), each
   * recomputed (prolonged, downgraded or left) in one transaction with its events.
   */
  async function expireStep(batchSize: number, load: (tx: Executor, projectId: string, voucherIds: string[]) => Promise<Map<string, { balance: number; program: CampaignRow | undefined; holder: Record<string, unknown> | undefined }>>): Promise<number> {
    return db.transaction(async (tx) => {
      const now = clock.now();
      const due = await claimDueMembers(tx, now, batchSize);
      if (due.length === 0) return 0;
      const events: CausedEvent[] = [];
      const byProject = new Map<string, MemberTierRow[]>();
      for (const r of due) (byProject.get(r.project_id) ?? byProject.set(r.project_id, []).get(r.project_id)!).push(r);
      for (const [projectId, rows] of byProject) {
        const cards = await load(tx, projectId, rows.map((r) => r.voucher_id));
        const tiers = (await cached.get(tx, [projectId]));
        const cause: Cause = { projectId, groupId: `v-tiers-${now.getTime().toString(16)}`, source: { channel: 'INTERNAL' } };
        for (const r of rows) {
          const c = cards.get(r.voucher_id);
          const kept = c?.program?.definition.loyalty_tiers_expiration;
          if (!c?.program || !keepsTiers(kept)) {
            // The program stopped keeping tiers: the row has nothing left to do.
            await saveMember(tx, { ...r, expires_at: null, recheck_at: null, updated_at: now });
            continue;
          }
          const next = decide(kept, tiers.filter((t) => t.campaign_id === c.program!.id), r, now, c.balance, 0);
          await saveMember(tx, { ...r, ...next.row });
          if (c.holder) events.push(...eventsOf(cause, c.program, c.holder, next.moves));
        }
      }
      await deps.log.record(tx, events);
      return due.length;
    });
  }

  /** Whether the project has this tier (from the per-process copies). */
  const exists = async (projectId: string, id: string) => (await cached.get(db, [projectId])).some((t) => t.id === id);

  return { list: async (projectId: string, campaignId: string, order?: string) => (await list(projectId, campaignId, db, order)).map(tierObject), create, update, remove, get, changes, currentOf, termsFor, expireStep, tiersOf: list, exists, row: (projectId: string, campaignId: string, id: string) => find(db, projectId, campaignId, id) };
}

export type Tiers = ReturnType<typeof createTiers>;

/** A tier's terms as given: each a MULTIPLY (multiplier above 0) or CUSTOM (whole points, 0 or more) mapping. */
function checkMappings(m: Record<string, PointsMapping> | undefined, at: string): Record<string, PointsMapping> {
  const out: Record<string, PointsMapping> = {};
  for (const [id, v] of Object.entries(m ?? {})) {
    if (v?.type === 'MULTIPLY' && typeof v.multiplier === 'number' && v.multiplier > 0 && v.multiplier <= 1000) out[id] = { type: 'MULTIPLY', multiplier: v.multiplier };
    else if (v?.type === 'CUSTOM' && Number.isInteger(v.points) && v.points >= 0 && v.points <= 1e12) out[id] = { type: 'CUSTOM', points: v.points };
    else throw invalidPayload(`Property ${at}.${id} must be {"type": "MULTIPLY", "multiplier": a number above 0 (at most 1000)} or {"type": "CUSTOM", "points": a whole number of at least 0}`);
  }
  return out;
}

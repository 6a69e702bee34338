import type { Clock } from '../../core/clock.js';
import type { Db, Executor } from '../../store/db.js';
import { simpleCampaign, type CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { simpleVoucher, type VouchersService } from '../vouchers/index.js';
import type { Ledger, PointsChange } from './ledger.js';
import * as sql from './sql.js';

/** LoyaltyPointsBucket. */
export function bucketObject(b: sql.BucketRow) {
  return {
    id: b.id,
    voucher_id: b.voucher_id,
    campaign_id: b.campaign_id ?? '',
    bucket: { total_points: Number(b.points) },
    status: 'ACTIVE',
    expires_at: b.expires_on,
    created_at: b.created_at.toISOString(),
    ...(b.updated_at ? { updated_at: b.updated_at.toISOString() } : {}),
    object: 'loyalty_points_bucket' as const,
  };
}

const internal = (projectId: string, now: Date): Cause => ({ projectId, groupId: `v-expiry-${now.getTime().toString(16)}`, source: { channel: 'INTERNAL' } });

/**
 * The points-expiry job: each step takes a batch of the buckets due by now (earliest first, from an index of open
 * buckets: no scan of cards, other workers skip them), and per card takes what remains of its due buckets as one
 * POINTS_EXPIRATION change (never below 0), with one locked read and one update for the whole batch; closes the
 * buckets, and records voucher.loyalty_card.points_expired per bucket (its schema holds one bucket), the holder's
 * customer.voucher.loyalty_card.points_expired per card (with all its buckets) and the card's transaction.
 */
export function createExpiry(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; ledger: Ledger; vouchers: Pick<VouchersService, 'byIds'>; customers: Pick<CustomersService, 'byIds'>; campaigns: Pick<CampaignsService, 'byIds'> }) {
  async function expireProject(tx: Executor, projectId: string, due: sql.BucketRow[], now: Date): Promise<CausedEvent[]> {
    const cause = internal(projectId, now);
    const perCard = new Map<string, sql.BucketRow[]>();
    for (const b of due) (perCard.get(b.voucher_id) ?? perCard.set(b.voucher_id, []).get(b.voucher_id)!).push(b);
    const cards = (await deps.vouchers.byIds(tx, [...perCard.keys()])).filter((c) => c.project_id === projectId);
    const campaignIds = [...new Set(cards.map((c) => c.campaign_id).filter((id): id is string => !!id))];
    const campaigns = new Map((campaignIds.length > 0 ? await deps.campaigns.byIds(tx, projectId, campaignIds) : []).map((c) => [c.id, c]));
    const holderIds = [...new Set(cards.map((c) => c.holder_id).filter((id): id is string => !!id))];
    const holders = new Map((holderIds.length > 0 ? await deps.customers.byIds(tx, projectId, holderIds) : []).map((c) => [c.id, simpleCustomer(c)]));
    const items = cards.map((card) => {
      const buckets = perCard.get(card.id)!;
      const last = bucketObject(buckets.at(-1)!).expires_at;
      const change: PointsChange = {
        card,
        campaign: card.campaign_id ? campaigns.get(card.campaign_id) : undefined,
        points: -buckets.reduce((n, b) => n + Number(b.remaining), 0),
        type: 'POINTS_EXPIRATION',
        source: 'Automation',
        holder: card.holder_id ? holders.get(card.holder_id) : undefined,
        reason: `Points valid through ${last}`,
      };
      return { cause, change };
    });
    const done = await deps.ledger.takeMany(tx, projectId, items);
    const events: CausedEvent[] = [];
    for (const { change: c } of items) {
      const d = done.get(c.card.id);
      if (!d) continue;
      const transaction = d.events.find((e) => e.event.type === 'voucher.loyalty_card.transaction.created')!.event.data.transaction;
      const common = { customer: c.holder ?? null, campaign: c.campaign ? simpleCampaign(c.campaign) : null, voucher: simpleVoucher(d.card, c.campaign), transaction };
      events.push(...d.events);
      // What the card gave is taken from its due buckets, earliest first.
      let left = -d.transaction.points;
      const expired: Array<{ bucket: ReturnType<typeof bucketObject>; points: number }> = [];
      for (const b of perCard.get(c.card.id)!) {
        const points = Math.min(Number(b.remaining), left);
        left -= points;
        if (points > 0) expired.push({ bucket: bucketObject(b), points });
      }
      for (const e of expired) events.push({ cause, event: { type: 'voucher.loyalty_card.points_expired', entityId: c.card.id, data: { ...common, points: e.points, buckets: e.bucket } } });
      if (c.holder) events.push({ cause, event: { type: 'customer.voucher.loyalty_card.points_expired', customerId: c.holder.id, entityId: c.card.id, data: { ...common, points: -d.transaction.points, buckets: expired.map((e) => e.bucket) } } });
    }
    return events;
  }

  async function step(batchSize: number): Promise<number> {
    return deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const due = await sql.claimDueBuckets(tx, now, batchSize);
      if (due.length === 0) return 0;
      const perProject = new Map<string, sql.BucketRow[]>();
      for (const b of due) (perProject.get(b.project_id) ?? perProject.set(b.project_id, []).get(b.project_id)!).push(b);
      const events: CausedEvent[] = [];
      for (const [projectId, buckets] of perProject) events.push(...(await expireProject(tx, projectId, buckets, now)));
      await sql.closeBuckets(tx, due.map((b) => b.id), now);
      await deps.log.record(tx, events);
      return due.length;
    });
  }
  return { step };
}

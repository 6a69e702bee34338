import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';
import { simpleCampaign, type CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { cardPoints, simpleVoucher, type VouchersService } from '../vouchers/index.js';
import type { Ledger } from './ledger.js';
import * as sql from './sql.js';

/** LoyaltyPointsBucket. */
export function bucketObject(b: sql.BucketRow) {
  const on = typeof b.expires_on === 'string' ? b.expires_on.slice(0, 10) : b.expires_on.toISOString().slice(0, 10);
  return {
    id: b.id,
    voucher_id: b.voucher_id,
    campaign_id: b.campaign_id ?? '',
    bucket: { total_points: Number(b.points) },
    status: 'ACTIVE',
    expires_at: on,
    created_at: b.created_at.toISOString(),
    ...(b.updated_at ? { updated_at: b.updated_at.toISOString() } : {}),
    object: 'loyalty_points_bucket' as const,
  };
}

const internal = (projectId: string, now: Date): Cause => ({ projectId, groupId: `v-expiry-${now.getTime().toString(16)}`, source: { channel: 'INTERNAL' } });

/**
 * The points-expiry job: each step takes the buckets due by now (earliest first, from an index of open buckets: no
 * scan of cards), takes what remains of each from its card as a POINTS_EXPIRATION change (one guarded statement,
 * never below 0), closes the bucket, and records voucher.loyalty_card.points_expired (and the holder's
 * customer.voucher.loyalty_card.points_expired) with the card's transaction.
 */
export function createExpiry(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; ledger: Ledger; vouchers: Pick<VouchersService, 'find' | 'campaignOf'>; customers: Pick<CustomersService, 'byIds'>; campaigns: Pick<CampaignsService, 'byIds'> }) {
  async function step(batchSize: number): Promise<number> {
    return deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const due = await sql.claimDueBuckets(tx, now, batchSize);
      const events: CausedEvent[] = [];
      for (const b of due) {
        const card = await deps.vouchers.find(b.project_id, b.voucher_id, tx).catch(() => undefined);
        if (!card) continue;
        const campaign = await deps.vouchers.campaignOf(tx, card);
        const points = Math.min(Number(b.remaining), cardPoints(card, campaign).balance);
        const cause = internal(b.project_id, now);
        const holderRow = card.holder_id ? (await deps.customers.byIds(tx, b.project_id, [card.holder_id]))[0] : undefined;
        const holder = holderRow ? simpleCustomer(holderRow) : undefined;
        if (points > 0) {
          const done = await deps.ledger.change(tx, cause, { card, campaign, points: -points, type: 'POINTS_EXPIRATION', source: 'Automation', holder, reason: `Points valid through ${bucketObject(b).expires_at}` });
          const bucket = bucketObject(b);
          const common = { customer: holder ?? null, campaign: campaign ? simpleCampaign(campaign) : null, voucher: simpleVoucher(done.card, campaign), points, transaction: done.events.at(-1)!.event.data.transaction };
          events.push(...done.events, { cause, event: { type: 'voucher.loyalty_card.points_expired', entityId: card.id, data: { ...common, buckets: bucket } } });
          if (holder) events.push({ cause, event: { type: 'customer.voucher.loyalty_card.points_expired', customerId: holder.id, entityId: card.id, data: { ...common, buckets: [bucket] } } });
        }
        await sql.closeBucket(tx, b.id, now);
      }
      await deps.log.record(tx, events);
      return due.length;
    });
  }
  return { step };
}

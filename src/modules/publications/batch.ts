import { noVoucherSuitableForPublication } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';
import { createGroupCommit } from '../../store/group-commit.js';
import type { CampaignRow } from '../campaigns/index.js';
import type { CustomerRow, CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import type { VoucherRow, VouchersService } from '../vouchers/index.js';
import * as sql from './sql.js';
import type { PublicationRow } from './types.js';
import { publicationObject } from './view.js';

/** One code of a campaign for one customer: the publication most requests make, and the one batched. */
export interface BatchedPublication {
  cause: Cause;
  customer: NonNullable<import('./types.js').PublicationInput['customer']>;
  campaign: CampaignRow;
  channel: string;
  metadata: Record<string, unknown>;
}

/**
 * Group commit of plain publications (one code of a campaign, no source_id, no join_once): concurrent requests share
 * a transaction and its statements (customers upserted together, codes taken or made together, publications inserted
 * with their events in one statement). Any refusal in a batch (a bad customer, a campaign out of codes) rolls the
 * whole batch back and its publications are made one by one, so each request gets what it would have alone.
 */
export function createPublicationBatch(deps: {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  customers: Pick<CustomersService, 'upsertMany'>;
  vouchers: VouchersService;
  concurrency: number;
  events(cause: Cause, p: PublicationRow, customer: CustomerRow, rows: VoucherRow[], campaign: CampaignRow | undefined): CausedEvent[];
}) {
  const { clock, log, customers, vouchers } = deps;
  return createGroupCommit<BatchedPublication, ReturnType<typeof publicationObject>>({
    db: deps.db,
    name: 'publications',
    maxBatch: 64,
    maxInFlight: deps.concurrency,
    async write(tx, items) {
      const outcomes = await customers.upsertMany(tx, items.map((i) => ({ cause: i.cause, input: i.customer })));
      for (const o of outcomes) if ('error' in o) throw o.error;
      const people = outcomes.map((o) => ('error' in o ? undefined : o.result.customer)) as CustomerRow[];
      // Codes per campaign, in the items' order.
      const codes: VoucherRow[] = new Array(items.length);
      const byCampaign = new Map<string, number[]>();
      items.forEach((item, i) => byCampaign.set(item.campaign.id, [...(byCampaign.get(item.campaign.id) ?? []), i]));
      for (const at of byCampaign.values()) {
        const campaign = items[at[0]!]!.campaign;
        const taken = await vouchers.takeManyFor(tx, campaign, at.map((i) => people[i]!.id));
        if (!taken) throw noVoucherSuitableForPublication(`Campaign ${campaign.id} has no unpublished code left`, { resourceId: campaign.id, resourceType: 'campaign' });
        at.forEach((i, k) => (codes[i] = taken[k]!));
      }
      const now = clock.now();
      const rows: PublicationRow[] = items.map((item, i) => ({
        id: newSortableId('pub', now),
        project_id: item.cause.projectId,
        customer_id: people[i]!.id,
        campaign_id: item.campaign.id,
        vouchers: [{ id: codes[i]!.id, code: codes[i]!.code }],
        source_id: null,
        channel: item.channel,
        metadata: item.metadata,
        created_at: now,
      }));
      // The publications go in with the events, in one statement.
      await log.record(
        tx,
        [...outcomes.flatMap((o) => ('error' in o ? [] : o.events)), ...items.flatMap((item, i) => deps.events(item.cause, rows[i]!, people[i]!, [codes[i]!], item.campaign))],
        [sql.publicationsInsert(rows)],
      );
      return items.map((item, i) => publicationObject(rows[i]!, people[i]!, [vouchers.object(codes[i]!, item.campaign)]));
    },
  });
}

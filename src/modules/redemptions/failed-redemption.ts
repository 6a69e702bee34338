/** A refused redemption's FAILED record and its redemption.failed event. */
import type { Clock } from '../../core/clock.js';
import type { TesseraError } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { CampaignRow, CampaignsService } from '../campaigns/index.js';
import type { CustomerInput, CustomerRow } from '../customers/index.js';
import type { Cause, EventLog } from '../event-log/index.js';
import { simpleStack, simpleTier, type StackRow, type TierRow } from '../promotions/index.js';
import { simpleVoucher, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import * as sql from './sql.js';
import type { RedeemableInput, StackInput } from './types.js';
import { redemptionBody } from './view.js';

/**
 * What a refused redemption was about, for its FAILED record: the redeemable that refused (as sent, and the voucher
 * or tier it named) and the stack it came from. Without one (refused before its redeemables were judged), the
 * request's first redeemable.
 */
export interface FailedOn {
  input?: RedeemableInput;
  voucher?: VoucherRow;
  tier?: TierRow;
  campaign?: CampaignRow;
  promotionStack?: StackRow;
}

export interface FailureDeps {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  vouchers: Pick<VouchersService, 'find'>;
  campaigns: Pick<CampaignsService, 'byIds' | 'simple'>;
  customerFor(tx: Executor, projectId: string, input: CustomerInput | undefined): Promise<CustomerRow | undefined>;
}

export function createFailureRecorder(deps: FailureDeps) {
  const { db, clock, log } = deps;

  /** A failed redemption is kept (FAILED) and announced (redemption.failed); nothing was spent. */
  return async function recordFailure(cause: Cause, input: StackInput, err: TesseraError, failedOn: FailedOn): Promise<void> {
    const now = clock.now();
    await db.transaction(async (tx) => {
      const customer = await deps.customerFor(tx, cause.projectId, input.customer);
      const first = failedOn.input ?? input.redeemables[0]!;
      // The voucher as it is now (read again: the refused spend was rolled back).
      const named = failedOn.input ? failedOn.voucher?.id : first.object === 'voucher' ? first.id : undefined;
      const voucher = named !== undefined ? await deps.vouchers.find(cause.projectId, named, tx).catch(() => undefined) : undefined;
      // A tier (sent alone or from a stack) that refused is named by the failed redemption.
      const tier = failedOn.tier;
      const campaign = voucher?.campaign_id ? (await deps.campaigns.byIds(tx, cause.projectId, [voucher.campaign_id]))[0] : tier ? failedOn.campaign : undefined;
      const r = {
        id: newSortableId('r', now),
        parent_id: null,
        customer_id: customer?.id ?? null,
        tracking_id: input.tracking_id ?? customer?.source_id ?? null,
        related_object_type: tier || first.object === 'promotion_tier' ? ('promotion_tier' as const) : ('voucher' as const),
        related_object_id: voucher?.id ?? tier?.id ?? first.id,
        result: 'FAILURE' as const,
        status: 'FAILED' as const,
        created_at: now,
        amount: 0,
      };
      const body = redemptionBody(r, { customer: customer ?? null, order: null, voucher, tier, campaign, metadata: input.metadata ?? {}, source: cause.source, failure: { code: err.key, message: err.details ?? err.publicMessage } });
      await sql.insertRedemptions(tx, [{ ...r, project_id: cause.projectId, order_id: null, voucher_id: voucher?.id ?? null, campaign_id: campaign?.id ?? null, promotion_stack_id: failedOn.promotionStack?.id ?? null, gift_amount: 0, spent: {}, body }]);
      if (customer) await sql.addToSummary(tx, cause.projectId, customer.id, { total_redeemed: 1, total_failed: 1 });
      const data = { customer: customer ? body.customer : null, order: null, campaign: campaign ? deps.campaigns.simple(campaign) : null, voucher: voucher ? simpleVoucher(voucher, campaign) : null, holder: null, promotion_tier: tier ? simpleTier(tier) : null, promotion_stack: failedOn.promotionStack ? simpleStack(failedOn.promotionStack) : null, redemption: body, created_at: now.toISOString() };
      await log.record(tx, [{ cause, event: { type: 'redemption.failed', customerId: null, entityId: r.id, data } }]);
    });
  };
}

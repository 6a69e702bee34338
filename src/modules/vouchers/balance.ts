import type { ValueFilter } from '../../core/list-filters.js';
import type { Clock } from '../../core/clock.js';
import { giftAmountExceeded, invalidPayload, invalidVoucher, notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import type { CampaignRow, CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import * as sql from './sql.js';
import type { VoucherRow } from './types.js';
import { simpleVoucher, voucherObject } from './view.js';

export interface BalanceInput {
  amount: number;
  source_id?: string;
  reason?: string;
}

/** A balance change: `total` is what the card was given over its life (its gift.amount), as the spec defines it. */
export function balanceObject(v: VoucherRow, campaign: CampaignRow | undefined, amount: number) {
  return {
    amount,
    total: voucherObject(v, campaign).gift?.amount ?? Number(v.gift_balance ?? 0),
    balance: Number(v.gift_balance ?? 0),
    type: 'gift_voucher' as const,
    operation_type: 'MANUAL' as const,
    object: 'balance' as const,
    related_object: { type: 'voucher' as const, id: v.id },
  };
}

/** A gift card's VoucherTransaction (also each row of a voucher_transactions export). */
export function transactionObject(t: sql.TransactionRow) {
  const amount = Number(t.amount);
  const balance = Number(t.balance);
  return {
    id: t.id,
    source_id: t.source_id,
    voucher_id: t.voucher_id,
    campaign_id: t.campaign_id,
    source: 'API' as const,
    reason: t.reason,
    type: t.type,
    details: { balance: { type: 'gift_voucher', total: balance, object: 'balance', amount, balance, operation_type: 'MANUAL', related_object: { id: t.voucher_id, type: 'voucher' } } },
    related_transaction_id: null,
    created_at: t.created_at.toISOString(),
  };
}

/**
 * Gift balances: POST /v1/vouchers/{code}/balance adds credits (positive amount) or takes them (negative), in one
 * guarded statement with its transaction row and events (voucher.gift.balance_added for additions,
 * voucher.gift.transaction.created for both).
 */
export function createBalances(deps: {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  campaigns: Pick<CampaignsService, 'simple'>;
  find(projectId: string, code: string): Promise<VoucherRow>;
  campaignOf(tx: Executor, v: VoucherRow): Promise<CampaignRow | undefined>;
  /** The holder of a card credited (for customer.voucher.gift.balance_added). */
  customers?: Pick<CustomersService, 'byIds'>;
}) {
  const { db, clock, log } = deps;

  async function change(cause: Cause, code: string, input: BalanceInput) {
    const current = await deps.find(cause.projectId, code);
    if (current.type !== 'GIFT_VOUCHER') throw invalidVoucher(`Voucher ${current.code} is a ${current.type}: only gift vouchers have a balance to change`);
    return db.transaction(async (tx) => {
      const done = await changeIn(tx, cause, current, input);
      await log.record(tx, done.events);
      return done.balance;
    });
  }

  /** A change of a gift voucher's credits in the caller's transaction: the balance and the events to record. */
  async function changeIn(tx: Executor, cause: Cause, current: VoucherRow, input: BalanceInput): Promise<{ balance: ReturnType<typeof balanceObject>; voucher: VoucherRow; events: CausedEvent[] }> {
    {
      const now = clock.now();
      const v = await sql.changeBalance(tx, cause.projectId, current.id, input.amount, now);
      // A card deleted while the change waited for its row is not found (not over its maximum, nor short of credits).
      if (!v && !(await sql.selectVoucher(tx, cause.projectId, current.id))) throw notFound('voucher', current.code);
      if (!v && input.amount > 0) throw invalidPayload(`Voucher ${current.code} cannot hold ${input.amount} more: a balance is at most 9,007,199,254,740,991`);
      if (!v) throw giftAmountExceeded(`Voucher ${current.code} holds less than ${-input.amount} that validation sessions do not reserve: its balance cannot go below 0 or below their reservations`, { resourceId: current.code, resourceType: 'voucher' });
      const campaign = await deps.campaignOf(tx, v);
      const t: sql.TransactionRow = {
        id: newSortableId('vtx', now),
        voucher_id: v.id,
        campaign_id: v.campaign_id,
        type: input.amount > 0 ? 'CREDITS_ADDITION' : 'CREDITS_REMOVAL',
        source_id: input.source_id ?? null,
        reason: input.reason ?? null,
        amount: input.amount,
        balance: Number(v.gift_balance),
        created_at: now,
      };
      await sql.insertTransaction(tx, { id: t.id, projectId: cause.projectId, voucherId: v.id, campaignId: v.campaign_id, type: t.type, sourceId: t.source_id, reason: t.reason, amount: input.amount, balance: Number(t.balance), now });
      const balance = balanceObject(v, campaign, input.amount);
      const transaction = transactionObject(t);
      const simpleCampaign = campaign ? deps.campaigns.simple(campaign) : null;
      const events: CausedEvent[] = [];
      if (input.amount > 0) {
        events.push({ cause, event: { type: 'voucher.gift.balance_added', entityId: v.id, data: { voucher: simpleVoucher(v, campaign), balance, campaign: simpleCampaign, transaction } } });
      }
      const holderRow = input.amount > 0 && v.holder_id && deps.customers ? (await deps.customers.byIds(tx, cause.projectId, [v.holder_id]))[0] : undefined;
      if (holderRow) {
        // The holder's activity (and a distribution trigger).
        const customer = simpleCustomer(holderRow);
        events.push({ cause, event: { type: 'customer.voucher.gift.balance_added', customerId: customer.id, entityId: v.id, data: { customer, campaign: simpleCampaign, voucher: simpleVoucher(v, campaign), balance, transaction } } });
      }
      const holder = v.holder_id ? { id: v.holder_id, object: 'customer' } : null;
      events.push({ cause, event: { type: 'voucher.gift.transaction.created', entityId: t.id, data: { transaction, voucher: voucherObject(v, campaign), campaign: simpleCampaign, holder, balance } } });
      return { balance, voucher: v, events };
    }
  }

  /** GET /v1/vouchers/{code}/transactions: newest first, or oldest first with `order=id`. */
  async function transactions(projectId: string, code: string, q: { limit: number; starting_after_id?: string; order?: string }) {
    const v = await deps.find(projectId, code);
    const rows = await sql.selectTransactions(db, projectId, { voucherId: v.id }, q.limit + 1, q.starting_after_id, q.order === 'id');
    const page = rows.slice(0, q.limit).map((t) => transactionObject(t));
    return { data: page, has_more: rows.length > q.limit, more_starting_after: rows.length > q.limit ? page.at(-1)?.id : undefined };
  }

  /** GET /v1/campaigns/{id}/transactions of a gift card campaign: its cards' transactions, newest first. */
  async function campaignTransactions(projectId: string, campaignId: string, q: { limit: number; starting_after_id?: string; order?: string; filters?: Record<string, ValueFilter | undefined> }) {
    const rows = await sql.selectTransactions(db, projectId, { campaignId }, q.limit + 1, q.starting_after_id, q.order === 'id', q.filters);
    const page = rows.slice(0, q.limit);
    const data = page.map((t) => transactionObject(t));
    return { data, has_more: rows.length > q.limit, more_starting_after: rows.length > q.limit ? data.at(-1)?.id : undefined };
  }

  return { change, changeIn, transactions, campaignTransactions };
}

export type Balances = ReturnType<typeof createBalances>;

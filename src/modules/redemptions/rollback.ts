/**
 * Rollbacks: a redemption (or every redemption of a stack) gives back what it spent, in one transaction: the row
 * turns ROLLED_BACK by a guarded UPDATE (a second rollback finds nothing to turn: already_rolled_back), a limited
 * voucher's quantity, its rule counters and its gift credits come back exactly.
 */
import { alreadyRolledBack, invalidRedemption, invalidRedemptionParent, notFound, resourceInUse, TesseraError, type ErrorKey } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Executor } from '../../store/db.js';
import type { CustomerRow } from '../customers/index.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { simpleStack, type StackRow } from '../promotions/index.js';
import type { CampaignRow } from '../campaigns/index.js';
import { insertGiftTransaction, simpleVoucher, type VoucherRow } from '../vouchers/index.js';
import { giftTransactionData, simpleOrder } from './events.js';
import type { RedemptionsDeps } from './service.js';
import * as sql from './sql.js';
import type { RedemptionRow } from './types.js';
import { channelOf, simpleRedemption } from './view.js';

export interface RollbackInput {
  reason?: string;
  tracking_id?: string;
  metadata?: Record<string, unknown>;
}

/** Refusals of a rollback of an existing redemption, announced as redemption.rollback.failed. */
const refusals = new Set<ErrorKey>(['already_rolled_back', 'invalid_redemption', 'invalid_redemption_parent']);

/** A stack's redemptions in the order they were redeemed (the parent's related_redemptions), not by id. */
function inStackOrder(parent: RedemptionRow, children: RedemptionRow[]): RedemptionRow[] {
  const related = (parent.body.related_redemptions as { redemptions?: { id: string }[] } | undefined)?.redemptions ?? [];
  const place = new Map(related.map((r, i) => [r.id, i]));
  return [...children].sort((a, b) => (place.get(a.id) ?? related.length) - (place.get(b.id) ?? related.length));
}

export function createRollbacks(deps: RedemptionsDeps) {
  const { db, clock, log } = deps;

  /** The data of redemption.rollback.succeeded|failed (and the customer's): the redemption's parts and the rollback. */
  function rollbackData(
    r: RedemptionRow,
    x: { customer: CustomerRow | undefined; campaign: CampaignRow | undefined; voucher: VoucherRow | undefined; stack: StackRow | undefined; redemption: Record<string, unknown>; rollback: Record<string, unknown> },
  ) {
    return {
      customer: x.customer ? r.body.customer : null,
      order: simpleOrder(r.body.order as Record<string, unknown> | null),
      campaign: x.campaign ? deps.campaigns.simple(x.campaign) : null,
      voucher: x.voucher ? simpleVoucher(x.voucher, x.campaign) : null,
      holder: null,
      promotion_tier: (r.body.promotion_tier as Record<string, unknown> | undefined) ?? null,
      promotion_stack: x.stack ? simpleStack(x.stack) : null,
      redemption: simpleRedemption(x.redemption),
      redemption_rollback: x.rollback,
    };
  }

  async function customerOf(tx: Executor, projectId: string, id: string | null): Promise<CustomerRow | undefined> {
    return id ? deps.customers.get(projectId, id, tx).catch(() => undefined) : undefined;
  }

  /** Rolls one redemption back in tx; its rollback object and events. */
  async function rollbackOne(tx: Executor, cause: Cause, r: RedemptionRow, input: RollbackInput, now: Date, parentRollbackId?: string) {
    const id = newSortableId('rr', now);
    const rolledBody = { ...r.body, status: 'ROLLED_BACK' };
    if (!(await sql.markRolledBack(tx, r.id, rolledBody))) throw alreadyRolledBack(`Redemption ${r.id} has been rolled back already`);
    const voucher = r.voucher_id ? await deps.vouchers.find(cause.projectId, r.voucher_id, tx).catch(() => undefined) : undefined;
    if ((r.voucher_id && !voucher) || (!r.voucher_id && r.campaign_id)) {
      const entry = await sql.binEntryHolding(tx, cause.projectId, r.voucher_id, r.campaign_id);
      if (entry) throw resourceInUse(`The code or campaign of redemption ${r.id} is in the bin (entry ${entry}): restore it first, then roll back`, { resourceId: r.id, resourceType: 'redemption' });
    }
    if (r.spent.quantity && r.voucher_id) await sql.restoreQuantity(tx, r.voucher_id);
    if (r.spent.counters) await sql.restoreCounters(tx, r.spent.counters);
    if (r.spent.units) await sql.restoreUnits(tx, r.spent.units);
    let balance: number | undefined;
    let redeemed: number | undefined;
    if (r.spent.gift && r.voucher_id) {
      ({ balance, redeemed } = (await sql.restoreBalance(tx, r.voucher_id, r.spent.gift)) ?? {});
      // A card deleted for good has no balance to take the credits back, nor a ledger: the rollback goes on.
      if (balance !== undefined) await insertGiftTransaction(tx, { id: `${id}_gt`, projectId: cause.projectId, voucherId: r.voucher_id, campaignId: r.campaign_id, type: 'CREDITS_REFUND', sourceId: null, reason: input.reason ?? null, amount: r.spent.gift, balance, now });
    }
    const campaign = r.campaign_id ? (await deps.campaigns.byIds(tx, cause.projectId, [r.campaign_id]))[0] : undefined;
    const customer = await customerOf(tx, cause.projectId, r.customer_id);
    const refundEvents: CausedEvent[] = [];
    let card = voucher;
    const holder = (r.spent.points || r.spent.reward) && voucher ? await deps.loyalties.holderOf(tx, cause.projectId, voucher) : undefined;
    if (r.spent.points && voucher) {
      // The points a loyalty card paid come back (POINTS_REFUND: the balance, not the points earned).
      const reward = r.body.reward as { id?: string; name?: string } | undefined;
      const refunded = await deps.loyalties.refundIn(tx, cause, { card: voucher, campaign }, r.spent.points, holder, input.reason ?? null, { redemption_id: r.id, rollback_id: id, ...(reward?.id ? { reward_id: reward.id, reward_name: reward.name ?? '' } : {}) });
      refundEvents.push(...refunded.events);
      card = refunded.card;
    }
    // A card deleted for good still gives its reward's unit back (without a holder's activity to record it in).
    if (r.spent.reward) refundEvents.push(...(await deps.rewards.rollBackIn(tx, cause, { redemptionId: r.id, rollbackId: id, card, campaign, holder })));
    // The stack as it is now (a deleted stack is named by nobody).
    const promotionStack = r.promotion_stack_id ? await deps.promotions.stacks.byId(tx, cause.projectId, r.promotion_stack_id) : undefined;
    const tier = r.body.promotion_tier as Record<string, unknown> | undefined;
    const current = card ? { ...card, ...(balance !== undefined ? { gift_balance: balance, gift_redeemed: redeemed } : {}), redeemed_quantity: Math.max(0, (card.redeemed_quantity ?? 0) - (r.spent.quantity ? 1 : 0)) } : undefined;
    const body = {
      id,
      object: 'redemption_rollback' as const,
      date: now.toISOString(),
      customer_id: r.customer_id,
      tracking_id: input.tracking_id ?? r.tracking_id,
      metadata: input.metadata ?? {},
      amount: -Number(r.amount),
      redemption: r.id,
      ...(parentRollbackId ? { parent_rollback_id: parentRollbackId } : {}),
      reason: input.reason ?? null,
      result: 'SUCCESS' as const,
      status: 'SUCCEEDED' as const,
      order: r.body.order ?? null,
      channel: channelOf(cause.source),
      customer: r.body.customer ?? null,
      related_object_type: r.related_object_type,
      related_object_id: r.related_object_id,
      ...(current ? { voucher: simpleVoucher(current, campaign) } : {}),
      ...(tier ? { promotion_tier: tier } : {}),
      ...(r.spent.gift ? { gift: { amount: -r.spent.gift } } : {}),
      ...(r.spent.points ? { loyalty_card: { points: r.spent.points } } : {}),
      ...(r.body.reward ? { reward: r.body.reward } : {}),
    };
    await sql.insertRollback(tx, { id, projectId: cause.projectId, redemptionId: r.id, body, now });
    const events: CausedEvent[] = [...refundEvents];
    if (r.related_object_type !== 'redemption') {
      const rollback = simpleRedemption({ ...body, object: 'redemption' });
      if (input.reason === undefined) delete rollback.reason;
      const data = rollbackData(r, { customer, campaign, voucher: current, stack: promotionStack, redemption: rolledBody, rollback });
      events.push({ cause, event: { type: 'redemption.rollback.succeeded', customerId: null, entityId: id, data } });
      if (customer) events.push({ cause, event: { type: 'customer.redemption.rollback.succeeded', customerId: customer.id, entityId: id, data } });
      if (r.spent.gift && current) {
        events.push({
          cause,
          event: {
            type: 'voucher.gift.transaction.created',
            customerId: null,
            entityId: current.id,
            data: giftTransactionData({ id: `${id}_gt`, voucher: current, campaign, campaigns: deps.campaigns, amount: r.spent.gift, balance: balance!, type: 'CREDITS_REFUND', redemption: simpleRedemption(rolledBody), order: data.order, now, rollback }),
          },
        });
      }
      if (customer) await sql.addToSummary(tx, cause.projectId, customer.id, { total_rolled_back: 1, total_rollback_succeeded: 1 });
    }
    return { body, events };
  }

  async function load(tx: Executor, projectId: string, id: string): Promise<RedemptionRow> {
    const r = await sql.selectRedemption(tx, projectId, id);
    if (!r) throw notFound('redemption', id);
    if (r.status === 'ROLLED_BACK') throw alreadyRolledBack(`Redemption ${id} has been rolled back already`);
    if (r.status !== 'SUCCEEDED') throw invalidRedemption(`Redemption ${id} did not succeed: there is nothing to roll back`);
    return r;
  }

  /**
   * A rollback refused for an existing redemption (rolled back already, not succeeded, part or parent of a stack) is
   * announced as redemption.rollback.failed, as a refused redemption is as redemption.failed; nothing else changes.
   */
  async function announceFailure(cause: Cause, redemptionId: string, err: unknown, input: RollbackInput): Promise<void> {
    if (!(err instanceof TesseraError) || !refusals.has(err.key)) return;
    await db.transaction(async (tx) => {
      const r = await sql.selectRedemption(tx, cause.projectId, redemptionId);
      if (!r) return;
      const now = clock.now();
      const id = newSortableId('rr', now);
      const campaign = r.campaign_id ? (await deps.campaigns.byIds(tx, cause.projectId, [r.campaign_id]))[0] : undefined;
      const voucher = r.voucher_id ? await deps.vouchers.find(cause.projectId, r.voucher_id, tx).catch(() => undefined) : undefined;
      const customer = await customerOf(tx, cause.projectId, r.customer_id);
      const failed = simpleRedemption({
        id,
        object: 'redemption',
        date: now.toISOString(),
        customer_id: r.customer_id,
        tracking_id: input.tracking_id ?? r.tracking_id,
        metadata: input.metadata ?? {},
        amount: 0,
        redemption: r.id,
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        result: 'FAILURE',
        status: 'FAILED',
        failure_code: err.key,
        failure_message: err.details ?? err.publicMessage,
        order: r.body.order ?? null,
        channel: channelOf(cause.source),
        customer: r.body.customer ?? null,
      });
      const data = rollbackData(r, { customer, campaign, voucher, stack: undefined, redemption: r.body, rollback: failed });
      await log.record(tx, [{ cause, event: { type: 'redemption.rollback.failed', customerId: null, entityId: id, data } }]);
      if (customer) await sql.addToSummary(tx, cause.projectId, customer.id, { total_rolled_back: 1, total_rollback_failed: 1 });
    });
  }

  /** POST /v1/redemptions/{id}/rollback: one redemption, not part of a stack. */
  async function rollback(cause: Cause, redemptionId: string, input: RollbackInput) {
    return rollbackOf(cause, redemptionId, input).catch(async (err: unknown) => {
      await announceFailure(cause, redemptionId, err, input);
      throw err;
    });
  }

  async function rollbackOf(cause: Cause, redemptionId: string, input: RollbackInput) {
    return db.transaction(async (tx) => {
      const r = await load(tx, cause.projectId, redemptionId);
      if (r.parent_id) throw invalidRedemptionParent(`Redemption ${r.id} is part of stack ${r.parent_id}: roll the stack back with POST /v1/redemptions/${r.parent_id}/rollbacks`);
      if (r.related_object_type === 'redemption') throw invalidRedemption(`Redemption ${r.id} is a stack: roll it back with POST /v1/redemptions/${r.id}/rollbacks`);
      const { body, events } = await rollbackOne(tx, cause, r, input, clock.now());
      await log.record(tx, events);
      return body;
    });
  }

  /** POST /v1/redemptions/{parentId}/rollbacks: every redemption of a stack (or a single redemption). */
  async function rollbackStack(cause: Cause, parentId: string, input: RollbackInput) {
    return rollbackStackOf(cause, parentId, input).catch(async (err: unknown) => {
      await announceFailure(cause, parentId, err, input);
      throw err;
    });
  }

  async function rollbackStackOf(cause: Cause, parentId: string, input: RollbackInput) {
    return db.transaction(async (tx) => {
      const parent = await load(tx, cause.projectId, parentId);
      if (parent.parent_id) throw invalidRedemptionParent(`Redemption ${parent.id} is part of stack ${parent.parent_id}: roll back the parent`);
      const now = clock.now();
      const children = parent.related_object_type === 'redemption' ? inStackOrder(parent, await sql.selectChildren(tx, parent.id)) : [];
      const top = await rollbackOne(tx, cause, parent, input, now);
      const events = [...top.events];
      const rollbacks = [];
      for (const c of children) {
        const one = await rollbackOne(tx, cause, c, input, now, top.body.id);
        rollbacks.push(one.body);
        events.push(...one.events);
      }
      await log.record(tx, events);
      return { rollbacks: rollbacks.length > 0 ? rollbacks : [top.body], parent_rollback: top.body, order: parent.body.order ?? null };
    });
  }

  return { rollback, rollbackStack };
}

export type RollbacksService = ReturnType<typeof createRollbacks>;

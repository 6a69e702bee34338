import type { Clock } from '../../core/clock.js';
import { invalidPayload, loyaltyCardPointsExceeded } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Executor, Statement } from '../../store/db.js';
import { simpleCampaign, type CampaignRow } from '../campaigns/index.js';
import { simpleCustomer } from '../customers/index.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { effective, simpleVoucher, voucherObject, type VoucherRow } from '../vouchers/index.js';
import { expireAt } from './expiration.js';
import * as sql from './sql.js';
import { earnedTypes } from './tier-periods.js';
import type { Tiers } from './tiers.js';
import type { EarningRuleRow, TransactionRow, TransactionType } from './types.js';
import { balanceObject, transactionObject } from './view.js';

export interface PointsChange {
  /** The transaction's id, when the caller links it to another before it is made (transfers). */
  id?: string;
  card: VoucherRow;
  campaign: CampaignRow | undefined;
  /** Signed: added when positive, taken when negative. */
  points: number;
  type: TransactionType;
  /** 'API' for requests, 'Automation' for earning rules. */
  source: 'API' | 'Automation';
  source_id?: string | null;
  reason?: string | null;
  holder?: ReturnType<typeof simpleCustomer>;
  rule?: EarningRuleRow;
  event?: { id: string; type: string };
  related?: TransactionRow['related'];
  /** Additions: the last day the points are valid (UTC date); never expire without it. */
  expiresOn?: string;
  /** Transfers: the other card (SimpleVoucher). */
  sourceVoucher?: ReturnType<typeof simpleVoucher>;
  destinationVoucher?: ReturnType<typeof simpleVoucher>;
}

/** Points a change earns in a tier qualification period (accruals and additions, not refunds or transfers). */
const earnedOf = (c: PointsChange) => (c.points > 0 && earnedTypes.includes(c.type) ? c.points : 0);

export interface PointsChanged {
  card: VoucherRow;
  transaction: TransactionRow;
  balance: ReturnType<typeof balanceObject>;
  /** The change's events, to be recorded by the caller in its transaction. */
  events: CausedEvent[];
  /** The card and program as those events carry them (one object each: records that share a row store them once). */
  voucher: ReturnType<typeof simpleVoucher>;
  campaign: ReturnType<typeof simpleCampaign> | null;
}

/**
 * The loyalty card ledger: every change of a card's points is one guarded statement (the balance never goes below
 * 0 under any concurrency), one transaction row, and its events (voucher.loyalty_card.points_added and the holder's
 * customer.voucher.loyalty_card.points_added for additions, voucher.loyalty_card.transaction.created for every change).
 */
export function createLedger(deps: { clock: Clock; tiers?: Pick<Tiers, 'changes'> }) {
  /** The buckets of additions that expire. */
  function bucketsOf(cause: Cause, changes: PointsChange[]) {
    const now = deps.clock.now();
    return changes
      .filter((c) => c.points > 0 && c.expiresOn)
      .map((c) => ({ id: newSortableId('lpb', now), project_id: cause.projectId, voucher_id: c.card.id, campaign_id: c.card.campaign_id, points: c.points, expires_on: c.expiresOn!, expire_at: expireAt(c.expiresOn!), created_at: now }));
  }

  /** The transaction row and events of one change, the card's balance and total after it given. */
  function recorded(cause: Cause, c: PointsChange, card: VoucherRow, balanceAfter: number, totalAfter: number): PointsChanged {
    const now = deps.clock.now();
    const transaction: TransactionRow = {
      id: c.id ?? newSortableId('vtx', now),
      project_id: cause.projectId,
      voucher_id: card.id,
      campaign_id: card.campaign_id,
      type: c.type,
      points: c.points,
      balance: balanceAfter,
      total: totalAfter,
      source: c.source,
      source_id: c.source_id ?? null,
      reason: c.reason ?? null,
      related: { ...c.related, ...(c.sourceVoucher ? { source_voucher: c.sourceVoucher } : {}), ...(c.destinationVoucher ? { destination_voucher: c.destinationVoucher } : {}), ...(c.rule ? { earning_rule_id: c.rule.id, earning_rule_banner: c.rule.definition.source?.banner ?? '' } : {}), ...(c.event ? { event_id: c.event.id, event_type: c.event.type } : {}) },
      created_at: now,
    };
    const balance = balanceObject({ ...card, loyalty_points: totalAfter, loyalty_balance: balanceAfter }, c.campaign, c.points, c.source === 'Automation');
    const t = transactionObject(transaction);
    const campaign = c.campaign ? simpleCampaign(c.campaign) : null;
    const voucher = simpleVoucher(card, c.campaign);
    const holder = c.holder ?? null;
    const events: CausedEvent[] = [];
    if (c.points > 0) {
      events.push({ cause, event: { type: 'voucher.loyalty_card.points_added', entityId: card.id, data: { voucher, balance, campaign, customer: holder, transaction: t } } });
      if (c.holder) {
        events.push({
          cause,
          event: { type: 'customer.voucher.loyalty_card.points_added', customerId: c.holder.id, entityId: card.id, data: { customer: holder, campaign, voucher, balance, transaction: t } },
        });
      }
    }
    const rule = c.rule
      ? { id: c.rule.id, campaign_id: c.rule.campaign_id, source: { ...(c.rule.definition.source?.banner !== undefined ? { banner: c.rule.definition.source.banner } : {}), object_id: c.rule.campaign_id, object_type: 'campaign' }, active: c.rule.active, ...(c.rule.definition.validation_rule_id ? { validation_rule_id: c.rule.definition.validation_rule_id } : {}) }
      : null;
    const simpleEvent = c.event ? { id: c.event.id, type: c.event.type, category: 'ACTION', entity_id: holder?.id ?? card.id, created_at: now.toISOString() } : null;
    events.push({
      cause,
      event: {
        type: 'voucher.loyalty_card.transaction.created',
        entityId: transaction.id,
        data: {
          transaction: t,
          voucher: voucherObject(card, c.campaign),
          campaign,
          holder,
          holder_loyalty_tier: null,
          balance,
          order: null,
          event: simpleEvent,
          earning_rule: rule,
          segment: null,
          loyalty_tier: null,
          redemption: null,
          rollback: null,
          reward: null,
          custom_event: null,
          source_voucher: c.sourceVoucher ?? null,
          destination_voucher: c.destinationVoucher ?? null,
        },
      },
    });
    return { card, transaction, balance, events, voucher, campaign };
  }

  async function change(tx: Executor, cause: Cause, c: PointsChange): Promise<PointsChanged> {
    const base = effective(c.card, c.campaign).loyalty_card?.points ?? 0;
    // A refund gives back points spent: the balance again, not points earned (the card's total stays).
    const spending = c.type === 'POINTS_REDEMPTION' || c.type === 'POINTS_REFUND';
    const after = await sql.changePoints(tx, cause.projectId, c.card.id, base, c.points, c.type !== 'POINTS_REFUND', spending ? -c.points : 0);
    // Over the maximum (a refund or transfer in too): refused as gift balances are, with a 400 naming it.
    if (!after && c.points > 0) throw invalidPayload(`Loyalty card ${c.card.code} cannot hold ${c.points} more points: a card holds at most ${sql.maxCardPoints.toLocaleString('en-US')}`);
    if (!after) {
      throw loyaltyCardPointsExceeded(`Loyalty card ${c.card.code} holds fewer than ${-c.points} points: its balance cannot go below 0`, { resourceId: c.card.code, resourceType: 'voucher' });
    }
    const card: VoucherRow = { ...c.card, ...after };
    const done = recorded(cause, c, card, Number(after.loyalty_balance), Number(after.loyalty_points));
    done.events.push(...((await deps.tiers?.changes(tx, cause, c.campaign, c.holder, Number(after.loyalty_balance) - c.points, Number(after.loyalty_balance), { id: card.id, earned: earnedOf(c) })) ?? []));
    await sql.insertTransactions(tx, [done.transaction]);
    if (c.points < 0) await sql.consumeBuckets(tx, card.id, -c.points, deps.clock.now());
    else await sql.insertBuckets(tx, bucketsOf(cause, [c]));
    return done;
  }

  /**
   * Points earned by several events at once (one deriver batch): one locked update per batch, the running balance
   * of each card followed change by change, one insert of all transaction rows. `locked`: the caller read every
   * card with its lock in this transaction, so the update can wait in `deferred` with the transaction rows. The
   * answer is aligned with `all`: undefined for a change that would take its card past maxCardPoints (left out).
   */
  async function accrueMany(tx: Executor, projectId: string, all: Array<{ cause: Cause; change: PointsChange }>, deferred?: Statement[], locked = false): Promise<Array<PointsChanged | undefined>> {
    if (all.length === 0) return [];
    // What would take a card past maxCardPoints earns nothing (the rest of the batch earns): the cards' points now,
    // from the rows read under their locks, or read here with the locks.
    const read = locked && deferred ? undefined : await sql.lockCardPoints(tx, projectId, [...new Set(all.map((i) => i.change.card.id))].sort());
    const fits = new Map<string, { points: number; balance: number }>();
    const kept = all.map(({ change: c }) => {
      const row = read ? read.get(c.card.id) : c.card;
      const base = effective(c.card, c.campaign).loyalty_card?.points ?? 0;
      const now = fits.get(c.card.id) ?? { points: Number(row?.loyalty_points ?? base), balance: Number(row?.loyalty_balance ?? base) };
      fits.set(c.card.id, now);
      if (!row || now.points + c.points > sql.maxCardPoints || now.balance + c.points > sql.maxCardPoints) return false;
      now.points += c.points;
      now.balance += c.points;
      return true;
    });
    const items = all.filter((_, i) => kept[i]);
    if (items.length === 0) return all.map(() => undefined);
    const perCard = new Map<string, { base: number; points: number }>();
    for (const { change: c } of items) {
      const e = perCard.get(c.card.id) ?? { base: effective(c.card, c.campaign).loyalty_card?.points ?? 0, points: 0 };
      e.points += c.points;
      perCard.set(c.card.id, e);
    }
    const adds = [...perCard].map(([id, e]) => ({ id, ...e }));
    let after: Map<string, { loyalty_points: string; loyalty_balance: string }>;
    if (locked && deferred) {
      // The cards were read under their locks: their points now are those rows', so the new figures are known here
      // and the update goes with the caller's writes (before any later reader, or with the events).
      const cards = new Map(items.map(({ change: c }) => [c.card.id, c.card]));
      after = new Map(
        adds.map((a) => {
          const card = cards.get(a.id)!;
          const from = (v: number | string | null | undefined) => (v === null || v === undefined ? a.base : Number(v));
          return [a.id, { loyalty_points: String(from(card.loyalty_points) + a.points), loyalty_balance: String(from(card.loyalty_balance) + a.points) }];
        }),
      );
      deferred.push(sql.pointsAdded(projectId, adds));
    } else after = await sql.addPointsMany(tx, projectId, adds);
    // Each card's balance before the batch, then change by change.
    const running = new Map([...perCard].map(([id, e]) => [id, { balance: Number(after.get(id)?.loyalty_balance ?? e.base) - e.points, total: Number(after.get(id)?.loyalty_points ?? e.base) - e.points }]));
    const out: PointsChanged[] = [];
    for (const { cause, change: c } of items) {
      const r = running.get(c.card.id)!;
      const before = r.balance;
      r.balance += c.points;
      r.total += c.points;
      const done = recorded(cause, c, { ...c.card, loyalty_points: r.total, loyalty_balance: r.balance }, r.balance, r.total);
      done.events.push(...((await deps.tiers?.changes(tx, cause, c.campaign, c.holder, before, r.balance, { id: c.card.id, earned: earnedOf(c) })) ?? []));
      out.push(done);
    }
    // The transaction rows: with the events when the caller defers them (nothing reads them before the commit).
    if (deferred) deferred.push(sql.transactionsInsert(out.map((o) => o.transaction)));
    else await sql.insertTransactions(tx, out.map((o) => o.transaction));
    await sql.insertBuckets(tx, bucketsOf(items[0]!.cause, items.map((i) => i.change)));
    // Aligned with what was asked: undefined where the points would not fit.
    let k = 0;
    return kept.map((fit) => (fit ? out[k++] : undefined));
  }

  /**
   * Points taken from several cards at once (expiry: each card gives what is asked or, when its balance is lower, all
   * it has). One locked read and one update for the batch, one insert of all transaction rows; cards that gave
   * nothing get no transaction. The buckets are the caller's to close.
   */
  async function takeMany(tx: Executor, projectId: string, items: Array<{ cause: Cause; change: PointsChange }>): Promise<Map<string, PointsChanged>> {
    const out = new Map<string, PointsChanged>();
    if (items.length === 0) return out;
    const after = await sql.takePointsMany(tx, projectId, items.map(({ change: c }) => ({ id: c.card.id, base: effective(c.card, c.campaign).loyalty_card?.points ?? 0, points: -c.points })));
    for (const { cause, change: c } of items) {
      const a = after.get(c.card.id);
      if (!a || a.taken === 0) continue;
      const done = recorded(cause, { ...c, points: -a.taken }, { ...c.card, loyalty_points: a.loyalty_points, loyalty_balance: a.loyalty_balance }, a.loyalty_balance, a.loyalty_points);
      done.events.push(...((await deps.tiers?.changes(tx, cause, c.campaign, c.holder, a.loyalty_balance + a.taken, a.loyalty_balance, { id: c.card.id, earned: 0 })) ?? []));
      out.set(c.card.id, done);
    }
    await sql.insertTransactions(tx, [...out.values()].map((o) => o.transaction));
    return out;
  }

  return { change, accrueMany, takeMany };
}

export type Ledger = ReturnType<typeof createLedger>;

/**
 * customer.voucher.loyalty_card.points_transferred, the holder's activity of one transfer: once for the card that
 * paid (its OUT transaction and balance) and once for the card that received (its IN), both naming the two cards.
 */
export function transferredEvents(cause: Cause, holder: ReturnType<typeof simpleCustomer>, out: PointsChanged, into: PointsChanged): CausedEvent[] {
  return [out, into].map((side) => ({
    cause,
    event: {
      type: 'customer.voucher.loyalty_card.points_transferred',
      customerId: holder.id,
      entityId: side.card.id,
      data: { customer: holder, campaign: side.campaign, voucher: side.voucher, source_voucher: out.voucher, destination_voucher: into.voucher, balance: side.balance, transaction: transactionObject(side.transaction) },
    },
  }));
}


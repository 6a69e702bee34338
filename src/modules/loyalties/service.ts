import type { ValueFilter } from '../../core/list-filters.js';
import type { Clock } from '../../core/clock.js';
import { newSortableId } from '../../core/ids.js';
import { invalidAddBalanceParams, invalidCampaign, notFound } from '../../core/errors.js';
import type { Db, Executor } from '../../store/db.js';
import type { CampaignInput, CampaignRow, CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import type { PublicationInput, PublicationsService } from '../publications/index.js';
import { cardPoints, simpleVoucher, type VoucherListQuery, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import { transferredEvents as transferred, type Ledger, type PointsChanged } from './ledger.js';
import * as sql from './sql.js';
import { addedPointsExpiry, expiresOn, type AddedPointsExpiration, type ExpirationRules } from './expiration.js';
import { bucketObject } from './expiry.js';
import { mapPoints, tierObject, type Tiers } from './tiers.js';
import type { TransactionRow } from './types.js';
import { transactionObject } from './view.js';
import { cardFigures, withFigures } from './card-figures.js';

export interface BalanceChangeInput extends AddedPointsExpiration {
  points: number;
  source_id?: string;
  reason?: string;
}

export interface TransferInput {
  code: string;
  points: number;
  reason?: string;
  source_id?: string;
}

/** Transfers one request may make. */
export const maxTransfers = 100;

/** A card's or a program's transactions: newest first, or `order=id` oldest first; `filters[id|voucher_id]`. */
export interface TransactionsQuery {
  limit: number;
  starting_after_id?: string;
  order?: string;
  filters?: Record<string, ValueFilter | undefined>;
}

/**
 * Loyalty programs (LOYALTY_PROGRAM campaigns, through the campaigns service), their members (loyalty cards
 * published to customers) and the points on those cards (through the ledger).
 */
export function createLoyaltiesService(deps: {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  campaigns: CampaignsService;
  vouchers: VouchersService;
  publications: PublicationsService;
  customers: Pick<CustomersService, 'byIds'>;
  ledger: Ledger;
  tiers: Pick<Tiers, 'currentOf' | 'termsFor'>;
}) {
  const { db, log, campaigns, vouchers, ledger } = deps;

  /** The program, refused when the campaign is not a loyalty program. */
  async function program(projectId: string, idOrName: string): Promise<CampaignRow> {
    const c = await campaigns.get(projectId, idOrName);
    if (c.campaign_type !== 'LOYALTY_PROGRAM') throw notFound('campaign', idOrName);
    return c;
  }

  function createProgram(cause: Cause, input: CampaignInput) {
    if (input.campaign_type !== undefined && input.campaign_type !== 'LOYALTY_PROGRAM') throw invalidCampaign('A loyalty program is a LOYALTY_PROGRAM campaign');
    const voucher = input.voucher ?? { type: 'LOYALTY_CARD' as const, loyalty_card: { points: 0 } };
    return campaigns.create(cause, { ...input, campaign_type: 'LOYALTY_PROGRAM', voucher: { ...voucher, type: 'LOYALTY_CARD' } });
  }

  /**
   * A member's card: by code (or id), and when a program is named, a card of that program. Its campaign comes with
   * it (undefined for a standalone card).
   */
  async function card(projectId: string, memberId: string, programId?: string, tx: Executor = db): Promise<{ card: VoucherRow; campaign: CampaignRow | undefined }> {
    const v = await vouchers.find(projectId, memberId, tx);
    if (v.type !== 'LOYALTY_CARD') throw notFound('voucher', memberId);
    const campaign = await vouchers.campaignOf(tx, v);
    if (programId !== undefined && campaign?.id !== programId && campaign?.name !== programId) throw notFound('voucher', memberId);
    return { card: v, campaign };
  }

  /** POST /v1/loyalties/{id}/members: publishes a card of the program (a given one, or the next) to the customer. */
  async function addMember(cause: Cause, programId: string, input: Omit<PublicationInput, 'campaign'>) {
    const p = await program(cause.projectId, programId);
    // A code given must be a card of this program (404 otherwise, as a card of another program is for its other routes).
    if (input.voucher !== undefined) await card(cause.projectId, input.voucher, p.id);
    const published = (await deps.publications.publish(cause, input.voucher !== undefined ? input : { ...input, campaign: { id: p.id } })) as { vouchers_id?: string[]; voucher?: { code: string } };
    const code = published.voucher?.code;
    if (!code) throw notFound('voucher', programId);
    return vouchers.view(await vouchers.find(cause.projectId, code));
  }

  async function holderOf(tx: Executor, projectId: string, v: VoucherRow) {
    const row = v.holder_id ? (await deps.customers.byIds(tx, projectId, [v.holder_id]))[0] : undefined;
    return row ? simpleCustomer(row) : undefined;
  }

  /** Adds (positive) or removes (negative) points by hand. */
  async function changeBalance(cause: Cause, memberId: string, input: BalanceChangeInput, programId?: string) {
    if (!Number.isInteger(input.points) || input.points === 0) throw invalidAddBalanceParams('Property .points must be a non-zero integer (negative to remove points)');
    const found = await card(cause.projectId, memberId, programId);
    // Added points expire as asked (never by default); removals take from the soonest-expiring first.
    const programRules = found.campaign?.definition.voucher?.loyalty_card?.expiration_rules as ExpirationRules | undefined;
    const expiry = addedPointsExpiry(input, programRules, deps.clock.now());
    if (typeof expiry === 'string') throw invalidAddBalanceParams(expiry);
    return db.transaction(async (tx) => {
      const holder = await holderOf(tx, cause.projectId, found.card);
      const done = await ledger.change(tx, cause, {
        ...found,
        points: input.points,
        type: input.points > 0 ? 'POINTS_ADDITION' : 'POINTS_REMOVAL',
        source: 'API',
        source_id: input.source_id,
        reason: input.reason,
        holder,
        ...(input.points > 0 ? expiry : {}),
      });
      await log.record(tx, done.events);
      return done.balance;
    });
  }

  /**
   * Moves points from other cards of the same holder into this one: each source card pays in one guarded statement.
   * Every card of the transfer, the target too, is locked first in id order, so that transfers between the same
   * cards in opposite directions cannot deadlock.
   */
  async function transfer(cause: Cause, programId: string, memberId: string, transfers: TransferInput[]) {
    if (transfers.length === 0 || transfers.length > maxTransfers) throw invalidAddBalanceParams(`Between 1 and ${maxTransfers} transfers`);
    const target = await card(cause.projectId, memberId, programId);
    const sources: Array<{ card: VoucherRow; campaign: CampaignRow | undefined; input: TransferInput }> = [];
    for (const t of transfers) {
      if (!Number.isInteger(t.points) || t.points <= 0) throw invalidAddBalanceParams(`Transfer from ${t.code}: points must be a positive integer`);
      const s = await card(cause.projectId, t.code);
      if (s.card.id === target.card.id) throw invalidAddBalanceParams(`A card cannot transfer points to itself (${t.code})`);
      if (s.card.holder_id !== target.card.holder_id) throw invalidAddBalanceParams(`Card ${t.code} belongs to another customer than ${target.card.code}`);
      sources.push({ ...s, input: t });
    }
    sources.sort((a, b) => (a.card.id < b.card.id ? -1 : 1));
    return db.transaction(async (tx) => {
      await sql.lockCards(tx, [target.card.id, ...sources.map((s) => s.card.id)]);
      const holder = await holderOf(tx, cause.projectId, target.card);
      const events: CausedEvent[] = [];
      // Points moved in expire by the receiving program's rules, counted from now (as Voucherify's reference says).
      const rules = target.campaign?.definition.voucher?.loyalty_card?.expiration_rules as ExpirationRules | undefined;
      const expiry = expiresOn(rules, deps.clock.now());
      let into: PointsChanged | undefined;
      // Each source card pays out and the target takes it in: two transactions linked to each other, each with the
      // transfer's reason and source_id, both naming the donor and the receiving card.
      for (const s of sources) {
        const now = deps.clock.now();
        const [outId, inId] = [newSortableId('vtx', now), newSortableId('vtx', now)];
        const { source_id, reason } = s.input;
        const destinationVoucher = simpleVoucher(target.card, target.campaign);
        const out = await ledger.change(tx, cause, { id: outId, card: s.card, campaign: s.campaign, points: -s.input.points, type: 'POINTS_TRANSFER_OUT', source: 'API', source_id, reason, holder, related: { card_id: target.card.id, related_transaction_id: inId }, sourceVoucher: simpleVoucher(s.card, s.campaign), destinationVoucher });
        into = await ledger.change(tx, cause, { ...target, id: inId, points: s.input.points, expiresOn: expiry, type: 'POINTS_TRANSFER_IN', source: 'API', source_id, reason, holder, related: { card_id: s.card.id, related_transaction_id: outId }, sourceVoucher: out.voucher, destinationVoucher });
        events.push(...out.events, ...into.events);
        if (holder) events.push(...transferred(cause, holder, out, into));
      }
      await log.record(tx, events);
      return vouchers.object(into!.card, target.campaign);
    });
  }

  async function transactions(projectId: string, memberId: string, q: TransactionsQuery, programId?: string) {
    const { card: v } = await card(projectId, memberId, programId);
    const rows = await sql.selectTransactions(db, projectId, { cardId: v.id }, q.limit + 1, q.starting_after_id, { ascending: q.order === 'id', filters: q.filters });
    const page = rows.slice(0, q.limit).map((t) => transactionObject(t));
    return { object: 'list' as const, data_ref: 'data' as const, data: page, has_more: rows.length > q.limit, ...(rows.length > q.limit ? { more_starting_after: page.at(-1)!.id } : {}) };
  }

  /** GET /v1/campaigns/{id}/transactions (and /v1/loyalties/{id}/transactions) of a program: every card's. */
  async function programTransactions(projectId: string, programId: string, q: TransactionsQuery) {
    const p = await program(projectId, programId);
    const rows = await sql.selectTransactions(db, projectId, { campaignId: p.id }, q.limit + 1, q.starting_after_id, { ascending: q.order === 'id', filters: q.filters });
    const page = rows.slice(0, q.limit).map((t) => transactionObject(t));
    return { object: 'list' as const, data_ref: 'data' as const, data: page, has_more: rows.length > q.limit, ...(rows.length > q.limit ? { more_starting_after: page.at(-1)!.id } : {}) };
  }

  /** GET /v1/loyalties/{id}/members: the program's cards, narrowed and ordered as the vouchers list is. */
  async function members(projectId: string, programId: string, q: Omit<VoucherListQuery, 'campaign' | 'campaign_id'>) {
    const p = await program(projectId, programId);
    const list = await vouchers.list(projectId, { ...q, campaign_id: p.id });
    return { object: 'list' as const, data_ref: 'vouchers' as const, vouchers: list.vouchers, total: list.total };
  }

  /**
   * Points given by another feature (a referral's or a reward's) in its transaction: to the customer's oldest active card of
   * the program, published to them first when they hold none. Undefined when no card could be had.
   */
  async function awardIn(tx: Executor, cause: Cause, a: { programId: string; customerId: string; points: number; reason: string; holder: ReturnType<typeof simpleCustomer>; metadata: Record<string, unknown> }) {
    const row = await deps.publications.heldOrPublished(tx, cause, { campaignId: a.programId, customerId: a.customerId, metadata: a.metadata });
    if (!row || row.type !== 'LOYALTY_CARD') return undefined;
    const found = await card(cause.projectId, row.id, undefined, tx);
    return ledger.change(tx, cause, { ...found, points: a.points, type: 'POINTS_ACCRUAL', source: 'Automation', reason: a.reason, holder: a.holder });
  }

  /** GET .../members/{code}/points-expiration: the card's points that will expire, soonest first. */
  async function pointsExpiration(projectId: string, programId: string | undefined, memberId: string, q: { limit: number; page: number }) {
    const { card: v } = await card(projectId, memberId, programId);
    const [rows, total] = await Promise.all([sql.selectOpenBuckets(db, v.id, q.limit, (q.page - 1) * q.limit), sql.countOpenBuckets(db, v.id)]);
    return {
      object: 'list' as const,
      data_ref: 'data' as const,
      data: rows.map((b) => ({ ...bucketObject(b), bucket: { total_points: Number(b.remaining) } })),
      // Every bucket of the card, not the page's.
      total,
    };
  }

  /** The tier a member's card is in now (a list of one, or empty). */
  async function memberTiers(projectId: string, memberId: string) {
    const found = await card(projectId, memberId);
    if (!found.campaign) return [];
    const now = await deps.tiers.currentOf(db, projectId, found.card, found.campaign, cardPoints(found.card, found.campaign).balance);
    if (!now) return [];
    const expiration = now.expiration ? { customer_id: found.card.holder_id, campaign_id: found.campaign.id, tier_id: now.tier.id, ...now.expiration } : undefined;
    return [{ ...tierObject(now.tier), ...(expiration ? { expiration } : {}) }];
  }

  /** Points a member spends on a reward, in the caller's transaction (refused below 0, like every removal). */
  function spendIn(tx: Executor, cause: Cause, found: { card: VoucherRow; campaign: CampaignRow | undefined }, points: number, holder: ReturnType<typeof simpleCustomer> | undefined, reason: string, related?: TransactionRow['related']) {
    return ledger.change(tx, cause, { ...found, points: -points, type: 'POINTS_REDEMPTION', source: 'API', reason, holder, related });
  }

  /** Points a rolled-back redemption spent, given back in the caller's transaction (they never expire again). */
  function refundIn(tx: Executor, cause: Cause, found: { card: VoucherRow; campaign: CampaignRow | undefined }, points: number, holder: ReturnType<typeof simpleCustomer> | undefined, reason: string | null, related?: TransactionRow['related']) {
    return ledger.change(tx, cause, { ...found, points, type: 'POINTS_REFUND', source: 'API', reason, holder, related });
  }

  /** The price of a reward (by its id or its assignment's) for the card's member, as their tier sets it. */
  async function rewardPrice(ex: Executor, projectId: string, found: { card: VoucherRow; campaign: CampaignRow | undefined }, price: number, ids: string[]): Promise<number> {
    if (!found.campaign) return price;
    const terms = await deps.tiers.termsFor(ex, projectId, found.card, found.campaign, cardPoints(found.card, found.campaign).balance, 'rewards', ids);
    return mapPoints(price, terms);
  }

  /** The prices of several rewards (each by its id and its assignment's) for the card's member: one tier lookup. */
  async function rewardPrices(ex: Executor, projectId: string, found: { card: VoucherRow; campaign: CampaignRow | undefined }, items: Array<{ price: number; ids: string[] }>): Promise<number[]> {
    const now = found.campaign && items.length > 0 ? await deps.tiers.currentOf(ex, projectId, found.card, found.campaign, cardPoints(found.card, found.campaign).balance) : undefined;
    return items.map((i) => mapPoints(i.price, now ? i.ids.map((id) => now.tier.rewards?.[id]).find((m) => m !== undefined) : undefined));
  }

  /**
   * The customer object's `loyalty`: the points on the customer's cards, per program (with its current tier); and
   * `held`, the totals of summary.redemptions: the credits and points left on their codes, the points they spent.
   */
  async function customerLoyalty(projectId: string, customerId: string, referredCustomers: number) {
    type Held = { id: string; type: string; campaign: string | null; campaign_id: string | null; loyalty_card: { balance: number } | null; gift: { balance: number } | null; redemption: { redeemed_points: number } };
    const held = (await vouchers.list(projectId, { limit: 100, page: 1, customer: customerId })).vouchers as Held[];
    const sum = (f: (v: Held) => number | undefined) => held.reduce((s, v) => s + (f(v) ?? 0), 0);
    const totals = { amount_to_go: sum((v) => v.gift?.balance), points_to_go: sum((v) => v.loyalty_card?.balance), redeemed_points: sum((v) => v.redemption.redeemed_points) };
    const programs = new Map((await campaigns.byIds(db, projectId, [...new Set(held.flatMap((v) => (v.type === 'LOYALTY_CARD' && v.campaign_id ? [v.campaign_id] : [])))])).map((c) => [c.id, c]));
    const campaignsOut: Record<string, { points: number; loyalty_tier?: string; referred_customers: number }> = {};
    let points = 0;
    for (const v of held) {
      if (v.type !== 'LOYALTY_CARD' || !v.loyalty_card || !v.campaign_id) continue;
      points += v.loyalty_card.balance;
      const key = v.campaign ?? v.campaign_id;
      const program = programs.get(v.campaign_id);
      const tier = program ? (await deps.tiers.currentOf(db, projectId, v, program, v.loyalty_card.balance))?.tier : undefined;
      const prev = campaignsOut[key]?.points ?? 0;
      campaignsOut[key] = { points: prev + v.loyalty_card.balance, ...(tier ? { loyalty_tier: tier.id } : {}), referred_customers: 0 };
    }
    return { loyalty: { points, referred_customers: referredCustomers, campaigns: campaignsOut }, held: totals };
  }

  return {
    customerLoyalty,
    spendIn,
    refundIn,
    rewardPrice,
    rewardPrices,
    holderOf,
    memberTiers,
    pointsExpiration,
    awardIn,
    program,
    createProgram,
    card,
    addMember,
    members,
    changeBalance,
    transfer,
    transactions,
    programTransactions,
    async member(projectId: string, memberId: string, programId?: string) {
      const found = await card(projectId, memberId, programId);
      const [view, figures] = await Promise.all([vouchers.view(found.card), cardFigures(db, found.card.id)]);
      return withFigures(view, figures);
    },
  };
}

export type LoyaltiesService = ReturnType<typeof createLoyaltiesService>;

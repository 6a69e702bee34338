/**
 * Validations and redemptions of stacked redeemables. A redemption runs in one transaction: the customer upserted,
 * every redeemable checked, then spent with one guarded statement each (a limited voucher's quantity, each rule
 * limit's counter, a gift's credits), the order created or updated (PAID), the redemption rows written and the
 * events recorded. A failed guard rolls everything back and answers the guard's error; failures are then recorded
 * as a FAILED redemption (redemption.failed) in a transaction of their own.
 */
import type { Clock } from '../../core/clock.js';
import { duplicatedRedeemables, invalidRedeemables, notFound, quantityExceeded, rulesViolated, giftAmountExceeded, TesseraError } from '../../core/errors.js';
import { newId, newSortableId } from '../../core/ids.js';
import type { Db, Executor, Statement } from '../../store/db.js';
import { createGroupCommit } from '../../store/group-commit.js';
import { categoryObject, type CampaignsService } from '../campaigns/index.js';
import type { CustomerInput, CustomerRow, CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import type { Deferred, ItemCatalog, OrderItemInput, OrderRow, OrdersService } from '../orders/index.js';
import type { ValidationRulesService } from '../validation-rules/index.js';
import type { PromotionsService, StackRow } from '../promotions/index.js';
import { insertGiftTransaction, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import type { RewardsService } from '../rewards/index.js';
import { applyStack, checkRedeemables, withoutUnpaidCoins, type Applicable, type CheckDeps, type Checked, type Inapplicable } from './check.js';
import { refuseDuplicates } from './duplicates.js';
import { tightestLimits } from './limits.js';
import { createPromotionValidation } from './promotion-validation.js';
import type { ValidationCounts } from './validation-counts.js';
import { createQualifications } from './qualifications.js';
import { createExamine } from './examine.js';
import { createMemberRedemption } from './member-redemption.js';
import { createLegacyValidation } from './legacy-validation.js';
import { nameRedemption, redemptionEvents } from './events.js';
import { createFailureRecorder, type FailedOn } from './failed-redemption.js';
import { release, releaseVoucher, reserve, sessionOf, spendBalance, spendQuantity, type SessionInput } from './sessions.js';
import { applyStackingRules, categoryIdOf, defaultStackingRules, stackingMatters, stackingRulesObject, type StackingRules } from './stacking.js';
import * as sql from './sql.js';
import type { RedemptionRow, Spent, StackInput } from './types.js';
import { createOrderOf, itemDiscounts, orderInput } from './stack-order.js';
import { orderAfter, redeemableEntry, redemptionBody } from './view.js';

export interface RedemptionsDeps {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  customers: Pick<CustomersService, 'get' | 'upsertMany' | 'checkSentMetadata'>;
  orders: Pick<OrdersService, 'upsertIn' | 'find' | 'addToSummaries' | 'lookupItems' | 'priceItems'>;
  vouchers: Pick<VouchersService, 'find' | 'findMany'>;
  campaigns: Pick<CampaignsService, 'byIds' | 'simple' | 'categories' | 'list'>;
  validationRules: Pick<ValidationRulesService, 'assignedTo' | 'get'>;
  promotions: Pick<PromotionsService, 'byIds' | 'stacks'>;
  rewards: Pick<RewardsService, 'quote' | 'giveIn' | 'recordIn' | 'rollBackIn'>;
  loyalties: Pick<LoyaltiesService, 'spendIn' | 'refundIn' | 'holderOf' | 'program' | 'card'>;
  /** Collection membership of order lines (rules naming collections); absent: collections match nothing. */
  catalog?: CheckDeps['catalog'];
  /** Validations counted per campaign (the campaign summary); absent: not counted. */
  validationCounts?: Pick<ValidationCounts, 'add'>;
  /** Redemption transactions written at the same time (group commit); 1 on PGlite. */
  concurrency?: number;
}

const maxRedeemables = 30;

function checkShape(input: StackInput, rules: StackingRules): void {
  const n = input.redeemables?.length ?? 0;
  const max = Math.min(maxRedeemables, rules.redeemables_limit);
  if (n < 1 || n > max) throw invalidRedeemables(`Property .redeemables must have 1 to ${max} items; got ${n}`);
  const seen = new Set<string>();
  for (const r of input.redeemables) {
    const key = `${r.object}:${r.id.toLowerCase()}`;
    if (seen.has(key)) throw duplicatedRedeemables(`Redeemable ${r.object} ${r.id} is given twice`);
    seen.add(key);
  }
  if (input.redeemables.some((r) => r.object === 'promotion_stack') && n > 1) throw invalidRedeemables('A promotion_stack must be the only redeemable');
}

const customerKey = (c: CustomerInput | undefined) => c?.id ?? c?.source_id;

/** One redemption request of a group-committed batch. */
interface RedeemItem {
  cause: Cause;
  input: StackInput;
  failedOn: FailedOn;
  rules: StackingRules;
}

/** What a batch's redemptions write together at its end: events, inserts (orders, redemptions) and summary additions. */
interface Later extends Required<Deferred> {
  writes: Statement[];
  rows: RedemptionRow[];
  redeemed: Array<{ projectId: string; customerId: string; add: Record<string, number> }>;
}

/** Vouchers a batch names, read at once: by project, then by `c:` lower-case code or `i:` id. */
type Prefetched = Map<string, Map<string, VoucherRow>>;

export function createRedemptionsService(deps: RedemptionsDeps) {
  const { db, clock, log } = deps;

  const orderOf = createOrderOf(deps.orders);

  async function customerFor(tx: Executor, projectId: string, input: CustomerInput | undefined): Promise<CustomerRow | undefined> {
    const key = customerKey(input);
    if (key === undefined) return undefined;
    return deps.customers.get(projectId, key, tx).catch((err) => {
      if (err instanceof TesseraError && err.key === 'not_found') return undefined;
      throw err;
    });
  }

  /**
   * The customer a validation names, found as the redemption would find it (a validation answers what the redemption
   * would): by `id`, which must exist (404, as the redemption answers), else by `source_id` (none yet: checked as the
   * new customer the redemption would create).
   */
  async function customerToValidate(tx: Executor, projectId: string, input: CustomerInput | undefined): Promise<CustomerRow | undefined> {
    const c = await customerFor(tx, projectId, input);
    if (input?.id !== undefined && c?.id !== input.id) throw notFound('customer', input.id);
    return c && (input?.id !== undefined || c.source_id === input?.source_id) ? c : undefined;
  }

  /** The check's dependencies, reading the vouchers a batch read at once from `found`. */
  function withPrefetched(found: Prefetched | undefined): CheckDeps {
    if (!found) return deps;
    const find: CheckDeps['vouchers']['find'] = async (projectId, key, tx, lock) => {
      const mine = found.get(projectId);
      // A code as stored; another case (a project with case_sensitive_codes false) is read again below.
      const v = lock ? undefined : (mine?.get(`c:${key}`) ?? mine?.get(`i:${key}`));
      return v ?? deps.vouchers.find(projectId, key, tx, lock);
    };
    return { ...deps, vouchers: { find } };
  }

  async function prefetch(tx: Executor, items: RedeemItem[]): Promise<Prefetched> {
    const keys = new Map<string, Set<string>>();
    for (const { cause, input } of items) {
      for (const r of input.redeemables) if (r.object === 'voucher') keys.set(cause.projectId, (keys.get(cause.projectId) ?? new Set()).add(r.id));
    }
    const found: Prefetched = new Map();
    for (const [projectId, wanted] of keys) {
      const byKey = new Map<string, VoucherRow>();
      for (const v of await deps.vouchers.findMany(tx, projectId, [...wanted])) byKey.set(`c:${v.code}`, v).set(`i:${v.id}`, v);
      found.set(projectId, byKey);
    }
    return found;
  }

  async function check(tx: Executor, cause: Cause, input: StackInput, customer: CustomerRow | undefined, rules?: StackingRules, found?: Prefetched, catalog?: ItemCatalog) {
    const now = clock.now();
    const { current, order, linesFrom } = await orderOf(tx, cause.projectId, input.order, catalog);
    const c = customer ?? (input.customer ? { id: null, metadata: input.customer.metadata ?? {} } : null);
    const checked = await checkRedeemables(tx, withPrefetched(found), input.redeemables, {
      projectId: cause.projectId,
      customer: c ? { id: c.id, metadata: c.metadata ?? {} } : null,
      order,
      metadata: input.metadata,
      now,
    });
    refuseDuplicates(checked);
    // The project's stacking rules leave some applicable redeemables out (SKIPPED), before any discount is computed.
    const stacked = rules && stackingMatters(rules, checked) ? applyStackingRules(checked, rules, await deps.campaigns.categories(cause.projectId, tx)) : checked;
    const stack = applyStack(stacked, order);
    return { now, current, order, linesFrom, checked: withoutUnpaidCoins(stacked), stack };
  }

  /** Whether the checked redeemables pass: none inapplicable (ALL), or at least one applicable (PARTIAL). */
  function passes(checked: Checked[], rules: StackingRules): boolean {
    if (!checked.some((c) => c.status === 'APPLICABLE')) return false;
    return rules.redeemables_application_mode === 'PARTIAL' || checked.every((c) => c.status !== 'INAPPLICABLE');
  }

  /** A promotion_stack (always alone) stands for its tiers, in the stack's order. */
  async function expanded(projectId: string, input: StackInput): Promise<{ input: StackInput; promotionStack?: StackRow }> {
    const first = input.redeemables[0]!;
    if (first.object !== 'promotion_stack') return { input };
    const promotionStack = await deps.promotions.stacks.find(db, projectId, first.id);
    return { input: { ...input, redeemables: promotionStack.tier_ids.map((id) => ({ object: 'promotion_tier' as const, id })) }, promotionStack };
  }

  /**
   * POST /v1/validations: what the redeemables would do, nothing spent. With `session: {type: "LOCK"}` a valid
   * validation reserves what it validated (a redemption of each limited voucher, the gift credits) for the session.
   */
  async function validate(cause: Cause, given: StackInput, rules: StackingRules = defaultStackingRules, seen?: (checked: Checked[]) => void) {
    checkShape(given, rules);
    const { input } = await expanded(cause.projectId, given);
    const customer = await customerToValidate(db, cause.projectId, input.customer);
    const locking = input.session?.type === 'LOCK';
    const run = async (tx: Executor) => {
      const done = await check(tx, cause, input, customer, rules);
      let checked = done.checked;
      let session: ReturnType<typeof sessionOf> | undefined;
      if (locking && passes(checked, rules)) {
        session = sessionOf(input.session as SessionInput, done.now);
        const wants = checked.filter((c): c is Applicable => c.status === 'APPLICABLE').flatMap((c) => {
          const quantity = c.voucher ? (c.voucher.overrides.redemption ?? c.campaign?.definition.voucher?.redemption)?.quantity : undefined;
          const credits = c.gift?.credits ?? 0;
          return c.voucher && (typeof quantity === 'number' || credits > 0) ? [{ voucher: c.voucher, ...(typeof quantity === 'number' ? { quantity } : {}), credits }] : [];
        });
        const refused = await reserve(tx, cause.projectId, session, wants, done.now);
        if (refused) {
          session = undefined;
          checked = checked.map((c) => (c.voucher?.id === refused.voucherId ? { status: 'INAPPLICABLE' as const, input: c.input, error: refused.error, voucher: c.voucher, campaign: c.campaign } : c));
        }
      }
      return { ...done, checked, session };
    };
    const { current, checked, stack, session, order } = locking ? await db.transaction(run) : await run(db);
    const valid = passes(checked, rules);
    seen?.(checked);
    for (const c of checked) if (c.campaign) deps.validationCounts?.add(cause.projectId, c.campaign.id, valid && c.status === 'APPLICABLE');
    // options.expand: `category` shows each redeemable's category objects, `order` the order after the stack up to it.
    const expand = Array.isArray(input.options?.expand) ? (input.options.expand as unknown[]) : [];
    const categories = expand.includes('category') ? new Map((await deps.campaigns.categories(cause.projectId)).map((k) => [k.id, categoryObject(k)])) : undefined;
    const prefix: Checked[] = [];
    const entries = checked.map((c) => {
      prefix.push(c);
      const e = redeemableEntry(c, cause.groupId);
      if (e.status !== 'APPLICABLE') return e;
      const id = categoryIdOf(c);
      return {
        ...e,
        ...(categories ? { categories: id && categories.has(id) ? [categories.get(id)!] : [] } : {}),
        ...(expand.includes('order') ? { order: orderAfter(current, applyStack(prefix, order)) } : {}),
      };
    });
    const shown = valid ? entries : entries.map((e) => (e.status === 'APPLICABLE' ? { ...e, status: 'SKIPPED' as const, result: {} } : e));
    const skipped = shown.filter((e) => e.status === 'SKIPPED');
    const inapplicable = entries.filter((e) => e.status === 'INAPPLICABLE');
    return {
      id: newId('valid', 24),
      valid,
      redeemables: shown,
      ...(skipped.length > 0 ? { skipped_redeemables: skipped } : {}),
      ...(inapplicable.length > 0 ? { inapplicable_redeemables: inapplicable } : {}),
      order: orderAfter(current, stack),
      tracking_id: input.tracking_id ?? customer?.source_id ?? null,
      ...(session ? { session: session.object } : {}),
      stacking_rules: stackingRulesObject(rules),
    };
  }

  /** Spends what an applicable redeemable needs, each with one guarded statement; throws when a guard refuses. */
  async function spend(tx: Executor, cause: Cause, c: Applicable, customerId: string | null, now: Date, sessionKey: string | null, redemptionId: string, events: CausedEvent[]): Promise<Spent> {
    const spent: Spent = {};
    const v = c.voucher;
    const quantity = v ? (v.overrides.redemption ?? c.campaign?.definition.voucher?.redemption)?.quantity : undefined;
    if (v && typeof quantity === 'number') {
      const redeemed = await spendQuantity(tx, v.id, quantity, sessionKey, now); // the count after: the redemption shows it
      if (redeemed === undefined) throw quantityExceeded(`Voucher ${v.code} has been redeemed ${quantity} times already (or its last redemptions are locked by validation sessions)`);
      c.voucher = { ...v, redeemed_quantity: redeemed };
      spent.quantity = true;
    }
    for (const { key, l } of tightestLimits(c.limits, customerId, now)) {
      if (!(await sql.spendCounter(tx, key, l.bound))) {
        throw rulesViolated('redemption_rules_violated', `redemption does not match validation rules: ${l.ruleId} (a redemption limit of ${l.bound} is reached)`, l.message);
      }
      (spent.counters ??= []).push(key);
    }
    // Campaign budgets of discounted units (the discount's targets'): each counter in one guarded statement.
    for (const b of c.budgets?.current ?? []) {
      if (!(await sql.spendUnits(tx, b.key, b.units, b.bound))) {
        throw rulesViolated('order_rules_violated', `order does not match validation rules: the campaign's budget of ${b.bound} discounted units of these products is spent`);
      }
      (spent.units ??= []).push([...b.key, Math.ceil(b.units)]);
    }
    if (v && c.gift && c.gift.credits > 0) {
      const after = await spendBalance(tx, v.id, c.gift.credits, sessionKey, now);
      if (after === undefined) throw giftAmountExceeded(`Gift voucher ${v.code} has fewer than ${c.gift.credits} credits left (that validation sessions have not locked)`);
      c.gift = { credits: c.gift.credits, ...after };
      c.voucher = { ...c.voucher!, gift_balance: after.balance, gift_redeemed: after.redeemed };
      spent.gift = c.gift.credits;
    }
    if (v && c.loyalty) {
      // The card pays (one guarded statement: never below 0), then the reward is given (a code, credits, points).
      const l = c.loyalty;
      const holder = await deps.loyalties.holderOf(tx, cause.projectId, v);
      let card = v;
      if (l.points > 0) {
        const paid = await deps.loyalties.spendIn(tx, cause, { card: v, campaign: c.campaign }, l.points, holder, `Reward ${l.reward.name}`, { redemption_id: redemptionId, reward_id: l.reward.id, reward_name: l.reward.name });
        events.push(...paid.events);
        c.loyalty = { ...l, balance: Number(paid.card.loyalty_balance) };
        c.voucher = { ...c.voucher!, loyalty_points: paid.card.loyalty_points, loyalty_balance: paid.card.loyalty_balance, loyalty_redeemed: paid.card.loyalty_redeemed };
        spent.points = l.points;
        card = paid.card;
      }
      // What the reward gives (a COIN reward's is the order's discount: only a unit of a limited stock is taken).
      const gave = await deps.rewards.giveIn(tx, cause, l.reward, holder);
      events.push(...gave.events);
      if (gave.given) c.loyalty = { ...c.loyalty, given: gave.given };
      // The reward redemption, turned ROLLEDBACK by this redemption's rollback.
      events.push(...(await deps.rewards.recordIn(tx, cause, { redemptionId, points: l.points, counted: gave.counted, card, campaign: c.campaign, holder, reward: l.reward, assignment: l.assignment, ...(c.loyalty.given ? { given: c.loyalty.given } : {}) })));
      spent.reward = true;
    }
    return spent;
  }

  const firstFailure = (checked: Checked[]) => checked.find((c): c is Inapplicable => c.status === 'INAPPLICABLE');

  /**
   * POST /v1/redemptions: redeems every redeemable or none. Concurrent redemptions are group-committed: a batch shares
   * one transaction (customers upserted together, vouchers read together, orders, redemptions and events inserted in
   * one statement, summaries added in one each); every guarded spend is still its own statement, in the batch's
   * order. Any refusal rolls the batch back and its redemptions run one by one, so each gets what it would alone.
   */
  async function redeem(cause: Cause, given: StackInput, rules: StackingRules = defaultStackingRules) {
    checkShape(given, rules);
    const { input, promotionStack } = await expanded(cause.projectId, given);
    const failedOn: FailedOn = { promotionStack };
    try {
      await deps.customers.checkSentMetadata(cause.projectId, input.customer);
      return await batch.submit({ cause, input, failedOn, rules });
    } catch (err) {
      // A request naming one redeemable twice is malformed, as when checkShape refuses it: nothing is recorded.
      if (err instanceof TesseraError && err.code === 400 && err.key !== 'duplicated_redeemables') await recordFailure(cause, input, err, failedOn).catch(() => undefined);
      throw err;
    }
  }

  async function redeemAll(tx: Executor, items: RedeemItem[]) {
    const later: Later = { events: [], writes: [], rows: [], summaries: [], redeemed: [], catalog: new Map() };
    // The customers of every item at once.
    const named = items.flatMap((item, i) => (item.input.customer && customerKey(item.input.customer) !== undefined ? [i] : []));
    const customers: Array<CustomerRow | undefined> = new Array(items.length);
    if (named.length > 0) {
      const outcomes = await deps.customers.upsertMany(tx, named.map((i) => ({ cause: items[i]!.cause, input: items[i]!.input.customer! })));
      outcomes.forEach((o, k) => {
        if ('error' in o) throw o.error;
        customers[named[k]!] = o.result.customer;
        later.events.push(...o.events);
      });
    }
    const found = await prefetch(tx, items);
    // The products and SKUs of every order at once, per project.
    const ordered = new Map<string, OrderItemInput[]>();
    for (const { cause, input } of items) if (input.order?.items) ordered.set(cause.projectId, [...(ordered.get(cause.projectId) ?? []), ...input.order.items]);
    for (const [projectId, all] of ordered) await deps.orders.lookupItems(tx, projectId, all, later.catalog);
    const out = [];
    for (const [i, item] of items.entries()) out.push(await redeemIn(tx, item, customers[i], found, later));
    await deps.orders.addToSummaries(tx, later.summaries);
    await sql.addToSummaries(tx, later.redeemed);
    // The redemption rows go in with the events, in one statement (nothing reads them before the commit).
    await log.record(tx, later.events, later.rows.length > 0 ? [...later.writes, sql.redemptionsInsert(later.rows)] : later.writes);
    return out;
  }

  const recordFailure = createFailureRecorder({ db, clock, log, vouchers: deps.vouchers, campaigns: deps.campaigns, customerFor });

  const batch = createGroupCommit({ db, name: 'redemptions', maxBatch: 32, maxInFlight: deps.concurrency ?? 1, write: redeemAll });

  async function redeemIn(tx: Executor, item: RedeemItem, customer: CustomerRow | undefined, found: Prefetched, later: Later) {
    const { cause, input, failedOn, rules } = item;
    const { promotionStack } = failedOn;
    const events = later.events;
    const { now, checked, stack, linesFrom } = await check(tx, cause, input, customer, rules, found, later.catalog);
    const failure = firstFailure(checked);
    if (failure && !passes(checked, rules)) {
      Object.assign(failedOn, { input: failure.input, voucher: failure.voucher, tier: failure.tier, campaign: failure.campaign });
      throw failure.error;
    }
    // What the stacking rules left out (and, in PARTIAL mode, what did not apply) is not redeemed.
    const applicable = checked.filter((c): c is Applicable => c.status === 'APPLICABLE');
    const leftOut = checked.filter((c) => c.status !== 'APPLICABLE').map((c) => redeemableEntry(c, cause.groupId));
    // A promotion stack always has a parent redemption, so that it is rolled back as one, even with a single tier.
    const stacked = applicable.length > 1 || promotionStack !== undefined;
    const parentId = stacked ? newSortableId('r', now) : undefined;
    const ids = applicable.map(() => newSortableId('r', now));
    const spent: Spent[] = [];
    const sessionKey = typeof input.session?.key === 'string' ? input.session.key : null;
    for (const [i, c] of applicable.entries()) {
      Object.assign(failedOn, { input: c.input, voucher: c.voucher, tier: c.tier, campaign: c.campaign });
      spent.push(await spend(tx, cause, c, customer?.id ?? null, now, sessionKey, ids[i]!, events));
    }
    // The session's reservations are used up.
    if (sessionKey) await release(tx, cause.projectId, sessionKey);

    const stackId = promotionStack?.id ?? null;
    const topId = parentId ?? ids[0]!;
    let order: OrderRow | undefined;
    if (input.order) {
      order = await deps.orders.upsertIn(tx, cause, orderInput(input.order, stack, customer, linesFrom), {
        [topId]: { date: now.toISOString(), related_object_type: stacked ? 'redemption' : applicable[0]!.objectType, related_object_id: stacked ? topId : applicable[0]!.objectId, related_object_parent_id: applicable[0]!.campaign?.id, ...(stacked ? { stacked: ids } : {}) },
      }, later, customer, itemDiscounts(stack, linesFrom));
    }
    const orderView = order ? orderAfter(order, stack) : null;
    const base = { customer_id: customer?.id ?? null, tracking_id: input.tracking_id ?? customer?.source_id ?? null, result: 'SUCCESS' as const, status: 'SUCCEEDED' as const, created_at: now };
    const rows: RedemptionRow[] = applicable.map((c, i) => {
      // A loyalty card's amount is the points it spent (Voucherify's Redemption.amount).
      const r = { ...base, id: ids[i]!, parent_id: parentId ?? null, related_object_type: c.objectType, related_object_id: c.objectId, amount: c.loyalty ? c.loyalty.points : (c.gift?.credits ?? c.amount) };
      const body = redemptionBody(r, { customer: customer ?? null, order: orderView, voucher: c.voucher, tier: c.tier, campaign: c.campaign, metadata: input.metadata ?? {}, source: cause.source, gift: c.gift?.credits, loyalty: c.loyalty });
      return { ...r, project_id: cause.projectId, order_id: order?.id ?? null, voucher_id: c.voucher?.id ?? null, campaign_id: c.campaign?.id ?? null, promotion_stack_id: stackId, gift_amount: c.gift?.credits ?? 0, spent: spent[i]!, body };
    });
    let parent: RedemptionRow | undefined;
    if (parentId) {
      const r = { ...base, id: parentId, parent_id: null, related_object_type: 'redemption' as const, related_object_id: parentId, amount: stack.total_discount_amount };
      const body = redemptionBody(r, { customer: customer ?? null, order: orderView, metadata: input.metadata ?? {}, source: cause.source, related: ids });
      parent = { ...r, project_id: cause.projectId, order_id: order?.id ?? null, voucher_id: null, campaign_id: promotionStack?.campaign_id ?? null, promotion_stack_id: stackId, gift_amount: 0, spent: {}, body };
    }
    for (const [i, r] of rows.entries()) {
      const g = applicable[i]!.gift;
      if (g && g.credits > 0) {
        await insertGiftTransaction(tx, { id: `${r.id}_gt`, projectId: cause.projectId, voucherId: r.voucher_id!, campaignId: r.campaign_id, type: 'CREDITS_REDEMPTION', sourceId: null, reason: null, amount: -g.credits, balance: g.balance, now });
      }
    }
    if (customer) {
      const gift = rows.reduce((s, r) => s + Number(r.gift_amount), 0);
      later.redeemed.push({ projectId: cause.projectId, customerId: customer.id, add: { total_redeemed: rows.length, total_succeeded: rows.length, ...(gift > 0 ? { gift_redeemed_amount: gift } : {}) } });
    }
    if (order) nameRedemption(events, order.id, parent?.body ?? rows[0]!.body);
    events.push(...redemptionEvents(cause, { rows, applicable, customer, order: orderView, campaigns: deps.campaigns, now, promotionStack }));
    later.rows.push(...(parent ? [parent, ...rows] : rows));
    const skipped = leftOut.filter((e) => e.status === 'SKIPPED');
    const inapplicable = leftOut.filter((e) => e.status === 'INAPPLICABLE');
    return {
      redemptions: rows.map((r) => r.body),
      parent_redemption: parent?.body ?? rows[0]!.body,
      order: orderView,
      ...(skipped.length > 0 ? { skipped_redeemables: skipped } : {}),
      ...(inapplicable.length > 0 ? { inapplicable_redeemables: inapplicable } : {}),
      stack,
    };
  }

  /** DELETE /v1/vouchers/{code}/sessions/{key}: 404 for an unknown code, or a session that holds nothing of it. */
  async function releaseSession(projectId: string, code: string, key: string): Promise<void> {
    const voucher = await deps.vouchers.find(projectId, code);
    const released = await db.transaction((tx) => releaseVoucher(tx, projectId, key, voucher.id));
    if (!released) throw notFound('session', key);
  }

  async function get(projectId: string, id: string) {
    const r = await sql.selectRedemption(db, projectId, id);
    if (!r) throw notFound('redemption', id);
    return r;
  }

  /**
   * Checks redeemables for a customer and order without spending anything: qualifications and examines take an
   * unknown customer as sent; the promotion validations find it as /v1/validations does (`customerToValidate`).
   */
  const checkStackWith = (find: typeof customerFor) => async (tx: Executor, cause: Cause, input: Pick<StackInput, 'redeemables' | 'order' | 'customer' | 'metadata'>, rules?: StackingRules) => {
    const customer = await find(tx, cause.projectId, input.customer);
    return { ...(await check(tx, cause, input as StackInput, customer, rules)), customerId: customer?.id ?? null, trackingId: customer?.source_id ?? null };
  };
  const checkStack = checkStackWith(customerFor);
  const qualify = createQualifications({ db, checkStack, categories: (projectId) => deps.campaigns.categories(projectId) });
  const { validatePromotions, validateTier } = createPromotionValidation({ db, checkStack: checkStackWith(customerToValidate) });
  const examine = createExamine({ db, clock, probe: checkStack, qualify, customers: deps.customers, campaigns: deps.campaigns, validationRules: deps.validationRules, catalogLines: deps.catalog?.catalogLines });

  return {
    validate,
    validateVoucher: createLegacyValidation(validate),
    redeem,
    redeemReward: createMemberRedemption(deps.loyalties, redeem),
    drain: () => batch.drain(),
    qualify,
    examine,
    validatePromotions,
    validateTier,
    releaseSession,
    get,
    list: (projectId: string, q: Omit<sql.RedemptionListQuery, 'offset'> & { page: number }) => sql.selectPage(db, projectId, { ...q, offset: (q.page - 1) * q.limit }),
    /** Redemption requests per minute and result since a moment (the dashboard's overview). */
    perMinute: (projectId: string, since: Date) => sql.countPerMinute(db, projectId, since),
  };
}

export type RedemptionsService = ReturnType<typeof createRedemptionsService>;

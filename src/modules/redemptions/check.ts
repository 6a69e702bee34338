/**
 * Checks a request's redeemables against what they are and what the request brings: the voucher exists, is active
 * and valid now, has redemptions and credits left, and its validation rules (the voucher's and its campaign's)
 * hold for the customer, the order and the counts so far. Applicable ones then discount the order in turn, each on
 * what earlier ones left. Reads only: spending is the redemption's (service.ts).
 */
import { validAt } from '../campaigns/index.js';
import { invalidRedeemables as badRedeemable, loyaltyCardPointsExceeded, missingOrder, notFound, promotionInactive, promotionNotActiveNow, quantityExceeded, rulesViolated, TesseraError, giftAmountExceeded, invalidRedeemables, referrerNotPermittedToRedeem } from '../../core/errors.js';
import type { Executor } from '../../store/db.js';
import type { CampaignRow, CampaignsService } from '../campaigns/index.js';
import { evaluateFormula, FormulaError, orderFormulaVars, type Discount, type DiscountOrder } from '../discounts/index.js';
import type { RelatedObjectType, RuleContext, RuleItem, ValidationRulesService } from '../validation-rules/index.js';
import { ruleFacts, ruleLines, type CatalogLines } from '../validation-rules/index.js';
import { capsOf, eligibleLines, evaluateRules, hasBudget, type BudgetKey, hasCollectionBudget, lineProduct, restricts, targetsOf, type Target } from '../validation-rules/index.js';
import { cardPoints, effective, unusableNow, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import type { RewardsService } from '../rewards/index.js';
import type { PromotionsService, TierRow } from '../promotions/index.js';
import { budgetKeyId } from './apply-stack.js';
import { countsOf, limitsOf, periodStart, tightestLimits } from './limits.js';
import * as sql from './sql.js';
import type { CounterKey, RedeemableInput } from './types.js';

export { applyStack, payWithPoints, withoutUnpaidCoins, type StackOrder } from './apply-stack.js';

export type { Applicable, BudgetUse, Checked, CheckContext, Inapplicable, Loyalty, Skipped, UnitItem } from './checked.js';
import type { Applicable, BudgetUse, Checked, CheckContext, Loyalty, UnitItem } from './checked.js';

export interface CheckDeps {
  vouchers: Pick<VouchersService, 'find'>;
  /** Collection membership of an order's lines (read only when a rule names a collection). */
  catalog?: {
    catalogLines: CatalogLines;
    /** Products and SKUs by id or source id: their keys and unit prices (read only for UNIT discounts). */
    unitItems: (tx: Executor, projectId: string, keys: string[]) => Promise<Map<string, UnitItem>>;
  };
  campaigns: Pick<CampaignsService, 'byIds'> & Partial<Pick<CampaignsService, 'cached'>>;
  validationRules: Pick<ValidationRulesService, 'assignedTo'>;
  promotions: Pick<PromotionsService, 'byIds'>;
  rewards: Pick<RewardsService, 'quote'>;
}

function tierError(t: TierRow, c: CampaignRow | undefined, now: Date): TesseraError | undefined {
  if (!t.active) return promotionInactive(`Promotion tier ${t.id} is disabled`);
  if (c && !c.active) return promotionInactive(`Campaign ${c.name} of promotion tier ${t.id} is disabled`);
  for (const v of [t.validity, c?.definition ?? {}]) {
    if (v.start_date && Date.parse(v.start_date) > now.getTime()) return promotionNotActiveNow(`Promotion tier ${t.id} is valid from ${v.start_date}`);
    if (v.expiration_date && Date.parse(v.expiration_date) <= now.getTime()) return promotionNotActiveNow(`Promotion tier ${t.id} expired at ${v.expiration_date}`);
    if (!validAt(v, now)) return promotionNotActiveNow(`Promotion tier ${t.id} is not valid at this time (its validity timeframe, days of the week or hours, UTC)`);
  }
  return undefined;
}

function validityError(v: VoucherRow, c: CampaignRow | undefined, now: Date): TesseraError | undefined {
  const unusable = unusableNow(v, c, now);
  if (unusable) return unusable;
  const quantity = effective(v, c).redemption?.quantity;
  if (typeof quantity === 'number' && (v.redeemed_quantity ?? 0) >= quantity) return quantityExceeded(`Voucher ${v.code} has been redeemed ${quantity} times already`);
  return undefined;
}

/** A referral code is for the referrer's friends: the referrer it is published to cannot redeem it. */
function referrerError(v: VoucherRow, c: CampaignRow | undefined, ctx: CheckContext): TesseraError | undefined {
  if (c?.campaign_type !== 'REFERRAL_PROGRAM' || !v.holder_id || !ctx.customer?.id || ctx.customer.id !== v.holder_id) return undefined;
  return referrerNotPermittedToRedeem(`Customer ${v.holder_id} is the referrer of ${v.code} and cannot redeem it`, { resourceId: v.code, resourceType: 'voucher' });
}

/** Whether a discount works on items (so its targets choose the lines), rather than on the order as a whole. */
/** What gift credits applied to items are, for choosing the lines they may go to. */
const creditsOnItems: Discount = { type: 'AMOUNT', amount_off: 0, effect: 'APPLY_TO_ITEMS' };

function onItems(d: Discount | undefined): boolean {
  if (!d || d.type === 'UNIT') return false;
  return (d.effect ?? 'APPLY_TO_ORDER') !== 'APPLY_TO_ORDER';
}

/** Campaigns by id: the per-process copies (a few seconds old at most, dropped on change) where there are. */
async function campaignsOf(tx: Executor, deps: CheckDeps, projectId: string, ids: string[]): Promise<CampaignRow[]> {
  if (ids.length === 0) return [];
  const cached = deps.campaigns.cached;
  if (!cached) return deps.campaigns.byIds(tx, projectId, ids);
  const rows = await Promise.all(ids.map((id) => cached(projectId, id, tx).catch(() => undefined)));
  return rows.filter((c): c is CampaignRow => c !== undefined && ids.includes(c.id));
}

/** Resolves and checks every redeemable (reads in batches where it can). */
export async function checkRedeemables(tx: Executor, deps: CheckDeps, redeemables: RedeemableInput[], ctx: CheckContext): Promise<Checked[]> {
  const tierIds = redeemables.filter((r) => r.object === 'promotion_tier').map((r) => r.id);
  const tiers = new Map((tierIds.length > 0 ? await deps.promotions.byIds(tx, ctx.projectId, tierIds) : []).map((t) => [t.id, t]));
  const found = await Promise.all(
    redeemables.map(async (r): Promise<{ r: RedeemableInput; voucher?: VoucherRow; tier?: TierRow; error?: TesseraError }> => {
      if (r.object === 'promotion_tier') {
        const tier = tiers.get(r.id);
        return tier ? { r, tier } : { r, error: notFound('promotion_tier', r.id) };
      }
      if (r.object !== 'voucher') return { r, error: invalidRedeemables(`Redeemable ${r.id}: object ${r.object} cannot be redeemed here; name its tiers (promotion_tier)`) };
      try {
        return { r, voucher: await deps.vouchers.find(ctx.projectId, r.id, tx) };
      } catch (err) {
        if (err instanceof TesseraError) return { r, error: notFound('voucher', r.id) };
        throw err;
      }
    }),
  );
  const campaignIds = [...new Set(found.flatMap((f) => (f.voucher?.campaign_id ? [f.voucher.campaign_id] : f.tier ? [f.tier.campaign_id] : [])))];
  const campaigns = new Map((await campaignsOf(tx, deps, ctx.projectId, campaignIds)).map((c) => [c.id, c]));
  // A loyalty card pays for the reward it names (in its program).
  const quotes = await Promise.all(
    found.map(async (f) => {
      if (f.voucher?.type !== 'LOYALTY_CARD') return undefined;
      try {
        return await deps.rewards.quote(tx, ctx.projectId, f.voucher, f.voucher.campaign_id ? campaigns.get(f.voucher.campaign_id) : undefined, f.r.reward);
      } catch (err) {
        if (err instanceof TesseraError) return err;
        throw err;
      }
    }),
  );
  // UNIT discounts price the units an order has no line of from the catalog: read at once, only for such discounts.
  const unitTypes = found.flatMap((f) => {
    const d = (f.tier ? f.tier.action.discount : f.voucher?.type === 'DISCOUNT_VOUCHER' ? effective(f.voucher, campaigns.get(f.voucher.campaign_id ?? '')).discount : undefined) as Discount | undefined;
    return d?.type === 'UNIT' ? ('units' in d ? d.units : [d]).map((u) => u.unit_type) : [];
  });
  const unitItems = deps.catalog && unitTypes.length > 0 ? await deps.catalog.unitItems(tx, ctx.projectId, unitTypes) : undefined;
  const objects: { type: RelatedObjectType; id: string }[] = [];
  for (const f of found) {
    if (f.tier) objects.push({ type: 'promotion_tier', id: f.tier.id }, { type: 'campaign', id: f.tier.campaign_id });
    if (!f.voucher) continue;
    objects.push({ type: 'voucher', id: f.voucher.id });
    if (f.voucher.campaign_id) objects.push({ type: 'campaign', id: f.voucher.campaign_id });
  }
  const assigned = await deps.validationRules.assignedTo(tx, ctx.projectId, objects);
  // customer.segment rules read the customer's live memberships (read only when such a rule is assigned).
  let segments = ctx.customer?.segments;
  if (segments === undefined && ctx.customer?.id && assigned.some((a) => JSON.stringify(a.rule.rules).includes('"customer.segment"'))) {
    segments = await sql.selectSegmentIds(tx, ctx.projectId, ctx.customer.id);
  }
  // Rules with targets, item rules or naming collections: the order's lines as the catalog knows them (product and
  // SKU keys, collection membership), read once.
  const { lines: known, inCollection } = await ruleLines(deps.catalog?.catalogLines, tx, ctx.projectId, ctx.order.items as RuleItem[], assigned.map((a) => a.rule));
  const limits = assigned.flatMap((a) => limitsOf(a.rule, a.objectId));
  // Campaign budgets of discount targets: a counter per target and campaign (a standalone code's own), for all
  // customers and per customer, read with the limits' counters.
  const budgeted = new Map<Target, string>();
  for (const a of assigned) (a.rule.applicable_to?.included as Target[] | undefined)?.forEach((t, i) => hasBudget(t) && budgeted.set(t, `${a.rule.id}:${i}`));
  const scopes = [...new Set(found.flatMap((f) => (f.tier ? [f.tier.campaign_id, f.tier.id] : f.voucher ? [f.voucher.campaign_id ?? f.voucher.id] : [])))];
  const budgetId = (scope: string, target: Target, product?: string) => `bud:${scope}:${budgeted.get(target)}${product !== undefined ? `:${product}` : ''}`;
  const orderProducts = budgeted.size > 0 ? [...new Set(known.flatMap((l) => lineProduct(l) ?? []))] : [];
  const budgetIds = budgeted.size > 0
    ? scopes.flatMap((scope) => [...budgeted.keys()].flatMap((t) => [budgetId(scope, t), ...(hasCollectionBudget(t) ? orderProducts.map((product) => budgetId(scope, t, product)) : [])]))
    : [];
  const counted = [...new Set([...limits.map((l) => l.objectId), ...budgetIds])];
  const counters = counted.length > 0 ? await sql.selectCounters(tx, counted, ctx.customer?.id ?? '~') : [];
  const customerKey = ctx.customer?.id ?? '~';
  // campaign.redemptions.* and campaign.orders.* rules: the campaigns' standing redemptions (read only when named).
  const since = () => ({ daily: periodStart('daily', ctx.now), weekly: periodStart('weekly', ctx.now), monthly: periodStart('monthly', ctx.now) });
  const figures = assigned.some((a) => ruleFacts(a.rule).campaign) ? new Map((await sql.selectCampaignFigures(tx, campaignIds, since())).map((f) => [f.campaignId, f])) : undefined;
  const used = (objectId: string, customerId: string) => counters.find((r) => r.object_id === objectId && r.customer_id === customerId && r.period === '')?.count ?? 0;
  /**
   * A budget's bound for this order: its `_formula` computed on the order, the customer's and the redemption's
   * metadata (a formula that cannot be computed falls back to the number, as discount formulas do), else the number.
   */
  const formulaContext = { vars: orderFormulaVars({ amount: ctx.order.amount ?? 0, items: known as DiscountOrder['items'], metadata: ctx.order.metadata }), metadata: { CUSTOMER: ctx.customer?.metadata, ORDER: ctx.order.metadata, REDEMPTION: ctx.metadata } };
  const boundOf = (target: Target, key: BudgetKey): number | undefined => {
    const fixed = typeof target[key] === 'number' ? (target[key] as number) : undefined;
    const formula = target[`${key}_formula`];
    if (typeof formula !== 'string') return fixed;
    try {
      return Math.max(0, Math.floor(evaluateFormula(formula, formulaContext)));
    } catch (err) {
      if (!(err instanceof FormulaError)) throw err;
      return fixed;
    }
  };
  /**
   * The budget counters a target's units go to, with their bounds and what they have used: the campaign's (in
   * `scope`) and, for a promotion tier, the tier's own; each the target's, or one product's of a collection target.
   */
  const budgetsOf = (scope: string, target: Target, product: string | undefined, tierId: string | undefined) => {
    const out: Array<{ key: CounterKey; bound: number; used: number }> = [];
    const of = product !== undefined ? ('product_in_collection' as const) : ('product' as const);
    const levels: Array<[string, 'campaign' | 'promotion_tier']> = [[scope, 'campaign'], ...(tierId !== undefined ? [[tierId, 'promotion_tier'] as [string, 'promotion_tier']] : [])];
    for (const [at, level] of levels) {
      const id = budgetId(at, target, product);
      const all = boundOf(target, `${of}_${level}_quantity_limit`);
      const each = boundOf(target, `${of}_customer_${level}_quantity_limit`);
      if (all !== undefined) out.push({ key: [id, '', ''], bound: all, used: used(id, '') });
      if (each !== undefined) out.push({ key: [id, customerKey, ''], bound: each, used: used(id, customerKey) });
    }
    return out;
  };

  /** The first failed rule among those guarding these objects, as an error. */
  const ruleFailure = (ids: (string | null)[], giftAmount?: number): TesseraError | undefined => {
    for (const a of assigned) {
      if (!ids.includes(a.objectId)) continue;
      const counts = countsOf(counters, a.objectId, ctx.customer?.id ?? null, ctx.now);
      const rc: RuleContext = {
        customer: ctx.customer ? { id: ctx.customer.id ?? undefined, metadata: ctx.customer.metadata, segments } : null,
        order: { amount: ctx.order.amount, initial_amount: ctx.order.initial_amount, total_amount: ctx.order.total_amount, metadata: ctx.order.metadata, items: known },
        redemption: { metadata: ctx.metadata, count: counts.count, per_customer: counts.per_customer, gift_amount: giftAmount },
        ...(figures && ids[1] ? { campaign: figures.get(ids[1]) ?? {} } : {}),
        ...(inCollection ? { inCollection } : {}),
      };
      const verdict = evaluateRules(a.rule.rules, rc, ctx.now, a.rule.error, a.rule.locations);
      if (!verdict.valid) {
        const what = verdict.key.split('_')[0];
        return rulesViolated(verdict.key, `${what} does not match validation rules: ${a.rule.id} (rule ${verdict.rule}, ${verdict.name})`, verdict.message);
      }
    }
    return undefined;
  };

  /**
   * The targets of the rules guarding these objects and, for a discount on items they restrict, the lines it may
   * touch; an order without any such line is an order_rules_violated (nothing it could discount).
   */
  type Targeting = Pick<Applicable, 'targets' | 'choose' | 'budgets' | 'itemRules' | 'assignments'>;
  const targeting = (ids: (string | null)[], discount: Discount | undefined, tierId?: string): { error: TesseraError } | { found: Targeting } => {
    const guarding = assigned.filter((a) => ids.includes(a.objectId));
    const about: Targeting = { ...(guarding.some((a) => ruleFacts(a.rule).items) ? { itemRules: true } : {}), ...(guarding.length > 0 ? { assignments: guarding.map((a) => a.assignment) } : {}) };
    const targets = targetsOf(guarding.map((a) => a.rule));
    if (!targets) return { found: about };
    if (!restricts(targets) || !onItems(discount)) return { found: { targets, ...about } };
    // Lines as the catalog knows them (lines a discount added later stay as they are).
    const scope = ids[1] ?? ids[0]!;
    const budgetLeft = (taken: ReadonlyMap<string, number> | undefined) => (t: Target, product?: string) => {
      if (!budgeted.has(t)) return undefined;
      const counters = budgetsOf(scope, t, product, tierId);
      return counters.length > 0 ? Math.min(...counters.map((b) => b.bound - b.used - (taken?.get(budgetKeyId(b.key)) ?? 0))) : undefined;
    };
    const budgets: { current: BudgetUse[] } = { current: [] };
    const choose = (lines: RuleItem[], taken?: ReadonlyMap<string, number>) => {
      const mapped = lines.map((l, i) => known[i] ?? l);
      const eligible = eligibleLines(targets, mapped, inCollection);
      const caps = capsOf(targets, mapped, eligible, inCollection, budgeted.size > 0 ? budgetLeft(taken) : undefined);
      budgets.current = (caps?.budgeted ?? []).flatMap(({ target, product, units }) => (units > 0 ? budgetsOf(scope, target, product, tierId).map((b) => ({ key: b.key, units, bound: b.bound })) : []));
      return { eligible, caps };
    };
    const first = choose(known);
    const named = () => guarding.find((a) => (a.rule.applicable_to?.included?.length ?? 0) > 0 || (a.rule.applicable_to?.excluded?.length ?? 0) > 0)?.rule;
    if (!first.eligible.some(Boolean)) {
      const rule = named();
      return { error: rulesViolated('order_rules_violated', `order does not match validation rules: ${rule?.id ?? ''} (no item of the order is one the discount applies to)`, rule?.error?.message) };
    }
    // Every line it may touch is out of its campaign's (or tier's) budget of discounted units.
    if (!first.eligible.some((e, i) => e && (first.caps?.lines[i]?.units ?? 1) > 0)) {
      const rule = named();
      return { error: rulesViolated('order_rules_violated', `order does not match validation rules: ${rule?.id ?? ''} (the ${tierId !== undefined ? "campaign's or promotion tier's" : "campaign's"} budget of discounted units of these products is spent)`, rule?.error?.message) };
    }
    return { found: { targets, choose, ...(budgeted.size > 0 ? { budgets } : {}), ...about } };
  };

  /** What a discount's formulas read besides the order (a voucher's metadata is its own, not its campaign's). */
  const formulaOf = (voucher: VoucherRow | undefined, campaign: CampaignRow | undefined): Applicable['formula'] => ({
    vars: voucher ? { VOUCHER_PUBLISH_COUNT: Number(voucher.publish_count ?? 0) } : {},
    metadata: { CUSTOMER: ctx.customer?.metadata, REDEMPTION: ctx.metadata, VOUCHER: voucher?.overrides.metadata, CAMPAIGN: campaign?.definition.metadata },
  });

  const checkTier = (tier: TierRow, input: RedeemableInput): Checked => {
    const campaign = campaigns.get(tier.campaign_id);
    const discount = tier.action.discount as Discount | undefined;
    const error = tierError(tier, campaign, ctx.now) ?? ruleFailure([tier.id, tier.campaign_id]);
    if (error) return { status: 'INAPPLICABLE', input, error, tier, campaign };
    const t = targeting([tier.id, tier.campaign_id], discount, tier.id);
    if ('error' in t) return { status: 'INAPPLICABLE', input, error: t.error, tier, campaign };
    const mine = limits.filter((l) => l.objectId === tier.id || l.objectId === tier.campaign_id);
    return { status: 'APPLICABLE', input, objectType: 'promotion_tier', objectId: tier.id, tier, campaign, limits: mine, amount: 0, discount, formula: formulaOf(undefined, campaign), ...(unitItems ? { unitItems } : {}), ...t.found };
  };

  /** A loyalty card's reward: its price within the balance; a COIN reward needs an order to pay. */
  const loyaltyOf = (i: number, voucher: VoucherRow, campaign: CampaignRow | undefined): Loyalty | TesseraError => {
    const q = quotes[i];
    if (q === undefined || q instanceof TesseraError) return q ?? notFound('reward', String(found[i]!.r.reward?.id ?? ''));
    const balance = cardPoints(voucher, campaign).balance;
    const exceeded = (n: number) => loyaltyCardPointsExceeded(`Loyalty card ${voucher.code} holds ${balance} points; reward ${q.reward.name} needs ${n}`, { resourceId: voucher.code, resourceType: 'voucher' });
    if (q.reward.type !== 'COIN') {
      return q.price > balance ? exceeded(q.price) : { reward: q.reward, assignment: q.assignment, points: q.price, balance };
    }
    const requested = found[i]!.r.reward?.points;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) return badRedeemable(`Redeemable ${voucher.code}: reward.points must be a positive integer (the points to pay with)`);
    if (requested !== undefined && requested > balance) return exceeded(requested);
    if (ctx.order.amount === null) return missingOrder(`Reward ${q.reward.name} pays for an order with points: send the order with its amount`);
    const coin = q.reward.parameters.coin as { exchange_ratio: number; points_ratio: number };
    return { reward: q.reward, assignment: q.assignment, points: 0, balance, coin, ...(requested !== undefined ? { requested } : {}) };
  };

  /**
   * An applicable member will spend its limits' counters (once per counter, as the redemption does): the next
   * members of the stack see those counts, so two codes or tiers under one campaign limit are judged as redeemed.
   */
  const counting = (c: Checked): Checked => {
    if (c.status !== 'APPLICABLE') return c;
    for (const { key: [object_id, customer_id, period] } of tightestLimits(c.limits, ctx.customer?.id ?? null, ctx.now)) {
      const row = counters.find((r) => r.object_id === object_id && r.customer_id === customer_id && r.period === period);
      if (row) row.count += 1;
      else counters.push({ object_id, customer_id, period, count: 1 });
    }
    return c;
  };

  return found.map((f, index) => counting(checkOne(f, index)));

  function checkOne(f: (typeof found)[number], index: number): Checked {
    const input = f.r;
    if (f.tier) return checkTier(f.tier, input);
    if (!f.voucher) return { status: 'INAPPLICABLE', input, error: f.error! };
    const voucher = f.voucher;
    const campaign = voucher.campaign_id ? campaigns.get(voucher.campaign_id) : undefined;
    const invalid = validityError(voucher, campaign, ctx.now) ?? referrerError(voucher, campaign, ctx);
    if (invalid) return { status: 'INAPPLICABLE', input, error: invalid, voucher, campaign };
    const e = effective(voucher, campaign);
    let gift: Applicable['gift'];
    if (voucher.type === 'GIFT_VOUCHER') {
      const balance = Number(voucher.gift_balance ?? 0);
      const credits = input.gift?.credits;
      if (credits !== undefined && credits > balance) {
        return { status: 'INAPPLICABLE', input, error: giftAmountExceeded(`Gift voucher ${voucher.code} has ${balance} credits; ${credits} asked`), voucher, campaign };
      }
      gift = { credits: credits ?? balance, balance, ...(e.gift?.effect === 'APPLY_TO_ITEMS' ? { effect: 'APPLY_TO_ITEMS' as const } : {}) };
    }
    let loyalty: Loyalty | undefined;
    if (voucher.type === 'LOYALTY_CARD') {
      const l = loyaltyOf(index, voucher, campaign);
      if (l instanceof TesseraError) return { status: 'INAPPLICABLE', input, error: l, voucher, campaign };
      loyalty = l;
    }
    const failed = ruleFailure([voucher.id, voucher.campaign_id], gift?.credits);
    if (failed) return { status: 'INAPPLICABLE', input, error: failed, voucher, campaign };
    const mine = limits.filter((l) => l.objectId === voucher.id || l.objectId === voucher.campaign_id);
    const discount = voucher.type === 'DISCOUNT_VOUCHER' ? (e.discount as Discount | undefined) : undefined;
    // Credits on the items go only to the lines the card's rules let it (applicable_to), as an item discount would.
    const t = targeting([voucher.id, voucher.campaign_id], discount ?? (gift?.effect ? creditsOnItems : undefined));
    if ('error' in t) return { status: 'INAPPLICABLE', input, error: t.error, voucher, campaign };
    return { status: 'APPLICABLE', input, objectType: 'voucher', objectId: voucher.id, voucher, campaign, limits: mine, amount: 0, discount, formula: formulaOf(voucher, campaign), ...(unitItems ? { unitItems } : {}), gift, ...(loyalty ? { loyalty } : {}), ...t.found };
  }
}

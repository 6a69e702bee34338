import type { Clock } from '../../core/clock.js';
import { floorDecimal } from '../../core/decimal.js';
import type { Executor, Statement } from '../../store/db.js';
import { type CampaignRow, type CampaignsService } from '../campaigns/index.js';
import type { simpleCustomer } from '../customers/index.js';
import type { CausedEvent } from '../event-log/index.js';
import { evaluateRules, ruleLines, type RuleContext, type RuleItem, type ValidationRuleRow, type ValidationRulesService } from '../validation-rules/index.js';
import { campaignUnusableNow, cardPoints, unusableNow, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import type { Ledger, PointsChange } from './ledger.js';
import type { Pending } from './pending.js';
import { mapPoints } from './tier-view.js';
import type { Tiers } from './tiers.js';
import { tierEarningEvents, type EarningRules } from './rules.js';
import { maxEarnedPoints, type EarningRuleRow, type Proportion } from './types.js';
import * as sql from './sql.js';
import { earningRuleObject } from './view.js';
import { validAt } from '../campaigns/index.js';
import { expiresOn, type ExpirationRules } from './expiration.js';
import { countedItems, itemTargets, type ItemsCatalog } from './items.js';

type SimpleCustomer = ReturnType<typeof simpleCustomer>;

interface Candidate {
  entry: CausedEvent;
  x: Earner;
  rule: EarningRuleRow;
  points: number;
}

/** What an earning event carries, read from its data. */
interface Earner {
  customer: SimpleCustomer;
  event: { id: string; type: string; name?: string; metadata: Record<string, unknown>; loyaltyCode?: string };
  segmentId?: string;
  /** Tier events: the tier entered (joined, upgraded, downgraded) or left. */
  tierId?: string;
  order?: { id?: string; amount?: number; total_amount?: number; metadata?: Record<string, unknown>; items?: Array<{ quantity?: number } & Record<string, unknown>> };
}

export const earningEventTypes = ['customer.custom_event', 'customer.order.paid', 'customer.segment.entered', ...tierEarningEvents] as const;

function earnerOf(e: CausedEvent): Earner | undefined {
  const d = e.event.data as Record<string, any>;
  const customer = d.customer as SimpleCustomer | undefined;
  if (!customer?.id) return undefined;
  if (e.event.type === 'customer.custom_event') {
    if (e.event.earnsNothing) return undefined;
    const ev = d.event ?? {};
    return { customer, event: { id: ev.id, type: 'customer.custom_event', name: ev.type, metadata: ev.metadata ?? {}, loyaltyCode: ev.loyalty?.code } };
  }
  const id = String(e.event.entityId ?? '');
  if (e.event.type === 'customer.segment.entered') return { customer, event: { id, type: e.event.type, metadata: {} }, segmentId: d.segment?.id };
  if (e.event.type.startsWith('customer.loyalty.tier.')) return { customer, event: { id, type: e.event.type, metadata: {} }, tierId: (d.loyalty_tier_to ?? d.loyalty_tier)?.id };
  return { customer, event: { id, type: e.event.type, metadata: {} }, order: d.order ?? {} };
}

function matches(r: EarningRuleRow, x: Earner): boolean {
  if (x.event.type === 'customer.custom_event') return r.event === x.event.name;
  if (x.event.type === 'customer.segment.entered') return r.event === 'customer.segment.entered' && r.definition.segment?.id === x.segmentId;
  if (x.tierId !== undefined) return r.event === x.event.type && (r.definition.loyalty_tier?.id === '__ANY__' || r.definition.loyalty_tier?.id === x.tierId);
  return r.event === x.event.type;
}

/** A decimal number as text ("16", "-2.5", "1e3"): not hexadecimal, binary or octal ("0x10" is no number here). */
const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const numberIn = (o: Record<string, unknown> | undefined, key: string): number => {
  const v = o?.[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && decimal.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
};
/**
 * Points per `every` of a value. A value from an event or order can be anything: what would exceed the points a
 * card can carry exactly gives none, rather than failing the event that earns.
 */
const per = (value: number, p: { every: number; points: number }) => {
  // Decimal figures (every 0.1, a value of 0.3) count as written, not as their binary floats.
  const n = value > 0 ? floorDecimal(value / p.every) * p.points : 0;
  return Number.isSafeInteger(n) && n <= maxEarnedPoints ? n : 0;
};
const byProperty = (o: Record<string, unknown> | undefined, p: Proportion) => per(numberIn(o, p.property), p);

/**
 * The points a rule gives for this event (0: none). `counted`: which of the order's items each rule naming products,
 * SKUs or collections counts (countedItems); such a rule without its entry counts none.
 */
export function pointsFor(r: EarningRuleRow, x: Earner, counted?: ReadonlyMap<string, boolean[]>): number {
  const l = r.definition.loyalty;
  if (!l) return 0;
  if (l.type === 'FIXED') return l.points;
  switch (l.calculation_type) {
    case 'CUSTOM_EVENT_METADATA':
      return l.custom_event ? byProperty(x.event.metadata, l.custom_event.metadata) : 0;
    case 'CUSTOMER_METADATA':
      return l.customer ? byProperty(x.customer.metadata ?? {}, l.customer.metadata) : 0;
    case 'ORDER_AMOUNT':
      return l.order?.amount ? per(numberIn(x.order, 'amount'), l.order.amount) : 0;
    case 'ORDER_TOTAL_AMOUNT':
      return l.order?.total_amount ? per(numberIn(x.order, 'total_amount'), l.order.total_amount) : 0;
    case 'ORDER_METADATA':
      return l.order?.metadata ? byProperty(x.order?.metadata, l.order.metadata) : 0;
    case 'ORDER_ITEMS_QUANTITY': {
      const q = l.order_items?.quantity;
      if (!q) return 0;
      const only = itemTargets(q) ? (counted?.get(r.id) ?? []) : undefined;
      return per((x.order?.items ?? []).reduce((n, i, k) => n + (only && !only[k] ? 0 : (i.quantity ?? 0)), 0), q);
    }
    default:
      return 0;
  }
}

/**
 * Earning, as an event-log deriver: in the transaction that records a custom event, an order paid or a segment
 * entered, each matching active rule (its validity and validation rule holding) adds its points to the customer's
 * card of the rule's program: the card the event's `loyalty.code` names, else the customer's oldest active card of
 * that program. A project without a matching rule costs no query (the rules come from a per-process cache).
 */
export function createEarning(deps: {
  clock: Clock;
  rules: Pick<EarningRules, 'active'>;
  ledger: Ledger;
  campaigns: Pick<CampaignsService, 'cached'>;
  vouchers: Pick<VouchersService, 'find' | 'oldestCardsLocked'>;
  validationRules: Pick<ValidationRulesService, 'get'>;
  pending: Pick<Pending, 'add'>;
  tiers: Pick<Tiers, 'termsFor'>;
  catalog: Pick<ItemsCatalog, 'catalogLines'>;
}) {
  async function ruleHolds(tx: Executor, r: EarningRuleRow, x: Earner, now: Date, rulesRead: Map<string, Promise<ValidationRuleRow | undefined>>): Promise<boolean> {
    if (!validAt(r.definition, now)) return false;
    const id = r.definition.validation_rule_id;
    if (!id) return true;
    if (!rulesRead.has(id)) rulesRead.set(id, deps.validationRules.get(r.project_id, id, tx).catch(() => undefined));
    const rule = await rulesRead.get(id);
    if (!rule) return false;
    // An order's lines as validations read them (catalog keys, collection membership), read only when the rule asks.
    const items = (Array.isArray(x.order?.items) ? x.order.items : []) as RuleItem[];
    const { lines, inCollection } = x.order ? await ruleLines(deps.catalog.catalogLines, tx, r.project_id, items, [rule]) : { lines: [], inCollection: undefined };
    const ctx: RuleContext = {
      customer: { id: x.customer.id, metadata: x.customer.metadata ?? {} },
      custom_event: { metadata: x.event.metadata },
      order: x.order ? { ...x.order, items: lines } : null,
      ...(inCollection ? { inCollection } : {}),
    };
    return evaluateRules(rule.rules, ctx, now, rule.error, rule.locations).valid;
  }

  /** The earnings of one project's entries in this batch: matching rules, programs, checks and cards, read in bulk. */
  async function earn(tx: Executor, projectId: string, cands: Candidate[], now: Date, writes: Statement[]): Promise<CausedEvent[]> {
    // Programs from the per-process copies (dropped whenever a campaign changes).
    const ids = [...new Set(cands.map((c) => c.rule.campaign_id))];
    const read = await Promise.all(ids.map((id) => deps.campaigns.cached(projectId, id, tx).catch(() => undefined)));
    const programs = new Map<string, CampaignRow>(read.filter((c): c is CampaignRow => c !== undefined && c.active && ids.includes(c.id)).map((c) => [c.id, c]));
    const rulesRead = new Map<string, Promise<ValidationRuleRow | undefined>>();
    const holding: Candidate[] = [];
    for (const c of cands) if (programs.has(c.rule.campaign_id) && (await ruleHolds(tx, c.rule, c.x, now, rulesRead))) holding.push(c);
    if (holding.length === 0) return [];
    // Cards: the one an event names, else the customer's oldest of the program (read and locked at once).
    const unnamed = holding.filter((c) => !c.x.event.loyaltyCode);
    const cards = new Map<string, VoucherRow>(
      unnamed.length === 0
        ? []
        : (await deps.vouchers.oldestCardsLocked(tx, projectId, [...new Set(unnamed.map((c) => c.x.customer.id))], [...new Set(unnamed.map((c) => c.rule.campaign_id))])).map((v) => [`${v.holder_id} ${v.campaign_id}`, v]),
    );
    const named = new Map<string, VoucherRow | undefined>();
    for (const c of holding) {
      const code = c.x.event.loyaltyCode;
      if (code && !named.has(code)) named.set(code, await deps.vouchers.find(projectId, code, tx).catch(() => undefined));
    }
    const items: Array<{ cause: CausedEvent['cause']; change: PointsChange; c: Candidate }> = [];
    const pendingEvents: CausedEvent[] = [];
    for (const c of holding) {
      let card: VoucherRow | undefined;
      if (c.x.event.loyaltyCode) {
        const v = named.get(c.x.event.loyaltyCode);
        // The named card earns for its own program only, and only for its holder.
        card = v && v.campaign_id === c.rule.campaign_id && v.holder_id === c.x.customer.id && v.active && v.type === 'LOYALTY_CARD' ? v : undefined;
      } else {
        card = cards.get(`${c.x.customer.id} ${c.rule.campaign_id}`);
      }
      const program = programs.get(c.rule.campaign_id);
      // A card earns only while it could be redeemed: it and its program active, within its own or its program's
      // start and expiration dates, validity_timeframe, days of the week and hours (the check redemptions make).
      if (!card || unusableNow(card, program, now)) continue;
      // An order earns on a rule once: paid again after a step back, it earns nothing more.
      if (c.x.event.type === 'customer.order.paid' && c.x.order?.id && !(await sql.claimOrderEarning(tx, projectId, c.x.order.id, c.rule.id, now))) continue;
      // The member's tier may have its own terms for this rule (multiplied, or points of its own).
      const terms = program ? await deps.tiers.termsFor(tx, projectId, card, program, cardPoints(card, program).balance, 'earning_rules', [c.rule.id]) : undefined;
      if (terms) c.points = mapPoints(c.points, terms);
      if (c.points <= 0) continue;
      const wait = (c.rule.definition as { pending_points?: { period_value?: number } }).pending_points?.period_value;
      if (wait && c.x.order && program) {
        // Pending: the points wait N days (and go if the order is canceled first).
        pendingEvents.push(...(await deps.pending.add(tx, c.entry.cause, { card, program, customer: c.x.customer, order: c.x.order as Record<string, unknown>, ruleId: c.rule.id, banner: c.rule.definition.source?.banner ?? '', points: c.points, days: wait, eventId: c.x.event.id })));
        continue;
      }
      // The rule's own expiration rules, else the program's cards'.
      const rules = (c.rule.definition as { expiration_rules?: ExpirationRules }).expiration_rules ?? (program?.definition.voucher?.loyalty_card?.expiration_rules as ExpirationRules | undefined);
      const change: PointsChange = { card, campaign: program, points: c.points, type: 'POINTS_ACCRUAL', source: 'Automation', holder: c.x.customer, rule: c.rule, event: { id: c.x.event.id, type: c.x.event.type }, expiresOn: expiresOn(rules, now) };
      items.push({ cause: c.entry.cause, change, c });
    }
    // The ledger rows are written with the events (the deriver's writes).
    // Cards named by a code were read unlocked: the ledger locks them (all cards of the batch, in id order).
    const done = await deps.ledger.accrueMany(tx, projectId, items, writes, named.size === 0);
    const out: CausedEvent[] = [...pendingEvents];
    done.forEach((d, i) => {
      if (!d) return;
      const { c } = items[i]!;
      out.push(...d.events);
      // The card, program and balance objects of the points_added records (an earning's balance is AUTOMATIC).
      out.push({
        cause: c.entry.cause,
        event: {
          type: 'customer.rewarded.loyalty_points',
          customerId: c.x.customer.id,
          entityId: d.transaction.id,
          data: {
            customer: c.x.customer,
            holder: c.x.customer,
            voucher: d.voucher,
            campaign: d.campaign,
            loyalty_tier: null,
            earning_rule: earningRuleObject(c.rule),
            balance: d.balance,
            order: null,
            event: { id: c.x.event.id, type: c.x.event.type, category: 'ACTION', entity_id: c.x.customer.id, created_at: now.toISOString() },
          },
        },
      });
    });
    return out;
  }

  async function derive(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[]; writes: Statement[] }> {
    const now = deps.clock.now();
    const byProject = new Map<string, Candidate[]>();
    for (const entry of entries) {
      const x = earnerOf(entry);
      if (!x) continue;
      const projectId = entry.cause.projectId;
      const matching = (await deps.rules.active(tx, [projectId])).filter((r) => matches(r, x));
      const counted = await countedItems(deps.catalog, tx, projectId, matching, x.order?.items);
      for (const rule of matching) {
        const points = pointsFor(rule, x, counted);
        if (points > 0) byProject.set(projectId, [...(byProject.get(projectId) ?? []), { entry, x, rule, points }]);
      }
    }
    const out: CausedEvent[] = [];
    const writes: Statement[] = [];
    for (const [projectId, cands] of byProject) out.push(...(await earn(tx, projectId, cands, now, writes)));
    return { events: out, writes };
  }

  /**
   * POST /v1/loyalties/{id}/qualifications: the points an order paid would earn in a program, by its active order.paid
   * rules (the program's validity, each rule's validity and validation rule checked as earning checks them). An
   * estimate: tier terms and rules on other events are not counted, nothing is written.
   */
  async function estimate(tx: Executor, projectId: string, program: CampaignRow, input: { customer: SimpleCustomer; order: NonNullable<Earner['order']> }): Promise<number> {
    const now = deps.clock.now();
    // A program that cannot earn now (disabled, not started, expired, outside its hours) gives nothing.
    if (campaignUnusableNow(program, now)) return 0;
    const programId = program.id;
    const x: Earner = { customer: input.customer, event: { id: 'estimate', type: 'customer.order.paid', metadata: {} }, order: input.order };
    const rulesRead = new Map<string, Promise<ValidationRuleRow | undefined>>();
    let points = 0;
    const matching = (await deps.rules.active(tx, [projectId])).filter((r) => r.campaign_id === programId && matches(r, x));
    const counted = await countedItems(deps.catalog, tx, projectId, matching, x.order?.items);
    for (const rule of matching) {
      const p = pointsFor(rule, x, counted);
      if (p > 0 && (await ruleHolds(tx, rule, x, now, rulesRead))) points += p;
    }
    return points;
  }

  return { derive, estimate };
}

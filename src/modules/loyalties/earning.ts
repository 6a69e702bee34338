import type { Clock } from '../../core/clock.js';
import type { Executor } from '../../store/db.js';
import type { CampaignRow, CampaignsService } from '../campaigns/index.js';
import type { simpleCustomer } from '../customers/index.js';
import type { CausedEvent } from '../event-log/index.js';
import { evaluateRules, type RuleContext, type ValidationRulesService } from '../validation-rules/index.js';
import type { VoucherRow, VouchersService } from '../vouchers/index.js';
import type { Ledger } from './ledger.js';
import type { EarningRules } from './rules.js';
import * as sql from './sql.js';
import type { EarningRuleRow, Proportion } from './types.js';
import { earningRuleObject } from './view.js';
import { validAt } from './validity.js';

type SimpleCustomer = ReturnType<typeof simpleCustomer>;

/** What an earning event carries, read from its data. */
interface Earner {
  customer: SimpleCustomer;
  event: { id: string; type: string; name?: string; metadata: Record<string, unknown>; loyaltyCode?: string };
  segmentId?: string;
  order?: { amount?: number; total_amount?: number; metadata?: Record<string, unknown>; items?: Array<{ quantity?: number }> };
}

export const earningEventTypes = ['customer.custom_event', 'customer.order.paid', 'customer.segment.entered'] as const;

function earnerOf(e: CausedEvent): Earner | undefined {
  const d = e.event.data as Record<string, any>;
  const customer = d.customer as SimpleCustomer | undefined;
  if (!customer?.id) return undefined;
  if (e.event.type === 'customer.custom_event') {
    const ev = d.event ?? {};
    return { customer, event: { id: ev.id, type: 'customer.custom_event', name: ev.type, metadata: ev.metadata ?? {}, loyaltyCode: ev.loyalty?.code } };
  }
  const id = String(e.event.entityId ?? '');
  if (e.event.type === 'customer.segment.entered') return { customer, event: { id, type: e.event.type, metadata: {} }, segmentId: d.segment?.id };
  return { customer, event: { id, type: e.event.type, metadata: {} }, order: d.order ?? {} };
}

function matches(r: EarningRuleRow, x: Earner): boolean {
  if (x.event.type === 'customer.custom_event') return r.event === x.event.name;
  if (x.event.type === 'customer.segment.entered') return r.event === 'customer.segment.entered' && r.definition.segment?.id === x.segmentId;
  return r.event === x.event.type;
}

const numberIn = (o: Record<string, unknown> | undefined, key: string): number => {
  const v = o?.[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
};
const per = (value: number, p: { every: number; points: number }) => (value > 0 ? Math.floor(value / p.every) * p.points : 0);
const byProperty = (o: Record<string, unknown> | undefined, p: Proportion) => per(numberIn(o, p.property), p);

/** The points a rule gives for this event (0: none). */
export function pointsFor(r: EarningRuleRow, x: Earner): number {
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
    case 'ORDER_ITEMS_QUANTITY':
      return l.order_items?.quantity ? per((x.order?.items ?? []).reduce((n, i) => n + (i.quantity ?? 0), 0), l.order_items.quantity) : 0;
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
  campaigns: Pick<CampaignsService, 'byIds'>;
  vouchers: Pick<VouchersService, 'find'>;
  validationRules: Pick<ValidationRulesService, 'get'>;
}) {
  async function ruleHolds(tx: Executor, r: EarningRuleRow, x: Earner, now: Date): Promise<boolean> {
    if (!validAt(r.definition, now)) return false;
    const id = r.definition.validation_rule_id;
    if (!id) return true;
    const rule = await deps.validationRules.get(r.project_id, id, tx).catch(() => undefined);
    if (!rule) return false;
    const ctx: RuleContext = { customer: { id: x.customer.id, metadata: x.customer.metadata ?? {} }, custom_event: { metadata: x.event.metadata }, order: x.order ? { ...x.order, items: [] } : null };
    return evaluateRules(rule.rules, ctx, now, rule.error).valid;
  }

  async function cardFor(tx: Executor, projectId: string, r: EarningRuleRow, x: Earner, oldest: Map<string, string>): Promise<VoucherRow | undefined> {
    if (x.event.loyaltyCode) {
      const named = await deps.vouchers.find(projectId, x.event.loyaltyCode, tx).catch(() => undefined);
      // The named card earns for its own program only, and only for its holder.
      return named && named.campaign_id === r.campaign_id && named.holder_id === x.customer.id && named.active && named.type === 'LOYALTY_CARD' ? named : undefined;
    }
    const id = oldest.get(r.campaign_id);
    return id ? deps.vouchers.find(projectId, id, tx) : undefined;
  }

  async function derive(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[] }> {
    const out: CausedEvent[] = [];
    const now = deps.clock.now();
    for (const entry of entries) {
      const x = earnerOf(entry);
      if (!x) continue;
      const projectId = entry.cause.projectId;
      const rules = (await deps.rules.active(tx, [projectId])).filter((r) => matches(r, x));
      if (rules.length === 0) continue;
      const programs = new Map<string, CampaignRow>((await deps.campaigns.byIds(tx, projectId, [...new Set(rules.map((r) => r.campaign_id))])).filter((c) => c.active).map((c) => [c.id, c]));
      const oldest = x.event.loyaltyCode ? new Map<string, string>() : new Map((await sql.selectOldestCards(tx, projectId, x.customer.id, [...programs.keys()])).map((c) => [c.campaign_id, c.id]));
      for (const r of rules) {
        const program = programs.get(r.campaign_id);
        if (!program) continue;
        const points = pointsFor(r, x);
        if (points <= 0 || !(await ruleHolds(tx, r, x, now))) continue;
        const card = await cardFor(tx, projectId, r, x, oldest);
        if (!card) continue;
        const done = await deps.ledger.change(tx, entry.cause, {
          card,
          campaign: program,
          points,
          type: 'POINTS_ACCRUAL',
          source: 'Automation',
          holder: x.customer,
          rule: r,
          event: { id: x.event.id, type: x.event.type },
        });
        out.push(...done.events);
        const { operation_type: _o, ...balance } = done.balance;
        out.push({
          cause: entry.cause,
          event: {
            type: 'customer.rewarded.loyalty_points',
            customerId: x.customer.id,
            entityId: done.transaction.id,
            data: {
              customer: x.customer,
              holder: x.customer,
              voucher: (done.events[0]!.event.data as { voucher: unknown }).voucher,
              campaign: (done.events[0]!.event.data as { campaign: unknown }).campaign,
              loyalty_tier: null,
              earning_rule: earningRuleObject(r),
              balance: { ...balance, operation_type: 'AUTOMATIC' },
              order: null,
              event: { id: x.event.id, type: x.event.type, category: 'ACTION', entity_id: x.customer.id, created_at: now.toISOString() },
            },
          },
        });
      }
    }
    return { events: out };
  }

  return { derive };
}

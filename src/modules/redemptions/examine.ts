/**
 * Voucherify's deprecated qualification examines (the SDK's `campaigns.qualifications.examine` and
 * `vouchers.qualifications.examine`), answered by what qualifications know:
 * - campaigns: the active code campaigns (discount coupons, gift cards, referral programs: the types the examine
 *   answers; promotions and loyalty programs have their own qualifications) valid now whose campaign-level validation
 *   rules hold for the customer (their metadata and live segments) and the order, newest first (`order` may ask
 *   otherwise), at most 100 looked at;
 * - vouchers: the customer's codes that would apply to the order (the CUSTOMER_WALLET scenario);
 * and the SDK's `validationRules.validate` (POST /v1/validation-rules/{id}/validation): one rule against a customer,
 * an order and metadata. Nothing is written; an unknown customer is examined with the attributes sent.
 */
import { newId } from '../../core/ids.js';
import type { Clock } from '../../core/clock.js';
import type { Db, Executor } from '../../store/db.js';
import { validAt, type CampaignsService, type Validity } from '../campaigns/index.js';
import type { CustomerInput, CustomersService } from '../customers/index.js';
import type { Cause } from '../event-log/index.js';
import type { OrderInput } from '../orders/index.js';
import { ruleLines, type CatalogLines } from '../validation-rules/index.js';
import { evaluateRules, targetLists, type RuleContext, type RuleItem, type ValidationRulesService } from '../validation-rules/index.js';
import type { QualificationInput } from './qualifications.js';
import type { applyStack } from './check.js';
import * as sql from './sql.js';

/** The campaign types the campaigns examine answers (its schema's). */
const examinedTypes = new Set(['DISCOUNT_COUPONS', 'GIFT_VOUCHERS', 'REFERRAL_PROGRAM']);

export interface ExamineInput {
  customer?: CustomerInput;
  order?: OrderInput;
  metadata?: Record<string, unknown>;
}

type Probe = (tx: Executor, cause: Cause, input: { redeemables: []; order?: OrderInput; customer?: CustomerInput }) => Promise<{ order: Parameters<typeof applyStack>[1]; customerId: string | null }>;

export function createExamine(deps: {
  db: Db;
  clock: Clock;
  probe: Probe;
  qualify: (cause: Cause, input: QualificationInput) => Promise<{ redeemables: { data: Array<Record<string, unknown>> } }>;
  customers: Pick<CustomersService, 'get'>;
  campaigns: Pick<CampaignsService, 'list'>;
  validationRules: Pick<ValidationRulesService, 'assignedTo' | 'get'>;
  /** The order's lines as the catalog knows them, with collection membership (absent: collections match nothing). */
  catalogLines?: CatalogLines;
}) {
  const envelope = <T>(data: T[]) => ({ object: 'list' as const, data_ref: 'data' as const, data, total: data.length, id: newId('qual'), created_at: deps.clock.now().toISOString() });

  /**
   * What `rules` read of the request: the stored customer (metadata, live segments) or the one sent, and the order
   * with its lines as validations read them (as the catalog knows them, in their collections).
   */
  async function contextOf(cause: Cause, input: ExamineInput, rules: Array<{ rules: unknown; applicable_to?: unknown }>): Promise<RuleContext> {
    const probe = await deps.probe(deps.db, cause, { redeemables: [], order: input.order, customer: input.customer });
    const customer = probe.customerId ? await deps.customers.get(cause.projectId, probe.customerId) : undefined;
    const segments = customer ? await sql.selectSegmentIds(deps.db, cause.projectId, customer.id) : [];
    const sent = input.customer ? { metadata: (input.customer as { metadata?: Record<string, unknown> }).metadata ?? {}, segments: [] } : null;
    const { lines, inCollection } = await ruleLines(deps.catalogLines, deps.db, cause.projectId, probe.order.items as RuleItem[], rules);
    return {
      customer: customer ? { id: customer.id, metadata: customer.metadata ?? {}, segments } : sent,
      order: { amount: probe.order.amount, initial_amount: probe.order.initial_amount, total_amount: probe.order.total_amount, metadata: probe.order.metadata, items: lines },
      redemption: { metadata: input.metadata ?? {} },
      ...(inCollection ? { inCollection } : {}),
    };
  }

  async function campaigns(cause: Cause, input: ExamineInput, q: { limit?: number; order?: string }) {
    const limit = Math.min(100, Math.max(1, q.limit ?? 10));
    const now = deps.clock.now();
    const { campaigns: all } = await deps.campaigns.list(cause.projectId, { limit: 100, page: 1, order: q.order });
    const candidates = (all as Array<Record<string, unknown> & { id: string; active: boolean }>).filter((c) => c.active && examinedTypes.has(String(c.campaign_type)) && validAt(c as Validity, now));
    // The candidates' rules, read at once: the context reads the order's lines once for all of them.
    const assigned = await deps.validationRules.assignedTo(deps.db, cause.projectId, candidates.map((c) => ({ type: 'campaign' as const, id: c.id })));
    const ctx = await contextOf(cause, input, assigned.map((a) => a.rule));
    const holds = (c: { id: string }) => assigned.every((a) => a.objectId !== c.id || evaluateRules(a.rule.rules, ctx, now, a.rule.error, a.rule.locations).valid);
    return envelope(candidates.filter(holds).slice(0, limit));
  }

  /** The codes of the customer's wallet that apply, as their voucher objects (`view` gives them). */
  async function vouchers(cause: Cause, input: ExamineInput, q: { limit?: number }, view: (code: string) => Promise<unknown>) {
    const limit = Math.min(50, Math.max(1, q.limit ?? 10));
    const found = await deps.qualify(cause, { customer: input.customer, order: input.order, metadata: input.metadata, scenario: 'CUSTOMER_WALLET', options: { limit } });
    return envelope(await Promise.all(found.redeemables.data.map((r) => view(String(r.id)))));
  }

  /** One rule against the request: `valid`, the rule, its targets, and when it fails the rule and message. */
  async function rule(cause: Cause, ruleId: string, input: ExamineInput) {
    const row = await deps.validationRules.get(cause.projectId, ruleId);
    const verdict = evaluateRules(row.rules, await contextOf(cause, input, [row]), deps.clock.now(), row.error, row.locations);
    return {
      valid: verdict.valid,
      rule_id: row.id,
      applicable_to: targetLists(row.applicable_to).applicable_to,
      ...(verdict.valid ? {} : { error: { key: verdict.key, rule: verdict.rule, name: verdict.name, ...(verdict.message ? { message: verdict.message } : {}) } }),
    };
  }

  return { campaigns, vouchers, rule };
}

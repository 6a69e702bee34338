/**
 * POST /v1/qualifications: which redeemables apply to a customer and an order, each checked as a validation would
 * (validity, limits, validation rules) and with what it would take off the order alone. Scenarios: ALL (the
 * customer's codes and the promotion tiers), CUSTOMER_WALLET (codes the customer holds), AUDIENCE_ONLY (promotion
 * tiers), PROMOTION_STACKS (stacks of active campaigns whose every tier applies, each with its tiers). Others are
 * refused.
 */
import { defaultStackingRules, stackingRulesObject } from './stacking.js';
import { invalidPayload } from '../../core/errors.js';
import type { CustomerInput } from '../customers/index.js';
import type { Cause } from '../event-log/index.js';
import type { OrderInput } from '../orders/index.js';
import { applyStack, type Applicable } from './check.js';
import * as sql from './sql.js';
import type { RedeemableInput } from './types.js';
import { orderAfter, resultOf } from './view.js';
import { targetLists } from '../validation-rules/index.js';

export const scenarios = ['ALL', 'CUSTOMER_WALLET', 'AUDIENCE_ONLY', 'PROMOTION_STACKS'] as const;
const refused = ['PRODUCTS', 'PRODUCTS_DISCOUNT', 'PRODUCTS_BY_CUSTOMER', 'PRODUCTS_DISCOUNT_BY_CUSTOMER'];

export interface QualificationInput {
  customer?: CustomerInput;
  order?: OrderInput;
  scenario?: string;
  options?: { limit?: number };
  metadata?: Record<string, unknown>;
  tracking_id?: string;
}

/** How many candidates of each kind are read at most. */
const maxCandidates = 100;

export function createQualifications(deps: {
  db: import('../../store/db.js').Db;
  checkStack: (tx: import('../../store/db.js').Executor, cause: Cause, input: { redeemables: RedeemableInput[]; order?: OrderInput; customer?: CustomerInput; metadata?: Record<string, unknown> }) => Promise<{ checked: import('./check.js').Checked[]; order: Parameters<typeof applyStack>[1]; current: import('../orders/index.js').OrderRow | undefined; customerId: string | null }>;
}) {
  return async function qualify(cause: Cause, input: QualificationInput) {
    const scenario = input.scenario ?? 'ALL';
    if (!(scenarios as readonly string[]).includes(scenario)) {
      const why = refused.includes(scenario) ? ' (product scenarios are not supported)' : '';
      throw invalidPayload(`Property .scenario ${scenario} is not supported${why}; use one of ${scenarios.join(', ')}`);
    }
    const limit = Math.min(50, Math.max(1, input.options?.limit ?? 10));
    const probe = await deps.checkStack(deps.db, cause, { redeemables: [], order: input.order, customer: input.customer, metadata: input.metadata });
    const redeemables: RedeemableInput[] = [];
    if ((scenario === 'ALL' || scenario === 'CUSTOMER_WALLET') && probe.customerId) {
      for (const id of await sql.selectWalletIds(deps.db, cause.projectId, probe.customerId, maxCandidates)) redeemables.push({ object: 'voucher', id });
    }
    if (scenario === 'ALL' || scenario === 'AUDIENCE_ONLY') {
      for (const id of await sql.selectActiveTierIds(deps.db, cause.projectId, maxCandidates)) redeemables.push({ object: 'promotion_tier', id });
    }
    const { checked, order, current } = redeemables.length > 0 ? await deps.checkStack(deps.db, cause, { ...input, redeemables }) : { ...probe, checked: [] };
    const applicable = checked.filter((c): c is Applicable => c.status === 'APPLICABLE');
    const entry = (c: Applicable, alone: ReturnType<typeof applyStack>) => ({
      // A voucher by its code, as validations and redemptions name it.
      id: c.voucher ? c.voucher.code : c.input.id,
      object: c.objectType,
      result: resultOf(c),
      order: orderAfter(current, alone),
      ...targetLists(c.targets),
      metadata: (c.voucher ? c.voucher.overrides.metadata : c.tier?.metadata) ?? {},
      categories: [],
      ...(c.campaign ? { campaign_id: c.campaign.id, campaign_name: c.campaign.name } : {}),
      ...(c.tier ? { name: c.tier.name, ...(c.tier.banner ? { banner: c.tier.banner } : {}) } : {}),
    });
    // Each alone on the order: what it would take off by itself.
    const data: Record<string, unknown>[] = applicable.map((c) => entry(c, applyStack([c], order)));
    if (scenario === 'PROMOTION_STACKS') {
      // A stack qualifies when every one of its tiers applies; its order is the one after all of them, in turn.
      for (const s of await sql.selectActiveStacks(deps.db, cause.projectId, maxCandidates)) {
        const one = await deps.checkStack(deps.db, cause, { ...input, redeemables: s.tier_ids.map((id) => ({ object: 'promotion_tier' as const, id })) });
        const tiers = one.checked.filter((c): c is Applicable => c.status === 'APPLICABLE');
        if (tiers.length === 0 || tiers.length !== one.checked.length) continue;
        const campaign = tiers[0]!.campaign;
        data.push({
          id: s.id,
          object: 'promotion_stack',
          result: {},
          order: orderAfter(one.current, applyStack(tiers, one.order)),
          applicable_to: { data: [], total: 0, object: 'list', data_ref: 'data' },
          inapplicable_to: { data: [], total: 0, object: 'list', data_ref: 'data' },
          metadata: {},
          categories: [],
          ...(campaign ? { campaign_id: campaign.id, campaign_name: campaign.name } : {}),
          name: s.name,
          redeemables: tiers.map((c) => entry(c, applyStack([c], one.order))),
        });
      }
    }
    return {
      redeemables: { object: 'list', data_ref: 'data', data: data.slice(0, limit), total: data.length, has_more: data.length > limit },
      tracking_id: input.tracking_id ?? null,
      order: orderAfter(current, applyStack([], order)),
      stacking_rules: stackingRulesObject(defaultStackingRules),
    };
  };
}

/**
 * Voucherify's older promotion validations (deprecated there, still called by the SDK's `promotions.validate`,
 * `validations.validate(…)` without a code and the client-side `validate`):
 * - POST /v1/promotions/validation: every active promotion tier checked against the customer and order, each alone;
 *   `valid` when at least one applies, `promotions` the applicable ones by hierarchy.
 * - POST /v1/promotions/tiers/{tierId}/validation: one tier, valid or not with the reason.
 * Both are checked exactly as a validation of that tier through /v1/validations would be; nothing is spent.
 */
import { notFound } from '../../core/errors.js';
import type { Db, Executor } from '../../store/db.js';
import type { CustomerInput } from '../customers/index.js';
import type { Cause } from '../event-log/index.js';
import type { OrderInput, OrderRow } from '../orders/index.js';
import { applyStack, type Applicable, type Checked } from './check.js';
import * as sql from './sql.js';
import type { RedeemableInput } from './types.js';
import { orderAfter, resultOf } from './view.js';
import { targetLists } from '../validation-rules/index.js';

export interface PromotionValidationInput {
  customer?: CustomerInput;
  order?: OrderInput;
  metadata?: Record<string, unknown>;
  tracking_id?: string;
}

type CheckStack = (
  tx: Executor,
  cause: Cause,
  input: { redeemables: RedeemableInput[]; order?: OrderInput; customer?: CustomerInput; metadata?: Record<string, unknown> },
) => Promise<{ checked: Checked[]; order: Parameters<typeof applyStack>[1]; current: OrderRow | undefined; customerId: string | null; trackingId: string | null }>;

/** How many tiers one validation checks at most (the active ones, by campaign and hierarchy). */
const maxTiers = 100;

/** The tier's own part of a legacy answer, valid or not. */
function tierPart(c: Checked) {
  const t = c.tier;
  const camp = c.campaign;
  if (!t) return { id: c.input.id, object: 'promotion_tier' };
  return {
    id: t.id,
    name: t.name,
    banner: t.banner ?? undefined,
    ...(t.validity.start_date ? { start_date: t.validity.start_date } : {}),
    ...(t.validity.expiration_date ? { expiration_date: t.validity.expiration_date } : {}),
    ...(camp
      ? {
          campaign: {
            id: camp.id,
            ...(camp.definition.start_date ? { start_date: camp.definition.start_date } : {}),
            ...(camp.definition.expiration_date ? { expiration_date: camp.definition.expiration_date } : {}),
            active: camp.active,
            object: 'campaign',
          },
        }
      : {}),
    hierarchy: t.hierarchy,
    metadata: t.metadata ?? {},
    category_id: t.category_id,
    object: 'promotion_tier',
  };
}

export function createPromotionValidation(deps: { db: Db; checkStack: CheckStack }) {
  const { db, checkStack } = deps;

  /** A valid tier as the legacy answers show it: the tier, its discount and the order after it alone. */
  function validEntry(c: Applicable, current: OrderRow | undefined, order: Parameters<typeof applyStack>[1], trackingId: string | null) {
    const alone = applyStack([c], order);
    const { discount } = resultOf(c) as { discount?: unknown };
    return {
      valid: true,
      ...targetLists(c.targets),
      tracking_id: trackingId,
      order: orderAfter(current, alone),
      ...tierPart(c),
      ...(discount !== undefined ? { discount } : {}),
      discount_amount: alone.total_discount_amount,
      applied_discount_amount: alone.total_discount_amount,
    };
  }

  async function validatePromotions(cause: Cause, input: PromotionValidationInput) {
    const ids = await sql.selectActiveTierIds(db, cause.projectId, maxTiers);
    const probe = await checkStack(db, cause, { ...input, redeemables: ids.map((id) => ({ object: 'promotion_tier' as const, id })) });
    const trackingId = input.tracking_id ?? probe.trackingId;
    const promotions = probe.checked
      .filter((c): c is Applicable => c.status === 'APPLICABLE')
      .sort((a, b) => (a.tier?.hierarchy ?? 0) - (b.tier?.hierarchy ?? 0))
      .map((c) => validEntry(c, probe.current, probe.order, trackingId));
    return { valid: promotions.length > 0, tracking_id: trackingId, promotions };
  }

  async function validateTier(cause: Cause, tierId: string, input: PromotionValidationInput) {
    const probe = await checkStack(db, cause, { ...input, redeemables: [{ object: 'promotion_tier', id: tierId }] });
    const c = probe.checked[0]!;
    const trackingId = input.tracking_id ?? probe.trackingId;
    if (c.status === 'APPLICABLE') return validEntry(c, probe.current, probe.order, trackingId);
    // Without stacking rules a tier checked alone is never SKIPPED.
    if (c.status !== 'INAPPLICABLE') throw new Error(`a promotion tier checked alone came back ${c.status}`);
    const error = c.error;
    if (error.key === 'not_found' && !c.tier) throw notFound('promotion_tier', tierId);
    return {
      valid: false,
      reason: error.details ?? error.publicMessage,
      error: { code: error.code, key: error.key, message: error.ruleMessage ?? error.publicMessage, details: error.details ?? error.publicMessage },
      tracking_id: trackingId,
      ...tierPart(c),
    };
  }

  return { validatePromotions, validateTier };
}

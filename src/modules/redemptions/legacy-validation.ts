/**
 * Voucherify's older single-voucher forms (POST /v1/vouchers/{code}/validate and /redemption, the client's validate
 * and redeem): one voucher, its `gift` and `reward` beside the context, and the validation answered in the older
 * shape (VouchersValidateValidResponseBody / InvalidResponseBody) instead of `redeemables`.
 */
import { randomBytes } from 'node:crypto';
import type { Cause } from '../event-log/index.js';
import { simpleVoucher } from '../vouchers/index.js';
import type { Applicable, Checked } from './check.js';
import type { StackingRules } from './stacking.js';
import type { RedeemableInput, StackInput } from './types.js';

/** A legacy body: the one voucher's `gift` (credits) and `reward` (a loyalty card's) sit beside the context. */
export type LegacyInput = Omit<StackInput, 'redeemables'> & Pick<RedeemableInput, 'gift' | 'reward'>;

/** The legacy body as a stack of the one voucher. */
export function legacyStack(code: string, body: LegacyInput | undefined): StackInput {
  const { gift, reward, ...rest } = body ?? {};
  return { ...rest, redeemables: [{ object: 'voucher', id: code, ...(gift ? { gift } : {}), ...(reward ? { reward } : {}) }] };
}

/** The stacked validation, with a look at what was checked (the answer's entries no longer carry the voucher). */
type Validate = (cause: Cause, input: StackInput, rules: StackingRules | undefined, seen: (checked: Checked[]) => void) => Promise<{
  valid: boolean;
  redeemables: Array<Record<string, any>>;
  order: unknown;
  tracking_id: string | null;
  session?: unknown;
}>;

/**
 * Voucherify requires a tracking id in this answer and makes one up (`track_` and a hash) when neither the request
 * nor a customer names one: so does Tessera, a random one each time.
 */
const madeUpTrackingId = () => `track_${randomBytes(12).toString('base64')}`;

/** What the voucher does, in the older shape: a gift card's `gift`, a loyalty card's `loyalty` and `reward`, or the discount. */
function resultOf(c: Applicable) {
  if (c.voucher && c.gift) return { gift: simpleVoucher(c.voucher, c.campaign).gift };
  if (c.loyalty) {
    const l = c.loyalty;
    return { loyalty: { points_cost: l.points }, reward: { id: l.reward.id, assignment_id: l.assignment.id, points: l.points } };
  }
  return c.discount ? { discount: c.discount } : {};
}

export function createLegacyValidation(validate: Validate) {
  /** Valid with what the voucher does, or `valid: false` with the reason (a 200, as Voucherify answers). */
  return async function validateVoucher(cause: Cause, code: string, body: LegacyInput | undefined) {
    let checked: Checked[] = [];
    const v = await validate(cause, legacyStack(code, body), undefined, (c) => (checked = c));
    const entry = v.redeemables[0]!;
    const trackingId = v.tracking_id ?? madeUpTrackingId();
    const c = checked[0];
    if (!v.valid || c?.status !== 'APPLICABLE') {
      const e = entry.result.error;
      // `reason` as Voucherify words it ("voucher expired", "loyalty card points exceeded"); the error has the details.
      const reason = e.message.charAt(0).toLowerCase() + e.message.slice(1);
      return { valid: false, code, reason, error: { code: e.code, key: e.key, message: e.error?.message ?? e.message, details: e.details }, tracking_id: trackingId, metadata: entry.metadata ?? {} };
    }
    const dates = c.voucher ? simpleVoucher(c.voucher, c.campaign) : undefined;
    return {
      valid: true,
      code,
      applicable_to: entry.applicable_to,
      inapplicable_to: entry.inapplicable_to,
      ...(c.campaign ? { campaign: c.campaign.name, campaign_id: c.campaign.id } : {}),
      metadata: entry.metadata ?? {},
      ...resultOf(c),
      order: v.order,
      ...(v.session ? { session: v.session } : {}),
      ...(dates?.start_date ? { start_date: dates.start_date } : {}),
      ...(dates?.expiration_date ? { expiration_date: dates.expiration_date } : {}),
      tracking_id: trackingId,
    };
  };
}

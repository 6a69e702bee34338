import { isDeepStrictEqual } from 'node:util';
import type { VoucherInput } from './types.js';

/**
 * Fields a voucher's GET answers as null where there is none (no campaign, no gift on a discount code...): sent back
 * as null, they are as if not sent. A null `metadata` is none (`{}`), as campaigns take it.
 */
const noneWhenNull = ['code', 'type', 'campaign', 'campaign_id', 'active', 'is_referral_code', 'discount', 'gift', 'loyalty_card', 'redemption', 'code_config'] as const;

export function nullsAsNone(input: VoucherInput): VoucherInput {
  const out: Record<string, unknown> = { ...input };
  for (const k of noneWhenNull) if (out[k] === null) delete out[k];
  if (out.metadata === null) out.metadata = {};
  return out as VoucherInput;
}

/** The attributes an update compares with what the voucher shows. */
const comparable = ['discount', 'gift', 'loyalty_card', 'start_date', 'expiration_date', 'validity_timeframe', 'validity_day_of_week', 'validity_hours', 'additional_info', 'metadata', 'is_referral_code'] as const;

/**
 * An update's input without what the voucher already shows (a GET sent back whole): those attributes stay as they
 * are (a campaign's code keeps following its campaign) instead of being pinned on the code. Its gift and loyalty card
 * figures include the credits and points of transactions, so sent back they would count those twice; the redemption
 * object keeps only the `quantity` a caller sets.
 */
export function changesOf(input: VoucherInput, shown: Record<string, unknown>): VoucherInput {
  const out: Record<string, unknown> = { ...input };
  for (const k of comparable) if (out[k] !== undefined && isDeepStrictEqual(out[k], shown[k])) delete out[k];
  const redemption = input.redemption as { quantity?: number | null } | undefined;
  if (redemption !== undefined) {
    const now = (shown.redemption as { quantity?: number | null } | undefined)?.quantity ?? null;
    if (redemption.quantity === undefined || redemption.quantity === now) delete out.redemption;
    else out.redemption = { quantity: redemption.quantity };
  }
  return out as VoucherInput;
}

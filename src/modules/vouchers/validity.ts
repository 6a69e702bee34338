import { campaignDisabled, type TesseraError, voucherDisabled, voucherExpired, voucherNotActive, voucherNotActiveNow } from '../../core/errors.js';
import { validAt, type CampaignRow } from '../campaigns/index.js';
import type { VoucherRow } from './types.js';
import { effective } from './view.js';

/**
 * Why a code cannot be used at `now` whatever it is used for (a redemption, a referral conversion): it or its
 * campaign is disabled, it has not started, it has expired, or it is outside its validity timeframe, days of the
 * week or hours (UTC). Undefined when it can. What it is used for adds its own checks (redemption quantity).
 */
export function unusableNow(v: VoucherRow, c: CampaignRow | undefined, now: Date): TesseraError | undefined {
  if (!v.active) return voucherDisabled(`Voucher ${v.code} is disabled`);
  if (c && !c.active) return campaignDisabled(`Campaign ${c.name} of voucher ${v.code} is disabled`);
  const e = effective(v, c);
  if (e.start_date && Date.parse(e.start_date) > now.getTime()) return voucherNotActive(`Voucher ${v.code} is valid from ${e.start_date}`);
  if (e.expiration_date && Date.parse(e.expiration_date) <= now.getTime()) return voucherExpired(`Voucher ${v.code} expired at ${e.expiration_date}`);
  if (e.validity_day_of_week && e.validity_day_of_week.length > 0 && !e.validity_day_of_week.includes(now.getUTCDay())) {
    return voucherNotActiveNow(`Voucher ${v.code} is not valid on this day of the week`);
  }
  if (e.validity_timeframe && e.start_date && !validAt({ start_date: e.start_date, validity_timeframe: e.validity_timeframe }, now)) {
    return voucherNotActiveNow(`Voucher ${v.code} is not valid at this time (validity_timeframe ${e.validity_timeframe.interval} / ${e.validity_timeframe.duration} from ${e.start_date})`);
  }
  if (!validAt({ validity_hours: e.validity_hours }, now)) return voucherNotActiveNow(`Voucher ${v.code} is not valid at this hour (validity_hours, UTC)`);
  return undefined;
}

/** Why a campaign's codes cannot be used at `now` whatever their own settings: a code that sets nothing of its own. */
export function campaignUnusableNow(c: CampaignRow, now: Date): TesseraError | undefined {
  return unusableNow({ code: c.name, active: true, overrides: {} } as Pick<VoucherRow, 'code' | 'active' | 'overrides'> as VoucherRow, c, now);
}

import { categoryObject, type CampaignRow, type CategoryRow, type VoucherTemplate } from '../campaigns/index.js';
import type { VoucherOverrides, VoucherRow } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The voucher's effective attributes: its own, else its campaign's. */
export function effective(v: VoucherRow, c: CampaignRow | undefined): VoucherOverrides & Pick<VoucherTemplate, 'is_referral_code'> {
  const t = c?.definition.voucher;
  const d = c?.definition;
  const o = v.overrides;
  const pick = <K extends keyof VoucherOverrides>(k: K) => (o[k] !== undefined ? o[k] : ((t as VoucherOverrides | undefined)?.[k] ?? (d as VoucherOverrides | undefined)?.[k]));
  return {
    discount: pick('discount'),
    gift: pick('gift'),
    loyalty_card: pick('loyalty_card'),
    redemption: pick('redemption'),
    is_referral_code: o.is_referral_code ?? t?.is_referral_code ?? false,
    start_date: pick('start_date') ?? null,
    expiration_date: pick('expiration_date') ?? null,
    validity_timeframe: pick('validity_timeframe') ?? null,
    validity_day_of_week: pick('validity_day_of_week') ?? null,
    validity_hours: pick('validity_hours') ?? null,
    additional_info: o.additional_info ?? null,
    metadata: o.metadata ?? {},
    category_id: o.category_id ?? c?.category_id ?? null,
  };
}

function gift(v: VoucherRow, e: ReturnType<typeof effective>) {
  if (v.type !== 'GIFT_VOUCHER' || !e.gift) return null;
  return { amount: e.gift.amount + Number(v.gift_added ?? 0), balance: Number(v.gift_balance ?? 0), ...(e.gift.effect ? { effect: e.gift.effect } : {}) };
}

/** A loyalty card's points over its life and its balance (its template's points until they first change). */
export function cardPoints(v: VoucherRow, c: CampaignRow | undefined): { points: number; balance: number } {
  const base = effective(v, c).loyalty_card?.points ?? 0;
  return { points: Number(v.loyalty_points ?? base), balance: Number(v.loyalty_balance ?? base) };
}

function loyalty(v: VoucherRow, e: ReturnType<typeof effective>, c: CampaignRow | undefined) {
  if (v.type !== 'LOYALTY_CARD' || !e.loyalty_card) return null;
  return cardPoints(v, c);
}

function discount(v: VoucherRow, e: ReturnType<typeof effective>) {
  return v.type === 'DISCOUNT_VOUCHER' && e.discount ? { discount: e.discount } : {};
}

/** Voucherify's Voucher object. */
export function voucherObject(v: VoucherRow, c: CampaignRow | undefined, categories: CategoryRow[] = []) {
  const e = effective(v, c);
  const category = e.category_id ? categories.find((x) => x.id === e.category_id) : undefined;
  const code = encodeURIComponent(v.code);
  return {
    id: v.id,
    code: v.code,
    campaign: c?.name ?? null,
    campaign_id: v.campaign_id,
    category: category?.name ?? null,
    category_id: e.category_id ?? null,
    categories: category ? [categoryObject(category)] : [],
    type: v.type,
    // Absent rather than null on other types: a null discount matches every variant of the schema's oneOf.
    ...discount(v, e),
    gift: gift(v, e),
    loyalty_card: loyalty(v, e, c),
    start_date: e.start_date,
    expiration_date: e.expiration_date,
    validity_timeframe: e.validity_timeframe,
    validity_day_of_week: e.validity_day_of_week,
    validity_hours: e.validity_hours,
    active: v.active,
    additional_info: e.additional_info,
    metadata: e.metadata,
    assets: null,
    is_referral_code: e.is_referral_code ?? false,
    created_at: v.created_at.toISOString(),
    updated_at: iso(v.updated_at),
    holder_id: v.holder_id,
    referrer_id: null,
    object: 'voucher' as const,
    publish: { object: 'list', count: v.publish_count, url: `/v1/vouchers/${code}/publications?page=1&limit=10` },
    redemption: {
      quantity: e.redemption?.quantity ?? null,
      redeemed_quantity: v.redeemed_quantity ?? 0,
      redeemed_amount: Number(v.gift_redeemed ?? 0),
      redeemed_points: Number(v.loyalty_redeemed ?? 0),
      object: 'list',
      url: `/v1/vouchers/${code}/redemptions?page=1&limit=10`,
    },
  };
}

/** SimpleVoucher, as webhooks embed it. */
export function simpleVoucher(v: VoucherRow, c: CampaignRow | undefined) {
  const e = effective(v, c);
  return {
    id: v.id,
    code: v.code,
    gift: gift(v, e),
    ...discount(v, e),
    loyalty_card: loyalty(v, e, c),
    type: v.type,
    campaign: c?.name ?? null,
    campaign_id: v.campaign_id,
    is_referral_code: e.is_referral_code ?? false,
    holder_id: v.holder_id,
    referrer_id: null,
    category_id: e.category_id ?? null,
    categories: [],
    active: v.active,
    created_at: v.created_at.toISOString(),
    updated_at: iso(v.updated_at),
    redemption: { quantity: e.redemption?.quantity ?? null, redeemed_quantity: v.redeemed_quantity ?? 0, ...(v.type === 'LOYALTY_CARD' ? { redeemed_points: Number(v.loyalty_redeemed ?? 0) } : {}) },
    start_date: e.start_date,
    expiration_date: e.expiration_date,
    metadata: e.metadata,
    object: 'voucher' as const,
  };
}

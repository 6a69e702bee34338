import { codeShape, defaultCharset } from './codes.js';
import type { AsyncActionRow, CampaignRow, CategoryRow, VoucherTemplate } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function categoryObject(c: CategoryRow) {
  return { id: c.id, name: c.name, hierarchy: c.hierarchy, created_at: c.created_at.toISOString(), updated_at: iso(c.updated_at), object: 'category' as const };
}

/** The code_config as Voucherify shows it: every key present. */
export function codeConfigObject(t: VoucherTemplate) {
  const shape = codeShape(t.code_config);
  return {
    length: shape.slots,
    charset: t.code_config?.charset ?? defaultCharset,
    prefix: shape.prefix,
    postfix: shape.postfix,
    pattern: shape.pattern,
  };
}

/** The campaign's voucher template (CampaignVoucher). */
export function campaignVoucherObject(t: VoucherTemplate) {
  return {
    type: t.type,
    ...(t.discount ? { discount: t.discount } : {}),
    ...(t.gift ? { gift: { amount: t.gift.amount, balance: t.gift.balance ?? t.gift.amount, ...(t.gift.effect ? { effect: t.gift.effect } : {}) } } : {}),
    ...(t.loyalty_card ? { loyalty_card: t.loyalty_card } : {}),
    redemption: { quantity: t.redemption?.quantity ?? null },
    code_config: codeConfigObject(t),
    is_referral_code: t.is_referral_code ?? false,
  };
}

/** Voucherify's Campaign object. */
export function campaignObject(c: CampaignRow, categories: CategoryRow[] = []) {
  const d = c.definition;
  const category = categories.find((x) => x.id === c.category_id);
  return {
    id: c.id,
    name: c.name,
    description: d.description ?? null,
    campaign_type: c.campaign_type,
    type: c.type,
    ...(d.voucher ? { voucher: campaignVoucherObject(d.voucher) } : {}),
    ...(c.campaign_type === 'PROMOTION' ? { promotion: { object: 'list', data_ref: 'tiers', tiers: d.promotion?.tiers ?? [], total: d.promotion?.tiers?.length ?? 0, has_more: false } } : {}),
    ...(d.referral_program ? { referral_program: d.referral_program } : {}),
    ...(d.loyalty_tiers_expiration ? { loyalty_tiers_expiration: d.loyalty_tiers_expiration } : {}),
    auto_join: d.auto_join ?? false,
    join_once: c.join_once,
    use_voucher_metadata_schema: d.use_voucher_metadata_schema ?? true,
    ...(d.validity_timeframe ? { validity_timeframe: d.validity_timeframe } : {}),
    ...(d.validity_day_of_week ? { validity_day_of_week: d.validity_day_of_week } : {}),
    ...(d.validity_hours ? { validity_hours: d.validity_hours } : {}),
    ...(d.activity_duration_after_publishing ? { activity_duration_after_publishing: d.activity_duration_after_publishing } : {}),
    vouchers_count: c.vouchers_count ?? 0,
    start_date: d.start_date ?? null,
    expiration_date: d.expiration_date ?? null,
    active: c.active,
    metadata: d.metadata ?? {},
    created_at: c.created_at.toISOString(),
    updated_at: iso(c.updated_at),
    category: category?.name ?? null,
    creation_status: 'DONE' as const,
    vouchers_generation_status: c.generation_status,
    protected: false,
    category_id: c.category_id,
    categories: category ? [categoryObject(category)] : [],
    object: 'campaign' as const,
  };
}

/** SimpleCampaign, as webhooks and vouchers embed it. */
export function simpleCampaign(c: CampaignRow) {
  const d = c.definition;
  return {
    id: c.id,
    name: c.name,
    campaign_type: c.campaign_type,
    type: c.type,
    is_referral_code: d.voucher?.is_referral_code ?? false,
    ...(d.voucher ? { voucher: { ...campaignVoucherObject(d.voucher), redemption: { quantity: d.voucher.redemption?.quantity ?? null, redeemed_quantity: 0 } } } : {}),
    auto_join: d.auto_join ?? false,
    join_once: c.join_once,
    active: c.active,
    category_id: c.category_id,
    metadata: d.metadata ?? {},
    start_date: d.start_date ?? null,
    expiration_date: d.expiration_date ?? null,
    description: d.description ?? null,
    created_at: c.created_at.toISOString(),
    updated_at: iso(c.updated_at),
    object: 'campaign' as const,
  };
}

export function asyncActionObject(a: AsyncActionRow) {
  return {
    id: a.id,
    type: a.type,
    status: a.status,
    result: a.result,
    // A percentage (Voucherify's 0-100): a finished action is complete even when some of its entries failed.
    progress: a.status === 'DONE' ? 100 : a.target > 0 ? Math.floor((a.progress * 100) / a.target) : 0,
    processing_time: a.updated_at ? a.updated_at.getTime() - a.created_at.getTime() : 0,
    created_at: a.created_at.toISOString(),
    updated_at: iso(a.updated_at),
    object: 'async_action' as const,
  };
}

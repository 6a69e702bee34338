import { categoryObject, type CampaignRow, type CategoryRow } from '../campaigns/index.js';
import type { TierSummary } from './sql.js';
import type { TierRow } from './types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
/** Drops absent and null values the schema types as plain strings or objects. */
const present = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** Voucherify's PromotionTier; `categories`: the project's (its own category is shown from them). */
export function tierObject(t: TierRow, c: CampaignRow | undefined, s?: TierSummary, categories: CategoryRow[] = []) {
  const d = c?.definition;
  const category = t.category_id ? categories.find((k) => k.id === t.category_id) : undefined;
  return {
    id: t.id,
    created_at: t.created_at.toISOString(),
    ...present({ updated_at: iso(t.updated_at), banner: t.banner, category_id: t.category_id }),
    name: t.name,
    action: t.action,
    metadata: t.metadata,
    hierarchy: t.hierarchy,
    promotion_id: t.campaign_id,
    campaign: { id: t.campaign_id, ...present({ start_date: d?.start_date, expiration_date: d?.expiration_date, validity_timeframe: d?.validity_timeframe, validity_day_of_week: d?.validity_day_of_week }), active: c?.active ?? true, object: 'campaign' },
    campaign_id: t.campaign_id,
    active: t.active,
    ...present({ start_date: t.validity.start_date, expiration_date: t.validity.expiration_date, validity_timeframe: t.validity.validity_timeframe, validity_day_of_week: t.validity.validity_day_of_week, validity_hours: t.validity.validity_hours }),
    summary: { redemptions: { total_redeemed: s?.total_redeemed ?? 0 }, orders: { total_amount: s?.total_amount ?? 0, total_discount_amount: s?.total_discount_amount ?? 0 } },
    object: 'promotion_tier' as const,
    categories: category ? [categoryObject(category)] : [],
  };
}

/** SimplePromotionTier, as redemption webhooks embed it. */
export function simpleTier(t: TierRow) {
  return { id: t.id, name: t.name, ...present({ banner: t.banner }), campaign: { id: t.campaign_id }, metadata: t.metadata };
}

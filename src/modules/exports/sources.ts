/**
 * What each exported object reads: its table (alias `t`), the fields a file may have (Voucherify's lists), the
 * default fields, the orders and filters it takes, and how a batch of rows becomes the fields' values.
 */
import type { Executor } from '../../store/db.js';
import { giftTransactionObject, voucherObject, type VoucherRow } from '../vouchers/index.js';
import { loyaltyTransactionObject } from '../loyalties/index.js';
import type { CampaignsService } from '../campaigns/index.js';
import type { ExportedObject } from './types.js';

export type ColumnType = 'text' | 'time' | 'number' | 'bool';
export interface Column {
  expr: string;
  type: ColumnType;
}
type Values = Record<string, unknown>;

export interface Source {
  /** FROM (alias t, with its joins) and extra columns read with t.*. */
  from: string;
  select?: string;
  /** A condition every exported row meets (besides the project and the filters). */
  where?: string;
  /** The row's time: a file holds the rows that existed when it was asked for. */
  time: string;
  fields: readonly string[];
  defaults: readonly string[];
  /** Order keys (without the `-`): never null, so that the position between chunks is exact. */
  orders: Record<string, Column>;
  /** The order when none is asked for (`-created_at` when not said). */
  defaultOrder?: string;
  filters: Record<string, Column>;
  values(tx: Executor, projectId: string, rows: Array<Record<string, any>>): Promise<Values[]>;
}

export interface SourceDeps {
  campaigns: Pick<CampaignsService, 'byIds' | 'categories'>;
}

const text = (expr: string): Column => ({ expr, type: 'text' });
const time = (expr: string): Column => ({ expr, type: 'time' });
const createdAt = time('t.created_at');
const updatedAt = time('COALESCE(t.updated_at, t.created_at)');

/** A discount's, gift's or card's value, in the API's units. */
function valueOf(o: ReturnType<typeof voucherObject>): unknown {
  const d = (o as { discount?: Record<string, unknown> }).discount;
  if (o.gift) return o.gift.amount;
  if (o.loyalty_card) return (o.loyalty_card as { points?: number }).points;
  if (!d) return null;
  return d.amount_off ?? d.percent_off ?? d.unit_off ?? d.fixed_amount ?? null;
}

export function sources(deps: SourceDeps): Record<ExportedObject, Source> {
  return {
    voucher: {
      from: 'vouchers t LEFT JOIN customers h ON h.id = t.holder_id',
      select: `h.source_id AS holder_source_id,
        (SELECT count(*) FROM redemptions r WHERE r.project_id = t.project_id AND r.voucher_id = t.id AND r.status = 'SUCCEEDED') AS redeemed_count`,
      time: 't.created_at',
      fields: ['code', 'voucher_type', 'value', 'formula', 'discount_type', 'campaign', 'category', 'start_date', 'expiration_date', 'gift_balance', 'loyalty_balance', 'redemption_quantity', 'redemption_count', 'active', 'qr_code', 'bar_code', 'metadata', 'id', 'is_referral_code', 'created_at', 'updated_at', 'validity_timeframe_interval', 'validity_timeframe_duration', 'validity_day_of_week', 'discount_amount_limit', 'campaign_id', 'additional_info', 'customer_id', 'discount_effect', 'discount_unit_type', 'discount_unit_effect', 'validation_rules_id', 'customer_source_id'],
      defaults: ['code', 'voucher_type', 'value', 'discount_type'],
      orders: { created_at: createdAt, updated_at: updatedAt, code: text('lower(t.code)') },
      filters: { id: text('t.id'), code: text('t.code'), campaign_id: text('t.campaign_id'), customer_id: text('t.holder_id'), voucher_type: text('t.type'), active: { expr: 't.active', type: 'bool' }, created_at: createdAt, updated_at: updatedAt, category_id: text("t.overrides->>'category_id'") },
      async values(tx, projectId, rows) {
        const campaignIds = [...new Set(rows.map((r) => r.campaign_id).filter((x): x is string => !!x))];
        const campaigns = new Map((campaignIds.length > 0 ? await deps.campaigns.byIds(tx, projectId, campaignIds) : []).map((c) => [c.id, c]));
        const categories = await deps.campaigns.categories(projectId, tx);
        return rows.map((r) => {
          const o = voucherObject(r as VoucherRow, r.campaign_id ? campaigns.get(r.campaign_id) : undefined, categories);
          const d = ((o as { discount?: Record<string, any> }).discount ?? {}) as Record<string, any>;
          const limited = o.redemption.quantity !== null && o.redemption.quantity !== undefined;
          return {
            code: o.code,
            voucher_type: o.type,
            value: valueOf(o),
            formula: d.amount_off_formula ?? d.percent_off_formula ?? d.unit_off_formula ?? null,
            discount_type: d.type ?? null,
            campaign: o.campaign,
            category: o.categories[0]?.name ?? null,
            start_date: o.start_date,
            expiration_date: o.expiration_date,
            gift_balance: o.gift?.balance ?? null,
            loyalty_balance: (o.loyalty_card as { balance?: number } | null)?.balance ?? null,
            redemption_quantity: o.redemption.quantity,
            redemption_count: limited ? o.redemption.redeemed_quantity : Number(r.redeemed_count),
            active: o.active,
            qr_code: null,
            bar_code: null,
            metadata: o.metadata,
            id: o.id,
            is_referral_code: o.is_referral_code,
            created_at: o.created_at,
            updated_at: o.updated_at,
            validity_timeframe_interval: o.validity_timeframe?.interval ?? null,
            validity_timeframe_duration: o.validity_timeframe?.duration ?? null,
            validity_day_of_week: o.validity_day_of_week,
            discount_amount_limit: d.amount_limit ?? null,
            campaign_id: o.campaign_id,
            additional_info: o.additional_info,
            customer_id: o.holder_id,
            discount_effect: d.effect ?? null,
            discount_unit_type: d.unit_type ?? null,
            discount_unit_effect: d.unit_type ? (d.effect ?? null) : null,
            validation_rules_id: null,
            customer_source_id: r.holder_source_id ?? null,
          };
        });
      },
    },
    redemption: {
      from: 'redemptions t',
      time: 't.created_at',
      fields: ['id', 'object', 'date', 'voucher_code', 'campaign', 'promotion_tier_id', 'customer_id', 'customer_source_id', 'customer_name', 'tracking_id', 'order_id', 'order_amount', 'gift_amount', 'loyalty_points', 'result', 'failure_code', 'failure_message', 'metadata'],
      defaults: ['id', 'object', 'voucher_code', 'customer_id', 'date', 'result'],
      orders: { created_at: createdAt, id: text('t.id'), voucher_code: text("COALESCE(t.body->'voucher'->>'code', '')"), tracking_id: text("COALESCE(t.tracking_id, '')"), customer_id: text("COALESCE(t.customer_id, '')") },
      filters: { id: text('t.id'), voucher_code: text("t.body->'voucher'->>'code'"), voucher_id: text('t.voucher_id'), campaign_id: text('t.campaign_id'), customer_id: text('t.customer_id'), tracking_id: text('t.tracking_id'), result: text('t.result'), status: text('t.status'), created_at: createdAt, date: createdAt },
      async values(_tx, _projectId, rows) {
        return rows.map((r) => {
          const b = r.body as Record<string, any>;
          return {
            id: r.id,
            object: b.object ?? 'redemption',
            date: r.created_at,
            voucher_code: b.voucher?.code ?? null,
            campaign: b.voucher?.campaign ?? b.promotion_tier?.campaign?.name ?? null,
            promotion_tier_id: b.promotion_tier?.id ?? null,
            customer_id: r.customer_id,
            customer_source_id: b.customer?.source_id ?? null,
            customer_name: b.customer?.name ?? null,
            tracking_id: r.tracking_id,
            order_id: r.order_id,
            order_amount: b.order?.amount ?? null,
            gift_amount: Number(r.gift_amount) > 0 ? Number(r.gift_amount) : null,
            loyalty_points: b.loyalty_card?.points ?? null,
            result: r.result,
            failure_code: b.failure_code ?? null,
            failure_message: b.failure_message ?? null,
            metadata: b.metadata ?? {},
          };
        });
      },
    },
    publication: {
      from: 'publications t LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN campaigns k ON k.id = t.campaign_id',
      select: 'c.source_id AS customer_source_id, k.name AS campaign_name',
      time: 't.created_at',
      fields: ['voucher_code', 'customer_id', 'customer_source_id', 'date', 'channel', 'campaign', 'is_winner', 'metadata'],
      defaults: ['voucher_code', 'customer_id', 'date', 'channel'],
      orders: { created_at: createdAt, id: text('t.id') },
      filters: { id: text('t.id'), campaign_id: text('t.campaign_id'), customer_id: text('t.customer_id'), channel: text('t.channel'), source_id: text('t.source_id'), created_at: createdAt, date: createdAt },
      async values(_tx, _projectId, rows) {
        return rows.map((r) => ({
          voucher_code: (r.vouchers as Array<{ code: string }>).map((v) => v.code).join(','),
          customer_id: r.customer_id,
          customer_source_id: r.customer_source_id ?? null,
          date: r.created_at,
          channel: r.channel,
          campaign: r.campaign_name ?? null,
          is_winner: null,
          metadata: r.metadata ?? {},
        }));
      },
    },
    customer: {
      from: 'customers t',
      select: `(SELECT sum(v.loyalty_balance) FROM vouchers v WHERE v.project_id = t.project_id AND v.holder_id = t.id AND v.type = 'LOYALTY_CARD') AS loyalty_points_held`,
      time: 't.created_at',
      fields: ['name', 'id', 'description', 'email', 'source_id', 'created_at', 'address_city', 'address_state', 'address_line_1', 'address_line_2', 'address_country', 'address_postal_code', 'redemptions_total_redeemed', 'redemptions_total_failed', 'redemptions_total_succeeded', 'redemptions_total_rolled_back', 'redemptions_total_rollback_failed', 'redemptions_total_rollback_succeeded', 'orders_total_amount', 'orders_total_count', 'orders_average_amount', 'orders_last_order_amount', 'orders_last_order_date', 'loyalty_points', 'loyalty_referred_customers', 'updated_at', 'phone', 'birthday', 'metadata', 'birthdate'],
      defaults: ['name', 'source_id'],
      orders: { created_at: createdAt, updated_at: updatedAt, id: text('t.id'), source_id: text("COALESCE(t.source_id, '')"), name: text("COALESCE(t.name, '')"), email: text("COALESCE(t.email, '')") },
      filters: { id: text('t.id'), source_id: text('t.source_id'), email: text('t.email'), name: text('t.name'), created_at: createdAt, updated_at: updatedAt },
      async values(_tx, _projectId, rows) {
        return rows.map((r) => {
          const a = (r.address ?? {}) as Record<string, unknown>;
          const rs = (r.redemption_summary ?? {}) as Record<string, unknown>;
          const os = r.order_summary as Record<string, unknown> | null;
          const count = Number(os?.total_count ?? 0);
          const n = (x: unknown) => Number(x ?? 0);
          return {
            name: r.name,
            id: r.id,
            description: r.description,
            email: r.email,
            source_id: r.source_id,
            created_at: r.created_at,
            address_city: a.city ?? null,
            address_state: a.state ?? null,
            address_line_1: a.line_1 ?? null,
            address_line_2: a.line_2 ?? null,
            address_country: a.country ?? null,
            address_postal_code: a.postal_code ?? null,
            redemptions_total_redeemed: n(rs.total_redeemed),
            redemptions_total_failed: n(rs.total_failed),
            redemptions_total_succeeded: n(rs.total_succeeded),
            redemptions_total_rolled_back: n(rs.total_rolled_back),
            redemptions_total_rollback_failed: n(rs.total_rollback_failed),
            redemptions_total_rollback_succeeded: n(rs.total_rollback_succeeded),
            orders_total_amount: n(os?.total_amount),
            orders_total_count: count,
            orders_average_amount: count > 0 ? Math.floor(n(os?.total_amount) / count) : 0,
            orders_last_order_amount: n(os?.last_order_amount),
            orders_last_order_date: os?.last_order_date ? new Date(String(os.last_order_date)) : null,
            loyalty_points: n(r.loyalty_points_held),
            loyalty_referred_customers: null,
            updated_at: r.updated_at,
            phone: r.phone,
            birthday: r.birthdate,
            metadata: r.metadata ?? {},
            birthdate: r.birthdate,
          };
        });
      },
    },
    order: {
      from: 'orders t',
      time: 't.created_at',
      fields: ['id', 'source_id', 'created_at', 'updated_at', 'status', 'amount', 'discount_amount', 'items_discount_amount', 'total_discount_amount', 'total_amount', 'customer_id', 'referrer_id', 'metadata'],
      defaults: ['id', 'source_id', 'status', 'amount', 'total_amount', 'customer_id', 'created_at'],
      orders: { created_at: createdAt, updated_at: updatedAt, id: text('t.id'), source_id: text("COALESCE(t.source_id, '')"), status: text('t.status') },
      filters: { id: text('t.id'), source_id: text('t.source_id'), status: text('t.status'), customer_id: text('t.customer_id'), referrer_id: text('t.referrer_id'), created_at: createdAt, updated_at: updatedAt, amount: { expr: 't.amount', type: 'number' } },
      async values(_tx, _projectId, rows) {
        const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));
        return rows.map((r) => ({
          id: r.id,
          source_id: r.source_id,
          created_at: r.created_at,
          updated_at: r.updated_at,
          status: r.status,
          amount: num(r.amount),
          discount_amount: num(r.discount_amount),
          items_discount_amount: num(r.items_discount_amount),
          total_discount_amount: num(r.total_discount_amount),
          total_amount: num(r.total_amount),
          customer_id: r.customer_id,
          referrer_id: r.referrer_id,
          metadata: r.metadata ?? {},
        }));
      },
    },
    voucher_transactions: {
      // Gift credits' and loyalty points' ledgers, as one.
      // Each row becomes the API's transaction object (GET /v1/vouchers/{code}/transactions), so the file's details and
      // source are what the API shows.
      from: `(SELECT id, project_id, campaign_id, voucher_id, type, source_id, reason, NULL::text AS source, balance, amount, NULL::bigint AS total, NULL::jsonb AS related, false AS loyalty, created_at FROM voucher_transactions
              UNION ALL
              SELECT id, project_id, campaign_id, voucher_id, type, source_id, reason, source, balance, points, total, related, true, created_at FROM loyalty_transactions) t`,
      time: 't.created_at',
      fields: ['id', 'campaign_id', 'voucher_id', 'type', 'source_id', 'reason', 'source', 'balance', 'amount', 'related_transaction_id', 'created_at', 'details'],
      defaults: ['id', 'type', 'source_id', 'reason', 'balance', 'amount', 'created_at', 'voucher_id', 'campaign_id', 'details', 'source'],
      orders: { created_at: createdAt },
      filters: { id: text('t.id'), voucher_id: text('t.voucher_id'), campaign_id: text('t.campaign_id'), type: text('t.type'), source_id: text('t.source_id'), created_at: createdAt },
      async values(_tx, _projectId, rows) {
        return rows.map((r) => {
          const o = r.loyalty ? loyaltyTransactionObject({ ...r, points: r.amount, related: r.related ?? {} } as never) : giftTransactionObject(r as never);
          return {
            id: o.id,
            campaign_id: r.campaign_id,
            voucher_id: o.voucher_id,
            type: o.type,
            source_id: o.source_id,
            reason: o.reason,
            source: o.source,
            balance: Number(r.balance),
            amount: Number(r.amount),
            related_transaction_id: o.related_transaction_id,
            created_at: r.created_at,
            details: o.details,
          };
        });
      },
    },
    points_expiration: {
      // Points still held: what is due to expire, bucket by bucket.
      from: 'loyalty_point_buckets t',
      // The day as text: node-postgres would make it a local midnight, a day early east of UTC.
      select: "to_char(t.expires_on, 'YYYY-MM-DD') AS expires_day",
      where: 't.remaining > 0',
      time: 't.created_at',
      fields: ['id', 'campaign_id', 'voucher_id', 'points', 'status', 'expires_at'],
      defaults: ['id', 'campaign_id', 'voucher_id', 'points', 'status', 'expires_at'],
      orders: { created_at: createdAt, expires_at: time('t.expire_at') },
      defaultOrder: 'expires_at',
      filters: { id: text('t.id'), campaign_id: text('t.campaign_id'), voucher_id: text('t.voucher_id'), expires_at: time('t.expire_at'), created_at: createdAt },
      async values(_tx, _projectId, rows) {
        return rows.map((r) => ({
          id: r.id,
          campaign_id: r.campaign_id,
          voucher_id: r.voucher_id,
          points: Number(r.remaining),
          status: 'ACTIVE',
          expires_at: r.expires_day,
        }));
      },
    },
  };
}

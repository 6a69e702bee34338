/**
 * GET /v1/customers/{id}/redeemables (the SDK's customers.listRedeemables): the codes a customer owns and the
 * referral codes they hold a part in, each with the voucher and whether it can be used now.
 */
import type { Clock } from '../../core/clock.js';
import { invalidQueryParams } from '../../core/errors.js';
import { isoInstant, storableRange } from '../../core/time-range.js';
import type { Db } from '../../store/db.js';
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import { voucherObject, type VouchersService } from '../vouchers/index.js';
import * as sql from './sql.js';

/** Filterable fields and their column; `created_at` also takes $after/$before. */
const columns: Record<string, string> = {
  id: 'x.id',
  redeemable_id: 'x.voucher_id',
  redeemable_object: "'voucher'",
  holder_role: 'x.holder_role',
  campaign_id: 'x.campaign_id',
  campaign_type: 'x.campaign_type',
  voucher_type: 'x.voucher_type',
  created_at: 'x.created_at',
};

export interface WalletListQuery {
  limit: number;
  order?: 'created_at' | '-created_at' | 'id' | '-id';
  starting_after_id?: string;
  filters?: Record<string, { conditions?: Record<string, unknown> } | string>;
}

/** `filters[field][conditions][$op]=value(s)` as SQL conditions (values as parameters from $3 on). */
function conditionsOf(filters: WalletListQuery['filters']): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length + 2}`;
  };
  for (const [field, f] of Object.entries(filters ?? {})) {
    if (field === 'junction') continue;
    const column = columns[field];
    if (!column) throw invalidQueryParams(`Query filters.${field} is not a field of redeemables; use one of ${Object.keys(columns).join(', ')}`);
    const conditions = typeof f === 'object' && f !== null ? f.conditions : undefined;
    if (!conditions || typeof conditions !== 'object') throw invalidQueryParams(`Query filters.${field} needs [conditions][$operator]`);
    for (const [op, raw] of Object.entries(conditions)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      if (field === 'created_at') {
        const t = isoInstant(values[0]);
        if ((op !== '$after' && op !== '$before') || values.length !== 1 || t === undefined) {
          throw invalidQueryParams(`Query filters.created_at takes $after or $before with one ISO 8601 date ${storableRange}`);
        }
        where.push(`${column} ${op === '$after' ? '>' : '<'} ${p(new Date(t).toISOString())}::timestamptz`);
      } else if (op === '$is' || op === '$in') where.push(`${column} = ANY(${p(values)}::text[])`);
      else if (op === '$is_not' || op === '$not_in') where.push(`${column} <> ALL(${p(values)}::text[])`);
      else throw invalidQueryParams(`Query filters.${field}.conditions.${op} is not supported; use $is, $in, $is_not or $not_in`);
    }
  }
  return { where, params };
}

export function createWallets(deps: { db: Db; clock: Clock; customers: Pick<CustomersService, 'get'>; vouchers: Pick<VouchersService, 'byIds'>; campaigns: Pick<CampaignsService, 'byIds' | 'categories'> }) {
  const { db, clock } = deps;

  /** Whether the code can be used now: Voucherify's redeemable statuses. */
  function statusOf(o: ReturnType<typeof voucherObject>, now: Date): string {
    if (!o.active) return 'DISABLED';
    if (o.start_date && Date.parse(o.start_date) > now.getTime()) return 'NOT_ACTIVE_YET';
    if (o.expiration_date && Date.parse(o.expiration_date) <= now.getTime()) return 'EXPIRED';
    if (typeof o.redemption.quantity === 'number' && o.redemption.redeemed_quantity >= o.redemption.quantity) return 'USED';
    if (o.gift && o.gift.balance <= 0) return 'NO_BALANCE';
    return 'ACTIVE';
  }

  async function list(projectId: string, customerKey: string, q: WalletListQuery) {
    const customer = await deps.customers.get(projectId, customerKey);
    const order = q.order ?? '-created_at';
    const { where, params } = conditionsOf(q.filters);
    const { rows, total } = await sql.selectWallet(db, projectId, customer.id, { where, params, descending: order.startsWith('-'), byId: order.endsWith('id'), after: q.starting_after_id, limit: q.limit });
    const page = rows.slice(0, q.limit);
    const vouchers = new Map((page.length > 0 ? await deps.vouchers.byIds(db, page.map((r) => r.voucher_id)) : []).map((v) => [v.id, v]));
    const campaignIds = [...new Set(page.map((r) => r.campaign_id).filter((x): x is string => !!x))];
    const campaigns = new Map((campaignIds.length > 0 ? await deps.campaigns.byIds(db, projectId, campaignIds) : []).map((c) => [c.id, c]));
    const categories = await deps.campaigns.categories(projectId);
    const now = clock.now();
    const data = page.map((r) => {
      const voucher = voucherObject(vouchers.get(r.voucher_id)!, r.campaign_id ? campaigns.get(r.campaign_id) : undefined, categories);
      return {
        id: r.id,
        created_at: new Date(r.created_at).toISOString(),
        redeemable_id: r.voucher_id,
        redeemable_object: 'voucher',
        customer_id: customer.id,
        holder_role: r.holder_role,
        campaign_id: r.campaign_id,
        campaign_type: r.campaign_type,
        voucher_type: r.voucher_type,
        redeemable: { type: 'voucher', voucher, status: statusOf(voucher, now) },
        object: 'customer_redeemable',
      };
    });
    const hasMore = rows.length > q.limit;
    return { object: 'list', data_ref: 'data', data, total, has_more: hasMore, ...(hasMore ? { more_starting_after: page.at(-1)!.id } : {}) };
  }

  return { list };
}

export type Wallets = ReturnType<typeof createWallets>;

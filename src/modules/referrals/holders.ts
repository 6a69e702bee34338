import type { Clock } from '../../core/clock.js';
import { valueFilters } from '../../core/list-filters.js';
import { duplicate, invalidReferralHolder, notFound } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import { simpleCampaign, type CampaignRow, type CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomerInput, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { simpleVoucher, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import * as sql from './sql.js';

/** Most holders one request adds (Voucherify's limit). */
export const maxHoldersPerRequest = 100;

export interface HoldersInput {
  holders: CustomerInput[];
  metadata?: Record<string, unknown>;
}

export interface HoldersQuery {
  limit: number;
  order?: string;
  starting_after_id?: string;
  filters?: Record<string, { conditions?: Record<string, unknown> }>;
}

type SimpleCustomer = ReturnType<typeof simpleCustomer>;

/** RedeemableHolder (SimpleRedeemableHolder in webhooks, which adds publication_id). */
export function holderObject(h: Omit<sql.HolderRow, 'project_id'>) {
  return {
    id: h.id,
    created_at: h.created_at.toISOString(),
    redeemable_id: h.voucher_id,
    redeemable_object: 'voucher' as const,
    campaign_id: h.campaign_id,
    campaign_type: 'REFERRAL_PROGRAM' as const,
    voucher_type: h.voucher_type,
    publication_id: h.publication_id,
    customer_id: h.customer_id,
    holder_role: h.holder_role,
    metadata: h.metadata ?? {},
    object: 'redeemable_holder' as const,
  };
}

/** `filters[holder_role|customer_id][conditions][$in|$is|$not_in|$is_not]` as a filter. */
function filterOf(filters: HoldersQuery['filters']): sql.HolderFilter {
  const f = valueFilters(filters, ['holder_role', 'customer_id'], 'referral holders');
  return { roles: f.holder_role, customers: f.customer_id };
}

/**
 * Holders of referral codes: the referrer a code is published to (REFERRER, recorded when it is published) and its
 * referees (REFEREE: assigned through the API, or by a conversion). A customer holds a code once. Records
 * customer.holder.assignment.created and .deleted.
 */
export function createHolders(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; campaigns: Pick<CampaignsService, 'byIds'>; vouchers: Pick<VouchersService, 'find'>; customers: Pick<CustomersService, 'upsertMany' | 'byIds'> }) {
  const { db, clock } = deps;

  function assignmentEvent(cause: Cause, type: 'customer.holder.assignment.created' | 'customer.holder.assignment.deleted', h: Omit<sql.HolderRow, 'project_id'>, voucher: VoucherRow, program: CampaignRow, customer: SimpleCustomer): CausedEvent {
    return { cause, event: { type, customerId: customer.id, entityId: h.id, data: { holder: holderObject(h), voucher: simpleVoucher(voucher, program), campaign: simpleCampaign(program), customer } } };
  }

  /** Assigns customers to a code in tx (those holding it already are left out); their assignment events. */
  async function assign(tx: Executor, cause: Cause, voucher: VoucherRow, program: CampaignRow, role: sql.HolderRow['holder_role'], customers: SimpleCustomer[], extra: { publicationId?: string | null; metadata?: Record<string, unknown> } = {}) {
    const now = clock.now();
    const rows = customers.map((c) => ({
      id: newSortableId('rh', now),
      project_id: cause.projectId,
      campaign_id: program.id,
      voucher_id: voucher.id,
      customer_id: c.id,
      holder_role: role,
      publication_id: extra.publicationId ?? null,
      metadata: extra.metadata ?? {},
      created_at: now,
    }));
    const made = new Set(await sql.insertHolders(tx, rows));
    const holders = rows.filter((r) => made.has(r.id)).map((r) => ({ ...r, voucher_type: voucher.type }));
    const byId = new Map(customers.map((c) => [c.id, c]));
    return { holders, events: holders.map((h) => assignmentEvent(cause, 'customer.holder.assignment.created', h, voucher, program, byId.get(h.customer_id)!)) };
  }

  /** The referral code a route names (code or id), of the named program when one is. */
  async function codeOf(projectId: string, memberId: string, campaignId: string | undefined, tx: Executor = db): Promise<{ voucher: VoucherRow; program: CampaignRow }> {
    const voucher = await deps.vouchers.find(projectId, memberId, tx);
    const program = voucher.campaign_id ? (await deps.campaigns.byIds(tx, projectId, [voucher.campaign_id]))[0] : undefined;
    if (campaignId !== undefined && (!program || (program.id !== campaignId && program.name !== campaignId))) throw notFound('voucher', memberId);
    if (!program || program.campaign_type !== 'REFERRAL_PROGRAM') throw invalidReferralHolder(`Voucher ${voucher.code} is not a referral code: only codes of referral programs have holders`, { resourceId: voucher.code, resourceType: 'voucher' });
    return { voucher, program };
  }

  /** POST .../members/{memberId}/holders: customers (upserted by id or source_id) become referees of the code. */
  async function add(cause: Cause, memberId: string, input: HoldersInput, campaignId?: string) {
    return db.transaction(async (tx) => {
      const { voucher, program } = await codeOf(cause.projectId, memberId, campaignId, tx);
      if (!voucher.holder_id) throw invalidReferralHolder(`Referral code must be first published to Referrer before assigning it to Referee (code ${voucher.code})`, { resourceId: voucher.code, resourceType: 'voucher' });
      const outcomes = await deps.customers.upsertMany(tx, input.holders.map((c) => ({ cause, input: c })));
      const events: CausedEvent[] = [];
      const customers: SimpleCustomer[] = [];
      for (const o of outcomes) {
        if ('error' in o) throw o.error;
        events.push(...o.events);
        customers.push(simpleCustomer(o.result.customer));
      }
      const referrer = customers.find((c) => c.id === voucher.holder_id);
      if (referrer) throw invalidReferralHolder(`Customer ${referrer.source_id ?? referrer.id} is the referrer of ${voucher.code}: a referrer cannot be its own referee`, { resourceId: referrer.id, resourceType: 'customer' });
      const unique = [...new Map(customers.map((c) => [c.id, c])).values()];
      const done = await assign(tx, cause, voucher, program, 'REFEREE', unique, { metadata: input.metadata ?? {} });
      if (done.holders.length < unique.length) {
        const held = unique.find((c) => !done.holders.some((h) => h.customer_id === c.id))!;
        throw duplicate('redeemable_holder', 'customer_id', held.id);
      }
      await deps.log.record(tx, [...events, ...done.events]);
      return { holders: done.holders.map(holderObject) };
    });
  }

  /** GET .../members/{memberId}/holders: by id (creation order), `-id`/`-created_at` newest first. */
  async function list(projectId: string, memberId: string, q: HoldersQuery, campaignId?: string) {
    const { voucher } = await codeOf(projectId, memberId, campaignId);
    const page = await sql.selectHolders(db, voucher.id, { limit: q.limit, descending: (q.order ?? '').startsWith('-'), afterId: q.starting_after_id, filter: filterOf(q.filters) });
    const rows = page.rows.slice(0, q.limit);
    const hasMore = page.rows.length > q.limit;
    return { object: 'list' as const, data_ref: 'data' as const, data: rows.map(holderObject), total: page.total, has_more: hasMore, ...(hasMore ? { more_starting_after: rows.at(-1)!.id } : {}) };
  }

  /** DELETE .../members/{memberId}/holders/{holderId}: a referee stops holding the code (its referral stays). */
  async function remove(cause: Cause, memberId: string, holderId: string, campaignId?: string): Promise<void> {
    await db.transaction(async (tx) => {
      const { voucher, program } = await codeOf(cause.projectId, memberId, campaignId, tx);
      const h = await sql.selectHolder(tx, voucher.id, holderId);
      if (!h) throw notFound('redeemable_holder', holderId);
      if (h.holder_role === 'REFERRER') throw invalidReferralHolder(`Holder ${holderId} is the referrer the code is published to: it cannot be removed`, { resourceId: holderId, resourceType: 'redeemable_holder' });
      if (!(await sql.deleteHolder(tx, h.id))) throw notFound('redeemable_holder', holderId);
      const customer = (await deps.customers.byIds(tx, cause.projectId, [h.customer_id]))[0];
      if (customer) await deps.log.record(tx, [assignmentEvent(cause, 'customer.holder.assignment.deleted', h, voucher, program, simpleCustomer(customer))]);
    });
  }

  /** Deriver: a referral code published to a customer makes them its REFERRER holder. */
  async function onPublished(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[] }> {
    const events: CausedEvent[] = [];
    for (const e of entries) {
      const d = e.event.data as { voucher?: { id?: string; is_referral_code?: boolean; campaign_id?: string | null }; customer?: SimpleCustomer; publication?: { id?: string } };
      if (d.voucher?.is_referral_code !== true || !d.voucher.campaign_id || !d.customer?.id || !d.voucher.id) continue;
      const program = (await deps.campaigns.byIds(tx, e.cause.projectId, [d.voucher.campaign_id]))[0];
      if (program?.campaign_type !== 'REFERRAL_PROGRAM') continue;
      const voucher = await deps.vouchers.find(e.cause.projectId, d.voucher.id, tx);
      events.push(...(await assign(tx, e.cause, voucher, program, 'REFERRER', [d.customer], { publicationId: d.publication?.id ?? null })).events);
    }
    return { events };
  }

  return { add, list, remove, assign, onPublished };
}

export type Holders = ReturnType<typeof createHolders>;

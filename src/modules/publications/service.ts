import type { Clock } from '../../core/clock.js';
import { TesseraError, duplicateSourceId, invalidPayload, missingVouchers, noVoucherSuitableForPublication, notFound, tooManyVouchersRequested, voucherAlreadyPublished, voucherDisabled } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import { isUniqueViolation, retryTransaction, type Db, type Executor } from '../../store/db.js';
import type { CampaignRow, CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomerRow, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import type { VoucherRow, VouchersService } from '../vouchers/index.js';
import { createPublicationBatch } from './batch.js';
import * as sql from './sql.js';
import type { PublicationInput, PublicationListQuery, PublicationRow } from './types.js';
import { publicationBase, publicationObject } from './view.js';

/** Codes one publication may ask of a campaign. */
export const maxPublicationCount = 20;

export interface PublishOptions {
  /** ?join_once=true: one code per customer in this campaign, whatever the campaign says. */
  joinOnce?: boolean;
  /** Where it came from when the body does not say (API, Voucherify.js, ...). */
  channel?: string;
}

export function createPublicationsService(deps: {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  customers: Pick<CustomersService, 'upsertMany' | 'byIds' | 'get'>;
  campaigns: CampaignsService;
  vouchers: VouchersService;
  /** Transactions of batched publications written at once (see batch.ts). */
  concurrency?: number;
}) {
  const { db, clock, log, customers, campaigns, vouchers } = deps;
  const batch = createPublicationBatch({ db, clock, log, customers, vouchers, concurrency: deps.concurrency ?? 1, events: (...a) => events(...a) });

  async function render(tx: Executor, p: PublicationRow, customer?: CustomerRow) {
    const c = customer ?? (await customers.byIds(tx, p.project_id, [p.customer_id]))[0];
    const rows = await vouchers.byIds(tx, p.vouchers.map((v) => v.id));
    const campaign = p.campaign_id ? (await campaigns.byIds(tx, p.project_id, [p.campaign_id]))[0] : undefined;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const objects = p.vouchers.flatMap((v) => (byId.has(v.id) ? [vouchers.object(byId.get(v.id)!, campaign)] : []));
    return publicationObject(p, c, objects);
  }

  /** The events of a publication: the project's publication.succeeded and voucher.published, the customer's own. */
  function events(cause: Cause, p: PublicationRow, customer: CustomerRow, rows: VoucherRow[], campaign: CampaignRow | undefined): CausedEvent[] {
    const base = publicationBase(p, customer);
    const simpleCampaign = campaign ? campaigns.simple(campaign) : null;
    const out: CausedEvent[] = [];
    const first = rows[0]!;
    out.push({
      cause,
      event: { type: 'publication.succeeded', entityId: p.id, data: { customer: simpleCustomer(customer), campaign: simpleCampaign, publication: base, voucher: vouchers.simple(first, campaign), user: null } },
    });
    for (const v of rows) {
      out.push({
        cause,
        event: { type: 'voucher.published', entityId: v.id, data: { customer: simpleCustomer(customer), campaign: simpleCampaign, publication: base, voucher: vouchers.simple(v, campaign), created_at: p.created_at.toISOString() } },
      });
      // The distribution trigger and customer activity; its publication carries the distribution keys (null when
      // no distribution published it), which the schema of this payload requires.
      const publication = { ...base, metadata: { source_type: null, source_id: null, distribution_id: null, ...p.metadata }, voucher: vouchers.object(v, campaign) };
      out.push({
        cause,
        event: { type: 'customer.publication.succeeded', customerId: customer.id, entityId: p.id, data: { customer: simpleCustomer(customer), campaign: simpleCampaign, publication, voucher: vouchers.simple(v, campaign) } },
      });
    }
    return out;
  }

  async function resolve(projectId: string, input: PublicationInput) {
    if ((input.voucher === undefined) === (input.campaign === undefined)) throw missingVouchers('Either Campaign or Voucher is required (and not both)');
    if (!input.customer) throw invalidPayload("Payload should have required property 'customer'");
    const c = input.campaign;
    const key = typeof c === 'string' ? c : (c?.id ?? c?.name);
    if (c !== undefined && !key) throw invalidPayload("Property .campaign should have required property 'name'");
    const count = typeof c === 'object' ? (c.count ?? 1) : 1;
    if (count < 1 || count > maxPublicationCount) throw tooManyVouchersRequested(`Property .campaign.count must be between 1 and ${maxPublicationCount}`);
    const campaign = key !== undefined ? await campaigns.cached(projectId, key) : undefined;
    if (campaign && !campaign.definition.voucher) throw noVoucherSuitableForPublication(`Campaign ${campaign.id} is a ${campaign.campaign_type} and holds no codes`);
    if (campaign && !campaign.active) throw noVoucherSuitableForPublication(`Campaign ${campaign.id} is disabled`);
    const voucher = input.voucher !== undefined ? await vouchers.find(projectId, input.voucher) : undefined;
    await campaigns.checkMetadata(projectId, 'publication', input.metadata);
    return { campaign, voucher, count };
  }

  /**
   * Publishes a code (a given one, or count codes of a campaign) to a customer, found or created by the customer's
   * id, source_id or attributes, in one transaction with its events. With a source_id a repeated call answers the
   * first publication; join_once campaigns answer a customer's first publication again.
   */
  async function publish(cause: Cause, input: PublicationInput, options: PublishOptions = {}) {
    const { campaign, voucher, count } = await resolve(cause.projectId, input);
    const joinOnce = campaign !== undefined && (options.joinOnce === true || campaign.join_once);
    if (joinOnce && count > 1) throw tooManyVouchersRequested('A join_once campaign publishes one code per customer: count must be 1');
    if (campaign && count === 1 && !joinOnce && input.source_id === undefined) {
      // The common case, group-committed with concurrent ones.
      return batch.submit({ cause, customer: input.customer!, campaign, channel: input.channel ?? options.channel ?? 'API', metadata: input.metadata ?? {} });
    }
    return db.transaction(async (tx) => {
      if (input.source_id !== undefined) {
        const earlier = await sql.selectBySourceId(tx, cause.projectId, input.source_id);
        if (earlier) return same(tx, earlier, input, campaign, voucher);
      }
      const outcome = (await customers.upsertMany(tx, [{ cause, input: input.customer! }]))[0]!;
      if ('error' in outcome) throw outcome.error;
      const customer = outcome.result.customer;
      const made = await issue(tx, cause, customer, { campaign, voucher, count, joinOnce, sourceId: input.source_id, channel: input.channel ?? options.channel ?? 'API', metadata: input.metadata ?? {} });
      // The customer's changes stand (and are recorded, re-evaluating its segments) also when a join_once campaign
      // answers the customer's first publication again.
      await log.record(tx, [...outcome.events, ...('earlier' in made ? [] : made.events)]);
      if ('earlier' in made) return render(tx, made.earlier, customer);
      return publicationObject(made.publication, customer, made.rows.map((v) => vouchers.object(v, made.owner)));
    });
  }

  interface Issue {
    campaign?: CampaignRow;
    voucher?: VoucherRow;
    count: number;
    joinOnce: boolean;
    sourceId?: string;
    channel: string;
    metadata: Record<string, unknown>;
  }

  /**
   * Publishes in tx to a customer already found: the codes, the publication row and its events (not yet
   * recorded), or the customer's earlier publication of a join_once campaign.
   */
  type Issued = { earlier: PublicationRow } | { publication: PublicationRow; rows: VoucherRow[]; owner: CampaignRow | undefined; events: CausedEvent[] };

  async function issue(tx: Executor, cause: Cause, customer: CustomerRow, o: Issue): Promise<Issued> {
    const now = clock.now();
    const id = newSortableId('pub', now);
    const { campaign, voucher } = o;
    if (o.joinOnce && !(await sql.joinCampaign(tx, campaign!.id, customer.id, id))) {
      // The first publication's transaction committed before the conflict was reported: it is there.
      const earlier = await sql.selectById(tx, (await sql.joinedPublication(tx, campaign!.id, customer.id))!);
      return { earlier: earlier! };
    }
    const rows: VoucherRow[] = [];
    if (voucher) {
      if (!voucher.active) throw voucherDisabled(`Voucher ${voucher.code} is disabled`, { resourceId: voucher.code, resourceType: 'voucher' });
      const held = await vouchers.assign(tx, voucher, customer.id);
      // A code deleted while the publication waited for its row is not found (nobody else holds it).
      if (!held && (await vouchers.byIds(tx, [voucher.id])).length === 0) throw notFound('voucher', voucher.code);
      if (!held) throw voucherAlreadyPublished(`Voucher ${voucher.code} is already published to another customer`, { resourceId: voucher.code, resourceType: 'voucher' });
      rows.push(held);
    } else {
      for (let i = 0; i < o.count; i++) {
        const v = await vouchers.takeFor(tx, campaign!, customer.id);
        if (!v) throw noVoucherSuitableForPublication(`Campaign ${campaign!.id} has no unpublished code left`, { resourceId: campaign!.id, resourceType: 'campaign' });
        rows.push(v);
      }
    }
    const owner = campaign ?? (await vouchers.campaignOf(tx, rows[0]!));
    const publication: PublicationRow = {
      id,
      project_id: cause.projectId,
      customer_id: customer.id,
      campaign_id: owner?.id ?? null,
      vouchers: rows.map((v) => ({ id: v.id, code: v.code })),
      source_id: o.sourceId ?? null,
      channel: o.channel,
      metadata: o.metadata,
      created_at: now,
    };
    try {
      await sql.insertPublication(tx, publication);
    } catch (err) {
      // The same source_id published concurrently: run again, and answer that one.
      if (isUniqueViolation(err, 'publications_source_id_unique')) throw retryTransaction('A publication with this source_id was made concurrently');
      throw err;
    }
    return { publication, rows, owner, events: events(cause, publication, customer, rows, owner) };
  }

  /**
   * A distribution's publication (purpose publish_unique_codes), in the transaction of the event that triggered it:
   * one code of the campaign for the customer, its events recorded. Undefined, and nothing written, when the
   * campaign is gone, disabled or out of codes: the trigger's event stands, without a code.
   */
  async function publishFor(tx: Executor, cause: Cause, target: { campaignId: string; customerId: string; distributionId?: string; channel?: string; metadata?: Record<string, unknown> }) {
    const campaign = (await campaigns.byIds(tx, cause.projectId, [target.campaignId]))[0];
    const customer = (await customers.byIds(tx, cause.projectId, [target.customerId]))[0];
    if (!campaign?.definition.voucher || !campaign.active || !customer) return undefined;
    try {
      const metadata = target.metadata ?? { source_type: 'distribution', source_id: target.distributionId, distribution_id: target.distributionId };
      const made = await issue(tx, cause, customer, { campaign, count: 1, joinOnce: campaign.join_once, channel: target.channel ?? 'Distribution', metadata });
      const publication = 'earlier' in made ? made.earlier : made.publication;
      const rows = 'earlier' in made ? await vouchers.byIds(tx, made.earlier.vouchers.map((v) => v.id)) : made.rows;
      if (!('earlier' in made)) await log.record(tx, made.events);
      return { campaign: campaigns.simple(campaign), voucher: vouchers.simple(rows[0]!, campaign), publication: publicationBase(publication, customer), row: rows[0]!, campaignRow: campaign };
    } catch (err) {
      // Only refusals without a failed statement (no code left, a space used up) are skipped here.
      if (err instanceof TesseraError) return undefined;
      throw err;
    }
  }

  /**
   * The customer's code of this campaign for another feature to credit (a gift card, a loyalty card): their oldest
   * active one, or one published to them now in tx. Undefined when none can be had.
   */
  async function heldOrPublished(tx: Executor, cause: Cause, target: { campaignId: string; customerId: string; metadata: Record<string, unknown> }): Promise<VoucherRow | undefined> {
    const held = await sql.selectHeldCode(tx, cause.projectId, target.customerId, target.campaignId);
    if (held) return (await vouchers.byIds(tx, [held]))[0];
    return (await publishFor(tx, cause, { ...target, channel: 'API' }))?.row;
  }

  /** A repeated source_id: the same request gets the first answer, a different one is refused. */
  async function same(tx: Executor, earlier: PublicationRow, input: PublicationInput, campaign: CampaignRow | undefined, voucher: VoucherRow | undefined) {
    const customer = (await customers.byIds(tx, earlier.project_id, [earlier.customer_id]))[0];
    const c = input.customer!;
    const sameCustomer = customer !== undefined && (c.id === undefined || c.id === customer.id) && (c.source_id === undefined || c.source_id === customer.source_id);
    const sameTarget = campaign ? earlier.campaign_id === campaign.id : earlier.vouchers.some((v) => v.id === voucher?.id);
    if (!sameCustomer || !sameTarget) {
      throw duplicateSourceId(`Publication with source_id: '${earlier.source_id}' already exists for another customer or campaign`, { resourceId: earlier.id, resourceType: 'publication' });
    }
    return render(tx, earlier, customer);
  }

  async function list(projectId: string, q: PublicationListQuery) {
    const campaign = q.campaign !== undefined ? await campaigns.get(projectId, q.campaign).catch(() => undefined) : undefined;
    const customer = q.customer !== undefined ? await customers.get(projectId, q.customer).catch(() => undefined) : undefined;
    const voucher = q.voucher !== undefined ? await vouchers.find(projectId, q.voucher).catch(() => undefined) : undefined;
    const none = (q.campaign !== undefined && !campaign) || (q.customer !== undefined && !customer) || (q.voucher !== undefined && !voucher);
    if (none) return { publications: [], total: 0 };
    const { rows, total } = await sql.selectPage(
      db,
      { projectId, campaignId: campaign?.id, customerId: customer?.id, voucherId: voucher?.id, sourceId: q.source_id, voucherType: q.voucher_type, isReferralCode: q.is_referral_code, filters: q.filters },
      { order: q.order, offset: (q.page - 1) * q.limit, limit: q.limit },
    );
    const out = [];
    for (const p of rows) out.push(await render(db, p));
    return { publications: out, total };
  }

  async function get(projectId: string, id: string) {
    const p = await sql.selectById(db, id);
    if (!p || p.project_id !== projectId) throw notFound('publication', id);
    return render(db, p);
  }

  return { publish, publishFor, heldOrPublished, list, get, drain: () => batch.drain() };
}

export type PublicationsService = ReturnType<typeof createPublicationsService>;

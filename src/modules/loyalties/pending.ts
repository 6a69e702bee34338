import type { Clock } from '../../core/clock.js';
import { invalidPayload, notFound, TesseraError } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Db, Executor } from '../../store/db.js';
import { simpleCampaign, type CampaignRow, type CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { simpleVoucher, type VoucherRow, type VouchersService } from '../vouchers/index.js';
import type { Ledger } from './ledger.js';
import { expiresOn, type ExpirationRules } from './expiration.js';
import * as sql from './sql.js';

export interface PendingRow {
  id: string;
  project_id: string;
  voucher_id: string;
  campaign_id: string;
  customer_id: string;
  order_id: string;
  earning_rule_id: string;
  points: number | string;
  activates_at: Date;
  status: 'PENDING' | 'ACTIVATED' | 'CANCELED';
  details: Record<string, unknown>;
  created_at: Date;
  updated_at: Date | null;
}

const columns = 'id, project_id, voucher_id, campaign_id, customer_id, order_id, earning_rule_id, points, activates_at, status, details, created_at, updated_at';

/** LoyaltyPendingPoints. */
export function pendingObject(p: PendingRow) {
  return {
    id: p.id,
    voucher_id: p.voucher_id,
    campaign_id: p.campaign_id,
    customer_id: p.customer_id,
    order_id: p.order_id,
    points: Number(p.points),
    activates_at: p.activates_at.toISOString().slice(0, 10),
    details: p.details,
    created_at: p.created_at.toISOString(),
    ...(p.updated_at ? { updated_at: p.updated_at.toISOString() } : {}),
  };
}

/** A card's pending points as VoucherBalance (what is waiting in total). */
export const pendingBalance = (cardId: string, points: number, total: number) => ({ type: 'loyalty_card', total, object: 'balance', points, balance: total, related_object: { id: cardId, type: 'voucher' } });

const internal = (projectId: string, now: Date): Cause => ({ projectId, groupId: `v-pending-${now.getTime().toString(16)}`, source: { channel: 'INTERNAL' } });

/**
 * Pending points: points an order.paid rule with `pending_points` gives after N days. They wait in their own rows
 * (added in the transaction of the order paid), reach the card when the loyalties.pending job finds them due (a due
 * index, no scan; one guarded update each, so a row is activated or canceled once), and are canceled when the order
 * is canceled first.
 */
export function createPending(deps: { db: Db; clock: Clock; log: Pick<EventLog, 'record'>; ledger: Ledger; vouchers: Pick<VouchersService, 'find' | 'campaignOf'>; customers: Pick<CustomersService, 'byIds'>; campaigns: Pick<CampaignsService, 'byIds'> }) {
  async function pendingTotal(ex: Executor, cardId: string): Promise<number> {
    const { rows } = await ex.query<{ n: string }>(`SELECT coalesce(sum(points), 0) AS n FROM loyalty_pending_points WHERE voucher_id = $1 AND status = 'PENDING'`, [cardId]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Adds pending points for a paid order (in the order's transaction); returns the events. */
  async function add(tx: Executor, cause: Cause, a: { card: VoucherRow; program: CampaignRow; customer: ReturnType<typeof simpleCustomer>; order: Record<string, unknown>; ruleId: string; banner: string; points: number; days: number; eventId: string }): Promise<CausedEvent[]> {
    const now = deps.clock.now();
    const row: PendingRow = {
      id: newSortableId('lopp', now),
      project_id: cause.projectId,
      voucher_id: a.card.id,
      campaign_id: a.program.id,
      customer_id: a.customer.id,
      order_id: String(a.order.id),
      earning_rule_id: a.ruleId,
      points: a.points,
      activates_at: new Date(now.getTime() + a.days * 86_400_000),
      status: 'PENDING',
      details: {
        event: { id: a.eventId, type: 'customer.order.paid', group_id: cause.groupId, entity_id: String(a.order.id) },
        earning_rule: { id: a.ruleId, source: { banner: a.banner } },
        order: { id: String(a.order.id), source_id: typeof a.order.source_id === 'string' ? a.order.source_id : null },
      },
      created_at: now,
      updated_at: null,
    };
    await tx.query(
      `INSERT INTO loyalty_pending_points (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, NULL)`,
      [row.id, row.project_id, row.voucher_id, row.campaign_id, row.customer_id, row.order_id, row.earning_rule_id, row.points, row.activates_at, row.status, JSON.stringify(row.details), row.created_at],
    );
    const total = await pendingTotal(tx, a.card.id);
    const data = { customer: a.customer, campaign: simpleCampaign(a.program), voucher: simpleVoucher(a.card, a.program), voucher_pending_points_balance: pendingBalance(a.card.id, a.points, total), order: simpleOrderOf(a.order), pending_points: pendingObject(row) };
    return [
      { cause, event: { type: 'voucher.loyalty_card.pending_points.added', entityId: row.id, data } },
      { cause, event: { type: 'customer.voucher.loyalty_card.pending_points.added', customerId: a.customer.id, entityId: row.id, data } },
    ];
  }

  /** Cancels an order's pending points (in the transaction that cancels the order). */
  async function cancelFor(tx: Executor, cause: Cause, orderId: string, order: Record<string, unknown>): Promise<CausedEvent[]> {
    const now = deps.clock.now();
    const { rows } = await tx.query<PendingRow>(
      `UPDATE loyalty_pending_points SET status = 'CANCELED', updated_at = $3 WHERE project_id = $1 AND order_id = $2 AND status = 'PENDING' RETURNING ${columns}`,
      [cause.projectId, orderId, now],
    );
    const events: CausedEvent[] = [];
    for (const p of rows) {
      const card = await deps.vouchers.find(p.project_id, p.voucher_id, tx);
      const program = await deps.vouchers.campaignOf(tx, card);
      const customer = (await deps.customers.byIds(tx, p.project_id, [p.customer_id]))[0];
      if (!program || !customer) continue;
      const data = { customer: simpleCustomer(customer), campaign: simpleCampaign(program), voucher: simpleVoucher(card, program), voucher_pending_points_balance: pendingBalance(card.id, -Number(p.points), await pendingTotal(tx, card.id)), order: simpleOrderOf(order), pending_points: pendingObject(p) };
      events.push({ cause, event: { type: 'voucher.loyalty_card.pending_points.canceled', entityId: p.id, data } }, { cause, event: { type: 'customer.voucher.loyalty_card.pending_points.canceled', customerId: p.customer_id, entityId: p.id, data } });
    }
    return events;
  }

  /** Activated rows' points onto their cards, with their events (the job's and the manual activation's). */
  async function activateRows(tx: Executor, rows: PendingRow[], causeOf: (p: PendingRow) => Cause, source: 'API' | 'Automation') {
    const events: CausedEvent[] = [];
    const changed: Array<{ p: PendingRow; card: VoucherRow; total: number; balance: number }> = [];
    for (const p of rows) {
      const card = await deps.vouchers.find(p.project_id, p.voucher_id, tx).catch(() => undefined);
      if (!card) continue;
      const program = await deps.vouchers.campaignOf(tx, card);
      const row = (await deps.customers.byIds(tx, p.project_id, [p.customer_id]))[0];
      const customer = row ? simpleCustomer(row) : undefined;
      const cause = causeOf(p);
      // The points expire as their earning rule's points do (its own rules, else the program's), counted from now.
      const rule = p.earning_rule_id ? await sql.selectRule(tx, p.project_id, p.earning_rule_id) : undefined;
      const rules = (rule?.definition as { expiration_rules?: ExpirationRules } | undefined)?.expiration_rules ?? (program?.definition.voucher?.loyalty_card?.expiration_rules as ExpirationRules | undefined);
      const change = { card, campaign: program, points: Number(p.points), type: 'PENDING_POINTS_ACTIVATION' as const, source, holder: customer, reason: `Order ${p.order_id}`, expiresOn: expiresOn(rules, deps.clock.now()) };
      let done: Awaited<ReturnType<Ledger['change']>>;
      try {
        done = await deps.ledger.change(tx, cause, change);
      } catch (err) {
        // The job cannot give points a card cannot hold (at most 2^53 - 1; refused before any write): the entry is
        // canceled, as an earning beyond it gives nothing, rather than failing every later activation with it.
        if (source !== 'Automation' || !(err instanceof TesseraError)) throw err;
        await tx.query(`UPDATE loyalty_pending_points SET status = 'CANCELED' WHERE id = $1`, [p.id]);
        continue;
      }
      const order = { id: p.order_id, object: 'order' };
      const data = { customer: customer ?? null, campaign: program ? simpleCampaign(program) : null, voucher: simpleVoucher(done.card, program), balance: done.events.at(-1)!.event.data.balance, order, transaction: done.events.at(-1)!.event.data.transaction, pending_points: pendingObject(p) };
      events.push(...done.events, { cause, event: { type: 'voucher.loyalty_card.pending_points.activated', entityId: p.id, data } });
      if (customer) events.push({ cause, event: { type: 'customer.voucher.loyalty_card.pending_points.activated', customerId: customer.id, entityId: p.id, data } });
      changed.push({ p, card: done.card, total: Number(done.card.loyalty_points ?? 0), balance: Number(done.card.loyalty_balance ?? 0) });
    }
    return { events, changed };
  }

  /** The job's step: activates due pending points, earliest first. */
  async function step(batchSize: number): Promise<number> {
    return deps.db.transaction(async (tx) => {
      const now = deps.clock.now();
      const { rows } = await tx.query<PendingRow>(
        `UPDATE loyalty_pending_points p SET status = 'ACTIVATED', updated_at = $1
           FROM (SELECT id FROM loyalty_pending_points WHERE status = 'PENDING' AND activates_at <= $1 ORDER BY activates_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) AS due
          WHERE p.id = due.id RETURNING ${columns.split(', ').map((c) => `p.${c}`).join(', ')}`,
        [now, batchSize],
      );
      const { events } = await activateRows(tx, rows, (p) => internal(p.project_id, now), 'Automation');
      await deps.log.record(tx, events);
      return rows.length;
    });
  }

  /** The events of a pending entry canceled or changed by hand (their payloads are alike). */
  async function manualEvents(tx: Executor, cause: Cause, p: PendingRow, type: 'canceled' | 'updated', points: number): Promise<CausedEvent[]> {
    const card = await deps.vouchers.find(p.project_id, p.voucher_id, tx);
    const program = await deps.vouchers.campaignOf(tx, card);
    const customer = (await deps.customers.byIds(tx, p.project_id, [p.customer_id]))[0];
    if (!program || !customer) return [];
    const data = { customer: simpleCustomer(customer), campaign: simpleCampaign(program), voucher: simpleVoucher(card, program), voucher_pending_points_balance: pendingBalance(card.id, points, await pendingTotal(tx, card.id)), order: { id: p.order_id, object: 'order' }, pending_points: pendingObject(p) };
    return [
      { cause, event: { type: `voucher.loyalty_card.pending_points.${type}`, entityId: p.id, data } },
      { cause, event: { type: `customer.voucher.loyalty_card.pending_points.${type}`, customerId: p.customer_id, entityId: p.id, data } },
    ];
  }

  /** A card's pending entry, still pending, locked: 404 otherwise (unknown, another card's, activated or canceled). */
  async function pendingOf(tx: Executor, projectId: string, cardId: string, id: string): Promise<PendingRow> {
    const { rows } = await tx.query<PendingRow>(`SELECT ${columns} FROM loyalty_pending_points WHERE project_id = $1 AND voucher_id = $2 AND id = $3 AND status = 'PENDING' FOR UPDATE`, [projectId, cardId, id]);
    if (!rows[0]) throw notFound('pending_points', id);
    return rows[0];
  }

  /** POST .../pending-points/{id}/activate: the points reach the card now. */
  async function activate(cause: Cause, card: VoucherRow, id: string) {
    return deps.db.transaction(async (tx) => {
      const p = await pendingOf(tx, cause.projectId, card.id, id);
      const now = deps.clock.now();
      await tx.query(`UPDATE loyalty_pending_points SET status = 'ACTIVATED', updated_at = $2 WHERE id = $1`, [p.id, now]);
      const { events, changed } = await activateRows(tx, [{ ...p, status: 'ACTIVATED', updated_at: now }], () => cause, 'API');
      await deps.log.record(tx, events);
      const c = changed[0]!;
      return { points: Number(p.points), total: c.total, balance: c.balance, type: 'loyalty_card', object: 'balance', related_object: { type: 'voucher', id: card.id }, operation_type: 'MANUAL' };
    });
  }

  /** POST .../pending-points/{id}/balance: more or fewer points waiting (at least 1 stays; cancel to drop them). */
  async function adjust(cause: Cause, card: VoucherRow, id: string, points: number) {
    return deps.db.transaction(async (tx) => {
      const p = await pendingOf(tx, cause.projectId, card.id, id);
      const next = Number(p.points) + points;
      if (next < 1) throw invalidPayload(`Pending points ${id} hold ${Number(p.points)}: taking ${-points} would leave ${next} (cancel them instead)`);
      const now = deps.clock.now();
      await tx.query('UPDATE loyalty_pending_points SET points = $2, updated_at = $3 WHERE id = $1', [p.id, next, now]);
      const row = { ...p, points: next, updated_at: now };
      await deps.log.record(tx, await manualEvents(tx, cause, row, 'updated', points));
      return { points, total: await pendingTotal(tx, card.id), object: 'balance', related_object: { type: 'voucher', id: card.id }, operation_type: 'MANUAL' };
    });
  }

  /** POST .../pending-points/{id}/cancel: the points never reach the card. */
  async function cancel(cause: Cause, card: VoucherRow, id: string): Promise<void> {
    await deps.db.transaction(async (tx) => {
      const p = await pendingOf(tx, cause.projectId, card.id, id);
      const now = deps.clock.now();
      await tx.query(`UPDATE loyalty_pending_points SET status = 'CANCELED', updated_at = $2 WHERE id = $1`, [p.id, now]);
      await deps.log.record(tx, await manualEvents(tx, cause, { ...p, status: 'CANCELED', updated_at: now }, 'canceled', -Number(p.points)));
    });
  }

  /** Pending entries of a card or of a program, by creation (newest first unless `created_at`), after a cursor. */
  async function page(projectId: string, of: { cardId?: string; campaignId?: string }, q: { limit: number; order?: string; starting_after_id?: string }) {
    const desc = q.order !== 'created_at';
    const cmp = desc ? '<' : '>';
    const dir = desc ? 'DESC' : 'ASC';
    const { rows } = await deps.db.query<PendingRow>(
      `SELECT ${columns} FROM loyalty_pending_points
        WHERE project_id = $1 AND status = 'PENDING' AND ($2::text IS NULL OR voucher_id = $2) AND ($3::text IS NULL OR campaign_id = $3)
          AND ($4::text IS NULL OR (created_at, id) ${cmp} (SELECT x.created_at, x.id FROM loyalty_pending_points x WHERE x.id = $4))
        ORDER BY created_at ${dir}, id ${dir} LIMIT $5`,
      [projectId, of.cardId ?? null, of.campaignId ?? null, q.starting_after_id ?? null, q.limit + 1],
    );
    const data = rows.slice(0, q.limit).map(pendingObject);
    const more = rows.length > q.limit;
    return { object: 'list' as const, data_ref: 'data' as const, data, has_more: more, ...(more ? { more_starting_after: data.at(-1)!.id } : {}) };
  }

  return { add, cancelFor, step, page, activate, adjust, cancel };
}

export function simpleOrderOf(o: Record<string, unknown>) {
  const out: Record<string, unknown> = { object: 'order' };
  for (const k of ['id', 'source_id', 'status', 'amount', 'total_amount', 'metadata']) if (o[k] !== null && o[k] !== undefined) out[k] = o[k];
  return out;
}

export type Pending = ReturnType<typeof createPending>;

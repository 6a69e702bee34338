import type { FastifyInstance } from 'fastify';
import type { LoyaltiesService, Pending } from '../../modules/loyalties/index.js';
import type { Balances, VouchersService } from '../../modules/vouchers/index.js';
import { dashOf, projectCtx, type ProjectCtx } from '../context.js';
import { html, money, when, type Html } from '../html.js';
import { postButton } from '../layout.js';
import { userCause } from '../v1.js';

export interface CardHistoryServices {
  balances: Pick<Balances, 'transactions'>;
  loyalties: Pick<LoyaltiesService, 'transactions' | 'pointsExpiration' | 'card'>;
  pendingPoints: Pick<Pending, 'page' | 'activate' | 'cancel'>;
  vouchers: Pick<VouchersService, 'find'>;
}

/** How many of a card's newest transactions, open buckets and pending points its page shows. */
export const historySize = 20;

interface Transaction {
  id: string;
  type: string;
  reason: string | null;
  created_at: string;
  details: {
    balance: { points?: number; amount?: number; balance: number };
    earning_rule?: { source: { banner: string } };
    reward?: { name: string };
    redemption?: { id: string };
    rollback?: { id: string };
    event?: { type: string };
  };
}

/** Transaction types in words (Voucherify's names stay in the row's title). */
const words: Record<string, string> = {
  POINTS_ACCRUAL: 'Earned',
  POINTS_REDEMPTION: 'Spent',
  POINTS_REFUND: 'Refunded',
  POINTS_ADDITION: 'Added',
  POINTS_REMOVAL: 'Removed',
  POINTS_EXPIRATION: 'Expired',
  POINTS_TRANSFER_IN: 'Transferred in',
  POINTS_TRANSFER_OUT: 'Transferred out',
  PENDING_POINTS_ACTIVATION: 'Pending points added',
  CREDITS_REDEMPTION: 'Spent',
  CREDITS_REFUND: 'Refunded',
  CREDITS_ADDITION: 'Added',
  CREDITS_REMOVAL: 'Removed',
};

/** Why a transaction happened: its reason, or what caused it (an earning rule, a reward, a redemption...). */
function why(t: Transaction): Html | string {
  const d = t.details;
  const parts: Array<Html | string> = [];
  if (d.earning_rule) parts.push(`earning rule ${d.earning_rule.source.banner || '(no banner)'}`);
  if (d.reward) parts.push(`reward ${d.reward.name}`);
  if (d.redemption) parts.push(html`redemption <span class="mono">${d.redemption.id}</span>`);
  if (d.rollback) parts.push(html`rollback <span class="mono">${d.rollback.id}</span>`);
  if (t.reason) parts.push(t.reason);
  return parts.length === 0 ? '—' : html`${parts.map((p, i) => html`${i > 0 ? '; ' : ''}${p}`)}`;
}

const signed = (n: number, show: (n: number) => string) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${show(Math.abs(n))}`;

function transactionTable(rows: Transaction[], points: boolean): Html {
  if (rows.length === 0) return html`<p class="muted">No transactions yet.</p>`;
  const show = points ? (n: number) => String(n) : money;
  return html`<div class="table-wrap"><table id="card-transactions"><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">${points ? 'Points' : 'Amount'}</th><th scope="col">Balance after</th><th scope="col">Why</th></tr></thead>
<tbody>${rows.map((t) => {
    const change = points ? (t.details.balance.points ?? 0) : (t.details.balance.amount ?? 0);
    return html`<tr data-transaction="${t.id}"><td>${when(t.created_at)}</td><td title="${t.type}">${words[t.type] ?? t.type}</td><td>${signed(change, show)}</td><td>${show(t.details.balance.balance)}</td><td>${why(t)}</td></tr>`;
  })}</tbody></table></div>`;
}

/**
 * A loyalty card's or gift card's history on its page: its newest transactions; for a loyalty card also the points
 * waiting to be added (with *Add now* and *Cancel*) and the points that will expire, soonest first.
 */
export async function historySection(c: ProjectCtx, s: CardHistoryServices, v: { id: string; code: string; type: string; campaign_id: string | null }): Promise<Html> {
  const card = v.type === 'LOYALTY_CARD';
  if (!card && v.type !== 'GIFT_VOUCHER') return html``;
  const rows = (card ? (await s.loyalties.transactions(c.project.id, v.code, { limit: historySize })).data : (await s.balances.transactions(c.project.id, v.code, { limit: historySize })).data) as Transaction[];
  const history = html`<section class="card" aria-labelledby="history-h"><h2 id="history-h">Transactions</h2>${transactionTable(rows, card)}${
    rows.length === historySize ? html`<p class="muted">The newest ${historySize}; the API lists them all (<span class="mono">GET /v1/${card ? 'loyalties/members' : 'vouchers'}/${v.code}/transactions</span>).</p>` : ''
  }</section>`;
  if (!card) return history;
  // The page's voucher is the card: its id and program need no second read.
  const pending = (await s.pendingPoints.page(c.project.id, { cardId: v.id }, { limit: historySize, order: 'created_at' })).data;
  const expiring = v.campaign_id ? (await s.loyalties.pointsExpiration(c.project.id, v.campaign_id, v.code, { limit: historySize, page: 1 })).data : [];
  const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}/pending`;
  return html`${history}<section class="card" aria-labelledby="pending-h"><h2 id="pending-h">Pending points</h2>${
    pending.length === 0
      ? html`<p class="muted">No points are waiting.</p>`
      : html`<ul id="card-pending">${pending.map(
          (p) =>
            html`<li data-pending="${p.id}"><strong>${p.points}</strong> points, added on ${p.activates_at}${p.order_id ? html` <span class="muted">(order <a href="${c.base}/orders/${encodeURIComponent(p.order_id)}" class="mono">${p.order_id}</a>)</span>` : ''} ${postButton(
              c.session,
              `${at}/${encodeURIComponent(p.id)}/activate`,
              `Add ${p.points} points now`,
              { secondary: true },
            )}${postButton(c.session, `${at}/${encodeURIComponent(p.id)}/cancel`, `Cancel ${p.points} pending points`, { danger: true, confirm: `Cancel these ${p.points} pending points? They will not be added.` })}</li>`,
        )}</ul>`
  }</section>
<section class="card" aria-labelledby="expiring-h"><h2 id="expiring-h">Points expiring</h2>${
    expiring.length === 0
      ? html`<p class="muted">No points will expire.</p>`
      : html`<ul id="card-expiring">${expiring.map((b) => html`<li><strong>${b.bucket.total_points}</strong> points at the end of ${b.expires_at}</li>`)}</ul>`
  }</section>`;
}

type P = { Params: { projectId: string; code: string; pendingId: string } };

/** A card's pending points added now or canceled by the signed-in user (the API's own operations). */
export function cardHistoryRoutes(d: FastifyInstance, s: CardHistoryServices): void {
  for (const action of ['activate', 'cancel'] as const) {
    d.post<P>(`/p/:projectId/vouchers/:code/pending/:pendingId/${action}`, async (req, reply) => {
      const c = await projectCtx(req);
      const { card } = await s.loyalties.card(c.project.id, req.params.code);
      const at = `${c.base}/vouchers/${encodeURIComponent(card.code)}`;
      const cause = userCause(req, c.project.id, dashOf(req).session);
      return c.attempt(reply, at, async () => {
        if (action === 'cancel') {
          await s.pendingPoints.cancel(cause, card, req.params.pendingId);
          return 'The pending points are canceled.';
        }
        const added = await s.pendingPoints.activate(cause, card, req.params.pendingId);
        return `Added ${added.points} pending point(s) to the card.`;
      });
    });
  }
}

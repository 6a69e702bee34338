import type { FastifyInstance } from 'fastify';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import type { VouchersService } from '../../modules/vouchers/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { userCause } from '../v1.js';

export interface CardTransferServices {
  loyalties: Pick<LoyaltiesService, 'transfer'>;
  vouchers: Pick<VouchersService, 'find' | 'list'>;
}

type Card = { code: string; type: string; campaign: string | null; loyalty_card?: { balance: number } | null };

/**
 * On a loyalty card's page: points moved here from another card of the same customer (the API's transfer: the
 * other card loses them, this one gains them, in one transaction). Shown only when the holder has another card.
 */
export async function transferForm(c: ProjectCtx, s: CardTransferServices, v: { code: string; type: string; holder_id: string | null }): Promise<Html> {
  if (v.type !== 'LOYALTY_CARD' || !v.holder_id) return html``;
  const held = (await s.vouchers.list(c.project.id, { limit: 50, page: 1, customer: v.holder_id })).vouchers as Card[];
  const others = held.filter((x) => x.type === 'LOYALTY_CARD' && x.code !== v.code);
  if (others.length === 0) return html``;
  return html`<section class="card" aria-labelledby="transfer-h"><h2 id="transfer-h">Move points here</h2>
<form method="post" action="${c.base}/vouchers/${encodeURIComponent(v.code)}/transfers">${csrfField(c.session)}
<label for="transfer-from">From the customer's card</label><select id="transfer-from" name="from">${others.map((x) => html`<option value="${x.code}">${x.code} (${x.campaign ?? 'no program'}, ${x.loyalty_card?.balance ?? 0} points)</option>`)}</select>
<label for="transfer-points">Points</label><input type="number" id="transfer-points" name="points" min="1" step="1" required>
<label for="transfer-reason">Reason</label><input type="text" id="transfer-reason" name="reason" maxlength="1000">
<p><button type="submit" class="secondary">Move the points</button></p></form></section>`;
}

export function cardTransferRoutes(d: FastifyInstance, s: CardTransferServices): void {
  d.post<{ Params: { projectId: string; code: string } }>('/p/:projectId/vouchers/:code/transfers', async (req, reply) => {
    const c = await projectCtx(req);
    const v = await s.vouchers.find(c.project.id, req.params.code);
    const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}`;
    const from = field(req.body, 'from').trim();
    const points = Number(field(req.body, 'points'));
    const reason = field(req.body, 'reason').trim().slice(0, 1000);
    if (!from) return c.done(reply, at, 'Choose the card to take the points from.', 'error');
    if (!Number.isInteger(points) || points < 1 || points > 1e9) return c.done(reply, at, 'Points are a whole number, 1 or more.', 'error');
    if (v.type !== 'LOYALTY_CARD' || !v.campaign_id) return c.done(reply, at, 'Points move only onto a loyalty card of a program.', 'error');
    // More points than the other card holds, another customer's card...: said on the page, nothing moved.
    return c.attempt(reply, at, async () => {
      await s.loyalties.transfer(userCause(req, c.project.id, dashOf(req).session), v.campaign_id!, v.code, [{ code: from, points, ...(reason ? { reason } : {}) }]);
      return `Moved ${points} point(s) from ${from}.`;
    });
  });
}

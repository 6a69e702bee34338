import type { FastifyInstance } from 'fastify';
import type { LoyaltiesService } from '../../modules/loyalties/index.js';
import type { RedemptionsService } from '../../modules/redemptions/index.js';
import type { RewardsService } from '../../modules/rewards/index.js';
import type { Balances, VouchersService } from '../../modules/vouchers/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { userCause } from '../v1.js';

export interface BalanceServices {
  balances: Pick<Balances, 'change'>;
  loyalties: Pick<LoyaltiesService, 'changeBalance' | 'createProgram'>;
  vouchers: VouchersService;
  rewards: Pick<RewardsService, 'memberRewards'>;
  redemptions: RedemptionsService;
}

type Offer = { reward: { id: string; name: string; type: string }; assignment: { parameters: { loyalty: { points: number } } } };

/** A loyalty card's rewards (its program's, at the member's prices), each redeemable here when the card pays for it. */
export async function rewardsSection(c: ProjectCtx, rewards: BalanceServices['rewards'], v: { code: string; type: string; loyalty_card?: { balance: number } | null }): Promise<Html> {
  if (v.type !== 'LOYALTY_CARD') return html``;
  const offers = (await rewards.memberRewards(c.project.id, v.code, { limit: 100, page: 1 })).data as Offer[];
  const balance = v.loyalty_card?.balance ?? 0;
  const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}/rewards`;
  return html`<section class="card" aria-labelledby="rewards-h"><h2 id="rewards-h">Rewards</h2>${offers.length === 0 ? html`<p class="muted">The program offers no rewards.</p>` : ''}
<ul id="card-rewards">${offers.map((o) => {
    const price = o.assignment.parameters.loyalty.points;
    // Paying with points (COIN) discounts an order: that is a redemption with an order, made through the API.
    const here = o.reward.type !== 'COIN' && price <= balance;
    return html`<li data-reward="${o.reward.name}">${o.reward.name} <span class="muted">${o.reward.type} · ${price} points</span> ${here ? postButton(c.session, `${at}/${encodeURIComponent(o.reward.id)}`, `Redeem ${o.reward.name}`, { secondary: true, confirm: `Spend ${price} points on ${o.reward.name}?` }) : ''}</li>`;
  })}</ul></section>`;
}

type P = { Params: { projectId: string; code: string } };

/** The form on a loyalty card's or gift card's page: points or credits added (or, negative, removed), with a reason. */
export function balanceForm(c: ProjectCtx, v: { code: string; type: string }): Html {
  const card = v.type === 'LOYALTY_CARD';
  if (!card && v.type !== 'GIFT_VOUCHER') return html``;
  const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}/balance`;
  return html`<section class="card" aria-labelledby="balance-h"><h2 id="balance-h">${card ? 'Add or remove points' : 'Add or remove credits'}</h2>
<form method="post" action="${at}">${csrfField(c.session)}
<label for="balance-change">${card ? 'Points (negative to remove)' : 'Amount (negative to remove; 10 is 10.00)'}</label><input type="number" id="balance-change" name="change" required step="${card ? '1' : '0.01'}">
<label for="balance-reason">Reason</label><input type="text" id="balance-reason" name="reason" maxlength="1000">
<p><button type="submit">${card ? 'Change the points' : 'Change the balance'}</button></p></form></section>`;
}

/** Points of a loyalty card, credits of a gift card, changed by the signed-in user (the API's guarded changes). */
export function balanceRoutes(d: FastifyInstance, s: BalanceServices): void {
  d.post<P>('/p/:projectId/vouchers/:code/balance', async (req, reply) => {
    const c = await projectCtx(req);
    const v = await s.vouchers.find(c.project.id, req.params.code);
    const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}`;
    const raw = field(req.body, 'change').trim();
    const reason = field(req.body, 'reason').trim().slice(0, 1000);
    const n = Number(raw);
    if (raw === '' || !Number.isFinite(n) || n === 0 || Math.abs(n) > 1e12) return c.done(reply, at, 'Give a number other than 0.', 'error');
    const cause = userCause(req, c.project.id, dashOf(req).session);
    // More points removed than the card holds, a disabled card...: said on the page, nothing changed.
    return c.attempt(reply, at, async () => {
      if (v.type === 'LOYALTY_CARD') {
        if (!Number.isInteger(n)) return { text: 'Points are whole numbers.', kind: 'error' };
        await s.loyalties.changeBalance(cause, v.code, { points: n, ...(reason ? { reason } : {}) });
        return `${n > 0 ? 'Added' : 'Removed'} ${Math.abs(n)} point(s).`;
      }
      if (v.type !== 'GIFT_VOUCHER') return { text: 'Only loyalty cards and gift cards have a balance.', kind: 'error' };
      const amount = Math.round(n * 100);
      // Less than half a cent is no change (the API refuses an amount of 0).
      if (amount === 0) return { text: 'Give an amount of at least 0.01 (or -0.01).', kind: 'error' };
      await s.balances.change(cause, v.code, { amount, ...(reason ? { reason } : {}) });
      return `${amount > 0 ? 'Added' : 'Removed'} ${(Math.abs(amount) / 100).toFixed(2)} of credit.`;
    });
  });

  // A reward redeemed for the member by the signed-in user: its points spent, the reward issued (as the API does).
  d.post<P & { Params: { rewardId: string } }>('/p/:projectId/vouchers/:code/rewards/:rewardId', async (req, reply) => {
    const c = await projectCtx(req);
    const v = await s.vouchers.find(c.project.id, req.params.code);
    const at = `${c.base}/vouchers/${encodeURIComponent(v.code)}`;
    if (v.type !== 'LOYALTY_CARD' || !v.campaign_id) return c.done(reply, at, 'Only a loyalty card of a program redeems rewards.', 'error');
    const programId = v.campaign_id;
    return c.attempt(reply, at, async () => {
      await s.redemptions.redeemReward(userCause(req, c.project.id, dashOf(req).session), programId, v.code, { reward: { id: req.params.rewardId } });
      return 'Reward redeemed.';
    });
  });
}

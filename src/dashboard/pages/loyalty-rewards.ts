import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import { assignmentBody, rewardBody, type RewardInput, type RewardsService } from '../../modules/rewards/index.js';
import { field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { bodyProblem } from '../v1.js';

/** A loyalty program's rewards on its page: what members buy with points, added and removed there. */
export interface LoyaltyRewardServices {
  campaigns: Pick<CampaignsService, 'get' | 'list'>;
  rewards: Pick<RewardsService, 'create' | 'remove' | 'assign' | 'programRewards' | 'unassign'>;
}

type P = { Params: { projectId: string; campaignId: string; assignmentId: string } };
type Reward = Awaited<ReturnType<RewardsService['get']>>;
type Campaign = { id: string; name: string; campaign_type: string };

/** Campaigns a reward can give from: codes of a discount campaign, credits of a gift one, points of another program. */
async function sources(c: ProjectCtx, s: LoyaltyRewardServices, programId: string): Promise<Campaign[]> {
  const list = (await s.campaigns.list(c.project.id, { limit: 100, page: 1 })).campaigns as Campaign[];
  return list.filter((x) => x.id !== programId && ['DISCOUNT_COUPONS', 'GIFT_VOUCHERS', 'LOYALTY_PROGRAM'].includes(x.campaign_type));
}

/** What a reward gives, in words. */
function givesText(r: Reward, names: Map<string, string>): string {
  if (r.type === 'MATERIAL') return 'A material gift';
  if (r.type === 'COIN') return 'Points paid as an order discount';
  const camp = r.parameters.campaign;
  const name = camp ? (names.get(camp.id) ?? camp.id) : '—';
  if (camp?.type === 'GIFT_VOUCHERS') return `${((camp.balance ?? 0) / 100).toFixed(2)} credits on a gift card of ${name}`;
  if (camp?.type === 'LOYALTY_PROGRAM') return `${camp.balance ?? 0} points in ${name}`;
  return `A code of ${name}`;
}

export async function loyaltyRewardsSection(c: ProjectCtx, s: LoyaltyRewardServices, programId: string): Promise<Html> {
  const [rows, campaigns] = await Promise.all([s.rewards.programRewards(c.project.id, programId), sources(c, s, programId)]);
  const names = new Map(campaigns.map((x) => [x.id, x.name]));
  const at = `${c.base}/campaigns/${encodeURIComponent(programId)}/rewards`;
  return html`<section class="card" aria-labelledby="rewards-h"><h2 id="rewards-h">Rewards (${rows.length})</h2>
<p class="muted">What members buy with their points, from their card's page or the API.</p>
<div class="table-wrap"><table id="program-rewards"><thead><tr><th scope="col">Reward</th><th scope="col">Gives</th><th scope="col">Price</th><th scope="col">Stock</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="5" class="muted">No rewards yet.</td></tr>` : ''}${rows.map(
    ({ assignment: a, reward }) => html`<tr data-reward="${a.reward_id}"><td>${reward.name}</td><td>${givesText(reward, names)}</td><td>${reward.type === 'COIN' ? 'as chosen' : `${a.parameters.loyalty.points} points`}</td>
<td>${reward.stock === null || reward.stock === undefined ? 'Unlimited' : `${Math.max(0, reward.stock - reward.redeemed)} of ${reward.stock} left`}</td>
<td class="actions">${postButton(c.session, `${at}/${encodeURIComponent(a.id)}/remove`, `Remove ${reward.name}`, { secondary: true, confirm: 'Take this reward out of the program? Members who bought it keep what they got.' })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}">${csrfField(c.session)}
<label for="reward-name">Add a reward: name</label><input type="text" id="reward-name" name="name" maxlength="200" required>
<label for="reward-gives">What the reward gives</label><select id="reward-gives" name="gives"><option value="material">A material gift (you hand it over)</option>${campaigns.map(
    (x) =>
      html`<option value="${x.id}">${x.campaign_type === 'DISCOUNT_COUPONS' ? `A code of ${x.name}` : x.campaign_type === 'GIFT_VOUCHERS' ? `Credits on a gift card of ${x.name}` : `Points in ${x.name}`}</option>`,
  )}</select>
<label for="reward-amount">Credits or points the reward gives <span class="muted">(gift cards and programs only; credits: 10 is 10.00)</span></label><input type="number" id="reward-amount" name="amount" min="0" step="0.01">
<label for="reward-points">Price in points</label><input type="number" id="reward-points" name="points" min="1" step="1" required>
<label for="reward-stock">Stock <span class="muted">(empty: unlimited)</span></label><input type="number" id="reward-stock" name="stock" min="0" step="1">
<p><button type="submit" class="secondary">Add reward</button></p></form></section>`;
}

/** The reward the form describes, or what is wrong with it. */
async function rewardOf(form: unknown, campaigns: Campaign[]): Promise<RewardInput | string> {
  const name = field(form, 'name').trim();
  if (!name) return 'Give the reward a name.';
  const stockText = field(form, 'stock').trim();
  const stock = stockText === '' ? null : Number(stockText);
  if (stock !== null && (!Number.isInteger(stock) || stock < 0)) return 'The stock is a whole number (0 or more), or empty for unlimited.';
  const gives = field(form, 'gives');
  if (gives === 'material') return { name, type: 'MATERIAL', stock };
  const source = campaigns.find((x) => x.id === gives);
  if (!source) return 'Choose what the reward gives.';
  if (source.campaign_type === 'DISCOUNT_COUPONS') return { name, type: 'CAMPAIGN', parameters: { campaign: { id: source.id } }, stock };
  const amount = Number(field(form, 'amount'));
  const balance = source.campaign_type === 'GIFT_VOUCHERS' ? Math.round(amount * 100) : amount;
  if (!Number.isInteger(balance) || balance < 1) return source.campaign_type === 'GIFT_VOUCHERS' ? 'Say how many credits the reward gives (more than 0).' : 'Say how many points the reward gives (a whole number, 1 or more).';
  return { name, type: 'CAMPAIGN', parameters: { campaign: { id: source.id, balance } }, stock };
}

export function loyaltyRewardRoutes(d: FastifyInstance, s: LoyaltyRewardServices): void {
  const base = '/p/:projectId/campaigns/:campaignId/rewards';

  /** A new reward, priced in the program; deleted again when it cannot be priced there. */
  d.post<P>(base, async (req, reply) => {
    const c = await projectCtx(req);
    const program = await s.campaigns.get(c.project.id, req.params.campaignId);
    const at = `${c.base}/campaigns/${encodeURIComponent(program.id)}#rewards-h`;
    const input = await rewardOf(req.body, await sources(c, s, program.id));
    if (typeof input === 'string') return c.done(reply, at, input, 'error');
    const points = Number(field(req.body, 'points'));
    if (!Number.isInteger(points) || points < 1) return c.done(reply, at, 'The price is a whole number of points, 1 or more.', 'error');
    // What the API would refuse (a name over 200 characters, a stock or a price too large to store) is said, not a 500.
    const problem = bodyProblem(rewardBody, input) ?? bodyProblem(assignmentBody, { parameters: { loyalty: { points } } });
    if (problem) return c.done(reply, at, problem, 'error');
    return c.attempt(reply, at, async () => {
      const reward = await s.rewards.create(c.project.id, input);
      try {
        await s.rewards.assign(c.project.id, reward.id, program.id, points);
      } catch (err) {
        await s.rewards.remove(c.project.id, reward.id).catch(() => undefined);
        throw err;
      }
      return `Reward ${input.name} added for ${points} points.`;
    });
  });

  /** Takes the reward out of the program (the reward itself stays, with its other programs). */
  d.post<P>(`${base}/:assignmentId/remove`, async (req, reply) => {
    const c = await projectCtx(req);
    const program = await s.campaigns.get(c.project.id, req.params.campaignId);
    await s.rewards.unassign(c.project.id, req.params.assignmentId, { campaignId: program.id });
    return c.done(reply, `${c.base}/campaigns/${encodeURIComponent(program.id)}#rewards-h`, 'Reward taken out of the program.');
  });
}

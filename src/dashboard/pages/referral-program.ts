import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { ReferralsService } from '../../modules/referrals/index.js';
import type { ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';

export interface ReferralProgramServices {
  referrals: Pick<ReferralsService, 'ofProgram' | 'ofCustomer'>;
  campaigns: Pick<CampaignsService, 'get'>;
}

/** How many referrals, of the newest and of the top referrers, a referral program's page shows. */
export const conversionsShown = 20;

const who = (c: ProjectCtx, id: string, sourceId: string | null): Html => html`<a href="${c.base}/customers/${encodeURIComponent(id)}">${sourceId ?? id}</a>`;

/** A referral program's conversions: how many, the referrers with the most, and the newest (who referred whom, with which code). */
async function referralConversionsSection(c: ProjectCtx, s: ReferralProgramServices, campaignId: string): Promise<Html> {
  const { total, referrers, recent, top } = await s.referrals.ofProgram(c.project.id, campaignId, conversionsShown);
  if (total === 0) return html`<section class="card" aria-labelledby="conversions-h"><h2 id="conversions-h">Conversions</h2><p class="muted">Nobody has been referred yet.</p></section>`;
  return html`<section class="card" aria-labelledby="conversions-h"><h2 id="conversions-h">Conversions</h2>
<p><strong id="referral-total">${total}</strong> referee${total === 1 ? '' : 's'} referred by <strong id="referrer-total">${referrers}</strong> referrer${referrers === 1 ? '' : 's'}.</p>
<h3>Top referrers</h3>
<div class="table-wrap"><table id="top-referrers"><thead><tr><th scope="col">Referrer</th><th scope="col">Referrals</th><th scope="col">Latest</th></tr></thead>
<tbody>${top.map((r) => html`<tr data-referrer="${r.referrer_id}"><td>${who(c, r.referrer_id, r.source_id)}</td><td>${r.referrals}</td><td>${when(r.last_at.toISOString())}</td></tr>`)}</tbody></table></div>
<h3>Newest</h3>
<div class="table-wrap"><table id="referral-conversions"><thead><tr><th scope="col">When</th><th scope="col">Referee</th><th scope="col">Referred by</th><th scope="col">Code</th></tr></thead>
<tbody>${recent.map(
    (r) =>
      html`<tr data-referee="${r.referee_id}"><td>${when(r.created_at.toISOString())}</td><td>${who(c, r.referee_id, r.referee_source_id)}</td><td>${who(c, r.referrer_id, r.referrer_source_id)}</td><td class="mono">${r.code ? html`<a href="${c.base}/vouchers/${encodeURIComponent(r.code)}">${r.code}</a>` : '—'}</td></tr>`,
  )}</tbody></table></div>${total > recent.length ? html`<p class="muted">The newest ${recent.length} of ${total}.</p>` : ''}</section>`;
}

interface RewardView {
  related_object_parent: { id: string };
  type: 'GIFT_VOUCHER' | 'LOYALTY_CARD';
  amount: number;
}
export interface ReferralProgramView {
  conversion_event_type?: string;
  custom_event?: { name?: string };
  referee_reward?: RewardView;
  referrer_rewards?: Array<{ conversions: number; reward: RewardView }>;
}

/** A referral program's terms: how a referee converts and what referees and referrers get. */
async function referralSection(c: ProjectCtx, s: ReferralProgramServices, rp: ReferralProgramView): Promise<Html> {
  const names = new Map<string, string>();
  for (const r of [rp.referee_reward, ...(rp.referrer_rewards ?? []).map((x) => x.reward)]) {
    const id = r?.related_object_parent.id;
    if (id && !names.has(id)) names.set(id, await s.campaigns.get(c.project.id, id).then((x) => x.name, () => id));
  }
  const reward = (r: RewardView | undefined) =>
    r ? `${r.type === 'GIFT_VOUCHER' ? `${(r.amount / 100).toFixed(2)} in credits` : `${r.amount} points`} from ${names.get(r.related_object_parent.id)}` : 'None';
  const converts =
    rp.conversion_event_type === 'custom_event'
      ? rp.custom_event?.name
        ? html`When a custom event <code>${rp.custom_event.name}</code> of the referee carries the code`
        : 'When any custom event of the referee carries the code'
      : 'When the referee redeems the code';
  return html`<section class="card" aria-labelledby="referrals-h"><h2 id="referrals-h">Referrals</h2>
<dl class="grid2"><div><dt>A referee converts</dt><dd id="referral-conversion">${converts}</dd></div><div><dt>The referee's reward</dt><dd id="referee-reward">${reward(rp.referee_reward)}</dd></div>
<div><dt>The referrer's rewards</dt><dd id="referrer-rewards">${(rp.referrer_rewards ?? []).length === 0 ? 'None' : html`${(rp.referrer_rewards ?? []).map((x) => html`<span>After ${x.conversions} referral${x.conversions === 1 ? '' : 's'}: ${reward(x.reward)}</span><br>`)}`}</dd></div></dl></section>`;
}

/** A referral program's page: its terms, then its conversions. */
export async function referralProgramSections(c: ProjectCtx, s: ReferralProgramServices, campaignId: string, rp: ReferralProgramView): Promise<Html> {
  return html`${await referralSection(c, s, rp)}${await referralConversionsSection(c, s, campaignId)}`;
}

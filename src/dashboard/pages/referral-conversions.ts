import type { ReferralsService } from '../../modules/referrals/index.js';
import type { ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';

export interface ReferralConversionServices {
  referrals: Pick<ReferralsService, 'ofProgram' | 'ofCustomer'>;
}

/** How many referrals, of the newest and of the top referrers, a referral program's page shows. */
export const conversionsShown = 20;

const who = (c: ProjectCtx, id: string, sourceId: string | null): Html => html`<a href="${c.base}/customers/${encodeURIComponent(id)}">${sourceId ?? id}</a>`;

/** A referral program's conversions: how many, the referrers with the most, and the newest (who referred whom, with which code). */
export async function referralConversionsSection(c: ProjectCtx, s: ReferralConversionServices, campaignId: string): Promise<Html> {
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

import { firstSummaryDay, isSummaryDay, lastSummaryDay, type CampaignSummary } from '../../modules/campaign-summary/index.js';
import type { ProjectCtx } from '../context.js';
import { html, money, type Html } from '../html.js';

export interface CampaignFigureServices {
  campaignSummary: Pick<CampaignSummary, 'summary'>;
}

type Figures = Record<string, unknown>;

/** The figures a campaign's page shows, by campaign type: a label and how to show the summary's field(s). */
function rowsFor(type: string): Array<[string, (f: Figures) => string]> {
  const n = (k: string) => (f: Figures) => String(f[k] ?? 0);
  const m = (k: string) => (f: Figures) => money(Number(f[k] ?? 0));
  const pair = (a: string, b: string) => (f: Figures) => `${f[a] ?? 0} / ${f[b] ?? 0}`;
  const common: Array<[string, (f: Figures) => string]> = [
    ['Redemptions (succeeded / failed)', pair('redemptions_succeeded', 'redemptions_failed')],
    ['Rollbacks', n('rollbacks')],
    ['Validations (succeeded / failed)', pair('validations_succeeded', 'validations_failed')],
    ['Amount of the orders redeemed on', m('orders_amount')],
  ];
  const codes: Array<[string, (f: Figures) => string]> = [
    ['Codes made', n('vouchers_created')],
    ['Publications', n('publications')],
  ];
  const discounts: Array<[string, (f: Figures) => string]> = [
    ['Discounts given', m('discounted_amount')],
    ['Discounts rolled back', m('rolledback_discounted_amount')],
  ];
  if (type === 'PROMOTION') return [...common, ...discounts];
  if (type === 'GIFT_VOUCHERS') {
    return [...common, ...codes, ['Credits on new cards', m('created_vouchers_amount')], ['Credits added', m('amount_added')], ['Credits redeemed', m('amount_redeemed')], ['Credits given back', m('amount_rolledback')], ['Credits taken', m('amount_subtracted')]];
  }
  if (type === 'LOYALTY_PROGRAM') {
    return [
      ...common,
      ...codes,
      ['Points on new cards', n('created_vouchers_points')],
      ['Points earned by rules', n('points_rewarded')],
      ['Points added / taken by hand', pair('points_added', 'points_subtracted')],
      ['Points spent / given back', pair('points_redeemed', 'points_rolledback')],
      ['Points expired', n('points_expired')],
      ['Points transferred in / out', pair('points_transferred_in', 'points_transferred_out')],
      ['Pending points added / activated / canceled', (f) => `${f.pending_points_added ?? 0} / ${f.pending_points_activated ?? 0} / ${f.pending_points_canceled ?? 0}`],
    ];
  }
  if (type === 'REFERRAL_PROGRAM') return [...common, ...codes, ['Referees', n('referred_customers')]];
  return [...common, ...codes, ...discounts];
}

/**
 * A campaign's figures (the API's campaign summary): all time, and over a period the page's `from` and `to` choose
 * (whole UTC days; the last 30 days by default). A period that is not two dates in order is said, not refused.
 */
export async function campaignFiguresSection(c: ProjectCtx, s: CampaignFigureServices, campaign: { id: string; campaign_type: string }, at: string, q: { from?: string; to?: string }, now: Date): Promise<Html> {
  const today = now.toISOString().slice(0, 10);
  const monthAgo = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const from = q.from?.trim() || monthAgo;
  const to = q.to?.trim() || today;
  const valid = isSummaryDay(from) && isSummaryDay(to) && from <= to;
  const [all, period] = await Promise.all([
    s.campaignSummary.summary(c.project.id, campaign.id, {}) as Promise<Figures>,
    valid ? (s.campaignSummary.summary(c.project.id, campaign.id, { start_date: from, end_date: to }) as Promise<Figures>) : Promise.resolve(undefined),
  ]);
  return html`<section class="card" aria-labelledby="figures-h"><h2 id="figures-h">Figures</h2>
<form method="get" action="${at}" class="filters" aria-label="Period of the figures"><div><label for="figures-from">From (UTC day)</label><input type="date" id="figures-from" name="from" min="${firstSummaryDay}" max="${lastSummaryDay}" value="${from}"></div>
<div><label for="figures-to">To (UTC day, counted)</label><input type="date" id="figures-to" name="to" min="${firstSummaryDay}" max="${lastSummaryDay}" value="${to}"></div><div><button type="submit" class="secondary">Show</button></div></form>
${valid ? '' : html`<p class="notice error" role="alert">Choose two days from ${firstSummaryDay} to ${lastSummaryDay}, the first not after the second.</p>`}
<div class="table-wrap"><table id="campaign-figures"><thead><tr><th scope="col"></th><th scope="col">All time</th><th scope="col">${valid ? `${from} – ${to}` : 'Period'}</th></tr></thead>
<tbody>${rowsFor(campaign.campaign_type).map(([label, show]) => html`<tr><th scope="row">${label}</th><td>${show(all)}</td><td>${period ? show(period) : '—'}</td></tr>`)}</tbody></table></div></section>`;
}

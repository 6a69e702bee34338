import { campaignFiguresSection, type CampaignFigureServices } from './campaign-figures.js';
import { referralProgramSections, type ReferralProgramServices, type ReferralProgramView } from './referral-program.js';
import { historySection, type CardHistoryServices } from './card-history.js';
import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { RedemptionRow, RedemptionsService } from '../../modules/redemptions/index.js';
import type { VouchersService } from '../../modules/vouchers/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, money, query, when, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { balanceForm, rewardsSection, type BalanceServices } from './balances.js';
import { campaignRulesSection, type CampaignRuleServices } from './campaign-rules.js';
import { loyaltySections, type LoyaltyProgramServices } from './loyalty-program.js';
import { loyaltyRewardsSection, type LoyaltyRewardServices } from './loyalty-rewards.js';
import { counterForm } from './counter.js';
import { campaignEditForm } from './campaign-edit.js';
import { transferForm, type CardTransferServices } from './card-transfers.js';
import { pager } from './list-parts.js';
import { promotionTiersSection, type PromotionTierServices } from './promotion-tiers.js';
import { userCause } from '../v1.js';

/** A loyalty card's or gift card's page also shows its history (CardHistoryServices). */
export interface CampaignServices extends CampaignRuleServices, PromotionTierServices, CardHistoryServices, ReferralProgramServices, CampaignFigureServices, LoyaltyProgramServices, CardTransferServices {
  validationRules: CampaignRuleServices['validationRules'] & PromotionTierServices['validationRules'];
  campaigns: CampaignsService;
  vouchers: VouchersService;
  redemptions: RedemptionsService;
  loyalties: CardHistoryServices['loyalties'] & CardTransferServices['loyalties'];
  /** A loyalty card's page lists its rewards; a program's page adds and removes them. */
  rewards: BalanceServices['rewards'] & LoyaltyRewardServices['rewards'];
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const pageSize = 50;

async function progress(c: ProjectCtx, s: CampaignServices, campaign: { id: string; vouchers_generation_status: string | null }): Promise<Html> {
  const made = (await s.vouchers.list(c.project.id, { limit: 1, page: 1, campaign_id: campaign.id })).total;
  const status = campaign.vouchers_generation_status ?? 'DONE';
  const running = status !== 'DONE' && status !== 'FAILED';
  return html`<span class="badge ${running ? 'running' : status === 'FAILED' ? 'failed' : 'completed'}" id="generation-status">${status}</span>
<span id="generation-count">${made}</span> code(s) generated${running ? ' so far' : ''}`;
}

/** Campaigns and their vouchers (read through the services the /v1 routes use; enable/disable as the signed-in user). */
export function campaignRoutes(d: FastifyInstance, s: CampaignServices): void {
  type P = { Params: { projectId: string; campaignId: string; code: string }; Querystring: Record<string, unknown> };

  d.get<P>('/p/:projectId/campaigns', async (req, reply) => {
    const c = await projectCtx(req);
    const pageNo = Math.min(100, Math.max(1, Number.parseInt(str(req.query.page), 10) || 1));
    const list = await s.campaigns.list(c.project.id, { limit: 20, page: pageNo });
    const rows = list.campaigns as Array<{ id: string; name: string; campaign_type: string; vouchers_count: number; vouchers_generation_status: string | null; active: boolean; created_at: string }>;
    const body = html`<h1>Campaigns</h1><p><a class="button" href="${c.base}/campaigns/new">New campaign</a> <a href="${c.base}/validation-rules">Validation rules</a></p>
<form method="get" action="${c.base}/vouchers" class="card" role="search"><label for="voucher-code">Find a voucher by code</label><input type="search" id="voucher-code" name="code"> <button type="submit">Find</button></form>
<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Codes</th><th scope="col">Generation</th><th scope="col">Active</th><th scope="col">Created</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="6" class="muted">No campaigns yet.</td></tr>` : ''}${rows.map(
      (x) => html`<tr data-campaign="${x.name}"><td><a href="${c.base}/campaigns/${encodeURIComponent(x.id)}">${x.name}</a></td><td>${x.campaign_type}</td><td>${x.vouchers_count}</td>
<td>${x.vouchers_generation_status ?? '—'}</td><td><span class="badge ${x.active ? 'active' : 'inactive'}">${x.active ? 'Active' : 'Inactive'}</span></td><td>${when(x.created_at)}</td></tr>`,
    )}</tbody></table></div>
<nav class="pager" aria-label="Pages">${pageNo > 1 ? html`<a href="${c.base}/campaigns${query({ page: pageNo - 1 })}">« Previous</a>` : ''}${
      pageNo * 20 < list.total ? html`<a href="${c.base}/campaigns${query({ page: pageNo + 1 })}">Next »</a>` : ''
    }</nav>`;
    return c.render(reply, 'campaigns', 'Campaigns', body);
  });

  d.get<P>('/p/:projectId/campaigns/:campaignId/progress', async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = (await s.campaigns.view(c.project.id, await s.campaigns.get(c.project.id, req.params.campaignId))) as never;
    return reply.type('text/html; charset=utf-8').send((await progress(c, s, campaign)).text);
  });

  d.get<P>('/p/:projectId/campaigns/:campaignId', async (req, reply) => {
    const c = await projectCtx(req);
    const row = await s.campaigns.get(c.project.id, req.params.campaignId);
    const campaign = (await s.campaigns.view(c.project.id, row)) as { id: string; name: string; campaign_type: string; type: string; description: string | null; vouchers_count: number; vouchers_generation_status: string | null; active: boolean; start_date: string | null; expiration_date: string | null; created_at: string; referral_program?: ReferralProgramView };
    const pageNo = Math.min(100, Math.max(1, Number.parseInt(str(req.query.page), 10) || 1));
    const vouchers = await s.vouchers.list(c.project.id, { limit: pageSize, page: pageNo, campaign_id: campaign.id });
    const at = `${c.base}/campaigns/${encodeURIComponent(campaign.id)}`;
    const body = html`<p class="crumb"><a href="${c.base}/campaigns">Campaigns</a> › ${campaign.name}</p><h1>${campaign.name}</h1>
<div class="card"><dl class="grid2"><div><dt>Type</dt><dd>${campaign.campaign_type} (${campaign.type})</dd></div><div><dt>ID</dt><dd class="mono">${campaign.id}</dd></div>
<div><dt>Active</dt><dd>${campaign.active ? 'Yes' : 'No'}</dd></div><div><dt>Valid</dt><dd>${campaign.start_date || campaign.expiration_date ? `${when(campaign.start_date)} – ${when(campaign.expiration_date)}` : 'Always'}</dd></div>
<div><dt>Code generation</dt><dd data-poll="${at}/progress" data-every="2000" aria-live="polite">${await progress(c, s, campaign)}</dd></div><div><dt>Created</dt><dd>${when(campaign.created_at)}</dd></div></dl>
${campaign.description ? html`<p>${campaign.description}</p>` : ''}
<div class="actions">${postButton(c.session, `${at}/active`, campaign.active ? 'Disable campaign' : 'Enable campaign', { secondary: true, extra: { active: campaign.active ? 'off' : 'on' } })}${postButton(c.session, `${at}/export`, 'Export codes (CSV)', { secondary: true })}${postButton(
      c.session,
      `${at}/delete`,
      'Delete campaign',
      { danger: true, confirm: `Move ${campaign.name} and its codes to the bin?` },
    )}</div>${campaignEditForm(c, at, campaign)}</div>
${await campaignFiguresSection(c, s, campaign, at, { from: str(req.query.from), to: str(req.query.to) }, new Date())}
${campaign.campaign_type === 'LOYALTY_PROGRAM' ? html`${await loyaltySections(c, s, campaign.id)}${await loyaltyRewardsSection(c, s, campaign.id)}` : ''}
${campaign.referral_program ? await referralProgramSections(c, s, campaign.id, campaign.referral_program) : ''}
${campaign.campaign_type === 'PROMOTION' ? await promotionTiersSection(c, s, campaign.id) : ''}
${await campaignRulesSection(c, s, campaign.id)}
${campaign.campaign_type === 'PROMOTION' ? '' : html`<h2>${campaign.campaign_type === 'LOYALTY_PROGRAM' ? 'Loyalty cards' : 'Vouchers'} (${vouchers.total})</h2>${voucherTable(c, vouchers.vouchers as VoucherView[])}
${pager(at, {}, pageNo, pageSize, vouchers.total)}
<form method="post" action="${at}/codes" class="inline-form">${csrfField(c.session)}
<label for="new-code">Add a code <span class="muted">(empty: one made by the campaign's pattern)</span></label><input type="text" id="new-code" name="code" maxlength="100">
<button type="submit" class="secondary">Add code</button></form>`}`;
    return c.render(reply, 'campaigns', campaign.name, body);
  });

  d.post<P>('/p/:projectId/campaigns/:campaignId/active', async (req, reply) => {
    const c = await projectCtx(req);
    const on = (req.body as Record<string, unknown> | undefined)?.active === 'on';
    const cause = userCause(req, c.project.id, dashOf(req).session);
    await (on ? s.campaigns.enable(cause, req.params.campaignId) : s.campaigns.disable(cause, req.params.campaignId));
    return c.done(reply, `${c.base}/campaigns/${encodeURIComponent(req.params.campaignId)}`, on ? 'Campaign enabled.' : 'Campaign disabled.');
  });

  d.post<P>('/p/:projectId/campaigns/:campaignId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = await s.campaigns.get(c.project.id, req.params.campaignId);
    await s.campaigns.remove(userCause(req, c.project.id, dashOf(req).session), campaign.id);
    return c.done(reply, `${c.base}/campaigns`, `Campaign ${campaign.name} moved to the bin.`);
  });

  d.post<P>('/p/:projectId/vouchers/:code/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const v = await s.vouchers.find(c.project.id, req.params.code);
    await s.vouchers.remove(userCause(req, c.project.id, dashOf(req).session), v.id);
    return c.done(reply, v.campaign_id ? `${c.base}/campaigns/${encodeURIComponent(v.campaign_id)}` : `${c.base}/campaigns`, `Voucher ${v.code} moved to the bin.`);
  });

  // One code added to the campaign, as typed or made by its pattern, as the signed-in user (voucher.created).
  d.post<P>('/p/:projectId/campaigns/:campaignId/codes', async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = await s.campaigns.get(c.project.id, req.params.campaignId);
    const at = `${c.base}/campaigns/${encodeURIComponent(campaign.id)}`;
    const code = field(req.body, 'code').trim();
    if (code.length > 100) return c.done(reply, at, 'A code has at most 100 characters.', 'error');
    return c.attempt(reply, at, async () => {
      const v = await s.vouchers.create(userCause(req, c.project.id, dashOf(req).session), { ...(code ? { code } : {}), campaign: campaign.id });
      return { to: `${c.base}/vouchers/${encodeURIComponent(v.code)}`, text: `Code ${v.code} added to ${campaign.name}.` };
    });
  });

  // A code disabled (a leaked one) or enabled again, as the signed-in user (voucher.disabled / voucher.enabled).
  d.post<P>('/p/:projectId/vouchers/:code/active', async (req, reply) => {
    const c = await projectCtx(req);
    const v = await s.vouchers.find(c.project.id, req.params.code);
    const on = (req.body as Record<string, unknown> | undefined)?.active === 'on';
    const cause = userCause(req, c.project.id, dashOf(req).session);
    await (on ? s.vouchers.enable(cause, v.code) : s.vouchers.disable(cause, v.code));
    return c.done(reply, `${c.base}/vouchers/${encodeURIComponent(v.code)}`, `Voucher ${v.code} ${on ? 'enabled' : 'disabled'}.`);
  });

  d.get<P>('/p/:projectId/vouchers', async (req, reply) => {
    const c = await projectCtx(req);
    const code = str(req.query.code).trim();
    if (!code) return reply.redirect(`${c.base}/campaigns`, 303);
    return reply.redirect(`${c.base}/vouchers/${encodeURIComponent(code)}`, 303);
  });

  d.get<P>('/p/:projectId/vouchers/:code', async (req, reply) => {
    const c = await projectCtx(req);
    const v = (await s.vouchers.view(await s.vouchers.find(c.project.id, req.params.code))) as VoucherView & Record<string, unknown>;
    const redemptions = await s.redemptions.list(c.project.id, { voucher: v.id, limit: pageSize, page: 1 });
    const body = html`<p class="crumb"><a href="${c.base}/campaigns">Campaigns</a>${v.campaign_id ? html` › <a href="${c.base}/campaigns/${encodeURIComponent(v.campaign_id)}">${v.campaign ?? v.campaign_id}</a>` : ''} › ${v.code}</p>
<h1>Voucher <span class="mono">${v.code}</span></h1>
<p>${v.active ? html`<span class="badge active">Active</span>` : html`<span class="badge inactive">Disabled</span>`}</p>
<div class="actions">${postButton(c.session, `${c.base}/vouchers/${encodeURIComponent(v.code)}/active`, v.active ? 'Disable voucher' : 'Enable voucher', { secondary: true, extra: { active: v.active ? 'off' : 'on' } })}${postButton(c.session, `${c.base}/vouchers/${encodeURIComponent(v.code)}/delete`, 'Delete voucher', { danger: true, confirm: `Move ${v.code} to the bin?` })}</div>
<div class="grid2"><section class="card" aria-labelledby="redemptions-h"><h2 id="redemptions-h">Redemptions</h2>
<p><strong id="redeemed">${v.redemption.redeemed_quantity}</strong> of ${v.redemption.quantity ?? 'unlimited'} redeemed.</p>
${redemptionTable(c, redemptions.rows, 'voucher', `${c.base}/vouchers/${encodeURIComponent(v.code)}`)}${redemptions.total > redemptions.rows.length ? html`<p class="muted">The newest ${redemptions.rows.length} of ${redemptions.total}.</p>` : ''}</section>
<section class="card" aria-labelledby="publications-h"><h2 id="publications-h">Publications</h2><p>Published ${v.publish.count} time(s)${v.holder_id ? html`; held by <a href="${c.base}/customers/${encodeURIComponent(v.holder_id)}">${v.holder_id}</a>` : ''}.</p>${
      v.loyalty_card ? html`<p>Balance: <strong id="card-balance">${v.loyalty_card.balance}</strong> points.</p>` : v.gift ? html`<p>Balance: <strong id="gift-balance">${(v.gift.balance / 100).toFixed(2)}</strong>.</p>` : ''
    }</section>
${counterForm(c, v)}${balanceForm(c, v)}${await transferForm(c, s, v)}${await rewardsSection(c, s.rewards, v)}</div>
${await historySection(c, s, v)}
<h2>Data</h2><pre tabindex="0" aria-label="Voucher">${JSON.stringify(v, null, 2)}</pre>`;
    return c.render(reply, 'campaigns', `Voucher ${v.code}`, body);
  });
}

interface VoucherView {
  id: string;
  code: string;
  campaign: string | null;
  campaign_id: string | null;
  type: string;
  active: boolean;
  holder_id: string | null;
  publish: { count: number };
  redemption: { quantity: number | null; redeemed_quantity: number };
  loyalty_card?: { points: number; balance: number } | null;
  gift?: { amount: number; balance: number } | null;
}

function voucherTable(c: ProjectCtx, rows: VoucherView[]): Html {
  const cards = rows.some((v) => v.loyalty_card);
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">Code</th><th scope="col">Type</th><th scope="col">Active</th>${cards ? html`<th scope="col">Balance</th><th scope="col">Holder</th>` : html`<th scope="col">Redeemed</th><th scope="col">Published</th>`}</tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="5" class="muted">No vouchers.</td></tr>` : ''}${rows.map(
    (v) => html`<tr data-voucher="${v.code}"><td class="mono"><a href="${c.base}/vouchers/${encodeURIComponent(v.code)}">${v.code}</a></td><td>${v.type}</td><td>${v.active ? 'Yes' : 'No'}</td>
${cards ? html`<td>${v.loyalty_card?.balance ?? 0} points</td><td>${v.holder_id ? html`<a class="mono" href="${c.base}/customers/${encodeURIComponent(v.holder_id)}">${v.holder_id}</a>` : '—'}</td>` : html`<td>${v.redemption.redeemed_quantity} / ${v.redemption.quantity ?? '∞'}</td><td>${v.publish.count}</td>`}</tr>`,
  )}</tbody></table></div>`;
}

/**
 * Redemptions, newest first: on a voucher's page (with the customer), on a customer's (with the voucher), and on
 * the Redemptions screen (both).
 */
/** A redemption's amount: money, or for a loyalty card the points it paid and the reward they bought. */
function amountCell(r: RedemptionRow): Html | string {
  const body = r.body as { loyalty_card?: { points?: unknown }; reward?: { name?: unknown } };
  const points = body.loyalty_card?.points;
  if (typeof points !== 'number') return money(r.amount);
  const reward = typeof body.reward?.name === 'string' ? body.reward.name : undefined;
  return html`${points} points${reward ? html`<br><span class="muted">${reward}</span>` : ''}`;
}

export function redemptionTable(c: ProjectCtx, rows: RedemptionRow[], on: 'voucher' | 'customer' | 'all', back: string, empty = 'No redemptions yet.'): Html {
  const customerCell = (r: RedemptionRow) =>
    r.customer_id ? html`<td><a href="${c.base}/customers/${encodeURIComponent(r.customer_id)}">${r.customer_id}</a></td>` : html`<td><span class="muted">—</span></td>`;
  const redeemedCell = (r: RedemptionRow) => {
    const code = typeof (r.body as { voucher?: { code?: unknown } }).voucher?.code === 'string' ? String((r.body as { voucher: { code: string } }).voucher.code) : null;
    return code ? html`<td><a class="mono" href="${c.base}/vouchers/${encodeURIComponent(code)}">${code}</a></td>` : html`<td><span class="mono">${r.related_object_id}</span></td>`;
  };
  const heads = on === 'voucher' ? ['Customer'] : on === 'customer' ? ['Redeemed'] : ['Redeemed', 'Customer'];
  return html`<div class="table-wrap"><table class="redemptions"><thead><tr><th scope="col">Redemption</th><th scope="col">When</th><th scope="col">Status</th>${heads.map((h) => html`<th scope="col">${h}</th>`)}<th scope="col">Order</th><th scope="col">Amount</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="${6 + heads.length}" class="muted">${empty}</td></tr>` : ''}${rows.map((r) => {
    const cells = on === 'voucher' ? [customerCell(r)] : on === 'customer' ? [redeemedCell(r)] : [redeemedCell(r), customerCell(r)];
    const status = r.status === 'SUCCEEDED' ? 'completed' : r.status === 'FAILED' ? 'failed' : 'inactive';
    return html`<tr data-redemption="${r.id}"><td class="mono">${r.id}</td><td>${when(r.created_at.toISOString())}</td><td><span class="badge ${status}">${r.status}</span>${typeof r.body.failure_code === 'string' ? html`<br><span class="muted">${r.body.failure_code}</span>` : ''}</td>${cells}<td class="mono">${r.order_id ?? '—'}</td><td>${amountCell(r)}</td>
<td class="actions">${r.status === 'SUCCEEDED' && r.related_object_type !== 'redemption' ? postButton(c.session, `${c.base}/redemptions/${encodeURIComponent(r.id)}/rollback`, `Roll back ${r.id}`, { secondary: true, confirm: 'Roll this redemption back? What it spent is given back.', extra: { back } }) : ''}</td></tr>`;
  })}</tbody></table></div>`;
}

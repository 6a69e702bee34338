import type { FastifyInstance } from 'fastify';
import type { PromotionsService } from '../../modules/promotions/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, money, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import type { ValidationRulesService } from '../../modules/validation-rules/index.js';
import { userCause } from '../v1.js';
import { rulesText } from './campaign-rules.js';
import { discountOf, minimumOf, withMinimumOrder, type NewCampaignServices } from './campaign-new.js';

export interface PromotionTierServices {
  promotions: Pick<PromotionsService, 'list' | 'get' | 'create' | 'enable' | 'disable' | 'remove'>;
  validationRules: NewCampaignServices['validationRules'] & Pick<ValidationRulesService, 'rulesOf'>;
}

interface TierView {
  id: string;
  name: string;
  banner?: string;
  hierarchy: number;
  active: boolean;
  campaign_id: string;
  action: { discount: Record<string, unknown> };
  summary: { redemptions: { total_redeemed: number }; orders: { total_discount_amount: number } };
}


/** What a tier's discount takes off, in words. */
export function discountText(d: Record<string, unknown>): string {
  switch (d.type) {
    case 'PERCENT':
      return `${String(d.percent_off)}% off`;
    case 'AMOUNT':
      return `${money(d.amount_off as number)} off`;
    case 'FIXED':
      return `Fixed price ${money(d.fixed_amount as number)}`;
    case 'UNIT':
      return `${String(d.unit_off ?? 1)} unit(s) free`;
    default:
      return String(d.type ?? '—');
  }
}

/** A promotion's tiers, in the order they apply (hierarchy), with their switches and a form for one more. */
export async function promotionTiersSection(c: ProjectCtx, s: PromotionTierServices, campaignId: string): Promise<Html> {
  const { tiers, total } = (await s.promotions.list(c.project.id, { campaignId, limit: 100, page: 1 })) as { tiers: TierView[]; total: number };
  const at = `${c.base}/campaigns/${encodeURIComponent(campaignId)}/promotion-tiers`;
  const rules = await s.validationRules.rulesOf(c.project.id, tiers.map((t) => ({ type: 'promotion_tier' as const, id: t.id })));
  const conditions = (tierId: string) => rules.filter((r) => r.assignment.related_object_id === tierId).map((r) => rulesText(r.rule.rules, new Map()));
  return html`<section class="card" aria-labelledby="promotion-tiers-h"><h2 id="promotion-tiers-h">Promotion tiers (${total})</h2>
<p class="muted">Applied to every order that qualifies, with no code; a lower hierarchy comes first.</p>
<div class="table-wrap"><table id="promotion-tiers"><thead><tr><th scope="col">Tier</th><th scope="col">Banner</th><th scope="col">Discount</th><th scope="col">Conditions</th><th scope="col">Hierarchy</th><th scope="col">Redeemed</th><th scope="col">Active</th><th scope="col">Actions</th></tr></thead>
<tbody>${tiers.length === 0 ? html`<tr><td colspan="8" class="muted">No tiers: the promotion applies to nothing.</td></tr>` : ''}${tiers.map(
    (t) => html`<tr data-tier="${t.id}"><td>${t.name}<br><span class="muted mono">${t.id}</span></td><td>${t.banner ?? '—'}</td><td>${discountText(t.action.discount)}</td><td>${conditions(t.id).join('; ') || 'Every order'}</td><td>${t.hierarchy}</td>
<td>${t.summary.redemptions.total_redeemed} (${money(t.summary.orders.total_discount_amount)} off)</td><td><span class="badge ${t.active ? 'active' : 'inactive'}">${t.active ? 'Active' : 'Inactive'}</span></td>
<td class="actions">${postButton(c.session, `${at}/${encodeURIComponent(t.id)}/active`, `${t.active ? 'Disable' : 'Enable'} ${t.name}`, { secondary: true, extra: { active: t.active ? 'off' : 'on' } })}${postButton(
      c.session,
      `${at}/${encodeURIComponent(t.id)}/delete`,
      `Delete ${t.name}`,
      { danger: true, confirm: `Delete the tier ${t.name}? Orders stop getting its discount; past redemptions stay.` },
    )}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}">${csrfField(c.session)}
<label for="ptier-name">Add a tier: name</label><input type="text" id="ptier-name" name="name" maxlength="200" required>
<label for="ptier-banner">Banner <span class="muted">(what customers see; empty: the name)</span></label><input type="text" id="ptier-banner" name="banner" maxlength="200">
<label for="ptier-discount-type">Discount type</label><select id="ptier-discount-type" name="discount_type"><option value="PERCENT">Percent off</option><option value="AMOUNT">Amount off</option></select>
<label for="ptier-discount-value">Percent or amount off <span class="muted">(10 is 10% or 10.00)</span></label><input type="number" id="ptier-discount-value" name="discount_value" min="0" step="0.01" required>
<label for="ptier-min-amount">Minimum order amount <span class="muted">(empty: every order)</span></label><input type="number" id="ptier-min-amount" name="min_amount" min="0" step="0.01">
<p><button type="submit" class="secondary">Add tier</button></p></form></section>`;
}

/** Tiers added, switched on and off and deleted from a promotion's page, as the signed-in user (each announced). */
export function promotionTierRoutes(d: FastifyInstance, s: PromotionTierServices): void {
  type P = { Params: { projectId: string; campaignId: string; tierId: string } };
  const base = '/p/:projectId/campaigns/:campaignId/promotion-tiers';
  const page = (c: ProjectCtx, campaignId: string) => `${c.base}/campaigns/${encodeURIComponent(campaignId)}#promotion-tiers-h`;

  d.post<P>(base, async (req, reply) => {
    const c = await projectCtx(req);
    const at = page(c, req.params.campaignId);
    const v = Object.fromEntries(['name', 'banner', 'discount_type', 'discount_value', 'min_amount'].map((n) => [n, field(req.body, n).trim()]));
    if (!v.name) return c.done(reply, at, 'Give the tier a name.', 'error');
    const discount = discountOf(v);
    if (typeof discount === 'string') return c.done(reply, at, discount, 'error');
    const min = minimumOf(v);
    if (min === null) return c.done(reply, at, 'The minimum order amount is a number, 0 or more.', 'error');
    const name = v.name;
    const cause = userCause(req, c.project.id, dashOf(req).session);
    // An unknown campaign, one that is not a promotion: said on the page, nothing made.
    return c.attempt(reply, at, async () => {
      await withMinimumOrder(s, cause, name, min, (assign) =>
        s.promotions.create(cause, req.params.campaignId, { name, banner: v.banner || name, action: { discount } }, assign && ((tx, row) => assign(tx, row.id))),
      );
      return `Tier ${name} added.`;
    });
  });

  /** A tier of this campaign only (the id in the path could name another campaign's). */
  async function tierOf(c: ProjectCtx, campaignId: string, tierId: string) {
    const t = (await s.promotions.get(c.project.id, tierId)) as TierView;
    return t.campaign_id === campaignId ? t : undefined;
  }

  d.post<P>(`${base}/:tierId/active`, async (req, reply) => {
    const c = await projectCtx(req);
    const at = page(c, req.params.campaignId);
    const on = field(req.body, 'active') === 'on';
    return c.attempt(reply, at, async () => {
      const t = await tierOf(c, req.params.campaignId, req.params.tierId);
      if (!t) return { text: 'That tier is not on this promotion.', kind: 'error' };
      const cause = userCause(req, c.project.id, dashOf(req).session);
      await (on ? s.promotions.enable(cause, t.id) : s.promotions.disable(cause, t.id));
      return `Tier ${t.name} ${on ? 'enabled' : 'disabled'}.`;
    });
  });

  d.post<P>(`${base}/:tierId/delete`, async (req, reply) => {
    const c = await projectCtx(req);
    const at = page(c, req.params.campaignId);
    return c.attempt(reply, at, async () => {
      const t = await tierOf(c, req.params.campaignId, req.params.tierId);
      if (!t) return { text: 'That tier is not on this promotion.', kind: 'error' };
      await s.promotions.remove(userCause(req, c.project.id, dashOf(req).session), t.id);
      return `Tier ${t.name} deleted.`;
    });
  });
}

import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { EarningRuleInput, EarningRules, Tiers } from '../../modules/loyalties/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { segmentNamesOf, type CampaignRuleServices } from './campaign-rules.js';
import { userCause } from '../v1.js';

/** A loyalty program's page: its earning rules and tiers, listed, added and deleted as the signed-in user. */
export interface LoyaltyProgramServices {
  campaigns: Pick<CampaignsService, 'get'>;
  earningRules: Pick<EarningRules, 'list' | 'create' | 'remove'>;
  loyaltyTiers: Pick<Tiers, 'list' | 'create' | 'remove'>;
  segments: CampaignRuleServices['segments'];
}

interface EarningRuleView {
  id: string;
  event: string;
  active: boolean;
  custom_event?: { schema_id?: string };
  segment?: { id?: string };
  loyalty: { type?: string; points?: number; calculation_type?: string; [k: string]: unknown };
}

/** What a rule gives, in words: `100 points`, or `1 point per 1 of metadata.amount`. */
function pointsText(l: EarningRuleView['loyalty']): string {
  if (l.type === 'FIXED') return `${l.points ?? 0} points`;
  const objects = (o: object) => Object.values(o).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  // The proportion sits one or two levels down: custom_event.metadata, order.amount, order_items.quantity...
  const spec = objects(l).flatMap((v) => [v, ...objects(v)]).find((v) => 'every' in v || 'points' in v);
  const of = spec?.property ? ` of ${String(spec.property)}` : l.calculation_type ? ` of ${l.calculation_type.toLowerCase().replace(/_/g, ' ')}` : '';
  // Amounts are in the currency's smallest unit: 1000 is 10.00.
  const every = l.calculation_type === 'ORDER_AMOUNT' || l.calculation_type === 'ORDER_TOTAL_AMOUNT' ? (Number(spec?.every ?? 100) / 100).toFixed(2) : String(spec?.every ?? 1);
  return spec ? `${String(spec.points ?? 1)} point(s) per ${every}${of}` : 'proportional';
}

/** The earning rule the form describes (its event, and fixed or proportional points), or what is wrong with it. */
function earningRuleOf(form: unknown, points: number): EarningRuleInput | string {
  const chosen = field(form, 'event');
  const on = chosen.startsWith('segment:') ? { event: 'customer.segment.entered', segment: { id: chosen.slice('segment:'.length) } } : { event: chosen };
  const how = field(form, 'how') || 'FIXED';
  if (how === 'FIXED') return { ...on, loyalty: { type: 'FIXED', points } };
  const every = Number(field(form, 'every'));
  if (!(every > 0)) return 'Say per how much the points are given (more than 0).';
  if (how === 'ORDER_AMOUNT') {
    if (on.event !== 'order.paid') return 'Points per amount of the order need the rule to be on an order paid.';
    return { ...on, loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_AMOUNT', order: { amount: { every: Math.round(every * 100), points } } } };
  }
  if (how === 'CUSTOM_EVENT_METADATA') {
    const property = field(form, 'property').trim();
    if (!property) return "Name the event's metadata property the points follow.";
    return { ...on, loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { property, every, points } } } };
  }
  return 'Choose how many points the rule gives.';
}

/** A loyalty program's earning rules and tiers, above its cards. */
export async function loyaltySections(c: ProjectCtx, s: LoyaltyProgramServices, programId: string): Promise<Html> {
  const rules = (await s.earningRules.list(c.project.id, programId, { limit: 100, page: 1 })).data as unknown as EarningRuleView[];
  const schemas = (await c.api.must<{ data: Array<{ name: string }> }>('GET', `/projects/${c.project.id}/custom-event-schemas`)).data;
  const segments = await segmentNamesOf(s, c.project.id);
  const at = `${c.base}/campaigns/${encodeURIComponent(programId)}/earning-rules`;
  const tiersAt = `${c.base}/campaigns/${encodeURIComponent(programId)}/tiers`;
  const tiers = (await s.loyaltyTiers.list(c.project.id, programId)) as Array<{ id: string; name: string; points: { from: number; to: number | null } }>;
  return html`<div class="grid2"><section class="card" aria-labelledby="earning-h"><h2 id="earning-h">Earning rules (${rules.length})</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">On</th><th scope="col">Gives</th><th scope="col">Active</th><th scope="col">Actions</th></tr></thead>
<tbody>${rules.length === 0 ? html`<tr><td colspan="4" class="muted">No earning rules.</td></tr>` : ''}${rules.map(
    (r) => html`<tr data-earning-rule="${r.id}"><td>${r.event}${r.custom_event?.schema_id ? html` <span class="mono">${r.custom_event.schema_id}</span>` : ''}${r.segment?.id ? html` ${segments.get(r.segment.id) ?? r.segment.id}` : ''}</td><td>${pointsText(r.loyalty)}</td><td>${r.active ? 'Yes' : 'No'}</td>
<td class="actions">${postButton(c.session, `${at}/${encodeURIComponent(r.id)}/delete`, `Delete rule ${r.id}`, { danger: true, confirm: 'Delete this earning rule? Points already earned stay.' })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}">${csrfField(c.session)}
<label for="rule-event">Add a rule: when</label><select id="rule-event" name="event"><option value="order.paid">an order is paid</option>${schemas.map((x) => html`<option value="${x.name}">the custom event ${x.name} is tracked</option>`)}${[...segments].map(
    ([id, name]) => html`<option value="segment:${id}">the customer enters the segment ${name}</option>`,
  )}</select>
<label for="rule-how">How many points</label><select id="rule-how" name="how"><option value="FIXED">a fixed number</option><option value="ORDER_AMOUNT">so many per amount of the order</option><option value="CUSTOM_EVENT_METADATA">so many per unit of the event's metadata property</option></select>
<label for="rule-points">Points it gives</label><input type="number" id="rule-points" name="points" min="1" step="1" required>
<label for="rule-every">Per <span class="muted">(proportional only: an amount, 10 is 10.00, or a number of units)</span></label><input type="number" id="rule-every" name="every" min="0" step="0.01">
<label for="rule-property">Metadata property <span class="muted">(the event's, numeric)</span></label><input type="text" id="rule-property" name="property" maxlength="200">
<p><button type="submit" class="secondary">Add earning rule</button></p></form></section>
<section class="card" aria-labelledby="tiers-h"><h2 id="tiers-h">Tiers (${tiers.length})</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Tier</th><th scope="col">Points</th><th scope="col">Actions</th></tr></thead>
<tbody>${tiers.length === 0 ? html`<tr><td colspan="3" class="muted">No tiers.</td></tr>` : ''}${tiers.map(
    (t) => html`<tr data-tier="${t.name}"><td>${t.name}</td><td>${t.points.from}${t.points.to === null || t.points.to === undefined ? ' and more' : ` – ${t.points.to}`}</td>
<td class="actions">${postButton(c.session, `${tiersAt}/${encodeURIComponent(t.id)}/delete`, `Delete tier ${t.name}`, { danger: true, confirm: `Delete the tier ${t.name}? Its members leave it.` })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${tiersAt}">${csrfField(c.session)}
<label for="tier-name">Add a tier: name</label><input type="text" id="tier-name" name="name" maxlength="200" required>
<label for="tier-from">From points</label><input type="number" id="tier-from" name="from" min="0" max="1000000000000000" step="1" required>
<label for="tier-to">To points <span class="muted">(empty: and more)</span></label><input type="number" id="tier-to" name="to" min="0" max="1000000000000000" step="1">
<p><button type="submit" class="secondary">Add tier</button></p></form></section></div>`;
}

export function loyaltyProgramRoutes(d: FastifyInstance, s: LoyaltyProgramServices): void {
  type P = { Params: { projectId: string; campaignId: string } };

  // Earning rules of a program, added (fixed points on an order paid or a custom event) and deleted.
  d.post<P>('/p/:projectId/campaigns/:campaignId/earning-rules', async (req, reply) => {
    const c = await projectCtx(req);
    const program = await s.campaigns.get(c.project.id, req.params.campaignId);
    const at = `${c.base}/campaigns/${encodeURIComponent(program.id)}`;
    const points = Number(field(req.body, 'points'));
    if (!Number.isInteger(points) || points < 1 || points > 1e9) return c.done(reply, at, 'The points a rule gives are a whole number, 1 or more.', 'error');
    const made = earningRuleOf(req.body, points);
    if (typeof made === 'string') return c.done(reply, at, made, 'error');
    return c.attempt(reply, at, async () => {
      const rule: EarningRuleInput = made;
      await s.earningRules.create(c.project.id, program.id, [rule]);
      return 'Earning rule added.';
    });
  });

  d.post<P & { Params: { ruleId: string } }>('/p/:projectId/campaigns/:campaignId/earning-rules/:ruleId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const program = await s.campaigns.get(c.project.id, req.params.campaignId);
    await s.earningRules.remove(c.project.id, program.id, req.params.ruleId);
    return c.done(reply, `${c.base}/campaigns/${encodeURIComponent(program.id)}`, 'Earning rule deleted.');
  });

  // Tiers of a program, added (points from, and to or open-ended) and deleted, as the signed-in user.
  const maxTierPoints = 1e15;
  d.post<P>('/p/:projectId/campaigns/:campaignId/tiers', async (req, reply) => {
    const c = await projectCtx(req);
    const program = await s.campaigns.get(c.project.id, req.params.campaignId);
    const at = `${c.base}/campaigns/${encodeURIComponent(program.id)}#tiers-h`;
    const name = field(req.body, 'name').trim();
    const from = Number(field(req.body, 'from'));
    const toText = field(req.body, 'to').trim();
    const to = toText === '' ? null : Number(toText);
    if (!name) return c.done(reply, at, 'Give the tier a name.', 'error');
    if (field(req.body, 'from').trim() === '' || !Number.isInteger(from) || from < 0 || (to !== null && !Number.isInteger(to))) return c.done(reply, at, 'A tier spans whole numbers of points: from 0 or more, to at least that (or empty).', 'error');
    if (name.length > 200) return c.done(reply, at, "A tier's name is at most 200 characters.", 'error');
    // The API's bound (its tier schema): points beyond it cannot be stored.
    if (from > maxTierPoints || (to !== null && to > maxTierPoints)) return c.done(reply, at, 'A tier spans at most 1,000,000,000,000,000 points.', 'error');
    return c.attempt(reply, at, async () => {
      await s.loyaltyTiers.create(userCause(req, c.project.id, dashOf(req).session), program, [{ name, points: { from, ...(to !== null ? { to } : {}) } }]);
      return `Tier ${name} added.`;
    });
  });

  d.post<P & { Params: { tierId: string } }>('/p/:projectId/campaigns/:campaignId/tiers/:tierId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const program = await s.campaigns.get(c.project.id, req.params.campaignId);
    const at = `${c.base}/campaigns/${encodeURIComponent(program.id)}#tiers-h`;
    return c.attempt(reply, at, async () => {
      await s.loyaltyTiers.remove(userCause(req, c.project.id, dashOf(req).session), program, req.params.tierId);
      return 'Tier deleted.';
    });
  });
}

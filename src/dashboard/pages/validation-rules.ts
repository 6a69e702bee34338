import type { FastifyInstance } from 'fastify';
import type { ValidationRulesService } from '../../modules/validation-rules/index.js';
import { dashOf, projectCtx, type ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';
import { postButton } from '../layout.js';
import { userCause } from '../v1.js';
import { ruleNamesOf, rulesText, type CampaignRuleServices } from './campaign-rules.js';
import { pager } from './list-parts.js';

/** Campaigns › Validation rules: every rule of the project, what it guards, and its removal. */
export interface ValidationRuleScreenServices {
  segments: CampaignRuleServices['segments'];
  products: CampaignRuleServices['products'];
  validationRules: Pick<ValidationRulesService, 'list' | 'get' | 'assignments' | 'unassign' | 'remove'>;
}

type P = { Params: { projectId: string; ruleId: string; assignmentId: string }; Querystring: Record<string, unknown> };
const pageSize = 50;

/** Where the dashboard shows an assigned object, when it has a page for it. */
function objectCell(c: ProjectCtx, type: string, id: string): Html {
  if (type === 'campaign') return html`<a class="mono" href="${c.base}/campaigns/${encodeURIComponent(id)}">${id}</a>`;
  if (type === 'voucher') return html`<a class="mono" href="${c.base}/vouchers/${encodeURIComponent(id)}">${id}</a>`;
  return html`<span class="mono">${id}</span>`;
}

export function validationRuleRoutes(d: FastifyInstance, s: ValidationRuleScreenServices): void {
  d.get<P>('/p/:projectId/validation-rules', async (req, reply) => {
    const c = await projectCtx(req);
    const pageNo = Math.min(1000, Math.max(1, Number.parseInt(String(req.query.page ?? ''), 10) || 1));
    const [{ rules, total }, segmentNames] = await Promise.all([s.validationRules.list(c.project.id, { limit: pageSize, page: pageNo }), ruleNamesOf(s, c.project.id)]);
    const body = html`<p class="crumb"><a href="${c.base}/campaigns">Campaigns</a> › Validation rules</p><h1>Validation rules</h1>
<p class="muted">The conditions campaigns, codes and promotion tiers are validated and redeemed under, newest first; ${total} in all. Add one to a campaign from its page.</p>
<div class="table-wrap"><table id="validation-rules"><thead><tr><th scope="col">Rule</th><th scope="col">Conditions</th><th scope="col">Message when refused</th><th scope="col">Assigned to</th><th scope="col">Created</th></tr></thead>
<tbody>${rules.length === 0 ? html`<tr><td colspan="5" class="muted">No validation rules yet.</td></tr>` : ''}${rules.map(
      (r) => html`<tr data-rule="${r.id}"><td><a href="${c.base}/validation-rules/${encodeURIComponent(r.id)}">${r.name}</a></td><td>${rulesText(r.rules, segmentNames)}</td><td>${r.error?.message ?? ''}</td>
<td>${r.assignments_count ?? 0}</td><td>${when(r.created_at.toISOString())}</td></tr>`,
    )}</tbody></table></div>
${pager(`${c.base}/validation-rules`, {}, pageNo, pageSize, total)}`;
    return c.render(reply, 'campaigns', 'Validation rules', body);
  });

  d.get<P>('/p/:projectId/validation-rules/:ruleId', async (req, reply) => {
    const c = await projectCtx(req);
    const rule = await s.validationRules.get(c.project.id, req.params.ruleId);
    const [assigned, segmentNames] = await Promise.all([s.validationRules.assignments(c.project.id, { rule: rule.id, limit: 100, page: 1 }), ruleNamesOf(s, c.project.id)]);
    const at = `${c.base}/validation-rules/${encodeURIComponent(rule.id)}`;
    const targets = rule.applicable_to.included.length + rule.applicable_to.excluded.length;
    const body = html`<p class="crumb"><a href="${c.base}/campaigns">Campaigns</a> › <a href="${c.base}/validation-rules">Validation rules</a> › ${rule.name}</p><h1>${rule.name}</h1>
<div class="card"><dl class="grid2"><div><dt>ID</dt><dd class="mono">${rule.id}</dd></div><div><dt>Type</dt><dd>${rule.type}</dd></div>
<div><dt>Conditions</dt><dd id="rule-conditions">${rulesText(rule.rules, segmentNames)}</dd></div><div><dt>Message when refused</dt><dd>${rule.error?.message ?? '—'}</dd></div>
<div><dt>Applies to</dt><dd>${targets === 0 ? 'The whole order' : `${rule.applicable_to.included.length} product target(s) included, ${rule.applicable_to.excluded.length} excluded`}</dd></div>
<div><dt>Created</dt><dd>${when(rule.created_at.toISOString())}</dd></div></dl>
<details><summary>The rule as the API has it</summary><pre class="mono">${JSON.stringify({ rules: rule.rules, error: rule.error, applicable_to: rule.applicable_to }, null, 2)}</pre></details>
<div class="actions">${postButton(c.session, `${at}/delete`, 'Delete rule', {
      danger: true,
      confirm: assigned.total > 0 ? `Delete ${rule.name}? The ${assigned.total} object(s) it guards are no longer checked by it.` : `Delete ${rule.name}?`,
    })}</div></div>
<h2>Assigned to (${assigned.total})</h2>
<div class="table-wrap"><table id="rule-assignments"><thead><tr><th scope="col">Type</th><th scope="col">Object</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead>
<tbody>${assigned.rows.length === 0 ? html`<tr><td colspan="4" class="muted">Assigned to nothing: it checks no validation.</td></tr>` : ''}${assigned.rows.map(
      (a) => html`<tr data-assignment="${a.id}"><td>${a.related_object_type}</td><td>${objectCell(c, a.related_object_type, a.related_object_id)}</td><td>${when(a.created_at.toISOString())}</td>
<td class="actions">${postButton(c.session, `${at}/assignments/${encodeURIComponent(a.id)}/remove`, `Unassign from ${a.related_object_id}`, { secondary: true, confirm: `Stop checking ${a.related_object_id} with this rule?` })}</td></tr>`,
    )}</tbody></table></div>`;
    return c.render(reply, 'campaigns', rule.name, body);
  });

  d.post<P>('/p/:projectId/validation-rules/:ruleId/assignments/:assignmentId/remove', async (req, reply) => {
    const c = await projectCtx(req);
    const rule = await s.validationRules.get(c.project.id, req.params.ruleId);
    return c.attempt(reply, `${c.base}/validation-rules/${encodeURIComponent(rule.id)}`, async () => {
      await s.validationRules.unassign(userCause(req, c.project.id, dashOf(req).session), rule.id, req.params.assignmentId);
      return 'Assignment removed.';
    });
  });

  d.post<P>('/p/:projectId/validation-rules/:ruleId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const rule = await s.validationRules.get(c.project.id, req.params.ruleId);
    await s.validationRules.remove(userCause(req, c.project.id, dashOf(req).session), rule.id);
    return c.done(reply, `${c.base}/validation-rules`, `Rule ${rule.name} deleted.`);
  });
}

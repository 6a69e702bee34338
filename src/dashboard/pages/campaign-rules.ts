import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { SegmentsService } from '../../modules/segments/index.js';
import type { RuleSet, ValidationRulesService } from '../../modules/validation-rules/index.js';
import { dashOf, field, projectCtx, type ProjectCtx } from '../context.js';
import { cents, html, money, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import { userCause } from '../v1.js';

/** A campaign's validation rules on its page: the conditions its codes are validated and redeemed under. */
export interface CampaignRuleServices {
  campaigns: Pick<CampaignsService, 'get'>;
  segments: Pick<SegmentsService, 'list'>;
  validationRules: Pick<ValidationRulesService, 'create' | 'remove' | 'assign' | 'unassign' | 'assignmentsOf' | 'rulesOf'>;
}

type P = { Params: { projectId: string; campaignId: string; assignmentId: string } };

/** The conditions the form offers: the ones people set most, each one rule of Voucherify's grammar. */
const kinds = [
  ['order.amount', 'Order amount at least'],
  ['customer.segment', 'Customer is in the segment'],
  ['redemption.count.per_customer', 'Redemptions per customer at most'],
] as const;

const operatorWords: Record<string, string> = {
  $is: 'is',
  $is_not: 'is not',
  $in: 'is one of',
  $not_in: 'is none of',
  $more_than: '>',
  $more_than_or_equal: '≥',
  $less_than: '<',
  $less_than_or_equal: '≤',
};

/** Conditions on these are amounts in hundredths of the currency, shown as decimals (5000 is 50.00). */
const isMoney = (name: string) => /(amount|price)$/.test(name);

/** A rule set in words: `order.amount ≥ 50.00 and customer.segment is seg_…` (a segment by its name when known). */
export function rulesText(rules: RuleSet, segmentNames: Map<string, string>): string {
  const parts = Object.entries(rules)
    .filter(([k]) => k !== 'logic')
    .map(([, r]) => {
      if (typeof r !== 'object' || r === null) return '';
      const conds = Object.entries(r.conditions ?? {}).map(([op, values]) => {
        const shown = values.map((v) =>
          r.name === 'customer.segment' ? (segmentNames.get(String(v)) ?? String(v)) : isMoney(r.name) && typeof v === 'number' ? money(v) : String(v),
        );
        return `${r.name}${r.property ? `.${r.property}` : ''} ${operatorWords[op] ?? op} ${shown.join(', ')}`;
      });
      return conds.join(' and ');
    })
    .filter((x) => x !== '');
  return parts.length === 0 ? 'No conditions' : parts.join(rules.logic && /\bor\b/i.test(rules.logic) ? ' or ' : ' and ');
}


/** The rule set of the form's one condition, with its name, or what is wrong with the form. */
function ruleOf(form: unknown, campaignName: string, segmentNames: Map<string, string>): { name: string; rules: RuleSet } | string {
  const kind = field(form, 'kind');
  const value = field(form, 'value').trim();
  const message = field(form, 'message').trim();
  const error = message ? { error: { message } } : {};
  if (message.length > 500) return 'The message is at most 500 characters.';
  if (kind === 'order.amount') {
    const amount = cents(value);
    if (!(amount >= 0) || !Number.isSafeInteger(amount)) return 'Give the minimum order amount as a number, 0 or more (50 is 50.00).';
    return { name: `${campaignName}: order amount at least ${(amount / 100).toFixed(2)}`, rules: { '1': { name: 'order.amount', conditions: { $more_than_or_equal: [amount] }, ...error }, logic: '1' } };
  }
  if (kind === 'customer.segment') {
    const segment = field(form, 'segment');
    if (!segmentNames.has(segment)) return 'Choose a segment of this project.';
    return { name: `${campaignName}: customers in ${segmentNames.get(segment)}`, rules: { '1': { name: 'customer.segment', conditions: { $is: [segment] }, ...error }, logic: '1' } };
  }
  if (kind === 'redemption.count.per_customer') {
    const n = Number(value);
    if (value === '' || !Number.isInteger(n) || n < 1 || n > 1_000_000) return 'Give the redemptions per customer as a whole number from 1 to 1,000,000.';
    return { name: `${campaignName}: at most ${n} redemption${n === 1 ? '' : 's'} per customer`, rules: { '1': { name: 'redemption.count.per_customer', conditions: { $less_than_or_equal: [n] }, ...error }, logic: '1' } };
  }
  return 'Choose a condition.';
}

export async function segmentNamesOf(s: Pick<CampaignRuleServices, 'segments'>, projectId: string): Promise<Map<string, string>> {
  const { segments } = await s.segments.list(projectId, { ascending: false, limit: 100, page: 1 });
  return new Map((segments as Array<{ id: string; name: string }>).map((x) => [x.id, x.name]));
}

/** The section of a campaign's page: its rules (each removable) and a form adding one condition. */
export async function campaignRulesSection(c: ProjectCtx, s: CampaignRuleServices, campaignId: string, error?: string): Promise<Html> {
  const [rows, segmentNames] = await Promise.all([s.validationRules.rulesOf(c.project.id, [{ type: 'campaign', id: campaignId }]), segmentNamesOf(s, c.project.id)]);
  const at = `${c.base}/campaigns/${encodeURIComponent(campaignId)}/rules`;
  return html`<section class="card" aria-labelledby="rules-h"><h2 id="rules-h">Validation rules</h2>
<p class="muted">Every code of the campaign is validated and redeemed only when all of these hold.</p>
${error ? html`<div class="notice error" role="alert" id="rule-error">${error}</div>` : ''}
<div class="table-wrap"><table id="campaign-rules"><thead><tr><th scope="col">Rule</th><th scope="col">Conditions</th><th scope="col">Message when refused</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="4" class="muted">No rules: every order and customer qualifies.</td></tr>` : ''}${rows.map(
    ({ assignment: a, rule }) => html`<tr data-rule="${a.rule_id}"><td>${rule.name}<br><span class="mono muted">${a.rule_id}</span></td><td>${rulesText(rule.rules, segmentNames)}</td><td>${rule.error?.message ?? ''}</td>
<td class="actions">${postButton(c.session, `${at}/${encodeURIComponent(a.id)}/remove`, 'Remove', { secondary: true, extra: { rule: a.rule_id }, confirm: `Remove the rule ${rule.name} from this campaign?` })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}" class="inline-form">${csrfField(c.session)}
<label for="rule-kind">Add a condition</label><select id="rule-kind" name="kind">${kinds.map(([k, label]) => html`<option value="${k}">${label}</option>`)}</select>
<label for="rule-value">Amount or count <span class="muted">(an amount: 50 is 50.00)</span></label><input type="number" id="rule-value" name="value" min="0" step="0.01">
<label for="rule-segment">Segment</label><select id="rule-segment" name="segment"><option value="">—</option>${[...segmentNames].map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select>
<label for="rule-message">Message when refused <span class="muted">(optional)</span></label><input type="text" id="rule-message" name="message" maxlength="500">
<button type="submit">Add rule</button></form></section>`;
}

export function campaignRuleRoutes(d: FastifyInstance, s: CampaignRuleServices): void {
  const base = '/p/:projectId/campaigns/:campaignId/rules';

  /** A new rule of one condition, assigned to the campaign; deleted again when it cannot be assigned. */
  d.post<P>(base, async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = await s.campaigns.get(c.project.id, req.params.campaignId);
    const at = `${c.base}/campaigns/${encodeURIComponent(campaign.id)}`;
    const made = ruleOf(req.body, campaign.name, await segmentNamesOf(s, c.project.id));
    if (typeof made === 'string') return c.done(reply, `${at}#rules-h`, made, 'error');
    const cause = userCause(req, c.project.id, dashOf(req).session);
    return c.attempt(reply, `${at}#rules-h`, async () => {
      const rule = await s.validationRules.create(cause, made);
      try {
        await s.validationRules.assign(cause, rule.id, { related_object_type: 'campaign', related_object_id: campaign.id });
      } catch (err) {
        await s.validationRules.remove(cause, rule.id).catch(() => undefined);
        throw err;
      }
      return `Rule added: ${made.name}.`;
    });
  });

  /** Takes the rule off the campaign (the rule itself stays, with its other assignments). */
  d.post<P>(`${base}/:assignmentId/remove`, async (req, reply) => {
    const c = await projectCtx(req);
    const campaign = await s.campaigns.get(c.project.id, req.params.campaignId);
    const ruleId = field(req.body, 'rule');
    const assigned = await s.validationRules.assignmentsOf(c.project.id, 'campaign', campaign.id);
    const a = assigned.data.find((x) => x.id === req.params.assignmentId && x.rule_id === ruleId);
    const at = `${c.base}/campaigns/${encodeURIComponent(campaign.id)}`;
    if (!a) return c.done(reply, `${at}#rules-h`, 'That rule is not on this campaign any more.', 'error');
    await s.validationRules.unassign(userCause(req, c.project.id, dashOf(req).session), a.rule_id, a.id);
    return c.done(reply, `${at}#rules-h`, 'Rule removed from the campaign.');
  });
}

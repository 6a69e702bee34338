import type { FastifyInstance } from 'fastify';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { ProductsService } from '../../modules/products/index.js';
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
  products: Pick<ProductsService, 'listProducts'>;
  validationRules: Pick<ValidationRulesService, 'create' | 'remove' | 'assign' | 'unassign' | 'assignmentsOf' | 'rulesOf'>;
}

type P = { Params: { projectId: string; campaignId: string; assignmentId: string } };

/** The conditions the form offers: the ones people set most, each one rule of Voucherify's grammar. */
const kinds = [
  ['order.amount', 'Order amount at least'],
  ['order.items.aggregated_quantity', 'Items in the order at least'],
  ['order.items.any', 'Order contains the product'],
  ['customer.segment', 'Customer is in the segment'],
  ['customer.metadata', 'Customer metadata is'],
  ['redemption.count.per_customer', 'Redemptions per customer at most'],
  ['redemption.count.daily', 'Redemptions per day at most'],
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

/**
 * A rule set in words: `order.amount ≥ 50.00 and customer.segment is seg_…` (a segment or product by its name when
 * `names` knows it).
 */
export function rulesText(rules: RuleSet, names: Map<string, string>): string {
  const parts = Object.entries(rules)
    .filter(([k]) => k !== 'logic')
    .map(([, r]) => {
      if (typeof r !== 'object' || r === null) return '';
      const conds = Object.entries(r.conditions ?? {}).map(([op, values]) => {
        const shown = values.map((v) => {
          if (typeof v === 'object' && v !== null) {
            const o = v as { id?: string; source_id?: string; object?: string };
            return names.get(o.id ?? '') ?? o.id ?? o.source_id ?? JSON.stringify(v);
          }
          return r.name === 'customer.segment' ? (names.get(String(v)) ?? String(v)) : isMoney(r.name) && typeof v === 'number' ? money(v) : String(v);
        });
        return `${r.name}${r.property ? `.${r.property}` : ''} ${operatorWords[op] ?? op} ${shown.join(', ')}`;
      });
      return conds.join(' and ');
    })
    .filter((x) => x !== '');
  return parts.length === 0 ? 'No conditions' : parts.join(rules.logic && /\bor\b/i.test(rules.logic) ? ' or ' : ' and ');
}


/** A metadata value as typed: a number, true or false, or else the text. */
function typed(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  return /^-?\d{1,15}(\.\d{1,6})?$/.test(text) ? Number(text) : text;
}

/** A whole number from 1 to 1,000,000 in the form's value, or undefined. */
function count(value: string): number | undefined {
  const n = Number(value);
  return value !== '' && Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : undefined;
}

/** The rule set of the form's one condition, with its name, or what is wrong with the form. */
function ruleOf(form: unknown, campaignName: string, names: { segments: Map<string, string>; products: Map<string, string> }): { name: string; rules: RuleSet } | string {
  const segmentNames = names.segments;
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
  if (kind === 'redemption.count.per_customer' || kind === 'redemption.count.daily') {
    const n = count(value);
    const each = kind === 'redemption.count.daily' ? ' per day' : ' per customer';
    if (n === undefined) return `Give the redemptions${each} as a whole number from 1 to 1,000,000.`;
    // The count a limit compares is of the redemptions before this one: at most n is fewer than n before it.
    return { name: `${campaignName}: at most ${n} redemption${n === 1 ? '' : 's'}${each}`, rules: { '1': { name: kind, conditions: { $less_than: [n] }, ...error }, logic: '1' } };
  }
  if (kind === 'order.items.aggregated_quantity') {
    const n = count(value);
    if (n === undefined) return 'Give the number of items as a whole number from 1 to 1,000,000.';
    return { name: `${campaignName}: at least ${n} item${n === 1 ? '' : 's'} in the order`, rules: { '1': { name: kind, conditions: { $more_than_or_equal: [n] }, ...error }, logic: '1' } };
  }
  if (kind === 'order.items.any') {
    const product = field(form, 'product');
    if (!names.products.has(product)) return 'Choose a product of this project.';
    return { name: `${campaignName}: orders with ${names.products.get(product)}`, rules: { '1': { name: kind, conditions: { $is: [{ id: product, object: 'product' }] }, ...error }, logic: '1' } };
  }
  if (kind === 'customer.metadata') {
    const property = field(form, 'property').trim();
    const text = field(form, 'text').trim();
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(property)) return 'Give the metadata key: letters, digits, _ and -, up to 100 characters.';
    if (text === '' || text.length > 500) return 'Give the value the key must have (up to 500 characters).';
    return { name: `${campaignName}: customer ${property} is ${text}`, rules: { '1': { name: kind, property, conditions: { $is: [typed(text)] }, ...error }, logic: '1' } };
  }
  return 'Choose a condition.';
}

export async function segmentNamesOf(s: Pick<CampaignRuleServices, 'segments'>, projectId: string): Promise<Map<string, string>> {
  const { segments } = await s.segments.list(projectId, { ascending: false, limit: 100, page: 1 });
  return new Map((segments as Array<{ id: string; name: string }>).map((x) => [x.id, x.name]));
}

/** The project's first 100 products by id (what the form offers and rules name). */
export async function productNamesOf(s: Pick<CampaignRuleServices, 'products'>, projectId: string): Promise<Map<string, string>> {
  const { products } = await s.products.listProducts(projectId, { limit: 100, page: 1 });
  return new Map(products.map(({ product: x }) => [x.id, x.name ?? x.id]));
}

/** Segments' and products' names by id, as rulesText shows them. */
export async function ruleNamesOf(s: Pick<CampaignRuleServices, 'segments' | 'products'>, projectId: string): Promise<Map<string, string>> {
  const [segments, products] = await Promise.all([segmentNamesOf(s, projectId), productNamesOf(s, projectId)]);
  return new Map([...segments, ...products]);
}

/** The section of a campaign's page: its rules (each removable) and a form adding one condition. */
export async function campaignRulesSection(c: ProjectCtx, s: CampaignRuleServices, campaignId: string, error?: string): Promise<Html> {
  const [rows, segmentNames, productNames] = await Promise.all([s.validationRules.rulesOf(c.project.id, [{ type: 'campaign', id: campaignId }]), segmentNamesOf(s, c.project.id), productNamesOf(s, c.project.id)]);
  const names = new Map([...segmentNames, ...productNames]);
  const at = `${c.base}/campaigns/${encodeURIComponent(campaignId)}/rules`;
  return html`<section class="card" aria-labelledby="rules-h"><h2 id="rules-h">Validation rules</h2>
<p class="muted">Every code of the campaign is validated and redeemed only when all of these hold.</p>
${error ? html`<div class="notice error" role="alert" id="rule-error">${error}</div>` : ''}
<div class="table-wrap"><table id="campaign-rules"><thead><tr><th scope="col">Rule</th><th scope="col">Conditions</th><th scope="col">Message when refused</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="4" class="muted">No rules: every order and customer qualifies.</td></tr>` : ''}${rows.map(
    ({ assignment: a, rule }) => html`<tr data-rule="${a.rule_id}"><td>${rule.name}<br><span class="mono muted">${a.rule_id}</span></td><td>${rulesText(rule.rules, names)}</td><td>${rule.error?.message ?? ''}</td>
<td class="actions">${postButton(c.session, `${at}/${encodeURIComponent(a.id)}/remove`, 'Remove', { secondary: true, extra: { rule: a.rule_id }, confirm: `Remove the rule ${rule.name} from this campaign?` })}</td></tr>`,
  )}</tbody></table></div>
<form method="post" action="${at}" class="inline-form">${csrfField(c.session)}
<label for="rule-kind">Add a condition</label><select id="rule-kind" name="kind">${kinds.map(([k, label]) => html`<option value="${k}">${label}</option>`)}</select>
<label for="rule-value">Amount or count <span class="muted">(an amount: 50 is 50.00)</span></label><input type="number" id="rule-value" name="value" min="0" step="0.01">
<label for="rule-segment">Segment</label><select id="rule-segment" name="segment"><option value="">—</option>${[...segmentNames].map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select>
<label for="cond-product">Product</label><select id="cond-product" name="product"><option value="">—</option>${[...productNames].map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select>
<label for="cond-property">Metadata key</label><input type="text" id="cond-property" name="property" maxlength="100">
<label for="cond-text">Metadata value <span class="muted">(a number, true or false, or text)</span></label><input type="text" id="cond-text" name="text" maxlength="500">
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
    const [segments, products] = await Promise.all([segmentNamesOf(s, c.project.id), productNamesOf(s, c.project.id)]);
    const made = ruleOf(req.body, campaign.name, { segments, products });
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

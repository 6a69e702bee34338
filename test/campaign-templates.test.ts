/**
 * Campaign templates (/v1/templates/campaigns and the management API's list and copy): made from a discount or gift
 * card campaign or a promotion tier, they set up new campaigns and promotion tiers with the same configuration and
 * new copies of the validation rules that guarded the source. Answers validate against the official schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSpecValidator } from './helpers/api-spec.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let other: TestProject;
let gold: any;
let source: any;
const { api, ok } = requestsOf(() => ({ t, p }));
/**
 * Where the spec contradicts itself, said here: the list schemas require a `campaign_template` key they do not
 * define (their templates are in `data`, as their own properties and examples say), and the tier setup's requires
 * `campaign` while it defines and describes `promotion_tier`. Those `required` lists are dropped; the rest holds.
 */
const dropUndefinedRequired = (schemas: Record<string, any>) => {
  for (const name of ['TemplatesCampaignsListResponseBody', 'ManagementProjectsTemplatesCampaignsListResponseBody', 'TemplatesCampaignsTierSetupCreateResponseBody']) {
    if (schemas[name]) delete schemas[name].required;
  }
};
const official = apiSpecValidator('readOnly-openAPI', dropUndefinedRequired);
const officialManagement = apiSpecValidator('management', dropUndefinedRequired);
const order = { amount: 10000 };

const mgmt = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url: `/management/v1${url}`, headers: managementHeaders, ...(payload ? { payload } : {}) });
const asOther = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, headers: other.server, ...(payload ? { payload } : {}) });
const ruleCount = async () => (await ok('GET', '/v1/validation-rules?limit=100')).total as number;

async function validate(customer: string, code: string) {
  return ok('POST', '/v1/validations', { customer: { source_id: customer }, order, redeemables: [{ object: 'voucher', id: code }] });
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  other = await t.createProject();
  gold = await ok('POST', '/v1/validation-rules', { name: 'gold only', rules: { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] } }, logic: '1' }, error: { message: 'Gold members only' } });
  await ok('POST', '/v1/customers', { source_id: 'tpl-gold', metadata: { tier: 'gold' } });
  await ok('POST', '/v1/customers', { source_id: 'tpl-plain', metadata: { tier: 'none' } });
  source = await ok('POST', '/v1/campaigns', {
    name: 'Spring gold', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', join_once: true, description: 'Spring for gold members', validation_rules: [gold.id],
    metadata: { season: 'spring' }, start_date: '2026-01-01T00:00:00.000Z', validity_day_of_week: [0, 1, 2, 3, 4, 5, 6],
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 15, amount_limit: 3000 }, code_config: { pattern: 'SPR-####' }, redemption: { quantity: 3 } },
  });
});
afterAll(() => t.close());

describe('campaign templates', () => {
  let template: any;

  it('a template is made from a campaign: without its name, category and codes; listed, renamed, found', async () => {
    template = await ok('POST', '/v1/templates/campaigns', { name: 'Gold spring', description: 'Our spring template', campaign_id: source.id });
    expect(template).toMatchObject({ name: 'Gold spring', description: 'Our spring template', campaign_type: 'DISCOUNT_COUPONS', object: 'campaign_template', updated_at: null });
    expect(template.id).toMatch(/^camp_tpl_/);
    official('TemplatesCampaignsCreateTemplateResponseBody', template);
    const got = await ok('GET', `/v1/templates/campaigns/${template.id}`);
    expect(got).toEqual(template);
    official('TemplatesCampaignsGetResponseBody', got);
    const renamed = await ok('PUT', `/v1/templates/campaigns/${template.id}`, { name: 'Gold spring 2026' });
    expect(renamed).toMatchObject({ name: 'Gold spring 2026', description: 'Our spring template' });
    expect(renamed.updated_at).not.toBeNull();
    official('TemplatesCampaignsUpdateResponseBody', renamed);
    template = renamed;
    const dup = await api('POST', '/v1/templates/campaigns', { name: 'Gold spring 2026', campaign_id: source.id });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ key: 'duplicate_found' });
  });

  it('a campaign set up from it has its configuration, what the body changes, and a new copy of its rule', async () => {
    const before = await ruleCount();
    const setup = await ok('POST', `/v1/templates/campaigns/${template.id}/campaign-setup`, { name: 'Summer gold', voucher: { code_config: { pattern: 'SUM-####' } }, metadata: { season: 'summer' } });
    official('TemplatesCampaignsCampaignSetupCreateResponseBody', setup);
    expect(setup.object).toBe('campaign_setup');
    const c = setup.campaign;
    expect(c).toMatchObject({
      name: 'Summer gold', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', join_once: true, description: 'Spring for gold members', metadata: { season: 'summer' },
      start_date: '2026-01-01T00:00:00.000Z', validity_day_of_week: [0, 1, 2, 3, 4, 5, 6],
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 15, amount_limit: 3000 }, code_config: { pattern: 'SUM-####' }, redemption: { quantity: 3 } },
    });
    expect(setup.created_resources).toHaveLength(1);
    const copy = setup.created_resources[0];
    expect(copy).toMatchObject({ object: 'validation_rules' });
    expect(copy.id).not.toBe(gold.id);
    expect(await ruleCount()).toBe(before + 1);
    const rule = await ok('GET', `/v1/validation-rules/${copy.id}`);
    expect(rule.rules).toEqual(gold.rules);
    expect(rule.error).toEqual(gold.error);
    expect(c.validation_rules_assignments.data).toEqual([expect.objectContaining({ rule_id: copy.id, related_object_type: 'campaign', related_object_id: c.id })]);
    // The copy guards the new campaign's codes from the first validation.
    const code = (await ok('POST', '/v1/vouchers', { campaign_id: c.id })).code;
    expect(code).toMatch(/^SUM-[0-9A-Za-z]{4}$/);
    expect((await validate('tpl-plain', code)).valid).toBe(false);
    expect((await validate('tpl-gold', code)).valid).toBe(true);
    // The source campaign keeps only its own assignment.
    expect((await ok('GET', `/v1/campaigns/${source.id}`)).validation_rules_assignments.data.map((a: any) => a.rule_id)).toEqual([gold.id]);
  });

  it('a setup that fails leaves nothing behind: neither the campaign nor copies of the rules', async () => {
    const before = await ruleCount();
    const taken = await api('POST', `/v1/templates/campaigns/${template.id}/campaign-setup`, { name: 'Spring gold' });
    expect(taken.statusCode).toBe(409);
    expect(await ruleCount()).toBe(before);
    const withRules = await api('POST', `/v1/templates/campaigns/${template.id}/campaign-setup`, { name: 'Own rules', validation_rules: [gold.id] });
    expect(withRules.statusCode).toBe(400);
    expect((await api('GET', '/v1/campaigns/Own rules')).statusCode).toBe(404);
    const noName = await api('POST', `/v1/templates/campaigns/${template.id}/campaign-setup`, {});
    expect(noName.statusCode).toBe(400);
    expect((await api('POST', '/v1/templates/campaigns/camp_tpl_nothere/campaign-setup', { name: 'x' })).statusCode).toBe(404);
  });

  it('a promotion tier makes a discount template; a tier setup adds a tier with its discount and a copy of its rule', async () => {
    const promo = await ok('POST', '/v1/campaigns', { name: 'Promo A', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Gold 900', banner: '9 off for gold', action: { discount: { type: 'AMOUNT', amount_off: 900 } }, metadata: { level: 'gold' }, validation_rules: [gold.id] }] } });
    const tierTemplate = await ok('POST', '/v1/templates/campaigns', { name: 'Gold tier', promotion_tier_id: promo.promotion.tiers[0].id });
    expect(tierTemplate.campaign_type).toBe('DISCOUNT_COUPONS');
    const target = await ok('POST', '/v1/campaigns', { name: 'Promo B', campaign_type: 'PROMOTION' });
    const setup = await ok('POST', `/v1/templates/campaigns/${tierTemplate.id}/tier-setup`, { campaign_id: target.id, name: 'Gold again', hierarchy: 2 });
    official('TemplatesCampaignsTierSetupCreateResponseBody', setup);
    expect(setup.object).toBe('promotion_tier_setup');
    expect(setup.promotion_tier).toMatchObject({ name: 'Gold again', banner: '9 off for gold', hierarchy: 2, action: { discount: { type: 'AMOUNT', amount_off: 900 } }, metadata: { level: 'gold' } });
    expect(setup.created_resources).toHaveLength(1);
    expect(setup.promotion_tier.validation_rule_assignments.data).toEqual([expect.objectContaining({ rule_id: setup.created_resources[0].id, related_object_type: 'promotion_tier' })]);
    const shown = async (customer: string) => (await ok('POST', '/v1/promotions/validation', { customer: { source_id: customer }, order })).promotions.map((x: any) => x.id);
    expect(await shown('tpl-plain')).not.toContain(setup.promotion_tier.id);
    expect(await shown('tpl-gold')).toContain(setup.promotion_tier.id);
    // The discount campaign's template adds tiers too; a code campaign gets none.
    const fromCampaign = await ok('POST', `/v1/templates/campaigns/${template.id}/tier-setup`, { campaign_id: target.id, name: 'Percent tier' });
    expect(fromCampaign.promotion_tier.action.discount).toMatchObject({ type: 'PERCENT', percent_off: 15 });
    const notPromotion = await api('POST', `/v1/templates/campaigns/${template.id}/tier-setup`, { campaign_id: source.id, name: 'Nope' });
    expect(notPromotion.statusCode).toBe(400);
  });

  it('refuses what cannot make a template, or a tier', async () => {
    const both = await api('POST', '/v1/templates/campaigns', { name: 'Both', campaign_id: source.id, promotion_tier_id: 'promo_x' });
    expect(both.statusCode).toBe(400);
    expect((await api('POST', '/v1/templates/campaigns', { name: 'Neither' })).statusCode).toBe(400);
    expect((await api('POST', '/v1/templates/campaigns', { campaign_id: source.id })).statusCode).toBe(400);
    expect((await api('POST', '/v1/templates/campaigns', { name: 'Ghost', campaign_id: 'camp_nothere' })).statusCode).toBe(404);
    const program = await ok('POST', '/v1/campaigns', { name: 'Points', campaign_type: 'LOYALTY_PROGRAM', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const loyalty = await api('POST', '/v1/templates/campaigns', { name: 'Loyalty', campaign_id: program.id });
    expect(loyalty.statusCode).toBe(400);
    expect(loyalty.json()).toMatchObject({ key: 'invalid_campaign' });
    const gift = await ok('POST', '/v1/campaigns', { name: 'Gift cards', campaign_type: 'GIFT_VOUCHERS', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 5000 } } });
    const giftTemplate = await ok('POST', '/v1/templates/campaigns', { name: 'Gift', campaign_id: gift.id });
    expect(giftTemplate.campaign_type).toBe('GIFT_VOUCHERS');
    const promo = await ok('POST', '/v1/campaigns', { name: 'Promo C', campaign_type: 'PROMOTION' });
    expect((await api('POST', `/v1/templates/campaigns/${giftTemplate.id}/tier-setup`, { campaign_id: promo.id, name: 'Gift tier' })).statusCode).toBe(400);
    const giftSetup = await ok('POST', `/v1/templates/campaigns/${giftTemplate.id}/campaign-setup`, { name: 'Gift cards 2', voucher: { redemption: { quantity: 1 } } });
    expect(giftSetup.campaign.voucher).toMatchObject({ type: 'GIFT_VOUCHER', gift: { amount: 5000 }, redemption: { quantity: 1 } });
    expect(giftSetup.created_resources).toEqual([]);
  });

  it('lists by id with a cursor, filters and an optional total; deletes', async () => {
    const all = await ok('GET', '/v1/templates/campaigns?limit=100&include_total=true');
    official('TemplatesCampaignsListResponseBody', all);
    expect(all.total).toBe(all.data.length);
    const ids = all.data.map((x: any) => x.id);
    expect(ids).toEqual([...ids].sort());
    const first = await ok('GET', '/v1/templates/campaigns?limit=1');
    expect(first).toMatchObject({ has_more: true, more_starting_after: ids[0] });
    expect(first.total).toBeUndefined();
    const next = await ok('GET', `/v1/templates/campaigns?limit=100&starting_after_id=${ids[0]}`);
    expect(next.data.map((x: any) => x.id)).toEqual(ids.slice(1));
    const desc = await ok('GET', '/v1/templates/campaigns?order=-id&limit=100');
    expect(desc.data.map((x: any) => x.id)).toEqual([...ids].reverse());
    const gifts = await ok('GET', '/v1/templates/campaigns?filters[campaign_type][conditions][$is]=GIFT_VOUCHERS&include_total=true');
    expect(gifts.data.map((x: any) => x.name)).toEqual(['Gift']);
    expect(gifts.total).toBe(1);
    const named = await ok('GET', '/v1/templates/campaigns?filters[name][conditions][$in]=Gift&filters[name][conditions][$in]=Gold tier');
    expect(named.data.map((x: any) => x.name).sort()).toEqual(['Gift', 'Gold tier']);
    const unsupported = await api('GET', '/v1/templates/campaigns?filters[name][conditions][$starts_with]=Gi');
    expect(unsupported.statusCode).toBe(400);
    expect(unsupported.json()).toMatchObject({ key: 'invalid_query_params' });
    const gone = all.data.find((x: any) => x.name === 'Gift');
    expect((await api('DELETE', `/v1/templates/campaigns/${gone.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/templates/campaigns/${gone.id}`)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/templates/campaigns/${gone.id}`)).statusCode).toBe(404);
  });

  it("the management API lists a project's templates and copies one to another project, where it sets up campaigns", async () => {
    const listed = await mgmt('GET', `/projects/${p.id}/templates/campaigns?include_total=true`);
    expect(listed.statusCode).toBe(200);
    officialManagement('ManagementProjectsTemplatesCampaignsListResponseBody', listed.json());
    expect(listed.json().data.map((x: any) => x.id)).toContain(template.id);
    // Another project's keys see none of them.
    expect((await asOther('GET', '/v1/templates/campaigns')).json().data).toEqual([]);
    expect((await asOther('GET', `/v1/templates/campaigns/${template.id}`)).statusCode).toBe(404);
    const copied = await mgmt('POST', `/projects/${p.id}/templates/campaigns/${template.id}/copy`, { name: 'Imported gold', destination_project_id: other.id });
    expect(copied.statusCode).toBe(200);
    officialManagement('ManagementProjectsTemplatesCampaignsCopyCreateResponseBody', copied.json());
    expect(copied.json()).toMatchObject({ name: 'Imported gold', description: 'Our spring template', campaign_type: 'DISCOUNT_COUPONS' });
    const setup = await asOther('POST', `/v1/templates/campaigns/${copied.json().id}/campaign-setup`, { name: 'Gold there' });
    expect(setup.statusCode).toBe(200);
    const rule = await asOther('GET', `/v1/validation-rules/${setup.json().created_resources[0].id}`);
    expect(rule.statusCode).toBe(200);
    expect(rule.json().rules).toEqual(gold.rules);
    // A rule naming a product of the source project: the copy's setup is refused there, and creates nothing.
    const lamp = await ok('POST', '/v1/products', { source_id: 'tpl-lamp', name: 'Lamp', price: 1000 });
    const lamps = await ok('POST', '/v1/validation-rules', { name: 'lamps', applicable_to: { included: [{ object: 'product', id: lamp.id }] } });
    const lampCampaign = await ok('POST', '/v1/campaigns', { name: 'Lamp deals', campaign_type: 'DISCOUNT_COUPONS', validation_rules: [lamps.id], voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100, effect: 'APPLY_TO_ITEMS' } } });
    const lampTemplate = await ok('POST', '/v1/templates/campaigns', { name: 'Lamps', campaign_id: lampCampaign.id });
    const lampCopy = (await mgmt('POST', `/projects/${p.id}/templates/campaigns/${lampTemplate.id}/copy`, { name: 'Lamps', destination_project_id: other.id })).json();
    const refused = await asOther('POST', `/v1/templates/campaigns/${lampCopy.id}/campaign-setup`, { name: 'Lamp deals there' });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().details ?? refused.json().message).toContain(lamp.id);
    expect((await asOther('GET', '/v1/campaigns/Lamp deals there')).statusCode).toBe(404);
    // In the source project, the same template sets up a campaign whose copied rule keeps the product.
    const here = await ok('POST', `/v1/templates/campaigns/${lampTemplate.id}/campaign-setup`, { name: 'Lamp deals 2' });
    expect((await ok('GET', `/v1/validation-rules/${here.created_resources[0].id}`)).applicable_to.included[0]).toMatchObject({ object: 'product', id: lamp.id });
    expect((await mgmt('POST', `/projects/${p.id}/templates/campaigns/${template.id}/copy`, { name: 'Nowhere', destination_project_id: 'proj_nothere' })).statusCode).toBe(404);
    expect((await mgmt('POST', `/projects/${p.id}/templates/campaigns/camp_tpl_nothere/copy`, { name: 'Nothing', destination_project_id: other.id })).statusCode).toBe(404);
    expect((await mgmt('POST', `/projects/${p.id}/templates/campaigns/${template.id}/copy`, { name: 'Imported gold', destination_project_id: other.id })).statusCode).toBe(409);
  });
});

/**
 * The API's answers along a typical flow (customers, segments, categories, campaigns, vouchers, publications,
 * orders, validation rules, promotions, validations, redemptions and rollbacks, loyalty programs, members, earning
 * rules, tiers, rewards) validate against the official response schemas of spec/api/*.json for their operation and
 * status: what the SDK's typed users rely on. Fair rules as for webhooks (null accepted where a type is given), and
 * `oneOf` read as `anyOf`: several of the spec's oneOf branches overlap (an order or a discount matches two of
 * them), which no answer can satisfy. Where the spec contradicts itself, `adjust` says so.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { fairSchemas, specDir } from './helpers/conformance.js';

const apiDir = resolve(specDir, 'spec/api');
const present = (() => {
  try {
    return readdirSync(apiDir).length > 0;
  } catch {
    return false;
  }
})();

/** Where the official files contradict themselves (the schema cannot be met by any answer). */
function adjust(file: string, doc: any): void {
  const s = doc.components?.schemas ?? {};
  // MetadataSchemasListResponseBody requires `data` but names the list `schemas` (data_ref enum ["schemas"]).
  if (file === 'metadata-schemas.json' && s.MetadataSchemasListResponseBody) s.MetadataSchemasListResponseBody.required = ['object', 'data_ref', 'schemas', 'total'];
  // RedemptionRewardResult requires a `reward` key it does not define (the reward is the object itself).
  if (file === 'loyalties.json' && s.RedemptionRewardResult?.required) s.RedemptionRewardResult.required = s.RedemptionRewardResult.required.filter((k: string) => k !== 'reward');
  // A publication's `channel` "can be your own custom channel" (the SDK's client publish sends Voucherify.js), yet
  // its enum lists only API.
  for (const n of ['PublicationsCreateBaseResponseBody']) if (s[n]?.properties?.channel?.enum) delete s[n].properties.channel.enum;
  // Export filters' `$in` lists ids, not one-character strings (`maxLength: 1` where `maxItems: 1` was meant).
  const walk = (v: any): void => {
    if (!v || typeof v !== 'object') return;
    if (v.$in?.items?.maxLength === 1) delete v.$in.items.maxLength;
    for (const x of Object.values(v)) walk(x);
  };
  walk(s);
  // Pricing rewards takes an array (the SDK sends one and expects an array back, as the example shows); the schema
  // of the answer describes one assignment.
  if (file === 'loyalties.json' && s.LoyaltiesRewardsCreateAssignmentResponseBody) {
    s.LoyaltiesRewardsCreateAssignmentResponseBody = { anyOf: [{ $ref: '#/components/schemas/RewardAssignment' }, { type: 'array', items: { $ref: '#/components/schemas/RewardAssignment' } }] };
  }
  // The deprecated campaigns examine's code_config types `length` a string (an integer everywhere else).
  const codeConfig = (v: any): void => {
    if (!v || typeof v !== 'object') return;
    if (v.code_config?.properties?.length?.type === 'string' || (Array.isArray(v.code_config?.properties?.length?.type) && v.code_config.properties.length.type[0] === 'string')) v.code_config.properties.length = { type: ['integer', 'null'] };
    for (const x of Object.values(v)) codeConfig(x);
  };
  if (file === 'campaigns.json') codeConfig(s);
  // ... and its campaigns' `categories` an object (a list of categories on every other campaign).
  const examined = s['2_obj_campaign_object_campaigns_qualification'];
  if (file === 'campaigns.json' && examined?.properties?.categories) examined.properties.categories = { type: ['array', 'null'], items: { $ref: '#/components/schemas/Category' } };
  // A card's `active` is a boolean (as on every voucher); the transfer's answer types it string.
  if (file === 'loyalties.json' && s.LoyaltiesMembersTransfersCreateResponseBody?.properties?.active) s.LoyaltiesMembersTransfersCreateResponseBody.properties.active = { type: ['boolean', 'null'] };
  // A promotion's `valid` is a boolean everywhere else (and in the response body itself); one object types it string.
  if (file === 'validations.json' && s['6_res_validate_promotion_object']?.properties?.valid) s['6_res_validate_promotion_object'].properties.valid = { type: ['boolean', 'null'] };
}

interface Op { file: string; method: string; re: RegExp; path: string; responses: Record<string, any> }

let t: TestTessera;
let p: TestProject;
const ops: Op[] = [];
const ajvs = new Map<string, Ajv>();

beforeAll(async () => {
  if (!present) return;
  for (const f of readdirSync(apiDir)) {
    const doc = JSON.parse(JSON.stringify(fairSchemas(JSON.parse(readFileSync(resolve(apiDir, f), 'utf8')))).replace(/"oneOf"/g, '"anyOf"'));
    adjust(f, doc);
    const ajv = (addFormatsModule as unknown as (a: Ajv) => Ajv)(new Ajv({ strict: false, allErrors: true, validateSchema: false }));
    ajv.addSchema(doc, f);
    ajvs.set(f, ajv);
    for (const [path, o] of Object.entries<any>(doc.paths ?? {})) {
      for (const m of ['get', 'post', 'put', 'delete']) {
        if (o[m]) ops.push({ file: f, method: m.toUpperCase(), re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`), path, responses: o[m].responses ?? {} });
      }
    }
  }
  // Literal paths before templated ones (/v1/loyalties/members/... before /v1/loyalties/{id}/...).
  ops.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  t = await startTessera();
  p = await t.createProject();
});
afterAll(async () => {
  await t?.close();
});

/** Calls the API with these headers; `problems` collects non-2xx answers and schema failures, `checked` counts checks. */
function caller(headers: () => Record<string, string>) {
  const out = { problems: [] as string[], checked: 0, call };
  async function call(method: string, url: string, payload?: unknown): Promise<any> {
    const res = await t.app.inject({ method: method as 'GET', url, headers: headers(), ...(payload !== undefined ? { payload: payload as object } : {}) });
    const body = res.body ? res.json() : undefined;
    if (res.statusCode >= 300) {
      out.problems.push(`${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      return body;
    }
    const path = url.split('?')[0]!;
    const op = ops.find((o) => o.method === method && o.re.test(path));
    const ref = op && (op.responses[String(res.statusCode)] ?? op.responses['200'] ?? op.responses['201'])?.content?.['application/json']?.schema?.$ref;
    if (!op || !ref) return body;
    const validate = ajvs.get(op.file)!.compile({ $ref: `${op.file}${ref}` });
    out.checked++;
    if (!validate(body)) out.problems.push(`${method} ${op.path} (${ref.split('/').pop()}): ${JSON.stringify(validate.errors!.slice(0, 5).map((e) => `${e.instancePath} ${e.message}`))}`);
    return body;
  }
  return out;
}

describe.skipIf(!present)('API answers against the official response schemas', () => {
  it('a typical flow answers 2xx, each answer valid for its operation', { timeout: 120_000 }, async () => {
    const c = caller(() => p.server);
    const call = c.call;
    await defineSchema(t.app, p.id, 'review', { stars: { type: 'number', optional: true } });
    const cust = await call('POST', '/v1/customers', { source_id: 'c1', name: 'Ann', email: 'ann@example.com', metadata: { tier: 'gold' } });
    await call('GET', `/v1/customers/${cust.id}`);
    await call('PUT', `/v1/customers/${cust.id}`, { name: 'Ann B' });
    await call('GET', '/v1/customers');
    await call('GET', `/v1/customers/${cust.id}/activity`);
    await call('GET', `/v1/customers/${cust.id}/activities`);
    await call('GET', `/v1/customers/${cust.id}/segments`);
    await call('POST', '/v1/events', { event: 'review', customer: { source_id: 'c1' }, metadata: { stars: 5 } });
    const seg = await call('POST', '/v1/segments', { name: 'Gold', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } } });
    await call('GET', `/v1/segments/${seg.id}`);
    await call('GET', '/v1/segments');
    const cat = await call('POST', '/v1/categories', { name: 'First', hierarchy: 1 });
    await call('GET', '/v1/categories');
    await call('GET', `/v1/categories/${cat.id}`);
    await call('PUT', `/v1/categories/${cat.id}`, { name: 'First!', hierarchy: 1 });
    const camp = await call('POST', '/v1/campaigns', { name: 'Spring', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', category_id: cat.id, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 }, code_config: { prefix: 'SPR-', length: 6 } } });
    await call('GET', `/v1/campaigns/${camp.id}`);
    await call('PUT', `/v1/campaigns/${camp.id}`, { description: 'd' });
    await call('GET', '/v1/campaigns');
    await call('POST', `/v1/campaigns/${camp.id}/vouchers`, {});
    await call('POST', `/v1/campaigns/${camp.id}/vouchers/SPR-FIXED1`, {});
    await call('POST', `/v1/campaigns/${camp.id}/disable`);
    await call('POST', `/v1/campaigns/${camp.id}/enable`);
    await call('GET', `/v1/campaigns/${camp.id}/summary`);
    const v = await call('POST', '/v1/vouchers', { code: 'TEN-OFF', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, redemption: { quantity: 10 } });
    await call('GET', '/v1/vouchers/TEN-OFF');
    await call('PUT', '/v1/vouchers/TEN-OFF', { metadata: { a: 1 } });
    await call('GET', '/v1/vouchers');
    await call('POST', '/v1/vouchers/TEN-OFF/disable');
    await call('POST', '/v1/vouchers/TEN-OFF/enable');
    await call('POST', '/v1/vouchers/GIFT-1', { type: 'GIFT_VOUCHER', gift: { amount: 5000 } });
    await call('POST', '/v1/vouchers/GIFT-1/balance', { amount: 1000 });
    await call('GET', '/v1/vouchers/GIFT-1/transactions');
    await call('POST', '/v1/vouchers/import', [{ code: 'IMP-1', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } }]);
    await call('POST', '/v1/publications', { customer: { source_id: 'c1' }, campaign: { name: 'Spring' } });
    await call('GET', `/v1/publications/create?campaign=Spring&customer[source_id]=c1`);
    await call('GET', '/v1/publications');
    await call('POST', '/v1/orders', { source_id: 'o1', amount: 10000, status: 'CREATED', customer: { source_id: 'c1' }, items: [{ source_id: 'sku1', quantity: 2, price: 5000 }] });
    await call('GET', '/v1/orders/o1');
    await call('PUT', '/v1/orders/o1', { status: 'PAID' });
    await call('GET', '/v1/orders');
    const prod = await call('POST', '/v1/products', { name: 'Shoe', source_id: 'shoe', price: 5000 });
    await call('GET', `/v1/products/${prod.id}`);
    await call('GET', '/v1/products');
    const sku = await call('POST', `/v1/products/${prod.id}/skus`, { sku: 'Shoe 42', source_id: 'shoe-42', price: 5000 });
    await call('GET', `/v1/products/${prod.id}/skus`);
    await call('GET', `/v1/skus/${sku.id}`);
    const rule = await call('POST', '/v1/validation-rules', { name: 'Min 50', rules: { 1: { name: 'order.amount', conditions: { $more_than: [5000] } }, logic: '1' } });
    await call('GET', `/v1/validation-rules/${rule.id}`);
    await call('GET', '/v1/validation-rules');
    await call('PUT', `/v1/validation-rules/${rule.id}`, { name: 'Min 50!' });
    await call('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    await call('GET', `/v1/validation-rules/${rule.id}/assignments`);
    await call('GET', '/v1/validation-rules-assignments');
    const promo = await call('POST', '/v1/campaigns', { name: 'Promo', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Ten', banner: 'Ten', action: { discount: { type: 'AMOUNT', amount_off: 500 } } }] } });
    const tiers = await call('GET', `/v1/promotions/${promo.id}/tiers`);
    await call('GET', '/v1/promotions/tiers');
    const tierId = tiers.tiers?.[0]?.id;
    await call('GET', `/v1/promotions/tiers/${tierId}`);
    await call('PUT', `/v1/promotions/tiers/${tierId}`, { banner: 'Ten!' });
    await call('POST', `/v1/promotions/${promo.id}/tiers`, { name: 'Five', banner: 'Five', action: { discount: { type: 'AMOUNT', amount_off: 300 } } });
    const stack = await call('POST', `/v1/promotions/${promo.id}/stacks`, { name: 'S', tiers: { ids: [tierId], hierarchy_mode: 'MANUAL' } });
    await call('GET', `/v1/promotions/${promo.id}/stacks`);
    await call('GET', '/v1/promotions/stacks');
    await call('GET', `/v1/promotions/${promo.id}/stacks/${stack.id}`);
    await call('POST', '/v1/promotions/validation', { customer: { source_id: 'c1' }, order: { amount: 10000 } });
    const order = { amount: 10000, items: [{ source_id: 'sku1', quantity: 2, price: 5000 }] };
    await call('POST', '/v1/validations', { customer: { source_id: 'c1' }, order, redeemables: [{ object: 'voucher', id: 'TEN-OFF' }, { object: 'promotion_tier', id: tierId }] });
    await call('POST', '/v1/qualifications', { customer: { source_id: 'c1' }, order, scenario: 'ALL' });
    await call('POST', '/v1/vouchers/TEN-OFF/validate', { customer: { source_id: 'c1' }, order });
    const red = await call('POST', '/v1/redemptions', { customer: { source_id: 'c1' }, order, redeemables: [{ object: 'voucher', id: 'TEN-OFF' }, { object: 'promotion_tier', id: tierId }] });
    await call('GET', '/v1/redemptions');
    const rid = red.redemptions?.[0]?.id;
    await call('GET', `/v1/redemptions/${rid}`);
    await call('GET', '/v1/vouchers/TEN-OFF/redemption');
    const single = await call('POST', '/v1/redemptions', { customer: { source_id: 'c1' }, order, redeemables: [{ object: 'voucher', id: 'TEN-OFF' }] });
    await call('POST', `/v1/redemptions/${single.redemptions[0].id}/rollback`, { reason: 'x' });
    await call('GET', '/v1/vouchers/GIFT-1/transactions');
    const red2 = await call('POST', '/v1/redemptions', { customer: { source_id: 'c1' }, order, redeemables: [{ object: 'voucher', id: 'TEN-OFF' }, { object: 'promotion_tier', id: tierId }] });
    await call('POST', `/v1/redemptions/${red2.parent_redemption?.id}/rollbacks`, {});
    await call('POST', '/v1/vouchers/TEN-OFF/redemption', { customer: { source_id: 'c1' }, order });
    await call('POST', `/v1/promotions/tiers/${tierId}/redemption`, { customer: { source_id: 'c1' }, order });
    await call('POST', `/v1/promotions/tiers/${tierId}/validation`, { customer: { source_id: 'c1' }, order });
    await call('GET', `/v1/customers/${cust.id}/redeemables`);
    // Loyalty
    const lp = await call('POST', '/v1/loyalties', { name: 'Club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    await call('GET', `/v1/loyalties/${lp.id}`);
    await call('GET', '/v1/loyalties');
    await call('PUT', `/v1/loyalties/${lp.id}`, { description: 'x' });
    const er = await call('POST', `/v1/loyalties/${lp.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 10 } }]);
    await call('GET', `/v1/loyalties/${lp.id}/earning-rules`);
    await call('GET', `/v1/loyalties/${lp.id}/earning-rules/${er[0].id}`);
    await call('PUT', `/v1/loyalties/${lp.id}/earning-rules/${er[0].id}`, { loyalty: { type: 'FIXED', points: 12 } });
    await call('POST', `/v1/loyalties/${lp.id}/earning-rules/${er[0].id}/disable`);
    await call('POST', `/v1/loyalties/${lp.id}/earning-rules/${er[0].id}/enable`);
    const tr = await call('POST', `/v1/loyalties/${lp.id}/tiers`, [{ name: 'Bronze', points: { from: 0, to: 99 } }, { name: 'Silver', points: { from: 100 } }]);
    await call('GET', `/v1/loyalties/${lp.id}/tiers`);
    await call('GET', `/v1/loyalties/${lp.id}/tiers/${tr[0].id}`);
    await call('GET', `/v1/loyalties/${lp.id}/tiers/${tr[0].id}/earning-rules`);
    await call('GET', `/v1/loyalties/${lp.id}/tiers/${tr[0].id}/rewards`);
    const mem = await call('POST', `/v1/loyalties/${lp.id}/members`, { customer: { source_id: 'c1' } });
    await call('GET', `/v1/loyalties/${lp.id}/members`);
    await call('GET', `/v1/loyalties/${lp.id}/members/${mem.code}`);
    await call('GET', `/v1/loyalties/members/${mem.code}`);
    await call('POST', `/v1/loyalties/${lp.id}/members/${mem.code}/balance`, { points: 500 });
    await call('POST', `/v1/loyalties/members/${mem.code}/balance`, { points: -10 });
    await call('GET', `/v1/loyalties/${lp.id}/members/${mem.code}/transactions`);
    await call('GET', `/v1/loyalties/members/${mem.code}/transactions`);
    await call('GET', `/v1/loyalties/${lp.id}/transactions`);
    await call('GET', `/v1/loyalties/${lp.id}/members/${mem.code}/points-expiration`);
    await call('GET', `/v1/loyalties/members/${mem.code}/tiers`);
    await call('GET', `/v1/loyalties/${lp.id}/members/${mem.code}/activity`);
    await call('GET', `/v1/loyalties/members/${mem.code}/pending-points`);
    const rw = await call('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL', parameters: { product: { id: prod.id } } });
    await call('GET', '/v1/rewards');
    await call('GET', `/v1/rewards/${rw.id}`);
    await call('PUT', `/v1/rewards/${rw.id}`, { name: 'Mug!' });
    const ra = await call('POST', `/v1/rewards/${rw.id}/assignments`, { campaign: lp.id, parameters: { loyalty: { points: 100 } } });
    await call('GET', `/v1/rewards/${rw.id}/assignments`);
    await call('GET', `/v1/rewards/${rw.id}/assignments/${ra.id}`);
    await call('GET', `/v1/loyalties/${lp.id}/rewards`);
    await call('GET', `/v1/loyalties/${lp.id}/reward-assignments`);
    await call('GET', `/v1/loyalties/${lp.id}/reward-assignments/${ra.id}`);
    await call('GET', `/v1/loyalties/${lp.id}/reward-assignments/${ra.id}/reward`);
    await call('GET', `/v1/loyalties/members/${mem.code}/rewards`);
    await call('POST', `/v1/loyalties/members/${mem.code}/redemption`, { reward: { id: rw.id } });
    await call('POST', `/v1/loyalties/${lp.id}/qualifications`, { customer: { source_id: 'c1' } });
    await call('GET', '/v1/metadata-schemas');

    expect(c.problems).toEqual([]);
    // Most answers have an official schema to meet (products, SKUs and qualifications are not in spec/api).
    expect(c.checked).toBeGreaterThan(90);
  });

  it('a second flow (client side, gift cards, imports, exports, referrals, transfers, deletions) likewise', { timeout: 120_000 }, async () => {
    const c = caller(() => p.server);
    const call = c.call;
    const client = caller(() => ({ ...p.client, origin: 'https://shop.example.com' }));
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['*'], client_publish_enabled: true, client_redeem_enabled: true } });
    await defineSchema(t.app, p.id, 'signed_up', {});
    const gift = await call('POST', '/v1/campaigns', { name: 'Gifts', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
    const card = await call('POST', `/v1/campaigns/${gift.id}/vouchers`, {});
    await call('POST', `/v1/vouchers/${card.code}/balance`, { amount: 500 });
    await call('GET', `/v1/campaigns/${gift.id}/transactions`);
    await call('POST', `/v1/campaigns/${gift.id}/transactions/export`, {});
    await call('POST', `/v1/vouchers/${card.code}/transactions/export`, {});
    await call('POST', `/v1/campaigns/${gift.id}/import`, [{ code: 'GIFT-IMP-1', gift: { amount: 300 } }]);
    await call('POST', '/v1/vouchers/metadata/async', { codes: ['GIFT-IMP-1'], metadata: { lot: 1 } });
    await call('POST', '/v1/vouchers/bulk/async', [{ code: 'GIFT-IMP-1', metadata: { lot: 2 } }]);
    await call('POST', '/v1/customers/bulk/async', [{ source_id: 'bulk-1', name: 'Bulk' }]);
    await call('POST', '/v1/customers/metadata/async', { source_ids: ['bulk-1'], metadata: { a: 1 } });
    const cust = await call('POST', '/v1/customers', { source_id: 'c2', name: 'Bo', email: 'bo@example.com' });
    await call('POST', '/v1/orders/import', [{ source_id: 'imp-o1', amount: 2000, status: 'PAID', customer: { source_id: 'c2' } }]);
    await call('POST', '/v1/orders/export', { parameters: { fields: ['id', 'source_id'] } });
    await call('POST', '/v1/vouchers/SESSION-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 5 } });
    await call('POST', '/v1/validations', { customer: { source_id: 'c2' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'SESSION-1' }], session: { type: 'LOCK', key: 'ssn-1' } });
    await call('DELETE', '/v1/vouchers/SESSION-1/sessions/ssn-1');
    // Client side.
    await client.call('POST', '/client/v1/validations', { customer: { source_id: 'c2' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'SESSION-1' }] });
    await client.call('GET', '/client/v1/validate?code=SESSION-1&amount=1000');
    await client.call('POST', '/client/v1/qualifications', { customer: { source_id: 'c2' }, order: { amount: 1000 } });
    await client.call('GET', '/client/v1/promotions/tiers');
    await client.call('POST', '/client/v1/events', { event: 'signed_up', customer: { source_id: 'c2' } });
    await client.call('POST', '/client/v1/redemptions', { customer: { source_id: 'c2' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'SESSION-1' }] });
    await call('POST', '/v1/vouchers/SESSION-2', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    await client.call('POST', '/client/v1/redeem?code=SESSION-2', { customer: { source_id: 'c2' }, order: { amount: 1000 } });
    const open = await call('POST', '/v1/campaigns', { name: 'Open', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    await client.call('POST', '/client/v1/publish', { customer: { source_id: 'c2' }, campaign: { name: 'Open' } });
    await client.call('POST', '/client/v1/publish?campaign=Open', { customer: { source_id: 'c4' } });
    // Referrals.
    const ref = await call('POST', '/v1/campaigns', {
      name: 'Friends', campaign_type: 'REFERRAL_PROGRAM', type: 'AUTO_UPDATE',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      referral_program: { conversion_event_type: 'custom_event', custom_event: { name: 'signed_up' } },
    });
    const refCode = (await call('POST', '/v1/publications', { campaign: { id: ref.id }, customer: { source_id: 'c2' } })).voucher.code;
    await call('POST', `/v1/referrals/${ref.id}/members/${refCode}/holders`, { holders: [{ source_id: 'c3' }] });
    const holders = await call('GET', `/v1/referrals/${ref.id}/members/${refCode}/holders`);
    await call('GET', `/v1/referrals/members/${refCode}/holders`);
    const referee = holders.data?.find((h: any) => h.holder_role === 'REFEREE');
    expect(referee).toBeDefined();
    await call('DELETE', `/v1/referrals/members/${refCode}/holders/${referee.id}`);
    // Loyalty: two programs, a transfer, exports, pending points.
    const a = await call('POST', '/v1/loyalties', { name: 'A club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const b = await call('POST', '/v1/loyalties', { name: 'B club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    await call('POST', `/v1/loyalties/${a.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 10 }, pending_points: { period_type: 'DAY', period_value: 3 } }]);
    const ca = await call('POST', `/v1/loyalties/${a.id}/members`, { customer: { source_id: 'c2' } });
    const cb = await call('POST', `/v1/loyalties/${b.id}/members`, { customer: { source_id: 'c2' } });
    await call('POST', `/v1/loyalties/${a.id}/members/${ca.code}/balance`, { points: 100 });
    await call('POST', `/v1/loyalties/${b.id}/members/${cb.code}/transfers`, [{ code: ca.code, points: 40 }]);
    await call('POST', `/v1/loyalties/${a.id}/transactions/export`, {});
    await call('POST', `/v1/loyalties/members/${ca.code}/transactions/export`, {});
    await call('POST', `/v1/loyalties/${a.id}/members/${ca.code}/transactions/export`, {});
    await call('POST', `/v1/loyalties/${a.id}/points-expiration/export`, {});
    await call('POST', '/v1/orders', { source_id: 'o-pend', amount: 3000, status: 'PAID', customer: { source_id: 'c2' } });
    await call('GET', `/v1/loyalties/${a.id}/pending-points`);
    const pending = await call('GET', `/v1/loyalties/${a.id}/members/${ca.code}/pending-points`);
    const pid = pending.data?.[0]?.id;
    expect(typeof pid).toBe('string');
    await call('POST', `/v1/loyalties/members/${ca.code}/pending-points/${pid}/balance`, { points: 5 });
    await call('POST', `/v1/loyalties/members/${ca.code}/pending-points/${pid}/activate`);
    // Deletions.
    await call('DELETE', `/v1/campaigns/${open.id}`);
    await call('DELETE', `/v1/loyalties/${b.id}`);
    await call('POST', `/v1/customers/${cust.id}/permanent-deletion`);
    await call('DELETE', '/v1/vouchers/GIFT-IMP-1');
    expect([...c.problems, ...client.problems]).toEqual([]);
    expect(c.checked + client.checked).toBeGreaterThan(40);
  });

  it('the management API (projects, webhooks, metadata schemas, custom event schemas, stacking rules) likewise', { timeout: 120_000 }, async () => {
    const m = caller(() => managementHeaders);
    const call = m.call;
    const made = await call('POST', '/management/v1/projects', { name: 'Conformance', timezone: 'Europe/Oslo', currency: 'EUR' });
    const id = made.id;
    await call('GET', '/management/v1/projects');
    await call('GET', `/management/v1/projects/${id}`);
    await call('PUT', `/management/v1/projects/${id}`, { description: 'checked' });
    const hook = await call('POST', `/management/v1/projects/${id}/webhooks`, { target_url: 'https://93.184.215.14/hooks', events: ['customer.created'], active: true });
    await call('GET', `/management/v1/projects/${id}/webhooks`);
    await call('GET', `/management/v1/projects/${id}/webhooks/${hook.id}`);
    await call('PUT', `/management/v1/projects/${id}/webhooks/${hook.id}`, { target_url: 'https://93.184.215.14/hooks2', events: ['customer.created', 'customer.deleted'], active: true });
    await call('DELETE', `/management/v1/projects/${id}/webhooks/${hook.id}`);
    const ms = await call('POST', `/management/v1/projects/${id}/metadata-schemas`, { related_object: 'customer', properties: { tier: { type: 'string', optional: true } } });
    await call('GET', `/management/v1/projects/${id}/metadata-schemas`);
    await call('GET', `/management/v1/projects/${id}/metadata-schemas/${ms.id}`);
    await call('PUT', `/management/v1/projects/${id}/metadata-schemas/${ms.id}`, { properties: { tier: { type: 'string', optional: true }, age: { type: 'number', optional: true } } });
    const ces = await call('POST', `/management/v1/projects/${id}/custom-event-schemas`, { name: 'visited', schema: { properties: { page: { type: 'string', optional: true } } } });
    await call('GET', `/management/v1/projects/${id}/custom-event-schemas`);
    await call('GET', `/management/v1/projects/${id}/custom-event-schemas/${ces.id}`);
    await call('PUT', `/management/v1/projects/${id}/custom-event-schemas/${ces.id}`, { schema: { properties: { page: { type: 'string', optional: true }, ms: { type: 'number', optional: true } } } });
    await call('DELETE', `/management/v1/projects/${id}/custom-event-schemas/${ces.id}`);
    const rules = await call('GET', `/management/v1/projects/${id}/stacking-rules`);
    await call('GET', `/management/v1/projects/${id}/stacking-rules/${rules.data[0].id}`);
    await call('PUT', `/management/v1/projects/${id}/stacking-rules/${rules.data[0].id}`, { redeemables_limit: 10 });
    await call('DELETE', `/management/v1/projects/${id}/metadata-schemas/${ms.id}`);
    await call('DELETE', `/management/v1/projects/${id}`);
    expect(m.problems).toEqual([]);
    expect(m.checked).toBeGreaterThan(15);
  });

  it('the remaining forms (examines, aliases, enable/disable, updates of assignments and stacks) likewise', { timeout: 120_000 }, async () => {
    const c = caller(() => p.server);
    const call = c.call;
    const client = caller(() => ({ ...p.client, origin: 'https://shop.example.com' }));
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['*'] } });
    await call('POST', '/v1/customers', { source_id: 'c9', name: 'Cy' });
    await call('POST', '/v1/campaigns/qualification', { customer: { source_id: 'c9' }, order: { amount: 1000 } });
    await call('POST', '/v1/vouchers/qualification', { customer: { source_id: 'c9' }, order: { amount: 1000 } });
    await call('POST', '/v1/vouchers/CLIENT-V', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } });
    await client.call('GET', '/client/v1/validate?code=CLIENT-V&amount=2000&customer[source_id]=c9');
    await t.app.inject({ method: 'POST', url: `/management/v1/projects/${p.id}/metadata-schemas`, headers: managementHeaders, payload: { related_object: 'order', properties: { gate: { type: 'string', optional: true } } } });
    await call('GET', '/v1/metadata-schemas/order');
    const promo = await call('POST', '/v1/campaigns', { name: 'Promo 4', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'A', banner: 'A', action: { discount: { type: 'AMOUNT', amount_off: 100 } } }, { name: 'B', banner: 'B', action: { discount: { type: 'AMOUNT', amount_off: 200 } } }] } });
    const tiers = (await call('GET', `/v1/promotions/${promo.id}/tiers`)).tiers;
    await call('POST', `/v1/promotions/tiers/${tiers[0].id}/disable`);
    await call('POST', `/v1/promotions/tiers/${tiers[0].id}/enable`);
    const stack = await call('POST', `/v1/promotions/${promo.id}/stacks`, { name: 'S4', tiers: { ids: [tiers[0].id, tiers[1].id], hierarchy_mode: 'MANUAL' } });
    await call('PUT', `/v1/promotions/${promo.id}/stacks/${stack.id}`, { name: 'S4 renamed' });
    const lp = await call('POST', '/v1/loyalties', { name: 'Club 4', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const card = await call('POST', `/v1/loyalties/${lp.id}/members`, { customer: { source_id: 'c9' } });
    await call('POST', `/v1/loyalties/members/${card.code}/balance`, { points: 300 });
    await call('GET', `/v1/loyalties/members/${card.code}/activity`);
    const reward = await call('POST', '/v1/rewards', { name: 'Cap', type: 'MATERIAL', parameters: { product: { id: (await call('POST', '/v1/products', { name: 'Cap', source_id: 'cap' })).id } } });
    const assigned = await call('POST', `/v1/loyalties/${lp.id}/rewards`, [{ reward: reward.id, parameters: { loyalty: { points: 50 } } }]);
    expect(Array.isArray(assigned)).toBe(true);
    const assignment = assigned[0];
    await call('GET', `/v1/loyalties/${lp.id}/rewards/${assignment.id}`);
    await call('PUT', `/v1/loyalties/${lp.id}/rewards/${assignment.id}`, { parameters: { loyalty: { points: 60 } } });
    await call('PUT', `/v1/rewards/${reward.id}/assignments/${assignment.id}`, { parameters: { loyalty: { points: 70 } } });
    await call('POST', `/v1/loyalties/${lp.id}/members/${card.code}/redemption`, { reward: { id: reward.id } });
    const ref = await call('POST', '/v1/campaigns', {
      name: 'Friends 4', campaign_type: 'REFERRAL_PROGRAM', type: 'AUTO_UPDATE',
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      referral_program: { conversion_event_type: 'redemption' },
    });
    const code = (await call('POST', '/v1/publications', { campaign: { id: ref.id }, customer: { source_id: 'c9' } })).voucher.code;
    await call('POST', `/v1/referrals/members/${code}/holders`, { holders: [{ source_id: 'c10' }] });
    await call('POST', `/v1/loyalties/${lp.id}/earning-rules`, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 5 }, pending_points: { period_type: 'DAY', period_value: 2 } }]);
    await call('POST', '/v1/orders', { source_id: 'o-c9', amount: 1000, status: 'PAID', customer: { source_id: 'c9' } });
    const pending = await call('GET', `/v1/loyalties/members/${card.code}/pending-points`);
    expect(pending.data.length).toBe(1);
    await call('POST', `/v1/loyalties/members/${card.code}/pending-points/${pending.data[0].id}/cancel`);
    expect([...c.problems, ...client.problems]).toEqual([]);
    expect(c.checked + client.checked).toBeGreaterThan(20);
  });
});

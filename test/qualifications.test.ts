/**
 * POST /v1/qualifications beyond the basic scenarios: the product scenarios, `options.filters`, `sorting_rule`,
 * cursor paging with `starting_after`, and the entries' created_at and categories, on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const tiers: Record<string, string> = {};
let promo = '';
let category = '';

const { api, ok } = requestsOf(() => ({ t, p }));
const qualify = (body: Record<string, unknown>) => ok('POST', '/v1/qualifications', { customer: { source_id: 'quinn' }, order, ...body });
const idsOf = (q: any) => q.redeemables.data.map((r: any) => r.id);

const order = { amount: 20000, items: [{ source_id: 'lamp', quantity: 1, price: 15000 }, { source_id: 'bulb', quantity: 2, price: 2500 }] };

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  await ok('POST', '/v1/products', { source_id: 'lamp', name: 'Lamp', price: 15000 });
  await ok('POST', '/v1/products', { source_id: 'bulb', name: 'Bulb', price: 2500 });
  await ok('POST', '/v1/products', { source_id: 'sofa', name: 'Sofa', price: 90000 });
  category = (await ok('POST', '/v1/categories', { name: 'Lighting', hierarchy: 1 })).id;
  promo = (await ok('POST', '/v1/campaigns', { name: 'Home week', campaign_type: 'PROMOTION' })).id;
  const tier = async (name: string, discount: object, rule?: object) => {
    const made = await ok('POST', `/v1/promotions/${promo}/tiers`, { name, action: { discount } });
    if (rule) {
      const r = await ok('POST', '/v1/validation-rules', { name: `rule of ${name}`, ...rule });
      await ok('POST', `/v1/validation-rules/${r.id}/assignments`, { related_object_type: 'promotion_tier', related_object_id: made.id });
    }
    tiers[name] = made.id;
    // Distinct creation times, so that the newest-first order is known.
    await new Promise((r) => setTimeout(r, 5));
  };
  await tier('Order 5 off', { type: 'AMOUNT', amount_off: 500 });
  await tier('Lamps 20%', { type: 'PERCENT', percent_off: 20, effect: 'APPLY_TO_ITEMS' }, { applicable_to: { included: [{ object: 'product', source_id: 'lamp' }] } });
  await tier('Sofas 10%', { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ITEMS' }, { applicable_to: { included: [{ object: 'product', source_id: 'sofa' }] } });
  await tier('With a bulb, 1 off', { type: 'AMOUNT', amount_off: 100 }, { rules: { '1': { name: 'order.items.any', conditions: { $is: [{ source_id: 'bulb', object: 'product' }] } } } });
  // The customer's own codes: a discount in the Lighting category and a gift card.
  await ok('POST', '/v1/vouchers/QUINN-LIGHT', { type: 'DISCOUNT_VOUCHER', category_id: category, discount: { type: 'PERCENT', percent_off: 50, effect: 'APPLY_TO_ITEMS' } });
  const rule = await ok('POST', '/v1/validation-rules', { name: 'bulbs only', applicable_to: { included: [{ object: 'product', source_id: 'bulb' }] } });
  const light = await ok('GET', '/v1/vouchers/QUINN-LIGHT');
  await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: light.id });
  await ok('POST', '/v1/vouchers/QUINN-GIFT', { type: 'GIFT_VOUCHER', gift: { amount: 3000 } });
  for (const code of ['QUINN-LIGHT', 'QUINN-GIFT']) await ok('POST', '/v1/publications', { voucher: code, customer: { source_id: 'quinn' } });
});
afterAll(() => t.close());

describe('product scenarios', () => {
  it('PRODUCTS keeps the tiers about the order items: targets that take a line, or item rules that hold', async () => {
    const q = await qualify({ scenario: 'PRODUCTS' });
    expect(idsOf(q).sort()).toEqual([tiers['Lamps 20%'], tiers['With a bulb, 1 off']].sort());
    const lamps = q.redeemables.data.find((r: any) => r.id === tiers['Lamps 20%']);
    expect(lamps.order.items.map((i: any) => i.discount_amount)).toEqual([3000, 0]);
    expect(lamps.applicable_to.data).toMatchObject([{ object: 'product', source_id: 'lamp' }]);
  });

  it('PRODUCTS_DISCOUNT keeps only discounts on targeted items; the _BY_CUSTOMER forms add the customer codes', async () => {
    expect(idsOf(await qualify({ scenario: 'PRODUCTS_DISCOUNT' }))).toEqual([tiers['Lamps 20%']]);
    expect(idsOf(await qualify({ scenario: 'PRODUCTS_DISCOUNT_BY_CUSTOMER' })).sort()).toEqual(['QUINN-LIGHT', tiers['Lamps 20%']].sort());
    expect(idsOf(await qualify({ scenario: 'PRODUCTS_BY_CUSTOMER' })).sort()).toEqual(['QUINN-LIGHT', tiers['Lamps 20%'], tiers['With a bulb, 1 off']].sort());
    // Without bulbs, the bulb code and the bulb rule tier are out.
    const lampOnly = await qualify({ scenario: 'PRODUCTS_BY_CUSTOMER', order: { amount: 15000, items: [{ source_id: 'lamp', quantity: 1, price: 15000 }] } });
    expect(idsOf(lampOnly)).toEqual([tiers['Lamps 20%']]);
  });
});

describe('options', () => {
  it('entries carry created_at and their category objects; the default order is newest first', async () => {
    const q = await qualify({ scenario: 'ALL' });
    const times = q.redeemables.data.map((r: any) => Date.parse(r.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(q.redeemables.data.find((r: any) => r.id === 'QUINN-LIGHT').categories).toEqual([expect.objectContaining({ id: category, name: 'Lighting', object: 'category' })]);
    expect(q.redeemables.data.find((r: any) => r.id === tiers['Order 5 off']).categories).toEqual([]);
  });

  it('filters by resource type, campaign, voucher type, code, category and holder role, with and / or', async () => {
    const only = async (filters: object) => idsOf(await qualify({ scenario: 'ALL', options: { filters } })).sort();
    const allTiers = [tiers['Order 5 off'], tiers['Lamps 20%'], tiers['With a bulb, 1 off']].sort();
    expect(await only({ resource_type: { conditions: { $in: ['promotion_tier'] } } })).toEqual(allTiers);
    expect(await only({ campaign_id: { conditions: { $is: [promo] } } })).toEqual(allTiers);
    expect(await only({ voucher_type: { conditions: { $is: ['GIFT_VOUCHER'] } } })).toEqual(['QUINN-GIFT']);
    expect(await only({ code: { conditions: { $in: ['QUINN-LIGHT', 'NOPE'] } } })).toEqual(['QUINN-LIGHT']);
    expect(await only({ category_id: { conditions: { $is: [category] } } })).toEqual(['QUINN-LIGHT']);
    expect(await only({ holder_role: { conditions: { $is: ['OWNER'] } } })).toEqual(['QUINN-GIFT', 'QUINN-LIGHT']);
    expect(await only({ holder_role: { conditions: { $is_unknown: true } }, resource_id: { conditions: { $is_not: [tiers['Order 5 off']!] } } })).toEqual(
      [tiers['Lamps 20%'], tiers['With a bulb, 1 off']].sort(),
    );
    expect(await only({ junction: 'or', code: { conditions: { $is: ['QUINN-GIFT'] } }, resource_id: { conditions: { $is: [tiers['Order 5 off']!] } } })).toEqual(['QUINN-GIFT', tiers['Order 5 off']].sort());
  });

  it('refuses unknown filter fields, operators and sorting rules with 400s naming them', async () => {
    const bad = async (options: object, says: string) => {
      const r = await api('POST', '/v1/qualifications', { order, options });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json()).toMatchObject({ key: 'invalid_payload', details: expect.stringContaining(says) });
    };
    await bad({ filters: { colour: { conditions: { $is: ['red'] } } } }, 'colour');
    await bad({ filters: { code: { conditions: { $like: ['Q%'] } } } }, '$like');
    await bad({ filters: { code: { conditions: { $in: 'QUINN' } } } }, 'list of strings');
    await bad({ filters: { junction: 'xor' } }, 'junction');
    await bad({ sorting_rule: 'RANDOM' }, 'BEST_DEAL');
    await bad({ starting_after: 'yesterday' }, 'starting_after');
  });

  it('BEST_DEAL and LEAST_DEAL order by what each takes off the order alone', async () => {
    const amounts = (q: any) => q.redeemables.data.map((r: any) => r.order.total_applied_discount_amount);
    const best = amounts(await qualify({ scenario: 'ALL', options: { sorting_rule: 'BEST_DEAL' } }));
    expect(best).toEqual([...best].sort((a, b) => b - a));
    expect(best[0]).toBe(3000); // the lamp's 20% (the gift card's 3,000 ties it; either may lead)
    const least = amounts(await qualify({ scenario: 'ALL', options: { sorting_rule: 'LEAST_DEAL' } }));
    expect(least).toEqual([...best].reverse());
  });

  it('pages with limit and more_starting_after, neither repeating nor losing entries', async () => {
    const all = idsOf(await qualify({ scenario: 'ALL' }));
    expect(all).toHaveLength(5);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const q = await qualify({ scenario: 'ALL', options: { limit: 2, ...(cursor ? { starting_after: cursor } : {}) } });
      seen.push(...idsOf(q));
      expect(q.redeemables.total).toBe(q.redeemables.data.length);
      if (!q.redeemables.has_more) break;
      cursor = q.redeemables.more_starting_after;
    }
    expect(seen).toEqual(all);
  });
});

describe('validation options.expand', () => {
  it("category shows a redeemable's category objects; order the order after the stack up to each one", async () => {
    const body = { customer: { source_id: 'quinn' }, order, redeemables: [{ object: 'promotion_tier', id: tiers['Order 5 off'] }, { object: 'voucher', id: 'QUINN-LIGHT' }] };
    const plain = await ok('POST', '/v1/validations', body);
    expect(plain.valid).toBe(true);
    expect(plain.redeemables[1].categories).toEqual([]);
    expect(plain.redeemables[1].order).toBeUndefined();
    const v = await ok('POST', '/v1/validations', { ...body, options: { expand: ['category', 'order'] } });
    expect(v.redeemables[1].categories).toEqual([expect.objectContaining({ id: category, name: 'Lighting', object: 'category' })]);
    expect(v.redeemables[0].categories).toEqual([]);
    // 5.00 off the order, then half of the bulbs' 50.00.
    expect(v.redeemables[0].order).toMatchObject({ total_discount_amount: 500 });
    expect(v.redeemables[1].order).toMatchObject({ total_discount_amount: 3000 });
    expect(v.order.total_discount_amount).toBe(3000);
  });
});

describe('qualification expand', () => {
  it('validation_rules lists the assignments of the rules guarding each entry', async () => {
    const plain = await qualify({ scenario: 'AUDIENCE_ONLY' });
    expect(plain.redeemables.data[0].validation_rules_assignments).toBeUndefined();
    const q = await qualify({ scenario: 'AUDIENCE_ONLY', options: { expand: ['validation_rules'] } });
    const lamps = q.redeemables.data.find((r: any) => r.id === tiers['Lamps 20%']);
    expect(lamps.validation_rules_assignments).toMatchObject({ object: 'list', total: 1, data: [{ object: 'validation_rules_assignment', related_object_type: 'promotion_tier', related_object_id: tiers['Lamps 20%'] }] });
    const open = q.redeemables.data.find((r: any) => r.id === tiers['Order 5 off']);
    expect(open.validation_rules_assignments).toMatchObject({ total: 0, data: [] });
  });
});

describe("the project's stacking rules", () => {
  let r: TestProject;
  let exclusive: string;
  const own = requestsOf(() => ({ t, p: r }));
  beforeAll(async () => {
    r = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    // The rules name categories the project has.
    exclusive = (await own.ok('POST', '/v1/categories', { name: 'Exclusive', hierarchy: 1 })).id;
    const set = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${r.id}/stacking-rules`, headers: managementHeaders, payload: { exclusive_categories: [exclusive] } });
    expect(set.statusCode, set.body).toBe(200);
  });

  it('qualifications answer them, as validations do', async () => {
    const q = await own.ok('POST', '/v1/qualifications', { order: { amount: 10000 } });
    expect(q.stacking_rules.exclusive_categories).toEqual([exclusive]);
    const client = await t.app.inject({ method: 'POST', url: '/client/v1/qualifications', headers: { ...r.client, origin: 'https://shop.example.com' }, payload: { order: { amount: 10000 } } });
    expect(client.statusCode, client.body).toBe(200);
    expect(client.json().stacking_rules.exclusive_categories).toEqual([exclusive]);
  });
});

describe('paging codes created at one moment', () => {
  it("reaches every code of a generated campaign (they share a created_at), one page at a time", async () => {
    const c = await ok('POST', '/v1/campaigns', { name: 'Dan batch', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 3, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
    while ((await t.tessera.services.generation.step()) > 0);
    const codes = (await ok('GET', `/v1/vouchers?campaign_id=${c.id}`)).vouchers;
    expect(new Set(codes.map((v: any) => v.created_at)).size).toBe(1);
    for (const v of codes) await ok('POST', '/v1/publications', { voucher: v.code, customer: { source_id: 'dan' } });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const q = await ok('POST', '/v1/qualifications', { scenario: 'CUSTOMER_WALLET', order: { amount: 10000 }, customer: { source_id: 'dan' }, options: { limit: 1, ...(cursor ? { starting_after: cursor } : {}) } });
      seen.push(...idsOf(q));
      if (!q.redeemables.has_more) break;
      cursor = q.redeemables.more_starting_after;
      // Still a date-time, as Voucherify's schema types it, read as the last entry's own time.
      expect(cursor).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
      expect(new Date(cursor!).toISOString()).toBe(codes[0].created_at);
    }
    expect(seen.sort()).toEqual(codes.map((v: any) => v.code).sort());
    // A plain date-time still works: what was created before it.
    const later = await ok('POST', '/v1/qualifications', { scenario: 'CUSTOMER_WALLET', order: { amount: 10000 }, customer: { source_id: 'dan' }, options: { starting_after: new Date(Date.now() + 60_000).toISOString() } });
    expect(idsOf(later)).toHaveLength(3);
  });
});

describe('PROMOTION_STACKS and the stacking rules', () => {
  let s: TestProject;
  const own = requestsOf(() => ({ t, p: s }));
  it('a stack shows what its redemption gives: the tiers the rules leave out do not count', async () => {
    s = await t.createProject();
    const cat = (await own.ok('POST', '/v1/categories', { name: 'Seasonal', hierarchy: 1 })).id;
    const camp = (await own.ok('POST', '/v1/campaigns', { name: 'Season', campaign_type: 'PROMOTION', category_id: cat })).id;
    const t1 = (await own.ok('POST', `/v1/promotions/${camp}/tiers`, { name: 't1', action: { discount: { type: 'AMOUNT', amount_off: 1000 } } })).id;
    const t2 = (await own.ok('POST', `/v1/promotions/${camp}/tiers`, { name: 't2', action: { discount: { type: 'AMOUNT', amount_off: 500 } } })).id;
    const stack = (await own.ok('POST', `/v1/promotions/${camp}/stacks`, { name: 's1', tiers: { ids: [t1, t2], hierarchy_mode: 'MANUAL' } })).id;
    const v = await own.ok('POST', '/v1/validations', { redeemables: [{ object: 'promotion_stack', id: stack }], order: { amount: 10000 } });
    expect(v.redeemables.map((r: any) => r.status)).toEqual(['APPLICABLE', 'SKIPPED']);
    const q = await own.ok('POST', '/v1/qualifications', { scenario: 'PROMOTION_STACKS', order: { amount: 10000 } });
    expect(idsOf(q)).toEqual([stack]);
    const [entry] = q.redeemables.data;
    expect(entry.order.total_discount_amount).toBe(v.order.total_discount_amount);
    expect(entry.order.total_discount_amount).toBe(1000);
    expect(entry.redeemables.map((r: any) => r.id)).toEqual([t1]);
  });
});

describe('gift cards in a wallet', () => {
  it('each shows what it takes off the order by itself, whatever the other cards hold', async () => {
    for (const [code, amount] of [['BOB-GIFTA', 8000], ['BOB-GIFTB', 5000]] as const) {
      await ok('POST', `/v1/vouchers/${code}`, { type: 'GIFT_VOUCHER', gift: { amount } });
      await ok('POST', '/v1/publications', { voucher: code, customer: { source_id: 'bob' } });
    }
    const q = await ok('POST', '/v1/qualifications', { scenario: 'CUSTOMER_WALLET', order: { amount: 10000 }, customer: { source_id: 'bob' } });
    const of = (code: string) => q.redeemables.data.find((r: any) => r.id === code);
    expect(of('BOB-GIFTA')).toMatchObject({ result: { gift: { credits: 8000 } }, order: { total_applied_discount_amount: 8000 } });
    expect(of('BOB-GIFTB')).toMatchObject({ result: { gift: { credits: 5000 } }, order: { total_applied_discount_amount: 5000 } });
  });
});

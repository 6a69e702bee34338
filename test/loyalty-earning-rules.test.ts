/**
 * What earning rules give and refuse: ORDER_ITEMS_QUANTITY counts only the items its product, SKU or collection
 * names; proportional points and tier multipliers without binary float noise (0.3 stars per 0.1 is 3); programs and
 * cards that are not valid now earn nothing; the limit of 100 rules per project holds under concurrent creates;
 * impossible days, unknown segments and empty expiry periods are refused; no card's points pass 2^53 - 1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { api, ok } = requestsOf(() => ({ t, p }));
let n = 0;

async function program(extra: Record<string, unknown> = {}): Promise<any> {
  n += 1;
  return ok('POST', '/v1/loyalties', { name: `Earn ${n}`, type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: `E${n}-`, length: 8 } }, ...extra });
}
const member = async (programId: string, source_id: string): Promise<string> => (await ok('POST', `/v1/loyalties/${programId}/members`, { customer: { source_id } })).code;
const balance = async (code: string): Promise<number> => (await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card.balance;
const rules = (programId: string, body: unknown) => api('POST', `/v1/loyalties/${programId}/earning-rules`, body);
const starsRule = (every: number, points = 1) => ({ event: 'stars_given', loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { property: 'stars', every, points } } } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  await defineSchema(t.app, p.id, 'stars_given', { stars: { type: 'number', optional: true } });
});
afterAll(() => t.close());

describe('ORDER_ITEMS_QUANTITY counts the items its object names', () => {
  it('a product rule counts that product\'s items (by id or source id), a SKU rule its SKU, a collection rule its members', async () => {
    const mug = await ok('POST', '/v1/products', { name: 'Mug', source_id: 'mug' });
    const cup = await ok('POST', '/v1/products', { name: 'Cup', source_id: 'cup' });
    const big = await ok('POST', `/v1/products/${mug.id}/skus`, { sku: 'Big mug', source_id: 'mug-big' });
    const mugs = await ok('POST', '/v1/product-collections', { name: 'Mugs', type: 'STATIC', products: [{ id: mug.id, object: 'product' }] });
    const quantity = (object: string, id: string) => ({ event: 'order.paid', loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_ITEMS_QUANTITY', order_items: { quantity: { every: 1, points: 1, object, id } } } });
    const cases: Array<[unknown, number]> = [
      [quantity('product', mug.id), 2 + 3],
      [quantity('sku', big.id), 3],
      [quantity('products_collection', mugs.id), 2 + 3],
      [{ event: 'order.paid', loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_ITEMS_QUANTITY', order_items: { quantity: { every: 1, points: 1 } } } }, 2 + 3 + 5],
    ];
    for (const [i, [rule, expected]] of cases.entries()) {
      const c = await program();
      const [saved] = (await rules(c.id, [rule])).json();
      expect(saved.loyalty.order_items.quantity).toMatchObject({ every: 1, points: 1 });
      const code = await member(c.id, `items-${i}`);
      // Two mugs by product id, three big mugs by SKU source id, five cups by product source id.
      await ok('POST', '/v1/orders', {
        amount: 10000,
        status: 'PAID',
        customer: { source_id: `items-${i}` },
        items: [
          { product_id: mug.id, quantity: 2, price: 1000 },
          { related_object: 'sku', source_id: 'mug-big', quantity: 3, price: 1000 },
          { source_id: 'cup', quantity: 5, price: 500 },
        ],
      });
      expect(await balance(code), JSON.stringify(rule)).toBe(expected);
    }
    expect(cup.id).toMatch(/^prod_/);
  });

  it('refuses an object without its id, an unknown object type, and a product that does not exist', async () => {
    const c = await program();
    const quantity = (q: Record<string, unknown>) => [{ event: 'order.paid', loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_ITEMS_QUANTITY', order_items: { quantity: { every: 1, points: 1, ...q } } } }];
    expect((await rules(c.id, quantity({ object: 'product' }))).statusCode).toBe(400);
    expect((await rules(c.id, quantity({ object: 'order', id: 'x' }))).statusCode).toBe(400);
    const missing = await rules(c.id, quantity({ object: 'product', id: 'prod_nope' }));
    expect(missing.statusCode, missing.body).toBe(404);
    expect(missing.json()).toMatchObject({ key: 'not_found', resource_type: 'product' });
  });
});

describe('decimal figures without float noise', () => {
  it('gives every 0.1 stars a point: 0.3 is 3, 0.7 is 7, 2.3 is 23', async () => {
    const c = await program();
    expect((await rules(c.id, [starsRule(0.1)])).statusCode).toBe(200);
    const code = await member(c.id, 'tenths');
    let expected = 0;
    for (const [stars, points] of [[0.3, 3], [0.7, 7], [2.3, 23], [0.29, 2]] as const) {
      await ok('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'tenths' }, metadata: { stars } });
      expected += points;
      expect(await balance(code), `${stars} stars`).toBe(expected);
    }
  });

  it('a tier multiplier rounds to the nearest whole point, halves up: 50 x 1.15 is 58', async () => {
    const c = await program();
    const [rule] = (await rules(c.id, [starsRule(1, 50)])).json();
    await ok('POST', `/v1/loyalties/${c.id}/tiers`, [{ name: 'All', points: { from: 0 }, earning_rules: { [rule.id]: { type: 'MULTIPLY', multiplier: 1.15 } } }]);
    const code = await member(c.id, 'multiplied');
    await ok('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'multiplied' }, metadata: { stars: 1 } });
    expect(await balance(code)).toBe(58);
  });
});

describe('programs and cards not valid now', () => {
  const fixed = { event: 'stars_given', loyalty: { type: 'FIXED', points: 10 } };
  const day = 86_400_000;
  it('an expired or not yet started program, and an expired card, earn nothing; a valid one earns', async () => {
    const expired = await program();
    const later = await program({ start_date: new Date(Date.now() + 10 * day).toISOString() });
    const valid = await program();
    for (const c of [expired, later, valid]) expect((await rules(c.id, [fixed])).statusCode).toBe(200);
    const codes = [await member(expired.id, 'timely'), await member(later.id, 'timely'), await member(valid.id, 'timely')];
    // The program expires after its member joined.
    await ok('PUT', `/v1/campaigns/${expired.id}`, { start_date: new Date(Date.now() - 10 * day).toISOString(), expiration_date: new Date(Date.now() - day).toISOString() });
    await ok('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'timely' } });
    expect(await Promise.all(codes.map(balance))).toEqual([0, 0, 10]);
    // Its redemptions are refused as expired: its earnings stop with them.
    const redeem = await api('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: codes[0] }], customer: { source_id: 'timely' } });
    expect(JSON.stringify(redeem.json())).toContain('voucher_expired');
    // A card of the valid program that expired on its own earns nothing either.
    await ok('PUT', `/v1/vouchers/${codes[2]}`, { start_date: new Date(Date.now() - 10 * day).toISOString(), expiration_date: new Date(Date.now() - day).toISOString() });
    await ok('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'timely' } });
    expect(await balance(codes[2]!)).toBe(10);
  });
});

describe('the limit of earning rules per project', () => {
  it('holds when creates run at once: never more than 100, the rest refused with a 400', async () => {
    const other = await t.createProject();
    const send = (path: string, body: unknown) => t.app.inject({ method: 'POST', url: path, headers: other.server, payload: body as object });
    await defineSchema(t.app, other.id, 'visit', {});
    const c = (await send('/v1/loyalties', { name: 'Many rules', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } })).json();
    const ten = Array.from({ length: 10 }, () => ({ event: 'visit', loyalty: { type: 'FIXED', points: 1 } }));
    expect((await send(`/v1/loyalties/${c.id}/earning-rules`, [...ten, ...ten, { event: 'visit', loyalty: { type: 'FIXED', points: 1 } }])).statusCode).toBe(200);
    const answers = await Promise.all(Array.from({ length: 10 }, () => send(`/v1/loyalties/${c.id}/earning-rules`, ten)));
    const codes = answers.map((a) => a.statusCode);
    expect(codes.filter((s) => s === 200)).toHaveLength(7);
    for (const a of answers.filter((x) => x.statusCode !== 200)) expect(a.json()).toMatchObject({ code: 400, key: 'invalid_earning_rule' });
    const { rows } = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM earning_rules WHERE project_id = $1', [other.id]);
    expect(rows[0]!.n).toBe(91);
  });
});

describe('earning rules that could never hold', () => {
  it('refuses days of the week outside 0-6, an unknown segment, expiry periods of no months, and days a month does not have', async () => {
    const c = await program();
    const fixed = { event: 'stars_given', loyalty: { type: 'FIXED', points: 1 } };
    const bad: Array<[unknown, number, RegExp]> = [
      [{ ...fixed, validity_day_of_week: [7] }, 400, /validity_day_of_week/],
      [{ ...fixed, validity_day_of_week: [-1, 2] }, 400, /validity_day_of_week/],
      [{ ...fixed, validity_day_of_week: ['1'] }, 400, /validity_day_of_week/],
      [{ ...fixed, validity_hours: { daily: [{ start_time: '08:00', expiration_time: '10:00', days_of_week: [9] }] } }, 400, /days_of_week/],
      [{ event: 'customer.segment.entered', segment: { id: 'seg_nope' }, loyalty: { type: 'FIXED', points: 1 } }, 404, /seg_nope/],
      [{ ...fixed, expiration_rules: { period_type: 'MONTH', period_value: 0 } }, 400, /period_value/],
      [{ ...fixed, expiration_rules: { period_type: 'MONTH', period_value: -3 } }, 400, /period_value/],
      [{ ...fixed, expiration_rules: { period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 2, fixed_day: 30 } }, 400, /fixed_day/],
      [{ ...fixed, expiration_rules: { period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 4, fixed_day: 31 } }, 400, /fixed_day/],
    ];
    for (const [rule, status, detail] of bad) {
      const res = await rules(c.id, [rule]);
      expect(res.statusCode, `${JSON.stringify(rule)}: ${res.body}`).toBe(status);
      expect(`${res.json().details} ${res.json().message}`).toMatch(detail);
    }
    const [one] = (await rules(c.id, [{ ...fixed, validity_day_of_week: [0, 6], expiration_rules: { period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 2, fixed_day: 29 } }])).json();
    expect(one.validity_day_of_week).toEqual([0, 6]);
    const put = await api('PUT', `/v1/loyalties/${c.id}/earning-rules/${one.id}`, { validity_day_of_week: [8] });
    expect(put.statusCode).toBe(400);
  });
});

describe('a card holds at most 2^53 - 1 points', () => {
  it('refuses an addition beyond it and earns nothing beyond it, keeping the event', async () => {
    const c = await program();
    expect((await rules(c.id, [{ event: 'stars_given', loyalty: { type: 'FIXED', points: 10 } }])).statusCode).toBe(200);
    const code = await member(c.id, 'rich');
    const max = Number.MAX_SAFE_INTEGER;
    await t.testDb.db.query('UPDATE vouchers SET loyalty_balance = $1, loyalty_points = $1 WHERE code = $2', [max - 5, code]);
    const over = await api('POST', `/v1/loyalties/members/${code}/balance`, { points: 6 });
    expect(over.statusCode, over.body).toBe(400);
    expect(over.json()).toHaveProperty('request_id');
    expect(await balance(code)).toBe(max - 5);
    const event = await api('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'rich' } });
    expect(event.statusCode, event.body).toBe(200);
    expect(await balance(code)).toBe(max - 5);
    await ok('POST', `/v1/loyalties/members/${code}/balance`, { points: 5 });
    expect(await balance(code)).toBe(max);
    const { rows } = await t.testDb.db.query<{ b: string }>('SELECT loyalty_balance::text AS b FROM vouchers WHERE code = $1', [code]);
    expect(rows[0]!.b).toBe(String(max));
  });
});

describe('client-side events and client_loyalty_events_enabled', () => {
  it('a client-side event earns nothing while the project keeps client events out of its programs; the server key always earns', async () => {
    const q = await t.createProject({ client_trusted_domains: ['*'] });
    const call = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: q.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
    await defineSchema(t.app, q.id, 'stars_given', { stars: { type: 'number', optional: true } });
    const c = (await call('POST', '/v1/loyalties', { name: 'Client club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } })).json();
    expect((await call('POST', `/v1/loyalties/${c.id}/earning-rules`, [starsRule(1)])).statusCode).toBe(200);
    const code = (await call('POST', `/v1/loyalties/${c.id}/members`, { customer: { source_id: 'client-fan' } })).json().code;
    const fromBrowser = () => t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...q.client, origin: 'https://evil.example' }, payload: { event: 'stars_given', customer: { source_id: 'client-fan' }, metadata: { stars: 100 } } });
    const points = async () => (await call('GET', `/v1/loyalties/members/${code}`)).json().loyalty_card.balance;
    // Tracked (segments, distributions see it), but no points.
    expect((await fromBrowser()).statusCode).toBe(200);
    expect(await points()).toBe(0);
    expect((await call('GET', '/v1/customers/client-fan/activity?type=customer.custom_event')).json().data).toHaveLength(1);
    expect((await call('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'client-fan' }, metadata: { stars: 5 } })).statusCode).toBe(200);
    expect(await points()).toBe(5);
    const on = await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${q.id}`, headers: managementHeaders, payload: { client_loyalty_events_enabled: true } });
    expect(on.statusCode, on.body).toBe(200);
    expect((await fromBrowser()).statusCode).toBe(200);
    expect(await points()).toBe(105);
  });
});

describe("an earning rule's validation rule reads the paid order's items", () => {
  it('a rule needing an item of a collection (or a product) earns for an order holding one, not for one without', async () => {
    const tea = await ok('POST', '/v1/products', { name: 'Tea', source_id: 'vr-tea' });
    const pen = await ok('POST', '/v1/products', { name: 'Pen', source_id: 'vr-pen' });
    const drinks = await ok('POST', '/v1/product-collections', { name: 'Drinks', type: 'STATIC', products: [{ id: tea.id, object: 'product' }] });
    for (const [i, ref] of [{ id: drinks.id, object: 'products_collection' }, { id: tea.id, object: 'product' }].entries()) {
      const rule = await ok('POST', '/v1/validation-rules', { name: `Needs a drink ${i}`, rules: { '1': { name: 'order.items.any', conditions: { $is: [ref] } } } });
      const c = await program();
      expect((await rules(c.id, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 7 }, validation_rule_id: rule.id }])).statusCode).toBe(200);
      const code = await member(c.id, `vr-buyer-${i}`);
      await ok('POST', '/v1/orders', { amount: 1000, status: 'PAID', customer: { source_id: `vr-buyer-${i}` }, items: [{ source_id: 'vr-pen', related_object: 'product', quantity: 1, price: 1000 }] });
      expect(await balance(code), JSON.stringify(ref)).toBe(0);
      await ok('POST', '/v1/orders', { amount: 1500, status: 'PAID', customer: { source_id: `vr-buyer-${i}` }, items: [{ product_id: pen.id, quantity: 1, price: 1000 }, { source_id: 'vr-tea', related_object: 'product', quantity: 1, price: 500 }] });
      expect(await balance(code), JSON.stringify(ref)).toBe(7);
    }
  });
});

describe('validity hours and dates of earning rules', () => {
  const fixed = { event: 'stars_given', loyalty: { type: 'FIXED', points: 10 } };
  const hours = (start_time: unknown, expiration_time: unknown = '23:59') => ({ validity_hours: { daily: [{ start_time, expiration_time, days_of_week: [0, 1, 2, 3, 4, 5, 6] }] } });
  const bad = [hours(1), hours('25:00'), hours('ab:cd'), hours('00:00', '24:30'), { start_date: 'not a date' }, { expiration_date: 'soon' }];

  it('refuses times that are not HH:mm and dates that are not dates, on create and update, with invalid_payload', async () => {
    const c = await program();
    for (const extra of bad) {
      const res = await rules(c.id, [{ ...fixed, ...extra }]);
      expect(res.statusCode, `${JSON.stringify(extra)}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    }
    const [one] = (await rules(c.id, [{ ...fixed, ...hours('00:00') }])).json();
    for (const extra of bad) {
      const res = await api('PUT', `/v1/loyalties/${c.id}/earning-rules/${one.id}`, extra);
      expect(res.statusCode, `${JSON.stringify(extra)}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    }
    expect((await ok('GET', `/v1/loyalties/${c.id}/earning-rules/${one.id}`)).validity_hours.daily[0].start_time).toBe('00:00');
  });

  it('a bad rule already stored earns nothing and never fails the event or the order', async () => {
    const c = await program();
    const orderRule = { event: 'order.paid', loyalty: { type: 'FIXED', points: 5 } };
    const saved = (await rules(c.id, [fixed, orderRule, { ...fixed, loyalty: { type: 'FIXED', points: 1 } }])).json();
    const code = await member(c.id, 'stored-bad');
    const defs = [{ ...fixed, ...hours(1) }, { ...orderRule, ...hours('ab:cd') }, { ...fixed, start_date: 'not a date' }];
    for (const [i, r] of saved.entries()) {
      const { event: _e, ...definition } = defs[i] as Record<string, unknown>;
      await t.testDb.db.query('UPDATE earning_rules SET definition = $1 WHERE id = $2', [JSON.stringify(definition), r.id]);
    }
    // Definitions are cached per process: a change through the API refreshes them.
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [{ event: 'stars_given', loyalty: { type: 'FIXED', points: 100 }, active: false }]);
    const event = await api('POST', '/v1/events', { event: 'stars_given', customer: { source_id: 'stored-bad' } });
    expect(event.statusCode, event.body).toBe(200);
    const order = await api('POST', '/v1/orders', { amount: 1000, status: 'PAID', customer: { source_id: 'stored-bad' } });
    expect(order.statusCode, order.body).toBe(200);
    expect(await balance(code)).toBe(0);
  });
});

describe("a program's expiration_rules", () => {
  it('are checked as an earning rule\'s: no months and days a month does not have are refused, on create and update', async () => {
    const card = (expiration_rules: unknown) => ({ type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules } });
    const bad = [
      { period_type: 'MONTH', period_value: 0 },
      { period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 2, fixed_day: 31 },
      { period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 4, fixed_day: 31 },
    ];
    for (const rules of bad) {
      const res = await api('POST', '/v1/loyalties', { name: `Bad expiry ${JSON.stringify(rules)}`, voucher: card(rules) });
      expect(res.statusCode, `${JSON.stringify(rules)}: ${res.body}`).toBe(400);
      expect(`${res.json().details}`).toMatch(/period_value|fixed_day/);
    }
    const c = await program({ voucher: card({ period_type: 'FIXED_DAY_OF_YEAR', fixed_month: 2, fixed_day: 29 }) });
    for (const rules of bad) {
      const res = await api('PUT', `/v1/loyalties/${c.id}`, { voucher: card(rules) });
      expect(res.statusCode, `${JSON.stringify(rules)}: ${res.body}`).toBe(400);
    }
    expect((await ok('PUT', `/v1/loyalties/${c.id}`, { voucher: card({ period_type: 'MONTH', period_value: 1 }) })).voucher.loyalty_card.expiration_rules).toMatchObject({ period_value: 1 });
  });
});

describe('metadata figures are decimal numbers', () => {
  it('a text that is not a decimal number (0x10, 0b11, 1_000) earns nothing; "16" and " 2.5 " count', async () => {
    const c = await program();
    await rules(c.id, [{ event: 'order.paid', loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_METADATA', order: { metadata: { property: 'boxes', every: 1, points: 1 } } } }]);
    const code = await member(c.id, 'boxes');
    let expected = 0;
    for (const [boxes, points] of [['0x10', 0], ['0b11', 0], ['1_000', 0], ['16', 16], [' 2.5 ', 2], ['1e1', 10]] as const) {
      await ok('POST', '/v1/orders', { amount: 1000, status: 'PAID', customer: { source_id: 'boxes' }, metadata: { boxes } });
      expected += points;
      expect(await balance(code), boxes).toBe(expected);
    }
  });
});

describe("an update naming the rule's custom event schema", () => {
  it('moves the rule to that schema, and refuses one that does not exist', async () => {
    const c = await program();
    await defineSchema(t.app, p.id, 'box_opened', {});
    const [rule] = (await rules(c.id, [{ event: 'stars_given', loyalty: { type: 'FIXED', points: 1 } }])).json();
    const bad = await api('PUT', `/v1/loyalties/${c.id}/earning-rules/${rule.id}`, { custom_event: { schema_id: 'ms_nope' } });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(`${bad.json().details}`).toMatch(/ms_nope/);
    expect((await ok('GET', `/v1/loyalties/${c.id}/earning-rules/${rule.id}`)).custom_event).toEqual(rule.custom_event);
    const schemas = (await ok('GET', '/v1/metadata-schemas')).schemas ?? (await ok('GET', '/v1/metadata-schemas')).data;
    const box = schemas.find((s: any) => s.related_object === 'box_opened');
    const moved = await ok('PUT', `/v1/loyalties/${c.id}/earning-rules/${rule.id}`, { custom_event: { schema_id: box.id } });
    expect(moved.custom_event).toEqual({ schema_id: box.id });
  });
});

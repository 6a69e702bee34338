/**
 * Loyalty programs through the official SDK and the API: members and their cards, points added and removed by
 * hand (never below 0 under concurrency), transfers, earning rules on custom events (with and without
 * loyalty.code, fixed and proportional, blocked by a validation rule, outside their validity), concurrent earning
 * giving the exact sum, and every emitted payload validated against the official webhook schemas.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
let server: ReturnType<typeof VoucherifyServerSide>;
const any = (x: unknown) => x as never;
const loyaltyTypes = ['voucher.loyalty_card.points_added', 'voucher.loyalty_card.transaction.created', 'customer.rewarded.loyalty_points'];

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
async function ok(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}
const defined = new Set<string>();
/** Tracks a custom event, defining its schema first (a number `stars`, optional). */
async function define(event: string) {
  if (!defined.has(event)) {
    const res = await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: event, schema: { properties: { stars: { type: 'number', optional: true } } } });
    expect(res.statusCode, res.body).toBeLessThan(300);
    defined.add(event);
  }
}
async function track(source_id: string, event: string, extra: Record<string, unknown> = {}) {
  await define(event);
  return ok('POST', '/v1/events', { event, customer: { source_id }, ...extra });
}
const balanceOf = async (code: string) => (await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card;

async function program(name: string, points = 0): Promise<any> {
  return ok('POST', '/v1/loyalties', { name, type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points }, code_config: { prefix: `${name.slice(0, 3).toUpperCase()}-`, length: 8 } } });
}
async function member(programId: string, source_id: string): Promise<string> {
  return (await ok('POST', `/v1/loyalties/${programId}/members`, { customer: { source_id } })).code;
}

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, loyaltyTypes);
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('loyalty programs and cards (SDK)', () => {
  it('creates a program, adds a member, adds and removes points, lists transactions and members', async () => {
    const created: any = await server.loyalties.create(any({ name: 'Club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 10 }, code_config: { prefix: 'CLUB-', length: 6 } } }));
    expect(created).toMatchObject({ object: 'campaign', campaign_type: 'LOYALTY_PROGRAM', name: 'Club' });
    expect(await server.loyalties.get(created.id)).toMatchObject({ id: created.id, campaign_type: 'LOYALTY_PROGRAM' });
    expect((await server.loyalties.list(any({}))) as any).toMatchObject({ object: 'list', campaigns: [expect.objectContaining({ id: created.id })] });

    const card: any = await server.loyalties.createMember(created.id, any({ customer: { source_id: 'club-ann' } }));
    expect(card).toMatchObject({ type: 'LOYALTY_CARD', campaign_id: created.id, loyalty_card: { points: 10, balance: 10 } });
    expect(card.code).toMatch(/^CLUB-/);
    // One card per customer: adding again answers the same card.
    expect(((await server.loyalties.createMember(created.id, any({ customer: { source_id: 'club-ann' } }))) as any).code).toBe(card.code);

    const added: any = await server.loyalties.addOrRemoveCardBalance(card.code, any({ points: 250, reason: 'welcome' }), created.id);
    expect(added).toEqual({ points: 250, total: 260, balance: 260, type: 'loyalty_card', object: 'balance', operation_type: 'MANUAL', related_object: { type: 'voucher', id: card.id } });
    const removed: any = await server.loyalties.addOrRemoveCardBalance(card.code, any({ points: -60 }));
    expect(removed).toMatchObject({ points: -60, total: 260, balance: 200 });
    expect(await server.loyalties.getMember(created.id, card.code)).toMatchObject({ loyalty_card: { points: 260, balance: 200 } });

    const tx: any = await server.loyalties.listCardTransactions(card.code, created.id, any({ limit: 10 }));
    expect(tx).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(tx.data.map((x: any) => [x.type, x.details.balance.points, x.details.balance.balance])).toEqual([
      ['POINTS_REMOVAL', -60, 200],
      ['POINTS_ADDITION', 250, 260],
    ]);
    expect(tx.data[1]).toMatchObject({ reason: 'welcome', source: 'API', voucher_id: card.id, campaign_id: created.id });

    const members: any = await server.loyalties.listMembers(created.id, any({}));
    expect(members).toMatchObject({ object: 'list', total: 1, vouchers: [expect.objectContaining({ code: card.code, holder_id: expect.stringMatching(/^cust_/) })] });
  });

  it('refuses to take more points than a card holds, and bad input, in the error shape', async () => {
    const c = await program('Strict', 5);
    const code = await member(c.id, 'strict-bo');
    const res = await api('POST', `/v1/loyalties/${c.id}/members/${code}/balance`, { points: -6 });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'loyalty_card_points_exceeded', resource_id: code, resource_type: 'voucher' });
    expect((await balanceOf(code)).balance).toBe(5);
    for (const body of [{ points: 0 }, { points: 1.5 }, {}, { points: '3' }]) {
      const bad = await api('POST', `/v1/loyalties/members/${code}/balance`, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json()).toHaveProperty('request_id');
    }
    expect((await api('GET', '/v1/loyalties/members/NO-SUCH-CARD')).json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' });
    // A discount campaign is not a loyalty program.
    const coupons = await ok('POST', '/v1/campaigns', { name: 'Coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } });
    expect((await api('GET', `/v1/loyalties/${coupons.id}`)).statusCode).toBe(404);
  });

  it('never lets concurrent removals take a balance below 0: exactly as many succeed as the points allow', async () => {
    const c = await program('Race', 100);
    const code = await member(c.id, 'race-cy');
    const results = await Promise.all(Array.from({ length: 16 }, () => api('POST', `/v1/loyalties/members/${code}/balance`, { points: -15 })));
    const succeeded = results.filter((r) => r.statusCode === 200).length;
    expect(succeeded).toBe(6);
    for (const r of results.filter((x) => x.statusCode !== 200)) expect(r.json().key).toBe('loyalty_card_points_exceeded');
    expect((await balanceOf(code)).balance).toBe(10);
    expect(await count(`SELECT count(*) AS n FROM loyalty_transactions t JOIN vouchers v ON v.id = t.voucher_id WHERE v.code = $1 AND t.type = 'POINTS_REMOVAL'`, [code])).toBe(6);
    expect(await count('SELECT coalesce(sum(points), 0) AS n FROM loyalty_transactions t JOIN vouchers v ON v.id = t.voucher_id WHERE v.code = $1', [code])).toBe(-90);
  });

  it('transfers points between two cards of one customer, exactly, and refuses another customer\'s card', async () => {
    const a = await program('Alpha', 50);
    const b = await program('Beta', 0);
    const from = await member(a.id, 'tr-dee');
    const into = await member(b.id, 'tr-dee');
    const other = await member(a.id, 'tr-eve');
    const target: any = await server.loyalties.transferPoints(b.id, into, any([{ code: from, points: 30, reason: 'merge' }]));
    expect(target).toMatchObject({ code: into, loyalty_card: { balance: 30, points: 30 } });
    expect((await balanceOf(from)).balance).toBe(20);
    const refused = await api('POST', `/v1/loyalties/${b.id}/members/${into}/transfers`, [{ code: other, points: 1 }]);
    expect(refused.statusCode).toBe(400);
    const tooMuch = await api('POST', `/v1/loyalties/${b.id}/members/${into}/transfers`, [{ code: from, points: 21 }]);
    expect(tooMuch.json()).toMatchObject({ key: 'loyalty_card_points_exceeded' });
    expect((await balanceOf(into)).balance).toBe(30);
    expect((await balanceOf(from)).balance).toBe(20);
  });
});

describe('earning rules', () => {
  it('the SDK creates (an array), lists, gets, updates, disables, enables and deletes rules; bad rules are refused', async () => {
    const c = await program('Rules');
    await define('review_left');
    await define('x');
    const made: any = await server.loyalties.createEarningRule(c.id, any([{ event: 'review_left', loyalty: { type: 'FIXED', points: 100 }, source: { banner: 'Review bonus' } }]));
    expect(made).toEqual([expect.objectContaining({ id: expect.stringMatching(/^ern_/), event: 'custom_event', custom_event: { schema_id: expect.stringMatching(/^ms_/) }, loyalty: { type: 'FIXED', points: 100 }, active: true, object: 'earning_rule', source: { banner: 'Review bonus', object_id: c.id, object_type: 'campaign' } })]);
    const id = made[0].id;
    expect(await server.loyalties.listEarningRules(c.id, any({}))).toMatchObject({ object: 'list', total: 1 });
    expect(await server.loyalties.getEarningRule(c.id, id)).toMatchObject({ id, validation_rule_id: null, updated_at: null });
    expect(await server.loyalties.updateEarningRule(c.id, any({ id, loyalty: { type: 'FIXED', points: 150 } }))).toMatchObject({ loyalty: { points: 150 }, updated_at: expect.any(String) });
    expect(await server.loyalties.disableEarningRule(c.id, id)).toMatchObject({ active: false });
    expect(await server.loyalties.enableEarningRule(c.id, id)).toMatchObject({ active: true });
    await server.loyalties.deleteEarningRule(c.id, id);
    expect((await api('GET', `/v1/loyalties/${c.id}/earning-rules/${id}`)).json()).toMatchObject({ code: 404, resource_type: 'earning_rule' });

    const bad = [
      [{ loyalty: { type: 'FIXED', points: 1 } }, /event is required/],
      [{ event: 'x', loyalty: { type: 'FIXED', points: 0 } }, /positive integer/],
      [{ event: 'x', loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { every: 1, points: 1 } } } }, /property/],
      [{ event: 'customer.segment.entered', loyalty: { type: 'FIXED', points: 1 } }, /segment\.id/],
      [{ event: 'x', loyalty: { type: 'FIXED', points: 1 }, validation_rule_id: 'val_nope' }, /val_nope/],
      [{ event: 'never_defined', loyalty: { type: 'FIXED', points: 1 } }, /define it first/],
      [{ event: 'custom_event', custom_event: { schema_id: 'ms_nope' }, loyalty: { type: 'FIXED', points: 1 } }, /ms_nope/],
    ] as const;
    for (const [rule, message] of bad) {
      const res = await api('POST', `/v1/loyalties/${c.id}/earning-rules`, [rule]);
      expect(res.statusCode, JSON.stringify(rule)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().details ?? res.json().message).toMatch(message);
    }
    expect(await count('SELECT count(*) AS n FROM earning_rules WHERE campaign_id = $1', [c.id])).toBe(0);
  });

  it('a custom event earns on the card loyalty.code names, or without it on the customer\'s oldest card of each program with a matching rule', async () => {
    const one = await program('Reviews');
    const two = await program('Second');
    await define('review_left');
    await ok('POST', `/v1/loyalties/${one.id}/earning-rules`, [{ event: 'review_left', loyalty: { type: 'FIXED', points: 100 } }]);
    await ok('POST', `/v1/loyalties/${two.id}/earning-rules`, [{ event: 'review_left', loyalty: { type: 'FIXED', points: 7 } }]);
    const first = await member(one.id, 'rev-fay');
    const second = await member(two.id, 'rev-fay');
    await track('rev-fay', 'review_left');
    expect((await balanceOf(first)).balance).toBe(100);
    expect((await balanceOf(second)).balance).toBe(7);
    // Naming a card: only that card earns.
    await track('rev-fay', 'review_left', { loyalty: { code: second } });
    expect((await balanceOf(first)).balance).toBe(100);
    expect((await balanceOf(second)).balance).toBe(14);
    // An event of another name earns nothing; a customer without a card earns nothing (and the event stands).
    await track('rev-fay', 'page_viewed');
    await track('rev-gil', 'review_left');
    expect((await balanceOf(first)).balance).toBe(100);
    const accrual = (await ok('GET', `/v1/loyalties/members/${first}/transactions`)).data[0];
    expect(accrual).toMatchObject({ type: 'POINTS_ACCRUAL', source: 'Automation', details: { event: { type: 'customer.custom_event' }, earning_rule: { id: expect.stringMatching(/^ern_/) } } });
    expect((await ok('GET', '/v1/customers/rev-fay')).loyalty).toEqual({ points: 114, referred_customers: 0, campaigns: { Reviews: { points: 100, referred_customers: 0 }, Second: { points: 14, referred_customers: 0 } } });
    const activity = await ok('GET', '/v1/customers/rev-fay/activity?type=customer.rewarded.loyalty_points');
    expect(activity.data).toHaveLength(3);
  });

  it('a customer with two cards of one program earns on the oldest active one only', async () => {
    const club = await ok('POST', '/v1/loyalties', { name: 'Twice', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'TW-', length: 8 } } });
    await define('review_left');
    await ok('POST', `/v1/loyalties/${club.id}/earning-rules`, [{ event: 'review_left', loyalty: { type: 'FIXED', points: 5 } }]);
    const older = await member(club.id, 'two-cards');
    // A second card: a code added to the program, then published to the same customer by its code.
    const added = await ok('POST', `/v1/campaigns/${club.id}/vouchers/TW-SECOND`, {});
    const newer = (await ok('POST', '/v1/publications', { voucher: added.code, customer: { source_id: 'two-cards' } })).voucher.code;
    expect(newer).not.toBe(older);
    await track('two-cards', 'review_left');
    expect([(await balanceOf(older)).balance, (await balanceOf(newer)).balance]).toEqual([5, 0]);
    // The oldest card disabled: the next oldest active one earns.
    await ok('POST', `/v1/vouchers/${older}/disable`);
    await track('two-cards', 'review_left');
    expect([(await balanceOf(older)).balance, (await balanceOf(newer)).balance]).toEqual([5, 5]);
  });

  it('proportional points on the event\'s metadata and on the customer\'s metadata', async () => {
    const c = await program('Stars');
    await define('rated');
    await define('visited');
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [
      { event: 'rated', loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOM_EVENT_METADATA', custom_event: { metadata: { property: 'stars', every: 1, points: 10 } } } },
      { event: 'visited', loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOMER_METADATA', customer: { metadata: { property: 'visits', every: 2, points: 5 } } } },
    ]);
    const code = await member(c.id, 'prop-hal');
    await track('prop-hal', 'rated', { metadata: { stars: 4 } });
    expect((await balanceOf(code)).balance).toBe(40);
    await ok('POST', '/v1/customers', { source_id: 'prop-hal', metadata: { visits: 7 } });
    await track('prop-hal', 'visited');
    expect((await balanceOf(code)).balance).toBe(55);
  });

  it('a validation rule blocks earning when it does not hold; a rule outside its validity earns nothing', async () => {
    const c = await program('Guarded');
    await define('rated_g');
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Five stars only', rules: { '1': { name: 'custom_event.metadata', property: 'stars', conditions: { $is: [5] } } } });
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [
      { event: 'rated_g', loyalty: { type: 'FIXED', points: 50 }, validation_rule_id: rule.id },
      { event: 'rated_g', loyalty: { type: 'FIXED', points: 1000 }, start_date: '2999-01-01T00:00:00Z' },
      { event: 'rated_g', loyalty: { type: 'FIXED', points: 2000 }, expiration_date: '2001-01-01T00:00:00Z' },
    ]);
    const code = await member(c.id, 'guard-ida');
    await track('guard-ida', 'rated_g', { metadata: { stars: 3 } });
    expect((await balanceOf(code)).balance).toBe(0);
    await track('guard-ida', 'rated_g', { metadata: { stars: 5 } });
    expect((await balanceOf(code)).balance).toBe(50);
  });

  it('an order paid earns fixed and proportional points; a segment entered earns once, only while its rule exists', async () => {
    const c = await program('Shop');
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [
      { event: 'order.paid', loyalty: { type: 'FIXED', points: 5 } },
      { event: 'order.paid', loyalty: { type: 'PROPORTIONAL', calculation_type: 'ORDER_AMOUNT', order: { amount: { every: 1000, points: 1 } } } },
    ]);
    const code = await member(c.id, 'shop-lee');
    // Created but not paid: nothing; paid: 5 + floor(4500 / 1000) = 9.
    const order = await ok('POST', '/v1/orders', { source_id: 'shop-o1', amount: 4500, status: 'CREATED', customer: { source_id: 'shop-lee' } });
    expect((await balanceOf(code)).balance).toBe(0);
    await ok('PUT', `/v1/orders/${order.id}`, { status: 'PAID' });
    expect((await balanceOf(code)).balance).toBe(9);
    // Updated again while paid: not paid a second time.
    await ok('PUT', `/v1/orders/${order.id}`, { metadata: { note: 'x' } });
    expect((await balanceOf(code)).balance).toBe(9);
    // Moved back and paid again (twice, once concurrently): each rule earns on an order once.
    await ok('PUT', `/v1/orders/${order.id}`, { status: 'CREATED' });
    await ok('PUT', `/v1/orders/${order.id}`, { status: 'PAID' });
    await ok('PUT', `/v1/orders/${order.id}`, { status: 'CREATED' });
    await Promise.all([api('PUT', `/v1/orders/${order.id}`, { status: 'PAID' }), api('PUT', `/v1/orders/${order.id}`, { status: 'PAID' })]);
    expect((await balanceOf(code)).balance).toBe(9);
    const { rows } = await t.testDb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM loyalty_order_earnings WHERE order_id = $1', [order.id]);
    expect(rows[0]!.n).toBe(2);
    // Another order earns as before.
    const second = await ok('POST', '/v1/orders', { source_id: 'shop-o2', amount: 1000, status: 'PAID', customer: { source_id: 'shop-lee' } });
    expect(second.status).toBe('PAID');
    expect((await balanceOf(code)).balance).toBe(15);

    const segment = await ok('POST', '/v1/segments', { name: 'VIPs', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } });
    while ((await t.tessera.services.segments.syncStep()) > 0);
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [{ event: 'customer.segment.entered', segment: { id: segment.id }, loyalty: { type: 'FIXED', points: 20 } }]);
    await ok('POST', '/v1/customers', { source_id: 'shop-lee', metadata: { vip: true } });
    expect((await balanceOf(code)).balance).toBe(35);
    await ok('POST', '/v1/customers', { source_id: 'shop-lee', metadata: { vip: true, more: 1 } });
    expect((await balanceOf(code)).balance).toBe(35);
  });

  it('two concurrent events earning on one card give the exact sum', async () => {
    const c = await program('Busy');
    await define('checked_in');
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [{ event: 'checked_in', loyalty: { type: 'FIXED', points: 3 } }]);
    const code = await member(c.id, 'busy-jo');
    await define('checked_in');
    await Promise.all(Array.from({ length: 30 }, () => track('busy-jo', 'checked_in')));
    expect(await balanceOf(code)).toMatchObject({ points: 90, balance: 90 });
    expect(await count(`SELECT count(*) AS n FROM loyalty_transactions t JOIN vouchers v ON v.id = t.voucher_id WHERE v.code = $1 AND t.type = 'POINTS_ACCRUAL'`, [code])).toBe(30);
  });

  it('a disabled program or rule earns nothing', async () => {
    const c = await program('Paused');
    await define('paused_e');
    const [r] = await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [{ event: 'paused_e', loyalty: { type: 'FIXED', points: 9 } }]);
    const code = await member(c.id, 'paused-kim');
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules/${r.id}/disable`);
    await track('paused-kim', 'paused_e');
    expect((await balanceOf(code)).balance).toBe(0);
    await ok('POST', `/v1/loyalties/${c.id}/earning-rules/${r.id}/enable`);
    await ok('POST', `/v1/campaigns/${c.id}/disable`);
    await track('paused-kim', 'paused_e');
    expect((await balanceOf(code)).balance).toBe(0);
    await ok('POST', `/v1/campaigns/${c.id}/enable`);
    await track('paused-kim', 'paused_e');
    expect((await balanceOf(code)).balance).toBe(9);
  });
});

describe.skipIf(!specPresent)('loyalty webhooks conform to OpenAPIWebhooks.json', () => {
  it('points added, transactions and rewarded points validate, and the customer-side points_added from the activity', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(loyaltyTypes);
    const got = sink.received.map((r) => r.json);
    for (const type of loyaltyTypes) expect(got.map((g) => g.type)).toContain(type);
    for (const payload of got) v.check(payload);
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    const validate = spec.compile(spec.entry('customer.voucher.loyalty_card.points_added')!.schema_ref);
    const activity = await ok('GET', '/v1/customers/rev-fay/activity?type=customer.voucher.loyalty_card.points_added');
    expect(activity.data.length).toBeGreaterThan(0);
    for (const a of activity.data) expect(validate(a.data.data ?? a.data), JSON.stringify(validate.errors)).toBe(true);
  });
});

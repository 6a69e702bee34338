/**
 * Loyalty tiers through the official SDK: tiers as ranges of a card's balance, a member joining, upgraded and
 * downgraded exactly at the thresholds and leaving below the first, with the events validated against the
 * official schemas.
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

async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, ['campaign.loyalty_tier.created']);
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

describe('loyalty tiers', () => {
  let program: any;
  let code: string;
  const tierEvents = async () => (await ok('GET', '/v1/customers/tier-ann/activity?limit=50')).data.filter((a: any) => a.type.startsWith('customer.loyalty.tier.')).reverse();

  it('creates tiers (SDK), refuses overlapping ones, lists and gets them', async () => {
    program = await ok('POST', '/v1/loyalties', { name: 'Tiered', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'TIER-', length: 6 } } });
    const made: any = await server.loyalties.createTiers(program.id, any([
      { name: 'Bronze', points: { from: 100, to: 999 } },
      { name: 'Silver', points: { from: 1000, to: 4999 } },
      { name: 'Gold', points: { from: 5000 } },
    ]));
    expect(made.map((x: any) => [x.name, x.points, x.object])).toEqual([
      ['Bronze', { from: 100, to: 999 }, 'loyalty_tier'],
      ['Silver', { from: 1000, to: 4999 }, 'loyalty_tier'],
      ['Gold', { from: 5000 }, 'loyalty_tier'],
    ]);
    const overlap = await t.app.inject({ method: 'POST', url: `/v1/loyalties/${program.id}/tiers`, headers: p.server, payload: [{ name: 'Platinum', points: { from: 4000 } }] });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().details).toMatch(/overlap/);
    expect(((await server.loyalties.listTiers(program.id, any({}))) as any).data.map((x: any) => x.name)).toEqual(['Bronze', 'Silver', 'Gold']);
    expect(await server.loyalties.getTier(program.id, made[1].id)).toMatchObject({ name: 'Silver', campaign_id: program.id });
  });

  it('a member joins, is upgraded and downgraded exactly at the thresholds, and leaves below the first', async () => {
    code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id: 'tier-ann' } })).code;
    const add = (points: number) => ok('POST', `/v1/loyalties/members/${code}/balance`, { points });
    await add(99);
    expect(await tierEvents()).toEqual([]);
    expect(((await server.loyalties.listMemberLoyaltyTiers(code)) as any).data).toEqual([]);
    await add(1); // 100: Bronze
    await add(899); // 999: still Bronze
    await add(1); // 1000: Silver
    expect(((await server.loyalties.listMemberLoyaltyTiers(code)) as any).data.map((x: any) => x.name)).toEqual(['Silver']);
    await add(4000); // 5000: Gold
    await add(-1); // 4999: Silver
    await add(-4900); // 99: none
    const events = await tierEvents();
    expect(events.map((e: any) => e.type)).toEqual([
      'customer.loyalty.tier.joined',
      'customer.loyalty.tier.upgraded',
      'customer.loyalty.tier.upgraded',
      'customer.loyalty.tier.downgraded',
      'customer.loyalty.tier.left',
    ]);
    expect(events[0].data.data.loyalty_tier.name).toBe('Bronze');
    expect([events[1].data.data.loyalty_tier_from.name, events[1].data.data.loyalty_tier_to.name]).toEqual(['Bronze', 'Silver']);
    expect([events[3].data.data.loyalty_tier_from.name, events[3].data.data.loyalty_tier_to.name]).toEqual(['Gold', 'Silver']);
  });

  it.skipIf(!specPresent)('tier events and campaign.loyalty_tier.created validate', async () => {
    const spec = (await import('./helpers/conformance.js')).loadSpec();
    for (const e of await tierEvents()) {
      const validate = spec.compile(spec.entry(e.type)!.schema_ref);
      expect(validate(e.data.data), `${e.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    await deliverAll(t);
    const v = projectWebhookValidators(['campaign.loyalty_tier.created']);
    const got = sink.received.map((r) => r.json).filter((g) => g.type === 'campaign.loyalty_tier.created');
    expect(got).toHaveLength(3);
    for (const payload of got) v.check(payload);
  });

  it('tier-event earning rules: points when a member enters the named tier (or any), FIXED only, the tier must exist', async () => {
    const c = await ok('POST', '/v1/loyalties', { name: 'Tier bonus', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'TB-', length: 6 } } });
    const tiers = await ok('POST', `/v1/loyalties/${c.id}/tiers`, [
      { name: 'Member', points: { from: 10, to: 99 } },
      { name: 'Star', points: { from: 100 } },
    ]);
    const star = tiers.find((x: any) => x.name === 'Star');
    const rules = await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [
      { event: 'customer.loyalty.tier.upgraded', loyalty_tier: { id: star.id }, loyalty: { type: 'FIXED', points: 25 }, source: { banner: 'Welcome to Star' } },
      { event: 'customer.loyalty.tier.joined', loyalty_tier: { id: '__ANY__' }, loyalty: { type: 'FIXED', points: 5 } },
    ]);
    expect(rules.map((r: any) => [r.event, r.loyalty_tier])).toEqual([
      ['customer.loyalty.tier.upgraded', { id: star.id }],
      ['customer.loyalty.tier.joined', { id: '__ANY__' }],
    ]);
    const bad = async (rule: unknown) => (await t.app.inject({ method: 'POST', url: `/v1/loyalties/${c.id}/earning-rules`, headers: p.server, payload: [rule] as object })).json();
    expect(await bad({ event: 'customer.loyalty.tier.joined', loyalty: { type: 'FIXED', points: 5 } })).toMatchObject({ code: 400, key: 'invalid_earning_rule' });
    expect(await bad({ event: 'customer.loyalty.tier.joined', loyalty_tier: { id: 'ltr_nope' }, loyalty: { type: 'FIXED', points: 5 } })).toMatchObject({ code: 400, key: 'invalid_earning_rule' });
    expect(await bad({ event: 'customer.loyalty.tier.joined', loyalty_tier: { id: star.id }, loyalty: { type: 'PROPORTIONAL', calculation_type: 'CUSTOMER_METADATA', customer: { metadata: { property: 'x', every: 1, points: 1 } } } })).toMatchObject({ code: 400 });
    expect(await bad({ event: 'customer.loyalty.tier.expiration.changed', loyalty_tier: { id: star.id }, loyalty: { type: 'FIXED', points: 5 } })).toMatchObject({ code: 400 });

    const card = (await ok('POST', `/v1/loyalties/${c.id}/members`, { customer: { source_id: 'tier-bo' } })).code;
    // 10: joins Member (+5 -> 15); 100 more: upgraded to Star (+25).
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: 10 });
    expect((await ok('GET', `/v1/loyalties/members/${card}`)).loyalty_card.balance).toBe(15);
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: 100 });
    expect((await ok('GET', `/v1/loyalties/members/${card}`)).loyalty_card.balance).toBe(140);
    const accruals = (await ok('GET', `/v1/loyalties/members/${card}/transactions`)).data.filter((x: any) => x.type === 'POINTS_ACCRUAL');
    expect(accruals.map((x: any) => x.details.balance.points).sort()).toEqual([25, 5]);
    // Going down and up again earns again: each upgrade is an event.
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: -100 });
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: 100 });
    expect((await ok('GET', `/v1/loyalties/members/${card}`)).loyalty_card.balance).toBe(165);
  });

  it('a tier\'s own terms: an earning rule\'s points and a reward\'s price for its members, shown by the tier routes', async () => {
    expect((await mgmt(t, 'POST', `/projects/${p.id}/custom-event-schemas`, { name: 'tier-visit', schema: { properties: {} } })).statusCode).toBeLessThan(300);
    const c = await ok('POST', '/v1/loyalties', { name: 'Tier terms', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'TT-', length: 6 } } });
    const [rule] = await ok('POST', `/v1/loyalties/${c.id}/earning-rules`, [{ event: 'tier-visit', loyalty: { type: 'FIXED', points: 10 } }]);
    const mug = await ok('POST', '/v1/rewards', { name: 'Tier mug', type: 'MATERIAL' });
    const assignment = await ok('POST', `/v1/loyalties/${c.id}/rewards`, { reward: mug.id, parameters: { loyalty: { points: 100 } } });
    const bad = async (tiers: unknown) => (await t.app.inject({ method: 'POST', url: `/v1/loyalties/${c.id}/tiers`, headers: p.server, payload: tiers as object })).json();
    expect(await bad([{ name: 'X', points: { from: 0 }, earning_rules: { ern_nope: { type: 'MULTIPLY', multiplier: 2 } } }])).toMatchObject({ code: 400, details: expect.stringContaining('ern_nope') });
    expect(await bad([{ name: 'X', points: { from: 0 }, rewards: { [mug.id]: { type: 'CUSTOM', points: -1 } } }])).toMatchObject({ code: 400 });
    expect(await bad([{ name: 'X', points: { from: 0 }, rewards: { [mug.id]: { type: 'MULTIPLY', multiplier: 0 } } }])).toMatchObject({ code: 400 });
    const [bronze, silver] = await ok('POST', `/v1/loyalties/${c.id}/tiers`, [
      { name: 'Bronze', points: { from: 0, to: 999 }, earning_rules: { [rule.id]: { type: 'MULTIPLY', multiplier: 2 } }, rewards: { [mug.id]: { type: 'CUSTOM', points: 50 } } },
      { name: 'Silver', points: { from: 1000 }, rewards: { [assignment.id]: { type: 'MULTIPLY', multiplier: 0.5 } } },
    ]);
    expect(bronze.earning_rules).toEqual({ [rule.id]: { type: 'MULTIPLY', multiplier: 2 } });
    const card = (await ok('POST', `/v1/loyalties/${c.id}/members`, { customer: { source_id: 'tier-terms' } })).code;
    const balance = async () => (await ok('GET', `/v1/loyalties/members/${card}`)).loyalty_card.balance;
    // Bronze: the visit earns twice its 10 points; the mug costs 50.
    await ok('POST', '/v1/events', { event: 'tier-visit', customer: { source_id: 'tier-terms' } });
    expect(await balance()).toBe(20);
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: 100 });
    await ok('POST', `/v1/loyalties/${c.id}/members/${card}/redemption`, { reward: { id: mug.id } });
    expect(await balance()).toBe(70);
    // Silver: the visit earns its own 10; the mug costs half its 100, also through /v1/redemptions.
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: 1000 });
    await ok('POST', '/v1/events', { event: 'tier-visit', customer: { source_id: 'tier-terms' } });
    expect(await balance()).toBe(1080);
    const r = await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: card, reward: { id: mug.id } }] });
    expect(r.redemptions[0].loyalty_card.points).toBe(50);
    expect(await balance()).toBe(1030);
    const priced = async (tierId: string) => (await server.loyalties.listLoyaltyTierRewards(c.id, tierId) as any).data.map((x: any) => [x.reward.id, x.assignment.parameters.loyalty.points, x.object]);
    expect(await priced(bronze.id)).toEqual([[mug.id, 50, 'loyalty_tier_reward']]);
    expect(await priced(silver.id)).toEqual([[mug.id, 50, 'loyalty_tier_reward']]);
    const earning = async (tierId: string) => (await server.loyalties.listLoyaltyTierEarningRules(c.id, tierId, any({})) as any).data.map((x: any) => x.loyalty.points);
    expect(await earning(bronze.id)).toEqual([20]);
    expect(await earning(silver.id)).toEqual([10]);
  });
});

describe('changing and deleting tiers (Tessera\'s extension)', () => {
  it('renames a tier and changes its terms, never its range; deletes a tier only when no member holds it; both validate', async () => {
    await createWebhook(t, p.id, sink.url, ['campaign.loyalty_tier.updated', 'campaign.loyalty_tier.deleted']);
    const api = (method: 'PUT' | 'DELETE', url: string, payload?: unknown) => t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const club = await ok('POST', '/v1/loyalties', { name: 'Changing tiers', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const [low, high] = await ok('POST', `/v1/loyalties/${club.id}/tiers`, [{ name: 'Low', points: { from: 0, to: 99 } }, { name: 'High', points: { from: 100 } }]);
    const card = (await ok('POST', `/v1/loyalties/${club.id}/members`, { customer: { source_id: 'tier-changer' } })).code;
    await ok('POST', `/v1/loyalties/members/${card}/balance`, { points: 150 });

    const renamed = await api('PUT', `/v1/loyalties/${club.id}/tiers/${high.id}`, { name: 'Top', metadata: { color: 'gold' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: high.id, name: 'Top', metadata: { color: 'gold' }, points: { from: 100 } });
    expect((await ok('GET', `/v1/loyalties/${club.id}/tiers/${high.id}`)).name).toBe('Top');
    expect((await ok('GET', `/v1/loyalties/members/${card}/tiers`)).data.map((x: any) => x.name)).toEqual(['Top']);
    const range = await api('PUT', `/v1/loyalties/${club.id}/tiers/${high.id}`, { points: { from: 200 } });
    expect(range.statusCode).toBe(400);
    expect(range.json().details).toContain('range');

    // The card (150 points) holds Top: refused; Low is held by nobody: deleted.
    const held = await api('DELETE', `/v1/loyalties/${club.id}/tiers/${high.id}`);
    expect(held.statusCode).toBe(409);
    expect(held.json()).toMatchObject({ key: 'resource_in_use' });
    // A tier an earning rule names stays until the rule goes.
    const [rule] = await ok('POST', `/v1/loyalties/${club.id}/earning-rules`, [{ event: 'customer.loyalty.tier.joined', loyalty_tier: { id: low.id }, loyalty: { type: 'FIXED', points: 5 } }]);
    const named = await api('DELETE', `/v1/loyalties/${club.id}/tiers/${low.id}`);
    expect(named.statusCode).toBe(409);
    expect(named.json().details).toContain(rule.id);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/loyalties/${club.id}/earning-rules/${rule.id}`, headers: p.server })).statusCode).toBe(204);
    expect((await api('DELETE', `/v1/loyalties/${club.id}/tiers/${low.id}`)).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/v1/loyalties/${club.id}/tiers/${low.id}`, headers: p.server })).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/loyalties/${club.id}/tiers/${low.id}`)).statusCode).toBe(404);
    expect((await ok('GET', `/v1/loyalties/${club.id}/tiers`)).data.map((x: any) => x.name)).toEqual(['Top']);

    await deliverAll(t);
    const got = sink.received.map((r) => r.json);
    const updated = got.filter((g) => g.type === 'campaign.loyalty_tier.updated');
    const deleted = got.filter((g) => g.type === 'campaign.loyalty_tier.deleted');
    expect(updated.map((g) => g.data.loyalty_tier.name)).toEqual(['Top']);
    expect(deleted.map((g) => g.data.loyalty_tier.id)).toEqual([low.id]);
    if (specPresent) {
      const v = projectWebhookValidators(['campaign.loyalty_tier.updated', 'campaign.loyalty_tier.deleted']);
      for (const payload of [...updated, ...deleted]) v.check(payload);
    }
  });
});

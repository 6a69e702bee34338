/**
 * The single-voucher forms through the official SDK: `POST /v1/vouchers/{code}/validate` and `/redemption` (and the
 * client's `GET /client/v1/validate`). A loyalty card pays for the reward it names there too; a LOCK session is
 * answered; the valid answer has Voucherify's shape (gift `{amount, balance}`, loyalty `{points_cost}`, reward,
 * `campaign` and `campaign_id`, a string `tracking_id`) and validates against the official schema.
 */
import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSpecValidator } from './helpers/api-spec.js';
import { requestsOf } from './helpers/requests.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let client: ReturnType<typeof VoucherifyClientSide>;
let program: any;
let mug: any;
let cards: any;
let sink: Sink;
const types = ['redemption.succeeded', 'redemption.failed', 'voucher.loyalty_card.transaction.created', 'voucher.gift.transaction.created'];
const any = (x: unknown) => x as never;
const { ok } = requestsOf(() => ({ t, p }));
const expectOfficial = apiSpecValidator('validations');
const failure = (call: Promise<unknown>) => call.then(() => { throw new Error('expected a failure'); }, (e: any) => e);

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  client = VoucherifyClientSide({ clientApplicationId: p.client['x-client-application-id'], clientSecretKey: p.client['x-client-token'], apiUrl, origin: 'shop.example.com' });
  program = await ok('POST', '/v1/loyalties', { name: 'Mug club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 }, code_config: { prefix: 'MC-', length: 6 } } });
  mug = await ok('POST', '/v1/rewards', { name: 'Mug', type: 'MATERIAL' });
  await ok('POST', `/v1/loyalties/${program.id}/rewards`, { reward: mug.id, parameters: { loyalty: { points: 30 } } });
  cards = await ok('POST', '/v1/campaigns', { name: 'Gift cards', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 5000, effect: 'APPLY_TO_ORDER' } } });
  await ok('POST', '/v1/vouchers/LV-ONCE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1 } });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const member = async (source_id: string, points: number) => {
  const code = (await ok('POST', `/v1/loyalties/${program.id}/members`, { customer: { source_id } })).code as string;
  await ok('POST', `/v1/loyalties/members/${code}/balance`, { points });
  return code;
};
const balance = async (code: string) => (await ok('GET', `/v1/loyalties/members/${code}`)).loyalty_card.balance;

describe('a loyalty card paying for a reward through the single-voucher forms', () => {
  it('validates (vouchers/{code}/validate with reward): the points it costs and the reward, nothing spent', async () => {
    const code = await member('lv-ann', 100);
    const res: any = await server.validations.validateVoucher(code, any({ reward: { id: mug.id }, order: { amount: 1000 }, customer: { source_id: 'lv-ann' } }));
    expect(res).toMatchObject({ valid: true, code, loyalty: { points_cost: 30 }, reward: { id: mug.id, assignment_id: expect.stringMatching(/^rewa_/), points: 30 }, campaign: 'Mug club', campaign_id: program.id, tracking_id: 'lv-ann' });
    expectOfficial('VouchersValidateValidResponseBody', res);
    expect(await balance(code)).toBe(100);
  });

  it('redeems (redemptions.redeem(code, {reward})): the card pays the reward', async () => {
    const code = await member('lv-bob', 100);
    const r: any = await server.redemptions.redeem(code, any({ reward: { id: mug.id }, order: { amount: 1000 } }));
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', loyalty_card: { points: 30 }, reward: { id: mug.id }, voucher: { code } });
    expect(await balance(code)).toBe(70);
    // Without a reward the card still cannot be redeemed, as before.
    const err = await failure(server.redemptions.redeem(code, any({ order: { amount: 1000 } })));
    expect(err).toMatchObject({ code: 400, key: 'missing_reward' });
    expect(await balance(code)).toBe(70);
  });

  it('refuses a reward the card cannot afford in the validate answer (valid false)', async () => {
    const code = await member('lv-cat', 10);
    const res: any = await server.validations.validateVoucher(code, any({ reward: { id: mug.id }, order: { amount: 1000 } }));
    expect(res).toMatchObject({ valid: false, code, reason: 'loyalty card points exceeded', error: { key: 'loyalty_card_points_exceeded' } });
  });
});

describe('a LOCK session in the single-voucher validate', () => {
  it('is answered in Voucherify shape, and holds what it reserved', async () => {
    const res: any = await server.validations.validateVoucher('LV-ONCE', any({ order: { amount: 1000 }, session: { type: 'LOCK', ttl: 2, ttl_unit: 'HOURS' } }));
    expect(res.valid).toBe(true);
    expect(res.session).toEqual({ key: expect.stringMatching(/^ssn_/), type: 'LOCK', ttl: 2, ttl_unit: 'HOURS' });
    expectOfficial('VouchersValidateValidResponseBody', res);
    const taken = await failure(server.redemptions.redeem('LV-ONCE', any({ order: { amount: 1000 } })));
    expect(taken).toMatchObject({ code: 400, key: 'quantity_exceeded' });
    const mine: any = await server.redemptions.redeem('LV-ONCE', any({ order: { amount: 1000 }, session: { key: res.session.key } }));
    expect(mine.result).toBe('SUCCESS');
  });

  it('is answered to the client-side validate (session_type=LOCK), with the key it was given', async () => {
    await ok('POST', '/v1/vouchers/LV-CLIENT', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1 } });
    const res: any = await client.validate(any({ code: 'LV-CLIENT', amount: 1000, session_type: 'LOCK', session_key: 'cart-42', session_ttl: 30, session_ttl_unit: 'MINUTES' }));
    expect(res).toMatchObject({ valid: true, session: { key: 'cart-42', type: 'LOCK', ttl: 30, ttl_unit: 'MINUTES' } });
    const taken = await failure(server.redemptions.redeem('LV-CLIENT', any({ order: { amount: 1000 } })));
    expect(taken).toMatchObject({ key: 'quantity_exceeded' });
  });

  it('is not answered without a session', async () => {
    const res: any = await server.validations.validateVoucher('LV-CLIENT', any({ order: { amount: 1000 }, session: { key: 'cart-42' } }));
    expect(res.valid).toBe(true);
    expect(res.session).toBeUndefined();
  });
});

describe('the valid answer', () => {
  it("shows a gift card's amount, balance and effect (no discount), its campaign, and the order after the credits", async () => {
    const card: any = await server.campaigns.addVoucher(cards.id);
    const res: any = await server.validations.validateVoucher(card.code, any({ gift: { credits: 300 }, order: { amount: 1000 } }));
    expect(res).toMatchObject({ valid: true, code: card.code, gift: { amount: 5000, balance: 5000, effect: 'APPLY_TO_ORDER' }, campaign: 'Gift cards', campaign_id: cards.id, order: { amount: 1000, total_amount: 700 } });
    expect(res.discount).toBeUndefined();
    expect(res.gift.credits).toBeUndefined();
    expectOfficial('VouchersValidateValidResponseBody', res);
    const r: any = await server.redemptions.redeem(card.code, any({ gift: { credits: 300 }, order: { amount: 1000 } }));
    expect(r).toMatchObject({ result: 'SUCCESS', gift: { amount: 300 }, voucher: { gift: { amount: 5000, balance: 4700 } } });
  });

  it('has no campaign for a code of none, and a generated tracking id without a customer', async () => {
    await ok('POST', '/v1/vouchers/LV-FREE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    const res: any = await server.validations.validateVoucher('LV-FREE', any({ order: { amount: 1000 } }));
    expect(res).toMatchObject({ valid: true, discount: { type: 'AMOUNT', amount_off: 100 } });
    expect(res.campaign).toBeUndefined();
    expect(res.campaign_id).toBeUndefined();
    expect(res.tracking_id).toMatch(/^track_[A-Za-z0-9+/=]+$/);
    expectOfficial('VouchersValidateValidResponseBody', res);
    const invalid: any = await server.validations.validateVoucher('NO-SUCH-CODE', any({}));
    expect(invalid.valid).toBe(false);
    expect(invalid.tracking_id).toMatch(/^track_/);
    const named: any = await server.validations.validateVoucher('LV-FREE', any({ order: { amount: 1000 }, tracking_id: 'my-visitor' }));
    expect(named.tracking_id).toBe('my-visitor');
  });
});

describe.skipIf(!specPresent)('payloads', () => {
  it('the webhooks of redemptions through the single-voucher forms validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.some((g) => g.type === type), type).toBe(true);
    for (const payload of got) v.check(payload);
    const paid = got.find((g) => g.type === 'redemption.succeeded' && g.data.redemption.reward?.id === mug.id);
    expect(paid.data.voucher.code).toMatch(/^MC-/);
  });
});

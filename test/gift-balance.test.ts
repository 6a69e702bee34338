/**
 * Gift balances: credits added and taken in one guarded statement (never below zero under concurrency, counted in
 * the database afterwards), transactions listed, voucher.gift.* webhooks validated, the SDK's balance methods.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
const types = ['voucher.gift.balance_added', 'voucher.gift.transaction.created'];

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function ok(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<any> {
  const res = await api(method, url, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  await ok('POST', '/v1/campaigns', { name: 'Cards', campaign_type: 'GIFT_VOUCHERS', voucher: { gift: { amount: 1000 } } });
  await ok('POST', '/v1/campaigns/Cards/vouchers/CARD-1', {});
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

describe('gift balance', () => {
  it('adds and takes credits, refusing to go below zero', async () => {
    const added = await ok('POST', '/v1/vouchers/card-1/balance', { amount: 500, source_id: 'topup-1', reason: 'birthday' });
    expect(added).toMatchObject({ amount: 500, balance: 1500, total: 1500, type: 'gift_voucher', object: 'balance', operation_type: 'MANUAL', related_object: { type: 'voucher' } });
    expect((await ok('GET', '/v1/vouchers/CARD-1')).gift).toEqual({ amount: 1500, balance: 1500 });
    // `total` is what the card was given over its life (the spec's "total income"), not what is left.
    expect(await ok('POST', '/v1/vouchers/CARD-1/balance', { amount: -300 })).toMatchObject({ amount: -300, balance: 1200, total: 1500 });
    const over = await api('POST', '/v1/vouchers/CARD-1/balance', { amount: -5000 });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ key: 'gift_amount_exceeded', resource_type: 'voucher' });
    expect((await ok('GET', '/v1/vouchers/CARD-1')).gift).toEqual({ amount: 1500, balance: 1200 });

    const tx = await ok('GET', '/v1/vouchers/CARD-1/transactions');
    expect(tx).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(tx.data.map((x: any) => [x.type, x.details.balance.amount, x.details.balance.balance])).toEqual([
      ['CREDITS_REMOVAL', -300, 1200],
      ['CREDITS_ADDITION', 500, 1500],
    ]);
    expect(tx.data[1]).toMatchObject({ source_id: 'topup-1', reason: 'birthday', source: 'API' });
    // Oldest first with order=id, and its cursor runs that way.
    const oldest = await ok('GET', '/v1/vouchers/CARD-1/transactions?order=id&limit=1');
    expect(oldest).toMatchObject({ has_more: true, more_starting_after: tx.data[1].id });
    expect(oldest.data.map((x: any) => x.type)).toEqual(['CREDITS_ADDITION']);
    expect((await ok('GET', `/v1/vouchers/CARD-1/transactions?order=id&starting_after_id=${tx.data[1].id}`)).data.map((x: any) => x.id)).toEqual([tx.data[0].id]);

    await ok('POST', '/v1/vouchers/DISC-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
    const notGift = await api('POST', '/v1/vouchers/DISC-1/balance', { amount: 10 });
    expect(notGift.statusCode).toBe(400);
    expect(notGift.json().key).toBe('invalid_voucher');
    expect((await api('POST', '/v1/vouchers/NOPE/balance', { amount: 10 })).json()).toMatchObject({ code: 404, resource_type: 'voucher' });
    expect((await api('POST', '/v1/vouchers/CARD-1/balance', { amount: 0 })).statusCode).toBe(400);
  });

  it('a card starts with its amount: a balance sent with it (create, import, a campaign) makes no credits of its own', async () => {
    expect((await ok('POST', '/v1/vouchers/SENT-BALANCE', { type: 'GIFT_VOUCHER', gift: { amount: 100, balance: 500000 } })).gift).toEqual({ amount: 100, balance: 100 });
    const imported = await api('POST', '/v1/vouchers/import', [{ code: 'SENT-BALANCE-2', type: 'GIFT_VOUCHER', gift: { amount: 0, balance: 999999 } }]);
    expect(imported.statusCode, imported.body).toBeLessThan(300);
    expect((await ok('GET', '/v1/vouchers/SENT-BALANCE-2')).gift).toEqual({ amount: 0, balance: 0 });
    const c = await ok('POST', '/v1/campaigns', { name: 'Sent balance cards', campaign_type: 'GIFT_VOUCHERS', type: 'AUTO_UPDATE', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 100, balance: 77777 } } });
    const published = await ok('POST', '/v1/publications', { campaign: { id: c.id }, customer: { source_id: 'sent-balance' } });
    expect(published.voucher.gift).toMatchObject({ amount: 100, balance: 100 });
    // Codes the campaign generates (vouchers_count) too.
    const g = await ok('POST', '/v1/campaigns', { name: 'Sent balance batch', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', vouchers_count: 2, voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000, balance: 5000 } } });
    while ((await t.tessera.services.generation.step()) > 0);
    const made = (await ok('GET', `/v1/vouchers?campaign_id=${g.id}`)).vouchers;
    expect(made.map((v: any) => v.gift)).toEqual([{ amount: 1000, balance: 1000 }, { amount: 1000, balance: 1000 }]);
    const over = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: made[0].code, gift: { credits: 4000 } }], order: { amount: 10000 } });
    expect(over.json()).toMatchObject({ key: 'gift_amount_exceeded' });
  });

  it('an update changes the effect, never the credits: another amount is refused (a transaction changes it), the balance is not taken', async () => {
    await ok('POST', '/v1/campaigns/Cards/vouchers/CARD-PUT', {});
    await ok('POST', '/v1/vouchers/CARD-PUT/balance', { amount: 500 });
    await ok('POST', '/v1/vouchers/CARD-PUT/balance', { amount: -200 });
    const read = await ok('GET', '/v1/vouchers/CARD-PUT');
    expect(read.gift).toEqual({ amount: 1500, balance: 1300 });
    // A GET sent back with only the effect changed: the credits are not counted twice.
    const changed = await ok('PUT', '/v1/vouchers/CARD-PUT', { ...read, gift: { ...read.gift, effect: 'APPLY_TO_ITEMS' } });
    expect(changed.gift).toEqual({ amount: 1500, balance: 1300, effect: 'APPLY_TO_ITEMS' });
    const lower = await api('PUT', '/v1/vouchers/CARD-PUT', { gift: { amount: 200 } });
    expect(lower.statusCode).toBe(400);
    expect(lower.json()).toMatchObject({ key: 'invalid_voucher', message: expect.any(String), details: expect.stringContaining('/balance') });
    expect((await ok('PUT', '/v1/vouchers/CARD-PUT', { gift: { amount: 1500, balance: 999999 } })).gift).toEqual({ amount: 1500, balance: 1300, effect: 'APPLY_TO_ITEMS' });
    expect((await api('PUT', '/v1/vouchers/DISC-1', { gift: { amount: 100 } })).statusCode).toBe(400);
  });

  it('25 parallel removals of 100 from 1000: exactly 10 succeed, the balance ends at 0', async () => {
    await ok('POST', '/v1/campaigns/Cards/vouchers/CARD-RACE', {});
    const results = await Promise.all(Array.from({ length: 25 }, () => api('POST', '/v1/vouchers/CARD-RACE/balance', { amount: -100 })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(10);
    expect(results.filter((r) => r.statusCode === 400)).toHaveLength(15);
    const { rows } = await t.testDb.db.query<{ balance: string; n: string }>(
      `SELECT v.gift_balance AS balance, (SELECT count(*) FROM voucher_transactions x WHERE x.voucher_id = v.id) AS n FROM vouchers v WHERE v.code = 'CARD-RACE'`,
    );
    expect(Number(rows[0]!.balance)).toBe(0);
    expect(Number(rows[0]!.n)).toBe(10);
  });

  it('the SDK adds balance and lists transactions', async () => {
    const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
    expect(await server.vouchers.balance.create('CARD-1', { amount: 100 } as never)).toMatchObject({ amount: 100, balance: 1300 });
    const list: any = await server.vouchers.listTransactions('CARD-1', { limit: 2 } as never);
    expect(list.data).toHaveLength(2);
    expect(list.has_more).toBe(true);
  });

  it.skipIf(!specPresent)('voucher.gift.balance_added and voucher.gift.transaction.created validate', async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type)).toContain(type);
    for (const payload of got) v.check(payload);
    expect(got.filter((g) => g.type === 'voucher.gift.balance_added').map((g) => g.data.balance.amount)).toEqual(expect.arrayContaining([500, 100]));
    expect(got.filter((g) => g.type === 'voucher.gift.transaction.created')).toHaveLength(15);
  });
});

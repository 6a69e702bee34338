/**
 * Gift cards with `gift.effect: APPLY_TO_ITEMS`, on both stores: their credits go against the order's lines, line by
 * line in the order's order, each line net of earlier discounts, and the answers show them on the lines
 * (`items[].discount_amount`, `items_discount_amount`) rather than on the order's `discount_amount`. Cards applied to
 * the order, and orders without lines, keep the credits on the order's total.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specPresent } from './helpers/conformance.js';
import { projectWebhookValidators } from './helpers/project-webhooks.js';
import { requestsOf } from './helpers/requests.js';
import { createWebhook, deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

let t: TestTessera;
let p: TestProject;
let sink: Sink;
const { ok } = requestsOf(() => ({ t, p }));
const types = ['redemption.succeeded', 'voucher.gift.transaction.created'];

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  await createWebhook(t, p.id, sink.url, types);
  await ok('POST', '/v1/vouchers/GI-PCT', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ITEMS' } });
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

const items = [
  { source_id: 'gi-a', quantity: 1, price: 1000 },
  { source_id: 'gi-b', quantity: 2, price: 400 },
];
const stack = (card: string, credits: number, order: Record<string, unknown> = { items }) => ({
  redeemables: [
    { object: 'voucher', id: 'GI-PCT' },
    { object: 'voucher', id: card, gift: { credits } },
  ],
  order,
});

describe('gift cards applied to items', () => {
  it('spend the credits on the lines in turn, each net of earlier discounts, in validations and redemptions', async () => {
    await ok('POST', '/v1/vouchers/GI-ITEMS', { type: 'GIFT_VOUCHER', gift: { amount: 2000, effect: 'APPLY_TO_ITEMS' } });
    // 10% off each line first (100 and 80); then 1500 credits: 900 (all of a's rest) and 600 of b's 720.
    const v = await ok('POST', '/v1/validations', stack('GI-ITEMS', 1500));
    expect(v.valid).toBe(true);
    expect(v.order).toMatchObject({ amount: 1800, discount_amount: 0, items_discount_amount: 1680, total_discount_amount: 1680, total_amount: 120, applied_discount_amount: 0, items_applied_discount_amount: 1680 });
    expect(v.order.items.map((i: any) => [i.discount_amount, i.applied_discount_amount, i.subtotal_amount])).toEqual([
      [1000, 1000, 0],
      [680, 680, 120],
    ]);
    const card = v.redeemables.find((r: any) => r.id === 'GI-ITEMS');
    expect(card.result.gift).toEqual({ credits: 1500, balance: 2000 });
    expect(card.result.discount).toMatchObject({ type: 'AMOUNT', amount_off: 1500, effect: 'APPLY_TO_ITEMS' });

    const r = await ok('POST', '/v1/redemptions', stack('GI-ITEMS', 1500));
    expect(r.order).toMatchObject({ amount: 1800, discount_amount: 0, items_discount_amount: 1680, total_amount: 120 });
    expect(r.order.items.map((i: any) => i.discount_amount)).toEqual([1000, 680]);
    const spent = r.redemptions.find((x: any) => x.voucher?.code === 'GI-ITEMS');
    expect(spent.amount).toBe(1500);
    expect(spent.gift).toEqual({ amount: 1500 });
    expect((await ok('GET', '/v1/vouchers/GI-ITEMS')).gift).toMatchObject({ amount: 2000, balance: 500 });
    // The stored order keeps what each line took.
    const stored = await ok('GET', `/v1/orders/${r.order.id}`);
    expect(stored.items.map((i: any) => i.discount_amount)).toEqual([1000, 680]);
  });

  it('take no more than the lines have left, and the whole balance when no credits are asked', async () => {
    await ok('POST', '/v1/vouchers/GI-BIG', { type: 'GIFT_VOUCHER', gift: { amount: 5000, effect: 'APPLY_TO_ITEMS' } });
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'GI-PCT' }, { object: 'voucher', id: 'GI-BIG' }], order: { items } });
    expect(v.order).toMatchObject({ items_discount_amount: 1800, total_amount: 0 });
    expect(v.redeemables.find((r: any) => r.id === 'GI-BIG').result.gift).toEqual({ credits: 1620, balance: 5000 });
  });

  it('keep the credits on the order for a card applied to the order, and for an order without lines', async () => {
    await ok('POST', '/v1/vouchers/GI-ORDER', { type: 'GIFT_VOUCHER', gift: { amount: 2000, effect: 'APPLY_TO_ORDER' } });
    const o = await ok('POST', '/v1/validations', stack('GI-ORDER', 1500));
    expect(o.order).toMatchObject({ discount_amount: 1500, items_discount_amount: 180, total_amount: 120 });
    expect(o.redeemables.find((r: any) => r.id === 'GI-ORDER').result.discount.effect).toBe('APPLY_TO_ORDER');
    await ok('POST', '/v1/vouchers/GI-NOLINES', { type: 'GIFT_VOUCHER', gift: { amount: 2000, effect: 'APPLY_TO_ITEMS' } });
    const n = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'GI-NOLINES', gift: { credits: 300 } }], order: { amount: 1000 } });
    expect(n.order).toMatchObject({ discount_amount: 300, items_discount_amount: 0, total_amount: 700 });
    expect(n.redeemables[0].result.discount.effect).toBe('APPLY_TO_ORDER');
  });

  it("go only to the lines the card's rules let it (applicable_to)", async () => {
    await ok('POST', '/v1/products', { source_id: 'gi-b', name: 'B', price: 400 });
    const v = await ok('POST', '/v1/vouchers/GI-TARGET', { type: 'GIFT_VOUCHER', gift: { amount: 2000, effect: 'APPLY_TO_ITEMS' } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'only b', applicable_to: { included: [{ object: 'product', source_id: 'gi-b' }] } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    const res = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'GI-TARGET' }], order: { items } });
    expect(res.order.items.map((i: any) => i.discount_amount)).toEqual([0, 800]);
    expect(res.redeemables[0].result.gift).toEqual({ credits: 800, balance: 2000 });
  });

  it.skipIf(!specPresent)("a redemption's webhooks, the card's credits among the item discounts, validate against the official schemas", async () => {
    await deliverAll(t);
    const v = projectWebhookValidators(types);
    const got = sink.received.map((r) => r.json);
    for (const type of types) expect(got.map((g) => g.type), type).toContain(type);
    for (const payload of got) v.check(payload);
    const card = got.find((g) => g.type === 'redemption.succeeded' && g.data.voucher?.code === 'GI-ITEMS')!;
    expect(card.data.order).toMatchObject({ discount_amount: 0, items_discount_amount: 1680, total_amount: 120 });
  });
});

/**
 * A stored order named again (by source_id or id) without items: its lines are used as they are, with none of the
 * discounts earlier redemptions (even rolled back ones) put on them, so each validation, redemption and
 * qualification counts only its own stack's discounts. A new amount that contradicts the stored lines leaves them out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const { ok } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  await ok('POST', '/v1/vouchers/IT15', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 15, effect: 'APPLY_TO_ITEMS' } });
  await ok('POST', '/v1/vouchers/P10A', { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } });
  await ok('POST', '/v1/vouchers/A500', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } });
});
afterAll(() => t.close());

const voucher = (id: string) => ({ object: 'voucher', id });
const line = { source_id: 'p1', quantity: 1, price: 1000 };

describe('reusing a stored order', () => {
  it('does not carry a rolled-back redemption\'s item discounts into later validations and redemptions', async () => {
    const first = await ok('POST', '/v1/redemptions', { redeemables: [voucher('IT15')], order: { source_id: 'ord-st', items: [line] } });
    expect(first.order).toMatchObject({ items_discount_amount: 150, total_discount_amount: 150 });
    await ok('POST', `/v1/redemptions/${first.redemptions[0].id}/rollback`, {});

    const v = await ok('POST', '/v1/validations', { redeemables: [voucher('P10A')], order: { source_id: 'ord-st' } });
    expect(v.valid).toBe(true);
    expect(v.redeemables[0].order).toBeUndefined();
    expect(v.order).toMatchObject({ amount: 1000, discount_amount: 100, items_discount_amount: 0, total_discount_amount: 100, total_amount: 900 });
    expect(v.order.items).toEqual([expect.objectContaining({ source_id: 'p1', amount: 1000, discount_amount: 0, subtotal_amount: 1000 })]);

    // The item discount applies again, counted once: it is this stack's.
    const again = await ok('POST', '/v1/validations', { redeemables: [voucher('IT15')], order: { source_id: 'ord-st' } });
    expect(again.order).toMatchObject({ items_discount_amount: 150, total_discount_amount: 150, total_amount: 850 });

    const redeemed = await ok('POST', '/v1/redemptions', { redeemables: [voucher('A500')], order: { source_id: 'ord-st' } });
    expect(redeemed.order).toMatchObject({ discount_amount: 500, items_discount_amount: 0, total_discount_amount: 500, total_amount: 500 });
    const stored = await ok('GET', `/v1/orders/${redeemed.order.id}`);
    expect(stored).toMatchObject({ amount: 1000, discount_amount: 500, items_discount_amount: 0, total_discount_amount: 500, total_amount: 500 });
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0].discount_amount ?? 0).toBe(0);
  });

  it('stores the stack\'s own item discounts on the reused lines', async () => {
    await ok('POST', '/v1/orders', { source_id: 'ord-items', items: [line, { source_id: 'p2', quantity: 2, price: 500 }] });
    const r = await ok('POST', '/v1/redemptions', { redeemables: [voucher('IT15')], order: { source_id: 'ord-items' } });
    expect(r.order).toMatchObject({ amount: 2000, items_discount_amount: 300, total_discount_amount: 300 });
    const stored = await ok('GET', `/v1/orders/${r.order.id}`);
    expect(stored).toMatchObject({ items_discount_amount: 300, total_discount_amount: 300, total_amount: 1700 });
    expect(stored.items.map((i: { discount_amount?: number }) => i.discount_amount)).toEqual([150, 150]);
  });

  it('leaves the stored lines out when a new amount is sent without items, and keeps them when the amount is the same', async () => {
    await ok('POST', '/v1/orders', { source_id: 'ord-amt', items: [line] });
    const same = await ok('POST', '/v1/validations', { redeemables: [voucher('IT15')], order: { source_id: 'ord-amt', amount: 1000 } });
    expect(same.order).toMatchObject({ amount: 1000, items_discount_amount: 150 });
    const other = await ok('POST', '/v1/validations', { redeemables: [voucher('P10A')], order: { source_id: 'ord-amt', amount: 3000 } });
    expect(other.order).toMatchObject({ amount: 3000, discount_amount: 300, items_discount_amount: 0, total_discount_amount: 300 });
    expect(other.order.items ?? []).toEqual([]);
    const r = await ok('POST', '/v1/redemptions', { redeemables: [voucher('P10A')], order: { source_id: 'ord-amt', amount: 3000 } });
    const stored = await ok('GET', `/v1/orders/${r.order.id}`);
    expect(stored).toMatchObject({ amount: 3000, discount_amount: 300, total_discount_amount: 300, total_amount: 2700 });
    expect(stored.items ?? []).toEqual([]);
  });
});

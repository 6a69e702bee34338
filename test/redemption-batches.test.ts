/**
 * Concurrent redemptions are group-committed: requests that arrive while a batch is written share the next
 * transaction. What users rely on: each request still gets its own answer (a refused one does not take the others
 * down), the counts in the database are exact, and a busy server spends far fewer statements than one batch each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';
import { statementLog } from './helpers/statements.js';

let t: TestTessera;
let p: TestProject;
let statements: ReturnType<typeof statementLog>;
const { api, ok } = requestsOf(() => ({ t, p }));

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await t.testDb.db.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  statements = statementLog(t);
  await ok('POST', '/v1/vouchers/BATCH-FREE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
  await ok('POST', '/v1/products', { source_id: 'batch-p1', name: 'Mug', price: 1200 });
});
afterAll(async () => {
  await t.close();
});

describe('group-committed redemptions', () => {
  it('24 concurrent redemptions of 3 customers: each answered, summaries and rows exact, far fewer statements', async () => {
    const people = ['batch-a', 'batch-b', 'batch-c'];
    statements.start();
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        api('POST', '/v1/redemptions', {
          redeemables: [{ object: 'voucher', id: 'BATCH-FREE' }],
          customer: { source_id: people[i % 3], metadata: { n: i % 3 } },
          order: { items: [{ source_id: 'batch-p1', quantity: 1 + (i % 2) }, { source_id: `batch-unknown-${i}`, quantity: 1, price: 500 }] },
        }),
      ),
    );
    const sent = statements.stop().length;
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    const bodies = answers.map((a) => a.json());
    expect(new Set(bodies.map((b) => b.redemptions[0].id)).size).toBe(24);
    expect(new Set(bodies.map((b) => b.order.id)).size).toBe(24);
    // Catalog prices resolved per order, from one read of the batch's products.
    bodies.forEach((b, i) => expect(b.order.amount).toBe(1200 * (1 + (i % 2)) + 500));
    // One redemption alone takes 8 statements; on PostgreSQL (where requests queue while a batch is written),
    // batches share them. PGlite runs one statement at a time in-process, so little queues there.
    if (t.testDb.db.kind === 'postgres') expect(sent).toBeLessThan((24 * 8) / 2);
    else expect(sent).toBeLessThanOrEqual(24 * 8);

    for (const [k, who] of people.entries()) {
      const mine = bodies.filter((_, i) => i % 3 === k);
      const c = await ok('GET', `/v1/customers/${who}`);
      expect(c.summary.redemptions).toMatchObject({ total_redeemed: 8, total_succeeded: 8, total_failed: 0 });
      const total = mine.reduce((s, b) => s + b.order.total_amount, 0);
      expect(c.summary.orders).toMatchObject({ total_count: 8, total_amount: total });
      expect(await count(`SELECT count(*) AS n FROM redemptions WHERE customer_id = $1 AND status = 'SUCCEEDED'`, [c.id])).toBe(8);
      expect(await count(`SELECT count(*) AS n FROM orders WHERE customer_id = $1 AND status = 'PAID'`, [c.id])).toBe(8);
      const activity = await ok('GET', `/v1/customers/${c.id}/activity?type=customer.redemption.succeeded&limit=100`);
      expect(activity.data.length).toBe(8);
    }
  });

  it('refusals in a batch leave the others alone: a limited voucher gives exactly its quantity, failures are recorded', async () => {
    await ok('POST', '/v1/vouchers/BATCH-THREE', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 3 } });
    const big = await ok('POST', '/v1/vouchers/BATCH-BIG', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } });
    const rule = await ok('POST', '/v1/validation-rules', { name: 'big orders', rules: { '1': { name: 'order.amount', conditions: { $more_than: [100000] } } } });
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: big.id });
    const codes = [...Array(8).fill('BATCH-FREE'), ...Array(6).fill('BATCH-THREE'), ...Array(4).fill('BATCH-BIG'), ...Array(3).fill('BATCH-NONE')];
    const answers = await Promise.all(
      codes.map((code, i) => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: code }], customer: { source_id: `batch-r${i}` }, order: { amount: 5000 } })),
    );
    const status = (code: string) => answers.filter((_, i) => codes[i] === code).map((a) => a.statusCode).sort();
    expect(status('BATCH-FREE')).toEqual(Array(8).fill(200));
    expect(status('BATCH-THREE')).toEqual([200, 200, 200, 400, 400, 400]);
    expect(answers.filter((_, i) => codes[i] === 'BATCH-THREE' && answers[i]!.statusCode === 400).map((a) => a.json().key)).toEqual(Array(3).fill('quantity_exceeded'));
    expect(status('BATCH-BIG')).toEqual(Array(4).fill(400));
    expect(answers.filter((_, i) => codes[i] === 'BATCH-BIG').map((a) => a.json().key)).toEqual(Array(4).fill('order_rules_violated'));
    expect(status('BATCH-NONE')).toEqual(Array(3).fill(404));

    const three = await ok('GET', '/v1/vouchers/BATCH-THREE');
    expect(three.redemption).toMatchObject({ quantity: 3, redeemed_quantity: 3 });
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [three.id])).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'FAILED'`, [three.id])).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'FAILED'`, [big.id])).toBe(4);
    // A refused redemption's customer was not kept (its transaction rolled back), as when it runs alone.
    for (const [i, code] of codes.entries()) {
      const c = await api('GET', `/v1/customers/batch-r${i}`);
      if (answers[i]!.statusCode === 200) expect(c.json().summary.redemptions.total_succeeded, code).toBe(1);
      else expect(c.statusCode === 404 || c.json().summary.redemptions.total_succeeded === 0, code).toBe(true);
    }
  });

  it('redemptions naming one order (source_id) together: one order, counted once in the summary', async () => {
    // Other redemptions first keep the batches in flight busy, so that the six queue and go together.
    const all = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'BATCH-FREE' }], customer: { source_id: `batch-other-${i}` }, order: { amount: 1000 } })),
      ...Array.from({ length: 6 }, () => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'BATCH-FREE' }], customer: { source_id: 'batch-same' }, order: { source_id: 'batch-order-1', amount: 4000 } })),
    ]);
    for (const a of all) expect(a.statusCode, a.body).toBe(200);
    const answers = all.slice(4);
    expect(new Set(answers.map((a) => a.json().order.id)).size).toBe(1);
    const c = await ok('GET', '/v1/customers/batch-same');
    expect(c.summary.orders).toMatchObject({ total_count: 1, total_amount: 3900 });
    expect(c.summary.redemptions).toMatchObject({ total_redeemed: 6, total_succeeded: 6 });
    const order = await ok('GET', '/v1/orders/batch-order-1');
    expect(Object.keys(order.redemptions ?? {})).toHaveLength(6);
  });
});

/**
 * Validations and redemptions of stacked vouchers (discounts and gift cards), their errors as Voucherify gives
 * them, rollbacks, and exact spending under concurrency: every race test counts rows afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;

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

const voucher = (code: string, body: Record<string, unknown> = {}) => ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, ...body });
const gift = (code: string, amount: number) => ok('POST', `/v1/vouchers/${code}`, { type: 'GIFT_VOUCHER', gift: { amount } });
const order = { amount: 10000, items: [{ source_id: 'sku-a', quantity: 2, price: 2500 }, { source_id: 'sku-b', quantity: 1, price: 5000 }] };
const redeem = (codes: string[], extra: Record<string, unknown> = {}) => api('POST', '/v1/redemptions', { redeemables: codes.map((id) => ({ object: 'voucher', id })), order, ...extra });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
});
afterAll(async () => {
  await t.close();
});

describe('validations', () => {
  it('validates a stack: each discount applies on what earlier ones left, gift credits last', async () => {
    await voucher('VAL-AMT');
    await voucher('VAL-PCT', { discount: { type: 'PERCENT', percent_off: 10 } });
    await gift('VAL-GIFT', 2000);
    const v = await ok('POST', '/v1/validations', {
      redeemables: [{ object: 'voucher', id: 'VAL-AMT' }, { object: 'voucher', id: 'VAL-PCT' }, { object: 'voucher', id: 'VAL-GIFT', gift: { credits: 500 } }],
      order,
      customer: { source_id: 'val-ann' },
    });
    expect(v.valid).toBe(true);
    expect(v.redeemables.map((r: any) => r.status)).toEqual(['APPLICABLE', 'APPLICABLE', 'APPLICABLE']);
    expect(v.redeemables[2].result.gift).toEqual({ credits: 500, balance: 2000 });
    // 10000 - 1000 = 9000; 10% of it = 900; then 500 credits.
    expect(v.order).toMatchObject({ amount: 10000, total_discount_amount: 2400, total_amount: 7600 });
    // Nothing spent, nobody created.
    expect((await ok('GET', '/v1/vouchers/VAL-GIFT')).gift.balance).toBe(2000);
    expect((await api('GET', '/v1/customers/val-ann')).statusCode).toBe(404);
  });

  it('an unknown code makes the validation invalid with a not_found naming the voucher; the others are skipped', async () => {
    const v = await ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: 'VAL-AMT' }, { object: 'voucher', id: 'NO-SUCH' }], order });
    expect(v.valid).toBe(false);
    expect(v.redeemables[0].status).toBe('SKIPPED');
    expect(v.redeemables[1]).toMatchObject({ status: 'INAPPLICABLE', id: 'NO-SUCH', result: { error: { code: 404, key: 'not_found', resource_type: 'voucher', resource_id: 'NO-SUCH' } } });
    expect(v.inapplicable_redeemables).toHaveLength(1);
  });

  it('an unknown customer.id answers 404 about the customer on validations as on redemptions; a new source_id is fine', async () => {
    await voucher('VAL-CUST');
    const body = { redeemables: [{ object: 'voucher', id: 'VAL-CUST' }], order, customer: { id: 'cust_unknown' } };
    const want = { code: 404, key: 'not_found', resource_type: 'customer', resource_id: 'cust_unknown', details: 'Cannot find customer with id cust_unknown' };
    for (const url of ['/v1/validations', '/v1/redemptions', '/v1/vouchers/VAL-CUST/validate']) {
      const res = await api('POST', url, body);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(404);
      expect(res.json()).toMatchObject(want);
    }
    // An id is an id: a customer's source_id given as `id` is unknown too, as a redemption finds it.
    await ok('POST', '/v1/customers', { source_id: 'val-by-source' });
    const bySource = { ...body, customer: { id: 'val-by-source' } };
    for (const url of ['/v1/validations', '/v1/redemptions']) expect((await api('POST', url, bySource)).statusCode, url).toBe(404);
    // A source_id nobody has yet: a redemption would create the customer, so a validation checks it as new.
    expect((await ok('POST', '/v1/validations', { ...body, customer: { source_id: 'val-newcomer' } })).valid).toBe(true);
    expect((await ok('GET', '/v1/vouchers/VAL-CUST')).redemption.redeemed_quantity).toBe(0);
  });

  it('refuses 0 or 31 redeemables and duplicates with 400s', async () => {
    expect((await api('POST', '/v1/validations', { redeemables: [] })).json()).toMatchObject({ code: 400, key: 'invalid_redeemables' });
    const many = Array.from({ length: 31 }, (_, i) => ({ object: 'voucher', id: `X${i}` }));
    expect((await api('POST', '/v1/validations', { redeemables: many })).json()).toMatchObject({ code: 400, key: 'invalid_redeemables' });
    const dup = [{ object: 'voucher', id: 'VAL-AMT' }, { object: 'voucher', id: 'val-amt' }];
    expect((await api('POST', '/v1/validations', { redeemables: dup })).json()).toMatchObject({ code: 400, key: 'duplicated_redeemables' });
    expect((await api('POST', '/v1/validations', { redeemables: [{ object: 'voucher' }] })).json()).toMatchObject({ code: 400, key: 'invalid_payload' });
  });

  it('the legacy validate answers valid false with the reason, and the rule own message', async () => {
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Gold only', rules: { '1': { name: 'customer.metadata', property: 'tier', conditions: { $is: ['gold'] }, error: { message: 'Gold members only' } } } });
    const v = await voucher('GOLD-ONLY');
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    const bad = await ok('POST', '/v1/vouchers/GOLD-ONLY/validate', { customer: { source_id: 'silver-sam', metadata: { tier: 'silver' } }, order });
    expect(bad).toMatchObject({ valid: false, code: 'GOLD-ONLY', error: { key: 'customer_rules_violated', message: 'Gold members only' } });
    const good = await ok('POST', '/v1/vouchers/GOLD-ONLY/validate', { customer: { source_id: 'gold-gus', metadata: { tier: 'gold' } }, order });
    expect(good).toMatchObject({ valid: true, code: 'GOLD-ONLY', discount: { type: 'AMOUNT', amount_off: 1000 } });
    const refused = await redeem(['GOLD-ONLY'], { customer: { source_id: 'silver-sam', metadata: { tier: 'silver' } } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ key: 'customer_rules_violated', error: { message: 'Gold members only' } });
  });
});

describe('redemptions', () => {
  it('redeems a stack: a parent and its children, the order PAID with the discounts, the customer summary and activity', async () => {
    await voucher('RED-A', { redemption: { quantity: 5 } });
    await gift('RED-G', 3000);
    const res = await api('POST', '/v1/redemptions', {
      redeemables: [{ object: 'voucher', id: 'RED-A' }, { object: 'voucher', id: 'RED-G', gift: { credits: 1000 } }],
      order: { ...order, source_id: 'ord-red-1' },
      customer: { source_id: 'red-rita' },
      metadata: { channel: 'shop' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.parent_redemption).toMatchObject({ object: 'redemption', result: 'SUCCESS', status: 'SUCCEEDED', related_object_type: 'redemption', redemption: null });
    expect(r.redemptions).toHaveLength(2);
    for (const c of r.redemptions) expect(c).toMatchObject({ id: expect.stringMatching(/^r_/), redemption: r.parent_redemption.id, result: 'SUCCESS', metadata: { channel: 'shop' } });
    expect(r.redemptions[1]).toMatchObject({ amount: 1000, gift: { amount: 1000 }, voucher: { code: 'RED-G' } });
    const o = await ok('GET', '/v1/orders/ord-red-1');
    expect(o).toMatchObject({ status: 'PAID', amount: 10000, discount_amount: 2000, total_amount: 8000 });
    expect(Object.keys(o.redemptions)).toEqual([r.parent_redemption.id]);
    expect((await ok('GET', '/v1/vouchers/RED-A')).redemption).toMatchObject({ quantity: 5, redeemed_quantity: 1 });
    expect((await ok('GET', '/v1/vouchers/RED-G')).gift.balance).toBe(2000);
    const cust = await ok('GET', '/v1/customers/red-rita');
    expect(cust.summary.redemptions).toMatchObject({ total_redeemed: 2, total_succeeded: 2, gift: { redeemed_amount: 1000 } });
    const activity = await ok('GET', '/v1/customers/red-rita/activity');
    expect(activity.data.filter((a: any) => a.type === 'customer.redemption.succeeded')).toHaveLength(2);
    expect(await count(`SELECT count(*) AS n FROM voucher_transactions WHERE type = 'CREDITS_REDEMPTION' AND amount = -1000`, [])).toBe(1);
    expect((await ok('GET', `/v1/redemptions/${r.redemptions[0].id}`)).id).toBe(r.redemptions[0].id);
  });

  it('answers Voucherify errors: disabled, expired, not yet active, quantity exceeded; a failure is recorded, nothing spent', async () => {
    await voucher('OFF');
    await ok('POST', '/v1/vouchers/OFF/disable');
    await voucher('OLD', { start_date: '2020-01-01T00:00:00Z', expiration_date: '2020-02-01T00:00:00Z' });
    await voucher('LATER', { start_date: '2099-01-01T00:00:00Z' });
    await voucher('ONCE', { redemption: { quantity: 1 } });
    expect((await redeem(['ONCE'])).statusCode).toBe(200);
    const cases: Array<[string, string]> = [['OFF', 'voucher_disabled'], ['OLD', 'voucher_expired'], ['LATER', 'voucher_not_active'], ['ONCE', 'quantity_exceeded']];
    for (const [code, key] of cases) {
      const res = await redeem([code]);
      expect(res.statusCode, code).toBe(400);
      expect(res.json(), code).toMatchObject({ code: 400, key });
    }
    const missing = await redeem(['NOPE']);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ key: 'not_found', resource_type: 'voucher', resource_id: 'NOPE' });
    // A stack fails as a whole: the good voucher is not spent.
    await voucher('GOOD', { redemption: { quantity: 3 } });
    expect((await redeem(['GOOD', 'OFF'])).statusCode).toBe(400);
    expect((await ok('GET', '/v1/vouchers/GOOD')).redemption.redeemed_quantity).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE project_id = $1 AND status = 'FAILED'`, [p.id])).toBeGreaterThanOrEqual(5);
  });

  it('a discount larger than the order takes it to zero, never below, and odd inputs answer 4xx, never 500', async () => {
    await voucher('BIG-OFF', { discount: { type: 'AMOUNT', amount_off: 5000 } });
    const r = await redeem(['BIG-OFF'], { order: { amount: 1200 } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().order).toMatchObject({ amount: 1200, total_discount_amount: 1200, total_amount: 0 });
    const odd = [
      { redeemables: [{ object: 'voucher', id: 'BIG-OFF' }], order: { id: 'ord_missing' } },
      { redeemables: [{ object: 'voucher', id: 'BIG-OFF' }], customer: { id: 'cust_missing' } },
      { redeemables: [{ object: 'promotion_stack', id: 'x' }, { object: 'voucher', id: 'BIG-OFF' }] },
      { redeemables: [{ object: 'voucher', id: 'BIG-OFF', gift: { credits: 10 } }], order: { items: [{ quantity: 1e9, price: 1e9 }] } },
    ];
    for (const body of odd) {
      for (const url of ['/v1/validations', '/v1/redemptions']) {
        const res = await api('POST', url, body);
        expect(res.statusCode, `${url} ${JSON.stringify(body)}: ${res.body}`).toBeLessThan(500);
      }
    }
  });

  it('the legacy redemption returns one redemption with its voucher', async () => {
    await voucher('LEGACY-R');
    const r = await ok('POST', '/v1/vouchers/LEGACY-R/redemption', { customer: { source_id: 'legacy-lu' }, order });
    expect(r).toMatchObject({ object: 'redemption', result: 'SUCCESS', voucher: { code: 'LEGACY-R' }, customer: { source_id: 'legacy-lu' }, order: { status: 'PAID', total_discount_amount: 1000 } });
  });

  it('client-side validation works; client-side redemption needs client_redeem_enabled', async () => {
    await voucher('CLIENT-V');
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['shop.example.com'] } });
    const headers = { ...p.client, origin: 'shop.example.com' };
    const v = await t.app.inject({ method: 'POST', url: '/client/v1/validations', headers, payload: { redeemables: [{ object: 'voucher', id: 'CLIENT-V' }], order } });
    expect(v.statusCode, v.body).toBe(200);
    expect(v.json().valid).toBe(true);
    const r = await t.app.inject({ method: 'POST', url: '/client/v1/redemptions', headers, payload: { redeemables: [{ object: 'voucher', id: 'CLIENT-V' }], order } });
    expect(r.statusCode).toBe(403);
    expect(r.json().details).toMatch(/client_redeem_enabled/);
    await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_redeem_enabled: true } });
    const r2 = await t.app.inject({ method: 'POST', url: '/client/v1/redemptions', headers, payload: { redeemables: [{ object: 'voucher', id: 'CLIENT-V' }], order } });
    expect(r2.statusCode, r2.body).toBe(200);
    expect(r2.json().redemptions[0]).toMatchObject({ result: 'SUCCESS', voucher: { code: 'CLIENT-V' } });
  });
});

describe('rollbacks', () => {
  it("a customer's summary shows the credits they redeemed and those left on the gift cards they hold", async () => {
    await gift('SUM-G1', 2000);
    await gift('SUM-G2', 500);
    for (const code of ['SUM-G1', 'SUM-G2']) await ok('POST', '/v1/publications', { customer: { source_id: 'sum-sue' }, voucher: code });
    await ok('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SUM-G1', gift: { credits: 300 } }], order, customer: { source_id: 'sum-sue' } });
    expect((await ok('GET', '/v1/customers/sum-sue')).summary.redemptions.gift).toEqual({ redeemed_amount: 300, amount_to_go: 2200 });
    expect((await ok('GET', '/v1/vouchers/SUM-G1')).redemption).toMatchObject({ redeemed_amount: 300, redeemed_points: 0 });
  });

  it('rolls back one redemption: quantity and credits come back exactly; a second rollback is refused', async () => {
    await voucher('RB-ONE', { redemption: { quantity: 1 } });
    const r = (await redeem(['RB-ONE'], { customer: { source_id: 'rb-rob' } })).json().redemptions[0];
    expect((await redeem(['RB-ONE'])).json().key).toBe('quantity_exceeded');
    const rb = await ok('POST', `/v1/redemptions/${r.id}/rollback?reason=wrong%20size`);
    expect(rb).toMatchObject({ id: expect.stringMatching(/^rr_/), object: 'redemption_rollback', redemption: r.id, reason: 'wrong size', result: 'SUCCESS', status: 'SUCCEEDED' });
    expect((await ok('GET', `/v1/redemptions/${r.id}`)).status).toBe('ROLLED_BACK');
    expect((await ok('GET', '/v1/vouchers/RB-ONE')).redemption.redeemed_quantity).toBe(0);
    expect((await api('POST', `/v1/redemptions/${r.id}/rollback`)).json()).toMatchObject({ code: 400, key: 'already_rolled_back' });
    expect((await redeem(['RB-ONE'])).statusCode).toBe(200);
    // The refused second rollback counts as a failed one (as Voucherify's summary counts rollbacks).
    expect((await ok('GET', '/v1/customers/rb-rob')).summary.redemptions).toMatchObject({ total_rolled_back: 2, total_rollback_succeeded: 1, total_rollback_failed: 1 });
    expect((await api('POST', '/v1/redemptions/r_missing/rollback')).json()).toMatchObject({ code: 404, key: 'not_found' });
  });

  it('rolls back a stack through its parent; a child alone is refused', async () => {
    await voucher('RB-S1', { redemption: { quantity: 2 } });
    await gift('RB-SG', 5000);
    const res = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'RB-S1' }, { object: 'voucher', id: 'RB-SG', gift: { credits: 700 } }], order });
    const r = res.json();
    expect((await api('POST', `/v1/redemptions/${r.redemptions[0].id}/rollback`)).json()).toMatchObject({ key: 'invalid_redemption_parent' });
    const rb = await ok('POST', `/v1/redemptions/${r.parent_redemption.id}/rollbacks`, { reason: 'returned' });
    expect(rb.rollbacks).toHaveLength(2);
    expect(rb.parent_rollback).toMatchObject({ redemption: r.parent_redemption.id, reason: 'returned' });
    expect((await ok('GET', '/v1/vouchers/RB-SG')).gift.balance).toBe(5000);
    expect((await ok('GET', '/v1/vouchers/RB-SG')).redemption.redeemed_amount).toBe(0);
    expect((await ok('GET', '/v1/vouchers/RB-S1')).redemption.redeemed_quantity).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE parent_id = $1 AND status = 'ROLLED_BACK'`, [r.parent_redemption.id])).toBe(2);
  });
});

describe('exact spending under concurrency', () => {
  it('many clients on a quantity-1 voucher: exactly one succeeds', async () => {
    const v = await voucher('RACE-ONE', { redemption: { quantity: 1 } });
    const results = await Promise.all(Array.from({ length: 24 }, () => redeem(['RACE-ONE'])));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.statusCode !== 200)) expect(r.json().key).toBe('quantity_exceeded');
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [v.id])).toBe(1);
    expect(await count('SELECT redeemed_quantity AS n FROM vouchers WHERE id = $1', [v.id])).toBe(1);
  });

  it('32 clients on a quantity-1,000 voucher: exactly 1,000 succeed', async () => {
    const v = await voucher('RACE-K', { redemption: { quantity: 1000 } });
    let succeeded = 0;
    const client = async () => {
      for (;;) {
        const r = await api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'RACE-K' }] });
        if (r.statusCode !== 200) {
          expect(r.json().key).toBe('quantity_exceeded');
          return;
        }
        succeeded++;
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    expect(succeeded).toBe(1000);
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [v.id])).toBe(1000);
    expect(await count('SELECT redeemed_quantity AS n FROM vouchers WHERE id = $1', [v.id])).toBe(1000);
  }, 120_000);

  it('an unlimited voucher takes no lock and its row is never updated by redemptions', async () => {
    const v = await voucher('RACE-FREE');
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(['RACE-FREE'])));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [v.id])).toBe(20);
    expect(await count('SELECT count(*) AS n FROM vouchers WHERE id = $1 AND updated_at IS NULL AND redeemed_quantity = 0', [v.id])).toBe(1);
  });

  it('one gift balance: 20 clients asking 100 of 1,000 credits, exactly 10 succeed and the balance ends at 0', async () => {
    const g = await gift('RACE-GIFT', 1000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'RACE-GIFT', gift: { credits: 100 } }], order })),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(10);
    for (const r of results.filter((x) => x.statusCode !== 200)) expect(r.json().key).toBe('gift_amount_exceeded');
    expect(await count('SELECT gift_balance AS n FROM vouchers WHERE id = $1', [g.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM voucher_transactions WHERE voucher_id = $1`, [g.id])).toBe(10);
    // What the card paid out is counted with each spend (Voucherify's redemption.redeemed_amount).
    expect((await ok('GET', '/v1/vouchers/RACE-GIFT')).redemption).toMatchObject({ redeemed_quantity: 10, redeemed_amount: 1000, redeemed_points: 0 });
  });

  it('a per-customer limit of 3: 15 parallel redemptions by one customer, exactly 3 succeed, others get the rule message', async () => {
    const rule = await ok('POST', '/v1/validation-rules', { name: 'Three each', rules: { '1': { name: 'redemption.count.per_customer', conditions: { $less_than: [3] }, error: { message: 'Three per customer' } } } });
    const v = await voucher('RACE-PC');
    await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
    const results = await Promise.all(Array.from({ length: 15 }, () => redeem(['RACE-PC'], { customer: { source_id: 'race-pat' } })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(3);
    for (const r of results.filter((x) => x.statusCode !== 200)) expect(r.json()).toMatchObject({ key: 'redemption_rules_violated', error: { message: 'Three per customer' } });
    expect(await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [v.id])).toBe(3);
    // Another customer has their own three.
    expect((await redeem(['RACE-PC'], { customer: { source_id: 'race-quinn' } })).statusCode).toBe(200);
  });

  it('redemptions and rollbacks interleaved keep the quantity equal to the redemptions that stand', async () => {
    const v = await voucher('RACE-RB', { redemption: { quantity: 5 } });
    const first = await Promise.all(Array.from({ length: 5 }, () => redeem(['RACE-RB'])));
    const ids = first.map((r) => r.json().redemptions[0].id as string);
    const mixed = await Promise.all([
      ...ids.map((id) => api('POST', `/v1/redemptions/${id}/rollback`)),
      ...ids.map((id) => api('POST', `/v1/redemptions/${id}/rollback`)),
      ...Array.from({ length: 10 }, () => redeem(['RACE-RB'])),
    ]);
    const rollbacks = mixed.slice(0, 10).filter((r) => r.statusCode === 200);
    expect(rollbacks).toHaveLength(5);
    const standing = await count(`SELECT count(*) AS n FROM redemptions WHERE voucher_id = $1 AND status = 'SUCCEEDED'`, [v.id]);
    expect(standing).toBeLessThanOrEqual(5);
    expect(await count('SELECT redeemed_quantity AS n FROM vouchers WHERE id = $1', [v.id])).toBe(standing);
    expect(await count('SELECT count(*) AS n FROM redemption_rollbacks WHERE redemption_id = ANY($1::text[])', [ids])).toBe(5);
  });
});

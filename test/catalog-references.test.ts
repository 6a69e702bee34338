/**
 * Item rules naming a product or SKU by source_id match the same lines as rules naming it by id (lines given by id,
 * by source_id, and the SKU lines of a product); a target or rule naming a product that was deleted does not match a
 * new product that reuses its source_id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
const ids: Record<string, string> = {};
const { api, ok } = requestsOf(() => ({ t, p }));

async function guarded(code: string, body: Record<string, unknown>, discount: Record<string, unknown> = { type: 'AMOUNT', amount_off: 100 }) {
  const v = await ok('POST', `/v1/vouchers/${code}`, { type: 'DISCOUNT_VOUCHER', discount });
  const rule = await ok('POST', '/v1/validation-rules', { name: `rule of ${code}`, ...body });
  await ok('POST', `/v1/validation-rules/${rule.id}/assignments`, { related_object_type: 'voucher', related_object_id: v.id });
  return rule;
}
const validate = (code: string, items: object[]) => ok('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code }], order: { amount: 5000, items } });
const anyOf = (ref: object) => ({ rules: { '1': { name: 'order.items.any', conditions: { $is: [ref] } } } });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  ids.shirt = (await ok('POST', '/v1/products', { source_id: 'cr-shirt', name: 'Shirt', price: 2500 })).id;
  ids.shirtM = (await ok('POST', '/v1/products/cr-shirt/skus', { source_id: 'cr-shirt-m', price: 2500 })).id;
  ids.mug = (await ok('POST', '/v1/products', { source_id: 'cr-mug', name: 'Mug', price: 900 })).id;
});
afterAll(() => t.close());

describe('item rules by source_id', () => {
  it('match a line by product id, by source_id, and the lines of its SKUs, as a rule by id does', async () => {
    await guarded('CR-BY-SOURCE', anyOf({ source_id: 'cr-shirt', object: 'product' }));
    await guarded('CR-BY-ID', anyOf({ id: ids.shirt, object: 'product' }));
    const lines = {
      byId: [{ product_id: ids.shirt, quantity: 1, price: 2500 }],
      bySource: [{ source_id: 'cr-shirt', related_object: 'product', quantity: 1, price: 2500 }],
      bySku: [{ sku_id: ids.shirtM, quantity: 1, price: 2500 }],
      bySkuSource: [{ source_id: 'cr-shirt-m', related_object: 'sku', quantity: 1, price: 2500 }],
    };
    for (const [how, items] of Object.entries(lines)) {
      expect((await validate('CR-BY-ID', items)).valid, `by id, line ${how}`).toBe(true);
      expect((await validate('CR-BY-SOURCE', items)).valid, `by source_id, line ${how}`).toBe(true);
    }
    const mug = [{ product_id: ids.mug, quantity: 1, price: 900 }];
    expect((await validate('CR-BY-SOURCE', mug)).valid).toBe(false);
  });

  it('a SKU named by source_id matches a line naming it by id', async () => {
    await guarded('CR-SKU', anyOf({ source_id: 'cr-shirt-m', object: 'sku' }));
    expect((await validate('CR-SKU', [{ sku_id: ids.shirtM, quantity: 1, price: 2500 }])).valid).toBe(true);
    expect((await validate('CR-SKU', [{ product_id: ids.shirt, quantity: 1, price: 2500 }])).valid).toBe(false);
  });

  it('an unknown product or SKU in an item rule is refused when the rule is saved', async () => {
    const r = await api('POST', '/v1/validation-rules', { name: 'nope', ...anyOf({ source_id: 'cr-nope', object: 'product' }) });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ key: 'not_found', resource_type: 'product', resource_id: 'cr-nope' });
  });
});

describe('a deleted product', () => {
  it('no longer matches through a new product that reuses its source_id', async () => {
    const old = (await ok('POST', '/v1/products', { source_id: 'cr-lamp', name: 'Lamp', price: 3000 })).id;
    await guarded('CR-LAMP-OFF', { applicable_to: { included: [{ object: 'product', source_id: 'cr-lamp' }] } }, { type: 'AMOUNT', amount_off: 500, effect: 'APPLY_TO_ITEMS' });
    await guarded('CR-LAMP-RULE', anyOf({ source_id: 'cr-lamp', object: 'product' }));
    const line = [{ source_id: 'cr-lamp', related_object: 'product', quantity: 1, price: 3000 }];
    expect((await validate('CR-LAMP-OFF', line)).order.items[0].discount_amount).toBe(500);
    expect((await validate('CR-LAMP-RULE', line)).valid).toBe(true);
    expect((await api('DELETE', `/v1/products/${old}?force=true`)).statusCode).toBe(204);
    const fresh = (await ok('POST', '/v1/products', { source_id: 'cr-lamp', name: 'Another lamp', price: 3000 })).id;
    expect(fresh).not.toBe(old);
    const off = await validate('CR-LAMP-OFF', line);
    expect(off.valid).toBe(false);
    expect((await validate('CR-LAMP-RULE', line)).valid).toBe(false);
  });
});

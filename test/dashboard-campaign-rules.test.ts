/**
 * The conditions a campaign's page adds as validation rules (no browser: the form posted as a browser posts it):
 * each kind makes the rule of Voucherify's grammar it names, the campaign's codes validate by it, the page shows it
 * in words, and a form that does not say enough is refused on the page without making a rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession, postForm } from './helpers/dashboard-session.js';
import { requestsOf } from './helpers/requests.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';
let csrf = '';

const { ok: v1 } = requestsOf(() => ({ t, p }));

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Rules shop' });
  ({ cookie, csrf } = await dashboardSession(t.app, p.id));
});
afterAll(() => t.close());

/** A campaign of one code, and a way to add a condition from its page: the flash message the page then shows. */
async function campaign(name: string) {
  const c = await v1('POST', '/v1/campaigns', { name, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } });
  const code = (await v1('POST', `/v1/campaigns/${c.id}/vouchers`, {})).code as string;
  const add = async (fields: Record<string, string>) => {
    const { notice, page } = await postForm(t.app, { cookie, csrf }, `/dashboard/p/${p.id}/campaigns/${c.id}/rules`, { value: '', segment: '', product: '', property: '', text: '', message: '', ...fields });
    return { flash: notice, page };
  };
  const valid = async (body: Record<string, unknown>) => (await v1('POST', '/v1/validations', { redeemables: [{ object: 'voucher', id: code }], ...body })).valid as boolean;
  return { c, code, add, valid };
}

describe("a campaign page's conditions", () => {
  it('order contains the product: only orders with it qualify; the rule names the product', async () => {
    const desk = await v1('POST', '/v1/products', { name: 'Oak desk', price: 20000 });
    const chair = await v1('POST', '/v1/products', { name: 'Chair', price: 5000 });
    const x = await campaign('Desk deal');
    const { flash, page } = await x.add({ kind: 'order.items.any', product: desk.id });
    expect(flash).toBe('Rule added: Desk deal: orders with Oak desk.');
    expect(page).toContain('order.items.any is Oak desk');
    expect(await x.valid({ order: { items: [{ product_id: desk.id, quantity: 1, price: 20000 }] } })).toBe(true);
    expect(await x.valid({ order: { items: [{ product_id: chair.id, quantity: 1, price: 5000 }] } })).toBe(false);
    // Not a product of the project: nothing made.
    const before = (await v1('GET', '/v1/validation-rules')).total;
    expect((await x.add({ kind: 'order.items.any', product: 'prod_nope' })).flash).toBe('Choose a product of this project.');
    expect((await v1('GET', '/v1/validation-rules')).total).toBe(before);
  });

  it('customer metadata: the value typed as a number, true/false or text', async () => {
    const x = await campaign('Gold only');
    expect((await x.add({ kind: 'customer.metadata', property: 'tier', text: 'gold' })).flash).toBe('Rule added: Gold only: customer tier is gold.');
    expect(await x.valid({ customer: { source_id: 'cm-gold', metadata: { tier: 'gold' } } })).toBe(true);
    expect(await x.valid({ customer: { source_id: 'cm-silver', metadata: { tier: 'silver' } } })).toBe(false);
    const y = await campaign('Thirty');
    await y.add({ kind: 'customer.metadata', property: 'age', text: '30' });
    const rule = (await v1('GET', '/v1/validation-rules')).data.find((r: { name: string }) => r.name === 'Thirty: customer age is 30');
    expect(rule.rules['1']).toMatchObject({ name: 'customer.metadata', property: 'age', conditions: { $is: [30] } });
    expect(await y.valid({ customer: { source_id: 'cm-30', metadata: { age: 30 } } })).toBe(true);
    expect((await y.add({ kind: 'customer.metadata', property: 'bad key!', text: 'x' })).flash).toMatch(/^Give the metadata key/);
    expect((await y.add({ kind: 'customer.metadata', property: 'tier', text: '' })).flash).toMatch(/^Give the value/);
  });

  it('items in the order at least, and redemptions per day at most (a guarded limit)', async () => {
    const x = await campaign('Bulk buy');
    expect((await x.add({ kind: 'order.items.aggregated_quantity', value: '3' })).flash).toBe('Rule added: Bulk buy: at least 3 items in the order.');
    const items = (n: number) => ({ order: { items: [{ sku_id: 'a', quantity: n - 1, price: 100 }, { sku_id: 'b', quantity: 1, price: 100 }] } });
    expect(await x.valid(items(2))).toBe(false);
    expect(await x.valid(items(3))).toBe(true);
    expect((await x.add({ kind: 'order.items.aggregated_quantity', value: '0' })).flash).toBe('Give the number of items as a whole number from 1 to 1,000,000.');

    const y = await campaign('First two');
    expect((await y.add({ kind: 'redemption.count.daily', value: '2' })).flash).toBe('Rule added: First two: at most 2 redemptions per day.');
    // The campaign's code is redeemable any number of times: the rule stops it after two a day, whoever redeems.
    const redeem = (who: string) => t.app.inject({ method: 'POST', url: '/v1/redemptions', headers: p.server, payload: { redeemables: [{ object: 'voucher', id: y.code }], customer: { source_id: who } } });
    expect((await redeem('rc-1')).statusCode).toBe(200);
    expect((await redeem('rc-2')).statusCode).toBe(200);
    expect((await redeem('rc-3')).json()).toMatchObject({ code: 400, key: 'redemption_rules_violated' });
    // At most one per customer: the second of the same customer is refused.
    const z = await campaign('Once each');
    await z.add({ kind: 'redemption.count.per_customer', value: '1' });
    const once = (who: string) => t.app.inject({ method: 'POST', url: '/v1/redemptions', headers: p.server, payload: { redeemables: [{ object: 'voucher', id: z.code }], customer: { source_id: who } } });
    expect((await once('oe-1')).statusCode).toBe(200);
    expect((await once('oe-1')).json()).toMatchObject({ code: 400, key: 'redemption_rules_violated' });
    expect((await once('oe-2')).statusCode).toBe(200);
    expect((await y.add({ kind: 'redemption.count.daily', value: '1.5' })).flash).toBe('Give the redemptions per day as a whole number from 1 to 1,000,000.');
  });
});

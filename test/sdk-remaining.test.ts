/**
 * The official SDK's methods no other suite calls, unchanged against Tessera: products and SKUs from CSV files,
 * reward assignments through a loyalty program (create as an array, get, update, delete) and through the reward,
 * addPoints and getPointsExpiration, promotion tiers of every campaign, releasing a validation session, scrolling
 * every customer, and the client-side qualifications.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let dir: string;
let server: ReturnType<typeof VoucherifyServerSide>;
let client: ReturnType<typeof VoucherifyClientSide>;

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  dir = await mkdtemp(join(tmpdir(), 'tessera-sdk-remaining-'));
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  client = VoucherifyClientSide({ clientApplicationId: p.client['x-client-application-id'], clientSecretKey: p.client['x-client-token'], apiUrl, origin: 'shop.example.com' });
  await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { client_trusted_domains: ['shop.example.com'] } });
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const action = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/async-actions/${id}`, headers: p.server })).json();

describe('catalog CSV imports', () => {
  it('products.importCSV makes products (attributes, price, metadata) and only renames one it finds by source_id', async () => {
    await server.products.create({ name: 'Old mug name', source_id: 'mug', price: 1200 } as any);
    const file = join(dir, 'products.csv');
    await writeFile(file, 'name,source_id,price,attributes,image_url,material\nMug,mug,9999,,,\nShirt,shirt,2500,"color,size",https://img.example/shirt.png,cotton\n,nameless,100,,,\n');
    const res: any = await server.products.importCSV(file);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'PRODUCTS_IMPORT_CSV', status: 'DONE' });
    expect(a.result.results.map((r: any) => [r.source_id, r.found, r.updated])).toEqual([['mug', true, true], ['shirt', false, true], ['nameless', false, false]]);
    expect(a.result.results[2].reason).toContain('name is required');
    const mug: any = await server.products.get('mug');
    expect(mug).toMatchObject({ name: 'Mug', price: 1200 });
    const shirt: any = await server.products.get('shirt');
    expect(shirt).toMatchObject({ name: 'Shirt', price: 2500, attributes: ['color', 'size'], image_url: 'https://img.example/shirt.png', metadata: { material: 'cotton' } });
  });

  it('products.importSkusCSV makes SKUs of the named products and updates sku and price of one it finds', async () => {
    const shirt: any = await server.products.get('shirt');
    await server.products.createSku(shirt.id, { sku: 'Shirt S', source_id: 'shirt-s', price: 2400 } as any);
    const file = join(dir, 'skus.csv');
    await writeFile(file, `product_id,sku,source_id,price,attributes,batch\nshirt,Shirt S!,shirt-s,2300,,\n${shirt.id},Shirt M,shirt-m,2500,"{'color':'blue','size':'M'}",b7\nno-such-product,X,x-1,1,,\nshirt,Bad,shirt-bad,1,"{not json",\n`);
    const res: any = await server.products.importSkusCSV(file);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'SKUS_IMPORT_CSV', status: 'DONE' });
    expect(a.result.results.map((r: any) => [r.source_id, r.found, r.updated])).toEqual([['shirt-s', true, true], ['shirt-m', false, true], ['x-1', false, false], ['shirt-bad', false, false]]);
    expect(await server.products.getSku('shirt-s')).toMatchObject({ sku: 'Shirt S!', price: 2300 });
    expect(await server.products.getSku('shirt-m')).toMatchObject({ product_id: shirt.id, sku: 'Shirt M', attributes: { color: 'blue', size: 'M' }, metadata: { batch: 'b7' } });
  });

  it('refuses a row whose price is above what the JSON API takes (10^15) and keeps the other rows', async () => {
    const products = join(dir, 'big-products.csv');
    await writeFile(products, 'name,source_id,price\nOk,ok2,100\nBig,big2,1e20\nHuge,huge2,5000000000000000\nTop,top2,1000000000000000\n');
    const a = await action(((await server.products.importCSV(products)) as any).async_action_id);
    expect(a).toMatchObject({ type: 'PRODUCTS_IMPORT_CSV', status: 'DONE' });
    expect(a.result.results.map((r: any) => [r.source_id, r.updated])).toEqual([['ok2', true], ['big2', false], ['huge2', false], ['top2', true]]);
    expect(a.result.results[1].reason).toContain('price');
    await expect(server.products.get('huge2')).rejects.toMatchObject({ code: 404 });
    expect(await server.products.get('top2')).toMatchObject({ price: 1e15 });
    const skus = join(dir, 'big-skus.csv');
    await writeFile(skus, 'product_id,source_id,price\nok2,ok2-s,5\nok2,big2-s,99999999999999999999\n');
    const s = await action(((await server.products.importSkusCSV(skus)) as any).async_action_id);
    expect(s.result.results.map((r: any) => [r.source_id, r.updated])).toEqual([['ok2-s', true], ['big2-s', false]]);
  });
});

describe('reward assignments and points through the SDK', () => {
  it('creates assignments as an array, reads, updates and deletes them; adds points and lists what expires', async () => {
    const club: any = await server.loyalties.create({ name: 'SDK club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0, expiration_rules: { period_type: 'MONTH', period_value: 2, rounding_type: 'END_OF_MONTH' } } } } as any);
    const mug: any = await server.products.get('mug');
    const cap: any = await server.rewards.create({ name: 'Mug reward', type: 'MATERIAL', parameters: { product: { id: mug.id } } } as any);
    const pen: any = await server.rewards.create({ name: 'Pen reward', type: 'MATERIAL', parameters: { product: { id: mug.id } } } as any);
    const made = await server.loyalties.createRewardAssignments(club.id, [{ reward: cap.id, parameters: { loyalty: { points: 100 } } }, { reward: pen.id, parameters: { loyalty: { points: 20 } } }]);
    expect(made.map((a: any) => [a.reward_id, a.parameters.loyalty.points])).toEqual([[cap.id, 100], [pen.id, 20]]);
    expect(await server.loyalties.getRewardAssignment(club.id, made[0]!.id)).toMatchObject({ id: made[0]!.id, reward_id: cap.id });
    expect(await server.rewards.getAssignment(cap.id, made[0]!.id)).toMatchObject({ id: made[0]!.id, related_object_id: club.id });
    const updated: any = await server.loyalties.updateRewardAssignment(club.id, { id: made[0]!.id, parameters: { loyalty: { points: 120 } } } as any);
    expect(updated.parameters.loyalty.points).toBe(120);
    await server.loyalties.deleteRewardAssignment(club.id, made[1]!.id);
    expect((await server.loyalties.listRewardAssignments(club.id) as any).data.map((a: any) => a.id)).toEqual([made[0]!.id]);
    // An array naming a reward twice prices none of it.
    await expect(server.loyalties.createRewardAssignments(club.id, [{ reward: pen.id, parameters: { loyalty: { points: 5 } } }, { reward: cap.id, parameters: { loyalty: { points: 5 } } }])).rejects.toMatchObject({ code: 409 });
    expect((await server.loyalties.listRewardAssignments(club.id) as any).data).toHaveLength(1);

    const card: any = await server.loyalties.createMember(club.id, { customer: { source_id: 'sdk-rita' } } as any);
    const added: any = await server.loyalties.addPoints(club.id, card.code, { points: 150 } as any);
    expect(added).toMatchObject({ points: 150, total: 150 });
    // Points added by hand do not expire; earned ones do, under the program's expiration rules.
    expect(await server.loyalties.getPointsExpiration(club.id, card.code, {} as any)).toMatchObject({ object: 'list', total: 0 });
    await server.loyalties.createEarningRule(club.id, [{ event: 'order.paid', loyalty: { type: 'FIXED', points: 30 } }] as any);
    await server.orders.create({ source_id: 'sdk-rita-1', amount: 4000, status: 'PAID', customer: { source_id: 'sdk-rita' } } as any);
    const expiring: any = await server.loyalties.getPointsExpiration(club.id, card.code, {} as any);
    expect(expiring).toMatchObject({ object: 'list', total: 1 });
    expect(expiring.data[0]).toMatchObject({ bucket: { total_points: 30 }, status: 'ACTIVE' });
  });
});

describe('a loyalty card\'s transactions through vouchers.listTransactions', () => {
  it('lists the points movements, the same objects as loyalties.listCardTransactions, paged alike', async () => {
    const club: any = await server.loyalties.create({ name: 'SDK ledger club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } } as any);
    const card: any = await server.loyalties.createMember(club.id, { customer: { source_id: 'sdk-lena' } } as any);
    await server.loyalties.addOrRemoveCardBalance(card.code, { points: 70 } as any);
    await server.loyalties.addOrRemoveCardBalance(card.code, { points: -20 } as any);
    const viaVoucher: any = await server.vouchers.listTransactions(card.code);
    expect(viaVoucher.data.map((x: any) => [x.type, x.details.balance.points, x.details.balance.balance])).toEqual([['POINTS_REMOVAL', -20, 50], ['POINTS_ADDITION', 70, 70]]);
    expect(viaVoucher).toEqual(await server.loyalties.listCardTransactions(card.code, club.id));
    const first: any = await server.vouchers.listTransactions(card.code, { limit: 1, order: 'id' } as any);
    expect(first).toMatchObject({ has_more: true, data: [{ type: 'POINTS_ADDITION' }] });
    expect((await server.vouchers.listTransactions(card.code, { limit: 1, order: 'id', starting_after_id: first.more_starting_after } as any) as any).data.map((x: any) => x.type)).toEqual(['POINTS_REMOVAL']);
  });
});

describe('validation rule assignments in the SDK\'s shape', () => {
  it('validationRules.createAssignment takes {voucher: code}, {campaign: id} and {promotion_tier: id}, and the rule guards the voucher', async () => {
    const rule: any = await server.validationRules.create({ name: 'SDK min 50', rules: { 1: { name: 'order.amount', conditions: { $more_than: [5000] } }, logic: '1' } } as any);
    const voucher: any = await server.vouchers.create({ code: 'SDK-GUARDED', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
    const byCode: any = await server.validationRules.createAssignment(rule.id, { voucher: 'SDK-GUARDED' });
    expect(byCode).toMatchObject({ rule_id: rule.id, related_object_type: 'voucher', related_object_id: voucher.id, updated_at: null, object: 'validation_rules_assignment' });
    expect(await server.validations.validate('SDK-GUARDED', { customer: { source_id: 'sdk-val' }, order: { amount: 1000 } } as any)).toMatchObject({ valid: false });
    expect(await server.validations.validate('SDK-GUARDED', { customer: { source_id: 'sdk-val' }, order: { amount: 6000 } } as any)).toMatchObject({ valid: true });

    const camp: any = await server.campaigns.create({ name: 'SDK guarded campaign', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } } as any);
    expect(await server.validationRules.createAssignment(rule.id, { campaign: camp.id })).toMatchObject({ related_object_type: 'campaign', related_object_id: camp.id });
    expect(await server.validationRules.createAssignment(rule.id, { promotion_tier: 'promo_sdk' })).toMatchObject({ related_object_type: 'promotion_tier', related_object_id: 'promo_sdk' });
    const listed: any = await server.validationRules.listAssignments(rule.id);
    expect(listed.data.map((a: any) => a.related_object_type).sort()).toEqual(['campaign', 'promotion_tier', 'voucher']);

    await expect(server.validationRules.createAssignment(rule.id, { voucher: 'NO-SUCH-CODE' })).rejects.toMatchObject({ code: 404 });
    await expect(server.validationRules.createAssignment(rule.id, { voucher: 'SDK-GUARDED', campaign: camp.id })).rejects.toMatchObject({ code: 400 });
    await expect(server.validationRules.createAssignment(rule.id, {})).rejects.toMatchObject({ code: 400 });
  });
});

describe('other methods', () => {
  it('promotions.tiers.listAll lists the tiers of every promotion campaign', async () => {
    for (const name of ['Promo one', 'Promo two']) {
      await server.campaigns.create({ name, campaign_type: 'PROMOTION', promotion: { tiers: [{ name: `${name} tier`, banner: name, action: { discount: { type: 'AMOUNT', amount_off: 100 } } }] } } as any);
    }
    const all: any = await server.promotions.tiers.listAll({ limit: 10 } as any);
    expect(all.tiers.map((x: any) => x.name).sort()).toEqual(['Promo one tier', 'Promo two tier']);
  });

  it('vouchers.releaseValidationSession frees what a session held', async () => {
    await server.vouchers.create({ code: 'ONE-SEAT', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 1 } } as any);
    const held: any = await server.validations.validateStackable({ customer: { source_id: 'sdk-sam' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'ONE-SEAT' }], session: { type: 'LOCK', key: 'sdk-session' } } as any);
    expect(held.valid).toBe(true);
    const other: any = await server.validations.validateStackable({ customer: { source_id: 'sdk-tom' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'ONE-SEAT' }], session: { type: 'LOCK' } } as any);
    expect(other.valid).toBe(false);
    await server.vouchers.releaseValidationSession('ONE-SEAT', 'sdk-session');
    const again: any = await server.validations.validateStackable({ customer: { source_id: 'sdk-tom' }, order: { amount: 1000 }, redeemables: [{ object: 'voucher', id: 'ONE-SEAT' }] } as any);
    expect(again.valid).toBe(true);
  });

  it('customers.scroll walks every customer once, newest first', async () => {
    for (let i = 0; i < 23; i++) await server.customers.create({ source_id: `scroll-${String(i).padStart(2, '0')}` } as any);
    const seen: string[] = [];
    for await (const c of server.customers.scroll({ limit: 10 } as any)) seen.push((c as any).source_id);
    const scrolled = seen.filter((s) => s.startsWith('scroll-'));
    expect(new Set(scrolled).size).toBe(23);
    expect(scrolled).toHaveLength(23);
  });

  it('the client qualifications answer the redeemables that apply', async () => {
    await server.vouchers.create({ code: 'CLIENT-Q', type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } } as any);
    await server.distributions.publications.create({ voucher: 'CLIENT-Q', customer: { source_id: 'sdk-quinn' } } as any);
    const res: any = await client.qualifications({ customer: { source_id: 'sdk-quinn' }, order: { amount: 5000 }, scenario: 'ALL' } as any);
    expect(res.redeemables.data.map((r: any) => r.id)).toContain('CLIENT-Q');
  });

  it('segments (create, get, list a customer\'s, delete), promotions.create, validations.validate, loyalties update and delete, collections, async actions', async () => {
    const seg: any = await server.segments.create({ name: 'SDK VIPs', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } } as any);
    // A customer created from now on enters it at once (earlier ones join through the background sync).
    await server.customers.create({ source_id: 'sdk-vip', metadata: { vip: true } } as any);
    expect(await server.segments.get(seg.id)).toMatchObject({ id: seg.id, name: 'SDK VIPs' });
    const vip: any = await server.customers.get('sdk-vip');
    expect(((await server.segments.list(vip.id)) as any).data.map((x: any) => x.id)).toContain(seg.id);
    await server.segments.delete(seg.id);
    await expect(server.segments.get(seg.id)).rejects.toMatchObject({ code: 404 });

    const promo: any = await server.promotions.create({ name: 'SDK promo', campaign_type: 'PROMOTION', promotion: { tiers: [{ name: 'Five off', banner: 'Five', action: { discount: { type: 'AMOUNT', amount_off: 500 } } }] } } as any);
    expect(promo).toMatchObject({ campaign_type: 'PROMOTION' });
    // validate with a code validates the voucher; with an object, the promotions.
    await server.vouchers.create({ code: 'SDK-VAL', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
    expect(await server.validations.validate('SDK-VAL', { customer: { source_id: 'sdk-vip' }, order: { amount: 1000 } } as any)).toMatchObject({ valid: true, code: 'SDK-VAL' });
    const promotions: any = await server.validations.validate({ customer: { source_id: 'sdk-vip' }, order: { amount: 1000 } } as any);
    expect(promotions.valid).toBe(true);
    expect(promotions.promotions.map((x: any) => x.banner)).toContain('Five');

    const club: any = await server.loyalties.create({ name: 'SDK update club', type: 'AUTO_UPDATE', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } } as any);
    expect(await server.loyalties.update({ id: club.id, description: 'Updated by the SDK' } as any)).toMatchObject({ id: club.id, description: 'Updated by the SDK' });
    await server.loyalties.delete(club.id);
    await expect(server.loyalties.get(club.id)).rejects.toMatchObject({ code: 404 });

    const mug: any = await server.products.get('mug');
    const col: any = await server.productCollections.create({ name: 'SDK mugs', type: 'STATIC', products: [{ id: mug.id, object: 'product' }] } as any);
    expect((await server.productCollections.list({} as any) as any).data.map((c: any) => c.id)).toContain(col.id);

    const actions: any = await server.asyncActions.list({ limit: 10 } as any);
    expect(actions.async_actions.map((a: any) => a.type)).toEqual(expect.arrayContaining(['PRODUCTS_IMPORT_CSV', 'SKUS_IMPORT_CSV']));
  });
});

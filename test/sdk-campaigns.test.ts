/** The official SDK's campaigns and vouchers methods, unchanged, against Tessera (apiUrl). */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
/** The SDK's typings lag the API; the calls are what users make. */
const any = (x: unknown) => x as never;

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
});
afterAll(() => t.close());

async function failure(call: Promise<unknown>): Promise<Record<string, unknown>> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Record<string, unknown>;
}

describe('SDK campaigns', () => {
  it('creates, gets, updates, lists, adds codes, imports, disables, enables and deletes', async () => {
    const created: any = await server.campaigns.create(
      any({ name: 'SDK coupons', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 5, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 }, code_config: { prefix: 'SDK-', length: 5 } } }),
    );
    expect(created).toMatchObject({ object: 'campaign', name: 'SDK coupons', vouchers_generation_status: 'IN_PROGRESS' });
    const action: any = await server.asyncActions.get(created.async_action_id);
    expect(action).toMatchObject({ object: 'async_action', type: 'CAMPAIGN_VOUCHERS_GENERATION' });
    while ((await t.tessera.services.generation.step()) > 0);

    expect(await server.campaigns.get('SDK coupons')).toMatchObject({ id: created.id, vouchers_count: 5, vouchers_generation_status: 'DONE' });
    expect(await server.campaigns.update(created.id, any({ description: 'from the SDK' }))).toMatchObject({ description: 'from the SDK' });
    const list: any = await server.campaigns.list(any({ limit: 10 }));
    expect(list).toMatchObject({ object: 'list', data_ref: 'campaigns', total: 1 });

    const added: any = await server.campaigns.addVoucher(created.id, any({}));
    expect(added.code).toMatch(/^SDK-/);
    const certain: any = await server.campaigns.addCertainVoucher(created.id, 'SDK-CERTAIN', any({}));
    expect(certain).toMatchObject({ code: 'SDK-CERTAIN', campaign_id: created.id });
    const imported: any = await server.campaigns.importVouchers(created.id, any([{ code: 'SDK-IMPORTED' }]));
    expect(imported.async_action_id).toMatch(/^aa_/);
    expect(await server.vouchers.get('SDK-IMPORTED')).toMatchObject({ campaign_id: created.id, discount: { amount_off: 500 } });
    expect((await server.campaigns.get(created.id) as any).vouchers_count).toBe(8);

    await server.campaigns.disable(created.id);
    expect((await server.campaigns.get(created.id) as any).active).toBe(false);
    await server.campaigns.enable(created.id);
    const deleted: any = await server.campaigns.delete(created.id, any({ force: true }));
    expect(deleted.async_action_id).toMatch(/^aa_/);
    expect(await failure(server.campaigns.get(created.id))).toMatchObject({ code: 404, key: 'not_found', resource_type: 'campaign' });
  });
});

describe('SDK vouchers', () => {
  it('creates with and without a code, gets, updates, lists, disables, enables, imports and deletes', async () => {
    const v: any = await server.vouchers.create(any({ code: 'SDK-V1', type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 20 } }));
    expect(v).toMatchObject({ object: 'voucher', code: 'SDK-V1', discount: { percent_off: 20 } });
    const random: any = await server.vouchers.create(any({ type: 'GIFT_VOUCHER', gift: { amount: 1000 } }));
    expect(random.code).toMatch(/^[0-9A-Za-z]{8}$/);
    expect(random.gift).toEqual({ amount: 1000, balance: 1000 });

    expect(await server.vouchers.get('sdk-v1')).toMatchObject({ id: v.id });
    expect(await server.vouchers.update(any({ code: 'SDK-V1', metadata: { x: 1 } }))).toMatchObject({ metadata: { x: 1 } });
    const list: any = await server.vouchers.list(any({ limit: 10 }));
    expect(list).toMatchObject({ object: 'list', data_ref: 'vouchers', total: 2 });
    expect(await server.vouchers.disable('SDK-V1')).toMatchObject({ active: false });
    expect(await server.vouchers.enable('SDK-V1')).toMatchObject({ active: true });
    const imported: any = await server.vouchers.import(any([{ code: 'SDK-V2', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } }]));
    expect(imported.async_action_id).toMatch(/^aa_/);
    expect(await server.vouchers.get('SDK-V2')).toMatchObject({ code: 'SDK-V2' });

    expect(await failure(server.vouchers.create(any({ code: 'sdk-v1', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } })))).toMatchObject({
      code: 409,
      key: 'duplicate_found',
    });
    await server.vouchers.delete('SDK-V1', any({ force: true }));
    expect(await failure(server.vouchers.get('SDK-V1'))).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' });
  });
});

describe('SDK voucher list order', () => {
  it("orders by every key the SDK's types offer: type, campaign (name) and category (name) too, ties by id", async () => {
    const cat = async (name: string) => (await t.app.inject({ method: 'POST', url: '/v1/categories', headers: p.server, payload: { name, hierarchy: 1 } })).json().id as string;
    const [alpha, beta] = [await cat('Alpha'), await cat('Beta')];
    const campaign = async (name: string, category_id: string) =>
      (await server.campaigns.create(any({ name, campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', category_id, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } } }))) as any;
    const zed = await campaign('Zed order', alpha);
    const abe = await campaign('Abe order', beta);
    await server.campaigns.addCertainVoucher(zed.id, 'ORD-Z', any({}));
    await server.campaigns.addCertainVoucher(abe.id, 'ORD-A', any({}));
    await server.vouchers.create(any({ code: 'ORD-GIFT', type: 'GIFT_VOUCHER', gift: { amount: 100 } }));
    const codes = async (order: string) => ((await server.vouchers.list(any({ order, limit: 100 }))) as any).vouchers.map((v: any) => v.code).filter((c: string) => c.startsWith('ORD-'));
    expect(await codes('campaign')).toEqual(['ORD-A', 'ORD-Z', 'ORD-GIFT']);
    expect(await codes('-campaign')).toEqual(['ORD-GIFT', 'ORD-Z', 'ORD-A']);
    expect(await codes('category')).toEqual(['ORD-Z', 'ORD-A', 'ORD-GIFT']);
    expect(await codes('-category')).toEqual(['ORD-GIFT', 'ORD-A', 'ORD-Z']);
    expect((await codes('type'))[2]).toBe('ORD-GIFT'); // DISCOUNT_VOUCHER before GIFT_VOUCHER
    expect((await codes('-type'))[0]).toBe('ORD-GIFT');
    expect(await failure(server.vouchers.list(any({ order: 'holder' })))).toMatchObject({ code: 400 });
  });
});

describe('SDK voucher category', () => {
  it('an update names a category by name or id (it hung the embedded store: the lookup waited for the update)', async () => {
    await server.vouchers.create(any({ code: 'CAT-UPD', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } }));
    const gamma = (await t.app.inject({ method: 'POST', url: '/v1/categories', headers: p.server, payload: { name: 'Gamma', hierarchy: 2 } })).json().id as string;
    expect(await server.vouchers.update(any({ code: 'CAT-UPD', category: 'Gamma' }))).toMatchObject({ category_id: gamma });
    expect(await server.vouchers.update(any({ code: 'CAT-UPD', category_id: gamma }))).toMatchObject({ category_id: gamma });
    expect(await failure(server.vouchers.update(any({ code: 'CAT-UPD', category: 'Nope' })))).toMatchObject({ code: 404, resource_type: 'category' });
    // The store still answers.
    expect(await server.vouchers.get('CAT-UPD')).toMatchObject({ category_id: gamma });
  });
});

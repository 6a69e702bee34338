/**
 * The SDK's client-side listVouchers and createCustomer, unchanged: refused (403) until the project turns them on
 * (client_list_vouchers_enabled, client_create_customer_enabled), then answered with what a shop front may see.
 */
import { VoucherifyClientSide, VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let client: ReturnType<typeof VoucherifyClientSide>;
const settings = (payload: object) => t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload });

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  client = VoucherifyClientSide({ clientApplicationId: p.client['x-client-application-id'], clientSecretKey: p.client['x-client-token'], apiUrl, origin: 'shop.example.com' });
  await settings({ client_trusted_domains: ['shop.example.com'] });
  const c: any = await server.campaigns.create({ name: 'Shop codes', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', vouchers_count: 0, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } } as any);
  for (const code of ['SHOP-1', 'SHOP-2']) await server.campaigns.addCertainVoucher(c.id, code, { metadata: { shelf: 'front' } } as any);
  await server.vouchers.create({ code: 'OTHER-1', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } } as any);
  await server.distributions.publications.create({ voucher: 'SHOP-1', customer: { source_id: 'holder-hal', email: 'hal@example.com' } } as any);
});
afterAll(() => t.close());

describe('client listVouchers', () => {
  it('is refused until turned on, then lists codes with only what a shop front shows', async () => {
    await expect(client.listVouchers({ campaign: 'Shop codes' } as any)).rejects.toMatchObject({ code: 403 });
    await settings({ client_list_vouchers_enabled: true });
    const list: any = await client.listVouchers({ campaign: 'Shop codes' } as any);
    expect(list).toMatchObject({ object: 'list', data_ref: 'vouchers', total: 2 });
    expect(list.vouchers.map((v: any) => v.code).sort()).toEqual(['SHOP-1', 'SHOP-2']);
    const one = list.vouchers.find((v: any) => v.code === 'SHOP-1');
    expect(Object.keys(one).sort()).toEqual(['active', 'assets', 'code', 'created_at', 'expiration_date', 'metadata', 'object', 'start_date']);
    expect(one).toMatchObject({ active: true, metadata: { shelf: 'front' }, object: 'voucher' });
    // Nothing about holders or discounts leaves through it.
    expect(JSON.stringify(list)).not.toContain('holder');
  });
});

describe('client createCustomer', () => {
  it('is refused until turned on, then upserts by source_id; an id is refused', async () => {
    await expect(client.createCustomer({ source_id: 'web-wendy' } as any)).rejects.toMatchObject({ code: 403 });
    await settings({ client_create_customer_enabled: true });
    const made: any = await client.createCustomer({ source_id: 'web-wendy', name: 'Wendy', metadata: { from: 'web' } } as any);
    expect(made).toMatchObject({ object: 'customer', source_id: 'web-wendy', name: 'Wendy', metadata: { from: 'web' } });
    expect(await server.customers.get('web-wendy')).toMatchObject({ id: made.id });
    const activity: any = await server.customers.listActivity('web-wendy' as any, {} as any);
    expect(activity.data[0]).toMatchObject({ type: 'customer.created', data: { event_source: { channel: 'CLIENT_API' } } });
    await expect(client.createCustomer({ id: made.id, name: 'Mallory' } as any)).rejects.toMatchObject({ code: 400 });
    expect(((await server.customers.get('web-wendy')) as any).name).toBe('Wendy');
  });
});

/**
 * Bulk metadata changes through the official SDK: vouchers.bulkUpdate / bulkUpdateMetadata and
 * products.bulkUpdate / bulkUpdateMetadata, each answered with an async action whose result reports every item.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { privateTargets } from './helpers/sendouts.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  for (const code of ['BULK-A', 'BULK-B', 'BULK-C']) {
    await server.vouchers.create({ code, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, metadata: { lang: 'en', keep: code } } as any);
  }
});
afterAll(() => t.close());

const action = (id: string) => server.asyncActions.get(id) as Promise<any>;

describe('vouchers in bulk', () => {
  it('merges each item\'s metadata into its voucher and reports a code that does not exist', async () => {
    const res: any = await server.vouchers.bulkUpdate([
      { code: 'BULK-A', metadata: { lang: 'pl', tier: 1 } },
      { code: 'bulk-b', metadata: { tier: 2 } },
      { code: 'BULK-NONE', metadata: { tier: 3 } },
    ] as any);
    expect(res.async_action_id).toMatch(/^aa_/);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'VOUCHERS_BULK_UPDATE', status: 'DONE', object: 'async_action' });
    expect(a.result.results).toEqual([
      { code: 'BULK-A', found: true, updated: true },
      { code: 'BULK-B', found: true, updated: true },
      { code: 'BULK-NONE', found: false, updated: false, reason: expect.stringContaining('BULK-NONE') },
    ]);
    expect((await server.vouchers.get('BULK-A')).metadata).toEqual({ lang: 'pl', tier: 1, keep: 'BULK-A' });
    expect((await server.vouchers.get('BULK-B')).metadata).toEqual({ lang: 'en', tier: 2, keep: 'BULK-B' });
    expect((await server.vouchers.get('BULK-C')).metadata).toEqual({ lang: 'en', keep: 'BULK-C' });
  });

  it('merges one metadata into every listed code', async () => {
    const res: any = await server.vouchers.bulkUpdateMetadata({ codes: ['BULK-B', 'BULK-C'], metadata: { season: 'winter' } } as any);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'VOUCHERS_METADATA_UPDATE', status: 'DONE', progress: 100 });
    expect((await server.vouchers.get('BULK-C')).metadata).toEqual({ lang: 'en', keep: 'BULK-C', season: 'winter' });
    expect((await server.vouchers.get('BULK-A')).metadata).not.toHaveProperty('season');
  });

  it('leaves a voucher whose merged metadata the schema refuses as it was, and says why', async () => {
    const schema = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${p.id}/metadata-schemas`,
      headers: managementHeaders,
      payload: { related_object: 'voucher', allow_defined_only: false, properties: { tier: { type: 'number', optional: true } } },
    });
    expect(schema.statusCode).toBe(200);
    const res: any = await server.vouchers.bulkUpdate([
      { code: 'BULK-A', metadata: { tier: 'gold' } },
      { code: 'BULK-C', metadata: { tier: 5 } },
    ] as any);
    const a = await action(res.async_action_id);
    expect(a.result.results[0]).toMatchObject({ code: 'BULK-A', found: true, updated: false, reason: expect.stringContaining('tier') });
    expect(a.result.results[1]).toEqual({ code: 'BULK-C', found: true, updated: true });
    expect((await server.vouchers.get('BULK-A')).metadata).toMatchObject({ tier: 1 });
    expect((await server.vouchers.get('BULK-C')).metadata).toMatchObject({ tier: 5 });
  });

  it('sends no voucher.updated, as Voucherify does for bulk changes (a single update does)', async () => {
    const hook = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${p.id}/webhooks`, headers: managementHeaders, payload: { target_url: 'http://127.0.0.1:9/hook', events: ['voucher.updated'] } });
    expect(hook.statusCode, hook.body).toBe(200);
    const count = async () => Number((await t.testDb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM event_log WHERE project_id = $1 AND type = 'voucher.updated'`, [p.id])).rows[0]!.n);
    await server.vouchers.bulkUpdateMetadata({ codes: ['BULK-A', 'BULK-B'], metadata: { quiet: true } } as any);
    expect(await count()).toBe(0);
    await server.vouchers.update({ code: 'BULK-A', metadata: { ...(await server.vouchers.get('BULK-A')).metadata, loud: true } } as any);
    expect(await count()).toBe(1);
  });

  it('refuses an empty list, more than 100 items and an item without metadata with a 400', async () => {
    for (const payload of [[], Array.from({ length: 101 }, (_, i) => ({ code: `X${i}`, metadata: {} })), [{ code: 'BULK-A' }]]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/vouchers/bulk/async', headers: p.server, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    }
    const noCodes = await t.app.inject({ method: 'POST', url: '/v1/vouchers/metadata/async', headers: p.server, payload: { metadata: { a: 1 } } });
    expect(noCodes.statusCode).toBe(400);
  });

  it('keeps every change when two bulk requests race on the same vouchers', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => server.vouchers.bulkUpdateMetadata({ codes: ['BULK-B', 'BULK-C'], metadata: { [`k${i}`]: i } } as any)));
    for (const code of ['BULK-B', 'BULK-C']) {
      const m = (await server.vouchers.get(code)).metadata as Record<string, unknown>;
      for (let i = 0; i < 8; i++) expect(m[`k${i}`]).toBe(i);
    }
  });
});

describe('products in bulk', () => {
  it('updates products by source_id and creates the ones that do not exist', async () => {
    await server.products.create({ source_id: 'bulk-shirt', name: 'Shirt', price: 2000, metadata: { color: 'red' } } as any);
    const res: any = await server.products.bulkUpdate([
      { source_id: 'bulk-shirt', price: 2500 },
      { source_id: 'bulk-hat', name: 'Hat', price: 900, metadata: { color: 'blue' } },
    ] as any);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'PRODUCTS_BULK_UPDATE', status: 'DONE' });
    expect(a.result.results).toEqual([
      { source_id: 'bulk-shirt', found: true, updated: true },
      { source_id: 'bulk-hat', found: false, updated: true },
    ]);
    expect(await server.products.get('bulk-shirt')).toMatchObject({ name: 'Shirt', price: 2500, metadata: { color: 'red' } });
    expect(await server.products.get('bulk-hat')).toMatchObject({ object: 'product', name: 'Hat', price: 900, metadata: { color: 'blue' } });
  });

  it('merges one metadata into every listed product, creating missing ones', async () => {
    const res: any = await server.products.bulkUpdateMetadata({ source_ids: ['bulk-shirt', 'bulk-sock'], metadata: { sale: true } } as any);
    const a = await action(res.async_action_id);
    expect(a.result.results).toEqual([
      { source_id: 'bulk-shirt', found: true, updated: true },
      { source_id: 'bulk-sock', found: false, updated: true },
    ]);
    expect((await server.products.get('bulk-shirt')).metadata).toEqual({ color: 'red', sale: true });
    expect((await server.products.get('bulk-sock')).metadata).toEqual({ sale: true });
    const list: any = await server.products.list();
    expect(list.products.filter((x: any) => x.source_id === 'bulk-sock')).toHaveLength(1);
  });

  it('refuses an item without source_id and more than 100 items with a 400', async () => {
    for (const payload of [[{ name: 'no id' }], Array.from({ length: 101 }, (_, i) => ({ source_id: `p${i}` }))]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/products/bulk/async', headers: p.server, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    }
  });

  it("checks each item against the product metadata schema as a single create or update does; a refused one is left as it was, and says why", async () => {
    await server.products.create({ source_id: 'sch-shirt', name: 'Shirt', price: 2000, metadata: { color: 'red' } } as any);
    const schema = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${p.id}/metadata-schemas`,
      headers: managementHeaders,
      payload: { related_object: 'product', allow_defined_only: false, properties: { weight: { type: 'number', optional: true }, brand: { type: 'string', optional: false, array: false } } },
    });
    expect(schema.statusCode, schema.body).toBe(200);
    // What a single update refuses, and what it takes.
    const single = await t.app.inject({ method: 'PUT', url: '/v1/products/sch-shirt', headers: p.server, payload: { metadata: { color: 'red', weight: 'heavy', brand: 'Acme' } } });
    expect(single.json(), single.body).toMatchObject({ code: 400, key: 'metadata_validation_failed' });
    await server.products.update({ source_id: 'sch-shirt', metadata: { color: 'red', brand: 'Acme' } } as any);
    const res: any = await server.products.bulkUpdate([
      { source_id: 'sch-shirt', metadata: { brand: 'Acme', weight: 'heavy' } },
      { source_id: 'sch-shirt', price: 2600 },
      { source_id: 'sch-scarf', name: 'Scarf' },
      { source_id: 'sch-belt', name: 'Belt', metadata: { brand: 'Acme', weight: 3 } },
    ] as any);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'PRODUCTS_BULK_UPDATE', status: 'DONE', result: { message: '2 products updated, 2 not' } });
    expect(a.result.results).toEqual([
      { source_id: 'sch-shirt', found: true, updated: false, reason: expect.stringContaining('weight') },
      { source_id: 'sch-shirt', found: true, updated: true },
      { source_id: 'sch-scarf', found: false, updated: false, reason: expect.stringContaining('brand') },
      { source_id: 'sch-belt', found: false, updated: true },
    ]);
    expect(await server.products.get('sch-shirt')).toMatchObject({ price: 2600, metadata: { color: 'red', brand: 'Acme' } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/products/sch-scarf', headers: p.server })).statusCode).toBe(404);
    expect((await server.products.get('sch-belt')).metadata).toEqual({ brand: 'Acme', weight: 3 });
    // The merged metadata of each product is checked: a new product lacks the required brand, a bad weight is refused.
    const merged: any = await server.products.bulkUpdateMetadata({ source_ids: ['sch-shirt', 'sch-cap'], metadata: { weight: 'light' } } as any);
    const m = await action(merged.async_action_id);
    expect(m).toMatchObject({ type: 'PRODUCTS_METADATA_UPDATE', result: { message: '0 products updated, 2 not' } });
    expect(m.result.results).toEqual([
      { source_id: 'sch-shirt', found: true, updated: false, reason: expect.stringContaining('weight') },
      { source_id: 'sch-cap', found: false, updated: false, reason: expect.stringContaining('brand') },
    ]);
    const fine: any = await server.products.bulkUpdateMetadata({ source_ids: ['sch-shirt', 'sch-belt'], metadata: { weight: 2 } } as any);
    expect((await action(fine.async_action_id)).result.results).toEqual([
      { source_id: 'sch-shirt', found: true, updated: true },
      { source_id: 'sch-belt', found: true, updated: true },
    ]);
    expect((await server.products.get('sch-shirt')).metadata).toEqual({ color: 'red', brand: 'Acme', weight: 2 });
    expect((await t.app.inject({ method: 'GET', url: '/v1/products/sch-cap', headers: p.server })).statusCode).toBe(404);
  });
});

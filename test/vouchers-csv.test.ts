/**
 * CSV imports through the official SDK (vouchers.importCSV, campaigns.importVouchersCSV, which send the file as
 * multipart/form-data): the standard columns map to voucher fields and the others to metadata, unreadable rows and
 * taken codes are reported in the async action while the rest is imported, and bad files are refused whole with a
 * clear 4xx in the error shape.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let apiUrl: string;
let dir: string;

async function ok(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<any> {
  const res = await t.app.inject({ method, url, headers: p.server, ...(payload !== undefined ? { payload: payload as object } : {}) });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
  return res.json();
}
async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
/** A multipart POST over real HTTP (what a browser or curl -F sends). */
async function upload(path: string, parts: Record<string, string | Blob>): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(parts)) form.append(k, v);
  const res = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { 'x-app-id': p.server['x-app-id'], 'x-app-token': p.server['x-app-token'] }, body: form });
  return { status: res.status, body: await res.json() };
}
const action = (id: string) => ok('GET', `/v1/async-actions/${id}`);

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  dir = await mkdtemp(join(tmpdir(), 'tessera-csv-'));
  await ok('POST', '/v1/vouchers/TAKEN-1', { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1 } });
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('POST /v1/vouchers/importCSV', () => {
  it('imports standalone vouchers from the SDK, standard columns as fields and the rest as metadata', async () => {
    const csv = [
      'Code,Voucher Type,Value,Discount Type,Category,Start Date,Expiration Date,Redemption Limit,Active,Additional Info,Channel',
      'CSV-AMOUNT,DISCOUNT_VOUCHER,500,AMOUNT,Spring,2026-03-01,2026-06-30T23:59:59Z,3,true,Shop only,newsletter',
      'CSV-PERCENT,,15,PERCENT,,,,,false,,',
      '"CSV-GIFT",GIFT_VOUCHER,2500,,,,,,,,partner',
      'CSV-BAD,DISCOUNT_VOUCHER,lots,AMOUNT,,,,,,,',
      'TAKEN-1,DISCOUNT_VOUCHER,100,AMOUNT,,,,,,,',
    ].join('\n');
    const spring = await ok('POST', '/v1/categories', { name: 'Spring', hierarchy: 1 });
    const res: any = await server.vouchers.importCSV(await file('vouchers.csv', csv.replace('CSV-PERCENT,,15,PERCENT,,', 'CSV-PERCENT,,15,PERCENT,Winter,')));
    expect(res.async_action_id).toMatch(/^aa_/);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ status: 'DONE', type: 'VOUCHERS_IMPORT', result: { done_count: 2, failed_count: 3 } });
    // A bad value, a taken code, a category that does not exist.
    expect(a.result.failed.map((f: any) => f.code).sort()).toEqual(['CSV-BAD', 'CSV-PERCENT', 'TAKEN-1']);
    expect(a.result.failed.find((f: any) => f.code === 'CSV-BAD').reason).toContain('Value must be a whole number');

    const amount = await ok('GET', '/v1/vouchers/CSV-AMOUNT');
    expect(amount).toMatchObject({
      type: 'DISCOUNT_VOUCHER',
      discount: { type: 'AMOUNT', amount_off: 500 },
      category_id: spring.id,
      category: 'Spring',
      categories: [{ id: spring.id, name: 'Spring', object: 'category' }],
      start_date: '2026-03-01T00:00:00.000Z',
      expiration_date: '2026-06-30T23:59:59.000Z',
      redemption: { quantity: 3 },
      active: true,
      additional_info: 'Shop only',
      metadata: { Channel: 'newsletter' },
    });
    // The row refused for its category, imported once the category exists (by name or id).
    await ok('POST', '/v1/categories', { name: 'Winter', hierarchy: 2 });
    const again: any = await server.vouchers.importCSV(await file('again.csv', `${csv.split('\n')[0]}\n${csv.split('\n')[2]!.replace('CSV-PERCENT,,15,PERCENT,,', 'CSV-PERCENT,,15,PERCENT,Winter,')}\n`));
    expect((await action(again.async_action_id)).result).toMatchObject({ done_count: 1, failed_count: 0 });
    expect(await ok('GET', '/v1/vouchers/CSV-PERCENT')).toMatchObject({ discount: { type: 'PERCENT', percent_off: 15 }, active: false, metadata: {}, category_id: expect.stringMatching(/^cat_/) });
    expect((await ok('GET', '/v1/vouchers/CSV-GIFT')).gift).toEqual({ amount: 2500, balance: 2500 });
    // The taken code keeps what it was.
    expect((await ok('GET', '/v1/vouchers/TAKEN-1')).discount).toMatchObject({ amount_off: 1 });
  });

  it('refuses files it cannot import, whole, with a 4xx in the error shape', async () => {
    const before = (await ok('GET', '/v1/vouchers?limit=1')).total;
    const noCode = await upload('/v1/vouchers/importCSV', { file: new Blob(['Value,Discount Type\n5,AMOUNT\n']) });
    expect(noCode.status).toBe(400);
    expect(noCode.body).toMatchObject({ code: 400, key: 'invalid_payload', request_id: expect.any(String) });
    expect(noCode.body.details).toContain('no Code column');
    const broken = await upload('/v1/vouchers/importCSV', { file: new Blob(['Code,Value\n"OPEN,5\n']) });
    expect(broken.status).toBe(400);
    expect(broken.body.details).toContain('cannot be read');
    const empty = await upload('/v1/vouchers/importCSV', { file: new Blob(['Code\n']) });
    expect(empty.status).toBe(400);
    const noFile = await upload('/v1/vouchers/importCSV', { webhooks_enable: 'true' });
    expect(noFile.status).toBe(400);
    expect(noFile.body.details).toContain('file part named file');
    const big = await upload('/v1/vouchers/importCSV', { file: new Blob([`Code\n${'X'.repeat(11 * 1024 * 1024)}\n`]) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 413, key: 'payload_too_large' });
    const json = await t.app.inject({ method: 'POST', url: '/v1/vouchers/importCSV', headers: p.server, payload: { file: 'Code\nA\n' } });
    expect(json.statusCode).toBe(415);
    expect(json.json()).toHaveProperty('request_id');
    const rows = await upload('/v1/vouchers/importCSV', { file: new Blob([`Code\n${Array.from({ length: 5001 }, (_, i) => `MANY-${i}`).join('\n')}\n`]) });
    expect(rows.status).toBe(400);
    expect(rows.body.details).toContain('at most 5000');
    expect((await ok('GET', '/v1/vouchers?limit=1')).total).toBe(before);
  });

  it('refuses a NUL character or a file that is not UTF-8 with a 400, never a 500, and imports nothing', async () => {
    const before = (await ok('GET', '/v1/vouchers?limit=1')).total;
    const nul = await upload('/v1/vouchers/importCSV', { file: new Blob(['Code,Value\nNUL-1,5\nNUL-2\u0000,5\n']) });
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(nul.body.details).toContain('NUL character (line 3)');
    // "Café" in Latin-1: the é is the single byte 0xE9, which UTF-8 never writes alone.
    const latin1 = new Uint8Array([...Buffer.from('Code,Shop\nLATIN-1,Caf'), 0xe9, 0x0a]);
    const garbled = await upload('/v1/vouchers/importCSV', { file: new Blob([latin1]) });
    expect(garbled.status).toBe(400);
    expect(garbled.body.details).toContain('not UTF-8');
    expect((await ok('GET', '/v1/vouchers?limit=1')).total).toBe(before);
    const utf8 = await upload('/v1/vouchers/importCSV', { file: new Blob(['Code,Value,Shop\nUTF8-1,5,Café ☕\n']) });
    expect((await action(utf8.body.async_action_id)).result.done_count).toBe(1);
    expect((await ok('GET', '/v1/vouchers/UTF8-1')).metadata).toEqual({ Shop: 'Café ☕' });
  });

  it('reads values strictly: dates need an offset, percentages take decimals, numbers stay exact, any column name is metadata', async () => {
    const csv = [
      'Code,Value,Discount Type,Start Date,Expiration Date,__proto__,constructor',
      'STRICT-OK,12.5,PERCENT,2026-03-01,2026-03-31T22:00:00+02:00,proto value,ctor value',
      'STRICT-LOCAL,5,AMOUNT,2026-03-01T10:00:00,,,',
      'STRICT-LOOSE,5,AMOUNT,March 1 2026,,,',
      'STRICT-DAY,5,AMOUNT,2026-02-30,,,',
      'STRICT-BIG,9007199254740993,AMOUNT,,,,',
      'STRICT-PCT,12.345,PERCENT,,,,',
    ].join('\n');
    const res = await upload('/v1/vouchers/importCSV', { file: new Blob([csv]) });
    expect(res.status).toBe(202);
    const a = await action(res.body.async_action_id);
    expect(a.result.done_count).toBe(1);
    const reasons = Object.fromEntries(a.result.failed.map((f: any) => [f.code, f.reason]));
    expect(reasons['STRICT-LOCAL']).toContain('with its offset');
    expect(reasons['STRICT-LOOSE']).toContain('ISO 8601');
    expect(reasons['STRICT-DAY']).toContain('not a real date');
    expect(reasons['STRICT-BIG']).toContain('too large');
    expect(reasons['STRICT-PCT']).toContain('percentage');
    const v = await ok('GET', '/v1/vouchers/STRICT-OK');
    expect(v.discount).toMatchObject({ type: 'PERCENT', percent_off: 12.5 });
    expect(v.start_date).toBe('2026-03-01T00:00:00.000Z');
    expect(v.expiration_date).toBe('2026-03-31T20:00:00.000Z');
    expect(Object.keys(v.metadata).sort()).toEqual(['__proto__', 'constructor']);
    expect(v.metadata.__proto__).toBe('proto value');
  });
});

describe('POST /v1/campaigns/{id}/importCSV', () => {
  it('imports codes into a gift campaign and a loyalty program, the campaign giving the rest (SDK)', async () => {
    const gift = await ok('POST', '/v1/campaigns', { name: 'CSV gifts', campaign_type: 'GIFT_VOUCHERS', type: 'STATIC', voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } } });
    const res: any = await server.campaigns.importVouchersCSV(gift.id, await file('gifts.csv', 'Code,Gift Amount,Active,Store\nGC-1,5000,,Berlin\nGC-2,,false,\n'));
    expect((await action(res.async_action_id)).result).toMatchObject({ done_count: 2, failed_count: 0 });
    expect(await ok('GET', '/v1/vouchers/GC-1')).toMatchObject({ campaign_id: gift.id, gift: { amount: 5000, balance: 5000 }, metadata: { Store: 'Berlin' }, active: true });
    expect(await ok('GET', '/v1/vouchers/GC-2')).toMatchObject({ gift: { amount: 1000 }, active: false });

    const club = await ok('POST', '/v1/loyalties', { name: 'CSV club', type: 'STATIC', voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } });
    const cards: any = await server.campaigns.importVouchersCSV(club.id, await file('cards.csv', 'code,loyalty points\nLC-1,120\nLC-2,x\n'));
    expect((await action(cards.async_action_id)).result).toMatchObject({ done_count: 1, failed_count: 1, failed: [{ code: 'LC-2' }] });
    expect((await ok('GET', '/v1/vouchers/LC-1')).loyalty_card).toMatchObject({ points: 120 });

    const unknown = await upload('/v1/campaigns/camp_nope/importCSV', { file: new Blob(['Code\nZ-1\n']) });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ resource_type: 'campaign' });
  });
});

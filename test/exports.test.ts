/**
 * Exports through the official SDK (distributions.exports, vouchers.exportTransactions,
 * loyalties.exportCardTransactions) and plain HTTP: scheduled, built in chunks by the job, downloaded as CSV with the
 * export's token.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { createExportsService } from '../src/modules/exports/service.js';
import type { Executor } from '../src/store/db.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let programId: string;
let cardCode: string;

/** Runs the build job until it finds nothing (chunks of `rows`). */
async function build(rows?: number): Promise<number> {
  let steps = 0;
  while ((await t.tessera.services.exports.step(rows)) > 0) steps++;
  return steps;
}

/** Downloads a DONE export's file from its URL (no API key) and parses it. */
async function download(e: any): Promise<string[][]> {
  const res = await fetch(e.result.url);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/csv');
  return parse(await res.text()) as string[][];
}

async function exported(body: object, rows?: number): Promise<string[][]> {
  const created: any = await server.distributions.exports.create(body as any);
  expect(created).toMatchObject({ object: 'export', status: 'SCHEDULED', channel: 'API', result: null });
  await build(rows);
  const done: any = await server.distributions.exports.get(created.id);
  expect(done.status).toBe('DONE');
  return download(done);
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  for (let i = 0; i < 7; i++) {
    await server.vouchers.create({ code: `EXP-${i}`, type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 * (i + 1) }, metadata: { n: i, note: i === 3 ? 'a, "quoted" note' : 'plain' } } as any);
  }
  await server.vouchers.create({ code: 'EXP-GIFT', type: 'GIFT_VOUCHER', gift: { amount: 5000 } } as any);
  await server.vouchers.balance.create('EXP-GIFT', { amount: 1500 } as any);
  await server.redemptions.redeem('EXP-GIFT', { customer: { source_id: 'exp-cy', name: 'Cy' }, order: { amount: 2000 } } as any);
  await server.redemptions.redeem('EXP-1', { customer: { source_id: 'exp-cy' }, order: { amount: 3000 } } as any);
  const program: any = await server.loyalties.create({ name: 'Export points', vouchers_count: 0, voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } } } as any);
  programId = program.id;
  const member: any = await server.loyalties.createMember(programId, { customer: { source_id: 'exp-cy' } } as any);
  cardCode = member.code;
  await server.loyalties.addOrRemoveCardBalance(cardCode, { points: 40 } as any);
  await server.loyalties.addOrRemoveCardBalance(cardCode, { points: -15 } as any);
});
afterAll(() => t.close());

describe('exports', () => {
  it('exports vouchers with the asked fields, in the asked order, across chunks, with CSV quoting', async () => {
    const file = await exported({ exported_object: 'voucher', parameters: { fields: ['code', 'value', 'discount_type', 'metadata', 'redemption_count'], order: 'code', filters: { junction: 'and', code: { conditions: { $in: ['EXP-0', 'EXP-1', 'EXP-2', 'EXP-3', 'EXP-4', 'EXP-5', 'EXP-6'] } } } } }, 3);
    expect(file[0]).toEqual(['Code', 'Value', 'Discount Type', 'Metadata', 'Redemption Count']);
    expect(file.slice(1).map((r) => r[0])).toEqual(['EXP-0', 'EXP-1', 'EXP-2', 'EXP-3', 'EXP-4', 'EXP-5', 'EXP-6']);
    expect(file[2]).toEqual(['EXP-1', '200', 'AMOUNT', JSON.stringify({ n: 1, note: 'plain' }), '1']);
    expect(JSON.parse(file[4]![3]!)).toEqual({ n: 3, note: 'a, "quoted" note' });
  });

  it('takes the default fields, newest first, and leaves out what was made after the export was asked for', async () => {
    const created: any = await server.distributions.exports.create({ exported_object: 'voucher' } as any);
    await server.vouchers.create({ code: 'EXP-LATE', type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } as any);
    await build(2);
    const done: any = await server.distributions.exports.get(created.id);
    expect(done.parameters).toEqual({ order: '-created_at', fields: ['code', 'voucher_type', 'value', 'discount_type'] });
    const file = await download(done);
    const codes = file.slice(1).map((r) => r[0]);
    // The loyalty card is a code too, made last; the voucher made after the export was asked for is not there.
    expect(codes).toEqual([cardCode, 'EXP-GIFT', 'EXP-6', 'EXP-5', 'EXP-4', 'EXP-3', 'EXP-2', 'EXP-1', 'EXP-0']);
    expect(file.find((r) => r[0] === 'EXP-GIFT')).toEqual(['EXP-GIFT', 'GIFT_VOUCHER', '6500', '']);
  });

  it('exports redemptions and orders with filters', async () => {
    const reds = await exported({ exported_object: 'redemption', parameters: { fields: ['voucher_code', 'customer_source_id', 'result', 'order_amount', 'gift_amount'], order: 'created_at', filters: { result: { conditions: { $is: ['SUCCESS'] } } } } });
    expect(reds.slice(1)).toEqual([
      ['EXP-GIFT', 'exp-cy', 'SUCCESS', '2000', '2000'],
      ['EXP-1', 'exp-cy', 'SUCCESS', '3000', ''],
    ]);
    const res = await t.app.inject({ method: 'POST', url: '/v1/orders/export', headers: p.server, payload: { parameters: { fields: ['amount', 'status'], order: 'created_at' } } });
    const created = res.json();
    expect(created).toMatchObject({ object: 'export', exported_object: 'order', status: 'SCHEDULED' });
    await build();
    const orders = await download(await server.distributions.exports.get(created.id));
    expect(orders).toEqual([['Amount', 'Status'], ['2000', 'PAID'], ['3000', 'PAID']]);
  });

  it("exports a gift voucher's and a loyalty card's transactions (vouchers.exportTransactions, loyalties.exportCardTransactions)", async () => {
    const gift: any = await server.vouchers.exportTransactions('EXP-GIFT', { parameters: { order: 'created_at', fields: ['type', 'amount', 'balance'] } } as any);
    expect(gift.exported_object).toBe('voucher_transactions');
    await build();
    expect(await download(await server.distributions.exports.get(gift.id))).toEqual([
      ['Type', 'Amount', 'Balance'],
      ['CREDITS_ADDITION', '1500', '6500'],
      ['CREDITS_REDEMPTION', '-2000', '4500'],
    ]);
    const card: any = await server.loyalties.exportCardTransactions(cardCode, programId, { parameters: { order: 'created_at', fields: ['type', 'amount', 'balance', 'campaign_id'] } } as any);
    await build();
    expect(await download(await server.distributions.exports.get(card.id))).toEqual([
      ['Type', 'Amount', 'Balance', 'Campaign ID'],
      ['POINTS_ADDITION', '40', '40', programId],
      ['POINTS_REMOVAL', '-15', '25', programId],
    ]);
    // The voucher's own export of a loyalty card lists the same points movements.
    const viaVoucher: any = await server.vouchers.exportTransactions(cardCode, { parameters: { order: 'created_at', fields: ['type', 'amount', 'balance', 'campaign_id'] } } as any);
    await build();
    expect((await download(await server.distributions.exports.get(viaVoucher.id))).slice(1)).toEqual([
      ['POINTS_ADDITION', '40', '40', programId],
      ['POINTS_REMOVAL', '-15', '25', programId],
    ]);
  });

  it("exports transactions' details and source as the API's transaction list shows them", async () => {
    await server.vouchers.create({ code: 'EXP-GIFT-2', type: 'GIFT_VOUCHER', gift: { amount: 1000 } } as any);
    await server.vouchers.balance.create('EXP-GIFT-2', { amount: 300, reason: 'api' } as any);
    await server.vouchers.balance.create('EXP-GIFT-2', { amount: -100 } as any);
    for (const code of ['EXP-GIFT-2', cardCode]) {
      const listed = await t.app.inject({ method: 'GET', url: `/v1/vouchers/${code}/transactions`, headers: p.server });
      expect(listed.statusCode, listed.body).toBe(200);
      const api = new Map((listed.json().data as any[]).map((x) => [x.id, x]));
      expect(api.size).toBeGreaterThan(1);
      const file = await exported({ exported_object: 'voucher_transactions', parameters: { fields: ['id', 'source', 'details'], filters: { voucher_id: { conditions: { $in: [[...api.values()][0].voucher_id] } } } } });
      expect(file[0]).toEqual(['ID', 'Source', 'Details']);
      expect(file.length - 1).toBe(api.size);
      for (const [id, source, details] of file.slice(1)) {
        const x = api.get(id!);
        expect(source).toBe(x.source);
        expect(details).not.toBe('');
        expect(JSON.parse(details!)).toEqual(x.details);
      }
    }
  });

  it("keeps a per-object export's own filters under their junction, and'ed whole with the object's", async () => {
    const perObject = async (filters: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/vouchers/EXP-GIFT/transactions/export', headers: p.server, payload: { parameters: { order: 'created_at', fields: ['type'], filters } } });
      expect(res.statusCode, res.body).toBe(200);
      await build();
      const done: any = await server.distributions.exports.get(res.json().id);
      return { parameters: done.parameters, rows: (await download(done)).slice(1).map((r) => r[0]) };
    };
    // Either condition will do, but only among the gift card's transactions (not the loyalty card's).
    const either = { junction: 'or', type: { conditions: { $is: ['CREDITS_ADDITION'] } }, id: { conditions: { $has_value: true } } };
    const or = await perObject(either);
    expect(or.rows).toEqual(['CREDITS_ADDITION', 'CREDITS_REDEMPTION']);
    expect(or.parameters.filters).toEqual({ junction: 'and', voucher_id: { conditions: { $in: [expect.stringMatching(/^v_/)] } }, filters: either });
    // A condition of yours on the card's own field narrows further instead of being replaced.
    const other = { voucher_id: { conditions: { $is: ['v_another_card'] } } };
    const mine = await perObject(other);
    expect(mine.rows).toEqual([]);
    expect(mine.parameters.filters).toMatchObject({ junction: 'and', filters: other });
    // And'ed filters on other fields still sit beside the card's, as Voucherify records them.
    const and = await perObject({ type: { conditions: { $is: ['CREDITS_REDEMPTION'] } } });
    expect(and.rows).toEqual(['CREDITS_REDEMPTION']);
    expect(Object.keys(and.parameters.filters).sort()).toEqual(['junction', 'type', 'voucher_id']);
  });

  it('lists and deletes exports; the file needs its token', async () => {
    const list: any = await server.distributions.exports.list();
    expect(list.total).toBeGreaterThanOrEqual(5);
    expect(list.exports.every((e: any) => e.object === 'export')).toBe(true);
    const e = list.exports[0];
    const wrong = await fetch(e.result.url.replace(/token=[^&]+/, 'token=not-the-token'));
    expect(wrong.status).toBe(404);
    expect(await wrong.json()).toMatchObject({ key: 'not_found', resource_type: 'export' });
    await server.distributions.exports.delete(e.id);
    await expect(server.distributions.exports.get(e.id)).rejects.toMatchObject({ code: 404 });
    expect((await fetch(e.result.url)).status).toBe(404);
  });

  it('lists exports by status (order=status, -status), newest first within a status', async () => {
    const waiting: any = await server.distributions.exports.create({ exported_object: 'voucher' } as any);
    const listed = async (order: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/exports?order=${order}&limit=100`, headers: p.server });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().exports as any[];
    };
    const up = await listed('status');
    expect(up.map((e) => e.status)).toEqual([...up.map((e) => e.status)].sort());
    expect(up.at(-1)!.id).toBe(waiting.id);
    const done = up.filter((e) => e.status === 'DONE').map((e) => e.created_at);
    expect(done).toEqual([...done].sort().reverse());
    const down = await listed('-status');
    expect(down[0]!.id).toBe(waiting.id);
    expect(down.map((e) => e.status)).toEqual([...down.map((e) => e.status)].sort().reverse());
    await build();
  });

  it('refuses unknown objects, fields, orders, filter fields and operators with a 400 naming them', async () => {
    const bad = async (payload: object) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/exports', headers: p.server, payload });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().details as string;
    };
    expect(await bad({ exported_object: 'planet' })).toContain('exported_object');
    expect(await bad({ exported_object: 'voucher', parameters: { fields: ['code', 'shoe_size'] } })).toContain('shoe_size');
    expect(await bad({ exported_object: 'voucher', parameters: { order: 'shoe_size' } })).toContain('order');
    // Names every object inherits are not fields either (they used to pass and leave the export stuck).
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      expect(await bad({ exported_object: 'voucher', parameters: { order: name } })).toContain('order');
      expect(await bad({ exported_object: 'voucher', parameters: { order: `-${name}` } })).toContain('order');
      // A "__proto__" key in the body is refused by the JSON parser itself.
      if (name === '__proto__') continue;
      expect(await bad({ exported_object: 'voucher', parameters: { filters: { [name]: { conditions: { $is: ['x'] } } } } })).toContain('filter');
      expect(await bad({ exported_object: 'voucher', parameters: { filters: { code: { conditions: { [name]: ['x'] } } } } })).toContain('operator');
    }
    expect(await bad({ exported_object: 'order', parameters: { filters: { planet: { conditions: { $is: ['x'] } } } } })).toContain('planet');
    expect(await bad({ exported_object: 'order', parameters: { filters: { status: { conditions: { $resembles: ['x'] } } } } })).toContain('$resembles');
    expect(await bad({ exported_object: 'order', parameters: { filters: { created_at: { conditions: { $after: ['yesterday'] } } } } })).toContain('date');
    // Dates JavaScript would guess at but PostgreSQL would not read (the export would fail in the background).
    for (const v of ['March 7', '1', '2024-02-30', '+275760-09-13']) {
      expect(await bad({ exported_object: 'order', parameters: { filters: { created_at: { conditions: { $after: [v] } } } } })).toContain('date');
    }
    expect(await bad({ exported_object: 'order', parameters: { filters: { filters: { junction: 'or', planet: { conditions: { $is: ['x'] } } } } } })).toContain('.parameters.filters.filters.planet');
    expect(await bad({ exported_object: 'order', parameters: { filters: { filters: ['x'] } } })).toContain('group');
    expect(await bad({ exported_object: 'order', parameters: { filters: { filters: { filters: { filters: {} } } } } })).toContain('deep');
    const missing = await t.app.inject({ method: 'POST', url: '/v1/vouchers/NO-SUCH/transactions/export', headers: p.server, payload: {} });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ resource_type: 'voucher' });
  });

  it('ends an export whose build fails in ERROR, and builds the exports behind it, of any project', async () => {
    // The build's own service, but with a lookup the database refuses (a failed statement aborts the transaction).
    const failing = createExportsService({
      db: t.testDb.db,
      clock: systemClock,
      campaigns: { byIds: async () => [], categories: async (_projectId: string, tx: Executor) => (await tx.query('SELECT 1 / 0'), []) } as any,
    });
    const broken: any = await server.distributions.exports.create({ exported_object: 'voucher' } as any);
    const other = await t.createProject();
    const next = await t.app.inject({ method: 'POST', url: '/v1/exports', headers: other.server, payload: { exported_object: 'customer' } });
    expect(next.statusCode, next.body).toBe(200);
    expect(await failing.step()).toBe(1);
    const failed: any = await server.distributions.exports.get(broken.id);
    expect(failed).toMatchObject({ status: 'ERROR', result: { error: expect.stringContaining('division by zero') } });
    await build();
    const done = await t.app.inject({ method: 'GET', url: `/v1/exports/${next.json().id}`, headers: other.server });
    expect(done.json()).toMatchObject({ status: 'DONE' });
    expect((await server.distributions.exports.get(broken.id)).status).toBe('ERROR');
    // A failure whose message the error column cannot hold (a NUL character) ends in ERROR too.
    const nul = createExportsService({ db: t.testDb.db, clock: systemClock, campaigns: { byIds: async () => [], categories: async () => { throw new Error('bad \0 value'); } } as any });
    const second: any = await server.distributions.exports.create({ exported_object: 'voucher' } as any);
    expect(await nul.step()).toBe(1);
    expect(await server.distributions.exports.get(second.id)).toMatchObject({ status: 'ERROR', result: { error: 'bad  value' } });
  });

  it('neutralises cells a spreadsheet would run as formulas with a leading quote, but keeps numbers as they are', async () => {
    const names = ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', 'plain'];
    for (const [i, name] of names.entries()) await server.customers.create({ source_id: `formula-${i}`, name } as any);
    const file = await exported({ exported_object: 'customer', parameters: { fields: ['source_id', 'name'], order: 'source_id', filters: { source_id: { conditions: { $in: names.map((_, i) => `formula-${i}`) } } } } });
    expect(file.slice(1).map((r) => r[1])).toEqual(names.map((n) => (n === 'plain' ? n : `'${n}`)));
    // A negative number is a number, not a formula.
    const card: any = await server.loyalties.exportCardTransactions(cardCode, programId, { parameters: { order: 'created_at', fields: ['type', 'amount'] } } as any);
    await build();
    expect(await download(await server.distributions.exports.get(card.id))).toContainEqual(['POINTS_REMOVAL', '-15']);
  });

  it('keeps an export of an empty selection to its header line', async () => {
    const file = await exported({ exported_object: 'customer', parameters: { fields: ['source_id', 'email'], filters: { source_id: { conditions: { $is: ['nobody'] } } } } });
    expect(file).toEqual([['Source ID', 'Email']]);
  });
});

/**
 * Customers in bulk through the official SDK: customers.updateInBulk, updateMetadataInBulk and importCSV, each a
 * finished async action reporting every customer; segments follow, updates send no customer.updated.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driver } from './helpers/db.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { requestsOf } from './helpers/requests.js';
import { statementLog } from './helpers/statements.js';

let t: TestTessera;
let p: TestProject;
let server: ReturnType<typeof VoucherifyServerSide>;
let dir: string;
let goldId: string;

const { ok } = requestsOf(() => ({ t, p }));
const action = (id: string) => ok('GET', `/v1/async-actions/${id}`);
const activityTypes = async (sourceId: string) => (await ok('GET', `/v1/customers/${sourceId}/activity?limit=100`)).data.map((a: any) => a.type);

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject();
  const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  server = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
  dir = await mkdtemp(join(tmpdir(), 'tessera-customers-csv-'));
  goldId = (await ok('POST', '/v1/segments', { name: 'Gold', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } } })).id;
  await server.customers.create({ source_id: 'bulk-ann', name: 'Ann', metadata: { tier: 'silver', city: 'Oslo' } } as any);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('customers in bulk', () => {
  it('upserts customers by source_id; an update moves segments but records no customer.updated', async () => {
    const res: any = await server.customers.updateInBulk([
      { source_id: 'bulk-ann', name: 'Ann B.', metadata: { tier: 'gold' } },
      { source_id: 'bulk-bob', email: 'bob@example.com', metadata: { tier: 'gold' } },
    ] as any);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'CUSTOMERS_BULK_UPDATE', status: 'DONE', progress: 100 });
    expect(a.result.results).toEqual([
      { source_id: 'bulk-ann', found: true, updated: true },
      { source_id: 'bulk-bob', found: false, updated: true },
    ]);
    expect(await ok('GET', '/v1/customers/bulk-ann')).toMatchObject({ name: 'Ann B.', metadata: { tier: 'gold' } });
    expect(await ok('GET', '/v1/customers/bulk-bob')).toMatchObject({ email: 'bob@example.com' });
    const members = (await ok('GET', `/v1/customers?segment_id=${goldId}`)).customers.map((c: any) => c.source_id).sort();
    expect(members).toEqual(['bulk-ann', 'bulk-bob']);
    const ann = await activityTypes('bulk-ann');
    expect(ann).toContain('customer.segment.entered');
    expect(ann).not.toContain('customer.updated');
    expect(await activityTypes('bulk-bob')).toEqual(expect.arrayContaining(['customer.created', 'customer.segment.entered']));
  });

  it('merges one metadata into every listed customer, creating the ones that do not exist', async () => {
    const res: any = await server.customers.updateMetadataInBulk({ source_ids: ['bulk-ann', 'bulk-cy'], metadata: { tier: 'silver', newsletter: true } } as any);
    const a = await action(res.async_action_id);
    expect(a.result.results).toEqual([
      { source_id: 'bulk-ann', found: true, updated: true },
      { source_id: 'bulk-cy', found: false, updated: true },
    ]);
    expect((await ok('GET', '/v1/customers/bulk-ann')).metadata).toEqual({ tier: 'silver', city: 'Oslo', newsletter: true });
    expect((await ok('GET', '/v1/customers/bulk-cy')).metadata).toEqual({ tier: 'silver', newsletter: true });
    expect((await ok('GET', `/v1/customers?segment_id=${goldId}`)).customers.map((c: any) => c.source_id)).toEqual(['bulk-bob']);
    expect(await activityTypes('bulk-ann')).toContain('customer.segment.left');
  });

  it('merges metadata into many customers with a bounded number of statements, each keeping its own keys', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `bulk-many-${i}`);
    await server.customers.updateInBulk(ids.map((source_id, i) => ({ source_id, metadata: { n: i } })) as any);
    const log = statementLog(t);
    log.start();
    const res: any = await server.customers.updateMetadataInBulk({ source_ids: ids, metadata: { wave: 2 } } as any);
    const sent = log.stop();
    // The customers are read together, not one by one (300 reads before).
    expect(sent.filter((q) => /FROM customers/.test(q)).length).toBeLessThan(10);
    expect(sent.length).toBeLessThan(40);
    const a = await action(res.async_action_id);
    expect(a.result.results.filter((r: any) => r.found && r.updated)).toHaveLength(300);
    expect((await ok('GET', '/v1/customers/bulk-many-7')).metadata).toEqual({ n: 7, wave: 2 });
    expect((await ok('GET', '/v1/customers/bulk-many-299')).metadata).toEqual({ n: 299, wave: 2 });
  });

  it('imports a CSV file (customers.importCSV): standard columns, the rest into metadata; a row without source_id is reported', async () => {
    const path = join(dir, 'customers.csv');
    await writeFile(path, 'Source_id,Name,Email,Address_City,Tier,Favourite Color\nbulk-dee,Dee,dee@example.com,Lyon,gold,green\nbulk-ann,Ann C.,,,,\n,Nobody,x@example.com,,,\n');
    const res: any = await server.customers.importCSV(path);
    const a = await action(res.async_action_id);
    expect(a).toMatchObject({ type: 'CUSTOMERS_IMPORT_CSV', status: 'DONE' });
    expect(a.result.results).toEqual([
      { source_id: null, found: false, updated: false, reason: expect.stringContaining('Row 4') },
      { source_id: 'bulk-dee', found: false, updated: true },
      { source_id: 'bulk-ann', found: true, updated: true },
    ]);
    expect(await ok('GET', '/v1/customers/bulk-dee')).toMatchObject({ name: 'Dee', email: 'dee@example.com', address: { city: 'Lyon' }, metadata: { Tier: 'gold', 'Favourite Color': 'green' } });
    // Empty cells change nothing.
    expect(await ok('GET', '/v1/customers/bulk-ann')).toMatchObject({ name: 'Ann C.', metadata: { tier: 'silver' } });
  });

  it('a CSV column named like a built-in property (Constructor) is metadata like any other; a __proto__ column is a 400', async () => {
    const path = join(dir, 'built-in.csv');
    await writeFile(path, 'Source_id,Constructor,toString,Tier\nbulk-proto,y,s,z\n');
    const a = await action(((await server.customers.importCSV(path)) as any).async_action_id);
    expect(a.result.results).toEqual([{ source_id: 'bulk-proto', found: false, updated: true }]);
    expect((await ok('GET', '/v1/customers/bulk-proto')).metadata).toEqual({ Constructor: 'y', toString: 's', Tier: 'z' });
    await writeFile(path, 'Source_id,__proto__\nbulk-proto2,x\n');
    const refused = await server.customers.importCSV(path).then(() => undefined, (e: any) => e);
    expect(refused?.code, String(refused)).toBe(400);
    expect(refused.details).toContain('__proto__');
  });

  it('reports a customer whose metadata the customer metadata schema refuses, and leaves it alone', async () => {
    const schema = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${p.id}/metadata-schemas`, headers: managementHeaders, payload: { related_object: 'customer', allow_defined_only: false, properties: { age: { type: 'number', optional: true } } } });
    expect(schema.statusCode, schema.body).toBe(200);
    const res: any = await server.customers.updateInBulk([
      { source_id: 'bulk-bob', metadata: { age: 'old' } },
      { source_id: 'bulk-cy', metadata: { age: 40 } },
    ] as any);
    const a = await action(res.async_action_id);
    expect(a.result.results[0]).toMatchObject({ source_id: 'bulk-bob', found: true, updated: false, reason: expect.stringContaining('age') });
    expect(a.result.results[1]).toEqual({ source_id: 'bulk-cy', found: true, updated: true });
    expect((await ok('GET', '/v1/customers/bulk-bob')).metadata).toEqual({ tier: 'gold' });
  });

  it('a customer listed twice is changed twice, in order: its last state decides its segments', async () => {
    const yId = (await ok('POST', '/v1/segments', { name: 'Named Y', type: 'auto-update', filter: { junction: 'and', name: { conditions: { $is: ['Y'] } } } })).id;
    const mailId = (await ok('POST', '/v1/segments', { name: 'Mail x', type: 'auto-update', filter: { junction: 'and', email: { conditions: { $is: ['x@example.com'] } } } })).id;
    const res: any = await server.customers.updateInBulk([
      { source_id: 'bulk-dup', name: 'X', email: 'x@example.com' },
      { source_id: 'bulk-dup', name: 'Y' },
      { source_id: 'bulk-dup2', name: 'Y' },
      { source_id: 'bulk-dup2', name: 'Z' },
    ] as any);
    const a = await action(res.async_action_id);
    expect(a.result.results).toEqual([
      { source_id: 'bulk-dup', found: false, updated: true },
      { source_id: 'bulk-dup', found: true, updated: true },
      { source_id: 'bulk-dup2', found: false, updated: true },
      { source_id: 'bulk-dup2', found: true, updated: true },
    ]);
    expect(await ok('GET', '/v1/customers/bulk-dup')).toMatchObject({ name: 'Y', email: 'x@example.com' });
    expect(await ok('GET', '/v1/customers/bulk-dup2')).toMatchObject({ name: 'Z' });
    const members = async (segmentId: string) => (await ok('GET', `/v1/customers?segment_id=${segmentId}`)).customers.map((c: any) => c.source_id).sort();
    expect(await members(yId)).toEqual(['bulk-dup']);
    expect(await members(mailId)).toEqual(['bulk-dup']);
    // bulk-dup2 was Y by its first listing and Z by its second, as if sent one after the other: it entered Named Y
    // (a new customer, recorded although the segment's first computation may still run) and left it.
    const dup2 = (await ok('GET', '/v1/customers/bulk-dup2/activity?limit=100')).data.map((x: any) => x.type);
    expect(dup2).toEqual(['customer.segment.left', 'customer.segment.entered', 'customer.created']);
  });

  it("merges metadata/async into the customer with that source_id, never into one whose id it equals; an unknown id is not found", async () => {
    const victim = await ok('POST', '/v1/customers', { source_id: 'bulk-victim', metadata: { secret: 's3', tier: 'gold' } });
    const res: any = await server.customers.updateMetadataInBulk({ source_ids: [victim.id], metadata: { tier: 'silver' } } as any);
    expect((await action(res.async_action_id)).result.results).toEqual([{ source_id: victim.id, found: false, updated: true }]);
    expect((await ok('GET', `/v1/customers/${victim.id}`)).metadata).toEqual({ secret: 's3', tier: 'gold' });
    const made = (await ok('GET', `/v1/customers?limit=100`)).customers.find((c: any) => c.source_id === victim.id);
    expect(made.metadata).toEqual({ tier: 'silver' });
    const unknown: any = await server.customers.updateInBulk([{ id: 'cust_doesnotexist', source_id: 'bulk-zz1' }] as any);
    expect((await action(unknown.async_action_id)).result.results).toEqual([expect.objectContaining({ found: false, updated: false })]);
  });

  it.runIf(driver === 'postgres')('metadata/async does not undo a change made to a customer meanwhile', async () => {
    await server.customers.updateInBulk(Array.from({ length: 300 }, (_, i) => ({ source_id: `bulk-race-${i}` })) as any);
    for (let round = 1; round <= 8; round++) {
      const source_ids = Array.from({ length: 300 }, (_, i) => `bulk-race-${i}`);
      await Promise.all([
        server.customers.updateMetadataInBulk({ source_ids, metadata: { a: round } } as any),
        ok('PUT', '/v1/customers/bulk-race-0', { metadata: { b: round } }),
      ]);
      expect((await ok('GET', '/v1/customers/bulk-race-0')).metadata).toEqual({ a: round, b: round });
    }
  });

  it('refuses items without source_id, empty lists and more than 1,000 items with a 400', async () => {
    for (const payload of [[{ name: 'no id' }], [], Array.from({ length: 1001 }, (_, i) => ({ source_id: `c${i}` }))]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/customers/bulk/async', headers: p.server, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    }
    const noIds = await t.app.inject({ method: 'POST', url: '/v1/customers/metadata/async', headers: p.server, payload: { metadata: { a: 1 } } });
    expect(noIds.statusCode).toBe(400);
  });
});

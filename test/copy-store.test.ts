/**
 * Moving from the embedded store to PostgreSQL (`tessera copy-store --to postgres://...`): everything the embedded
 * store holds is in the server's database afterwards, the same keys work, and new writes carry on (sequences and
 * identity columns continue past the copied rows). A target that holds data is refused and left as it was.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, type Tessera } from '../src/compose.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/core/logger.js';
import { managementHeaders } from './helpers/app.js';
import { cli, killAll, spawnCli } from './helpers/cli.js';
import { adminSql, databaseUrl, driver } from './helpers/db.js';

// The copy's target is PostgreSQL whatever the driver: run once, with the PostgreSQL suite.
describe.skipIf(driver !== 'postgres')('tessera copy-store', { timeout: 120_000 }, () => {
  let tmp: string;
  const databases: string[] = [];
  const open = (env: Record<string, string>) =>
    compose(loadConfig({ ...managementHeadersEnv, TESSERA_LOG_LEVEL: 'silent', ...env }), { logger: createLogger('silent') });
  const managementHeadersEnv = { TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'], TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'] };
  const newDatabase = async () => {
    const name = `tessera_copy_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    await adminSql(`CREATE DATABASE ${name}`);
    databases.push(name);
    return databaseUrl(name);
  };
  const adminSqlOn = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const r = spawnCli(['copy-store', ...args], env);
    return { code: await r.exited, out: r.output() };
  };

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
    tmp = await mkdtemp(join(tmpdir(), 'tessera-copy-'));
  });
  afterAll(async () => {
    await killAll();
    for (const name of databases) await adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await rm(tmp, { recursive: true, force: true });
  });

  it('copies a used embedded store into an empty database, where the same keys work and new writes carry on', async () => {
    const dataDir = join(tmp, 'store');
    let keys: Record<string, string>;
    let projectId: string;
    let before: { customers: number; activity: number; vouchers: number; members: number };
    const embedded: Tessera = await open({ TESSERA_DATA_DIR: dataDir });
    try {
      const call = async (method: 'GET' | 'POST', url: string, payload?: unknown, headers?: Record<string, string>) => {
        const res = await embedded.app!.inject({ method, url, headers: headers ?? keys, ...(payload !== undefined ? { payload: payload as object } : {}) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
        return res.json();
      };
      const p = await call('POST', '/management/v1/projects', { name: 'Moving' }, managementHeaders);
      projectId = p.id;
      keys = { 'x-app-id': p.server_side_key.app_id, 'x-app-token': p.server_side_key.app_token };
      await call('POST', `/management/v1/projects/${p.id}/custom-event-schemas`, { name: 'signed_up', schema: { properties: {} } }, managementHeaders);
      await call('POST', '/v1/segments', { name: 'VIP', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [true] } } } });
      for (let i = 0; i < 5; i++) await call('POST', '/v1/events', { event: 'signed_up', customer: { source_id: `c${i}`, metadata: { vip: i % 2 === 0 } } });
      await call('POST', '/v1/campaigns', { name: 'Spring', campaign_type: 'DISCOUNT_COUPONS', type: 'STATIC', voucher: { discount: { type: 'PERCENT', percent_off: 10 } } });
      await call('POST', '/v1/campaigns/Spring/vouchers/SPRING-1', {});
      await call('POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'SPRING-1' }], customer: { source_id: 'c0' }, order: { amount: 1000 } });
      before = {
        customers: (await call('GET', '/v1/customers?limit=100')).customers.length,
        activity: (await call('GET', '/v1/customers/c0/activity?limit=100')).data.length,
        vouchers: (await call('GET', '/v1/vouchers/SPRING-1')).redemption.redeemed_quantity,
        members: (await call('GET', '/v1/customers?limit=100&segment_id=' + (await call('GET', '/v1/segments')).data[0].id)).customers.length,
      };
      expect(before).toMatchObject({ customers: 5, vouchers: 1, members: 3 });
      // While Tessera runs on the store, its directory is locked: the copy is refused.
      const locked = await run(['--data-dir', dataDir, '--to', await newDatabase()]);
      expect(locked.code).not.toBe(0);
      expect(locked.out).toMatch(/lock|in use|another/i);
    } finally {
      await embedded.close();
    }

    // The target from DATABASE_URL (no password on the command line).
    const target = await newDatabase();
    const copied = await run(['--data-dir', dataDir], { DATABASE_URL: target });
    expect(copied.code, copied.out).toBe(0);
    expect(copied.out).toMatch(/Copied \d+ rows of \d+ tables from PGlite in .* to PostgreSQL at/);
    expect(copied.out).toMatch(/^ {2}customers: 5$/m);

    const server = await open({ DATABASE_URL: target });
    try {
      const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
        const res = await server.app!.inject({ method, url, headers: keys, ...(payload !== undefined ? { payload: payload as object } : {}) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
        return res.json();
      };
      const segment = (await call('GET', '/v1/segments')).data[0];
      expect({
        customers: (await call('GET', '/v1/customers?limit=100')).customers.length,
        activity: (await call('GET', '/v1/customers/c0/activity?limit=100')).data.length,
        vouchers: (await call('GET', '/v1/vouchers/SPRING-1')).redemption.redeemed_quantity,
        members: (await call('GET', `/v1/customers?limit=100&segment_id=${segment.id}`)).customers.length,
      }).toEqual(before);
      // New writes carry on past the copied rows: events (the event log's sequence), a segment (its identity number).
      await call('POST', '/v1/events', { event: 'signed_up', customer: { source_id: 'c9', metadata: { vip: true } } });
      const second = await call('POST', '/v1/segments', { name: 'Regulars', type: 'auto-update', filter: { junction: 'and', 'metadata.vip': { conditions: { $is: [false] } } } });
      expect(second.id).toMatch(/^seg_/);
      expect((await call('GET', `/v1/customers?limit=100&segment_id=${segment.id}`)).customers.length).toBe(4);
      const activity = (await call('GET', '/v1/customers/c9/activity')).data;
      expect(activity.map((a: any) => a.type)).toContain('customer.custom_event');
      const res = await server.app!.inject({ method: 'GET', url: `/management/v1/projects/${projectId}`, headers: managementHeaders });
      expect(res.json().name).toBe('Moving');
    } finally {
      await server.close();
    }

    // A second copy into the database, which holds data now, is refused and changes nothing.
    const again = await run(['--data-dir', dataDir, '--to', target]);
    expect(again.code).toBe(2);
    expect(again.out).toMatch(/copy-store: the target is not empty/);
  });

  it("refuses a database of something else before writing anything to it", async () => {
    const dataDir = join(tmp, 'small');
    const embedded = await open({ TESSERA_DATA_DIR: dataDir });
    await embedded.close();
    const other = await newDatabase();
    await adminSqlOn(other, 'CREATE TABLE invoices (id int PRIMARY KEY)');
    const refused = await run(['--data-dir', dataDir, '--to', other]);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/holds 1 tables that are not Tessera's/);
    expect(await adminSqlOn(other, "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")).toEqual([{ n: 1 }]);
  });

  it('refuses a target that is not PostgreSQL and a directory with no store, naming what to fix', async () => {
    const notPg = await run(['--data-dir', tmp, '--to', 'mysql://db/x']);
    expect(notPg).toMatchObject({ code: 2 });
    expect(notPg.out).toMatch(/must be a postgres:\/\/ URL/);
    const empty = await run(['--data-dir', join(tmp, 'nothing-here'), '--to', await newDatabase()]);
    expect(empty.code).toBe(2);
    expect(empty.out).toMatch(/no embedded store in .*nothing-here/);
    const missing = await run(['--data-dir', tmp]);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/with --to or DATABASE_URL/);
  });
});

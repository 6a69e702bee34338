import { readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { compose } from '../src/compose.js';
import { createLogger } from '../src/core/logger.js';
import type { Db } from '../src/store/db.js';
import { loadMigrations, migrate, migrationsDir, type Migration } from '../src/store/migrator.js';
import { createPgDb } from '../src/store/pg.js';
import { createPgliteDb } from '../src/store/pglite.js';
import { adminSql, createTestDb, databaseUrl, driver, type TestDb } from './helpers/db.js';

const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();

const admin = adminSql;

/** A fresh, empty database of the driver under test: nothing migrated. */
async function emptyDb(): Promise<{ db: Db; url?: string; drop(): Promise<void> }> {
  if (driver === 'pglite') {
    const db = await createPgliteDb(undefined);
    return { db, drop: () => db.close() };
  }
  const name = `tessera_m_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = databaseUrl(name);
  const db = createPgDb({ connectionString: url, max: 4 });
  return {
    db,
    url,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function appliedIds(db: Db): Promise<Array<{ id: number; name: string }>> {
  return (await db.query<{ id: number; name: string }>('SELECT id, name FROM tessera_migrations ORDER BY id')).rows;
}

describe('migrations', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  it('has one migration per numbered file, in order', async () => {
    const all = await loadMigrations();
    expect(files.length).toBeGreaterThan(0);
    expect(all.map((m) => `${m.name}.sql`)).toEqual(files);
    expect(all.map((m) => m.id)).toEqual([...all.map((m) => m.id)].sort((a, b) => a - b));
  });

  // Eighteen files on an in-memory PGlite take a while on a busy machine.
  it('applies every file on an empty database, then nothing on a second run', { timeout: 120_000 }, async () => {
    const e = await emptyDb();
    cleanups.push(e.drop);
    const first = await migrate(e.db);
    expect(first.map((n) => `${n}.sql`)).toEqual(files);
    expect(await migrate(e.db)).toEqual([]);
    const rows = await appliedIds(e.db);
    expect(rows.map((r) => `${r.name}.sql`)).toEqual(files);
    const { rows: tables } = await e.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('projects', 'customers', 'event_log')",
    );
    expect(tables[0]!.n).toBe(3);
  });

  it('leaves an already migrated database alone', async () => {
    const t: TestDb = await createTestDb();
    cleanups.push(t.drop);
    const before = await appliedIds(t.db);
    expect(before).toHaveLength(files.length);
    expect(await migrate(t.db)).toEqual([]);
    expect(await appliedIds(t.db)).toEqual(before);
  });

  it('runs each migration in one transaction: a failing one leaves no trace and can be retried', async () => {
    const e = await emptyDb();
    cleanups.push(e.drop);
    const good: Migration = { id: 9001, name: '9001_good', sql: 'CREATE TABLE m_good (id int);' };
    const bad: Migration = { id: 9002, name: '9002_bad', sql: 'CREATE TABLE m_half (id int); SELECT no_such_function();' };
    await expect(migrate(e.db, [good, bad])).rejects.toThrow();
    expect((await appliedIds(e.db)).map((r) => r.id)).toEqual([9001]);
    const { rows } = await e.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'm_half'",
    );
    expect(rows[0]!.n).toBe(0);
    const fixed: Migration = { ...bad, sql: 'CREATE TABLE m_half (id int);' };
    expect(await migrate(e.db, [good, fixed])).toEqual(['9002_bad']);
    expect((await appliedIds(e.db)).map((r) => r.id)).toEqual([9001, 9002]);
  });

  it('counts events stored before custom_event_days existed into their days when upgrading', async () => {
    const e = await emptyDb();
    cleanups.push(e.drop);
    const all = await loadMigrations();
    await migrate(e.db, all.filter((m) => m.id < 6));
    await e.db.exec("INSERT INTO projects (id, name, settings, webhook_token, created_at) VALUES ('proj_m', 'm', '{}', 'tok', now())");
    const at = ['2026-03-01T23:59:59Z', '2026-03-02T00:00:00Z', '2026-03-02T12:00:00Z'];
    for (const [i, t] of at.entries()) {
      await e.db.query("INSERT INTO custom_events (id, project_id, customer_id, type, created_at) VALUES ($1, 'proj_m', 'cust_a', 'review', $2)", [`event_${i}`, t]);
    }
    expect(await migrate(e.db, all)).toEqual(all.filter((m) => m.id >= 6).map((m) => m.name));
    const { rows } = await e.db.query<{ day: number; n: number; last: Date }>('SELECT day, n, last FROM custom_event_days ORDER BY day');
    const dayOf = (t: string) => Math.floor(Date.parse(t) / 86_400_000);
    expect(rows.map((r) => [r.day, r.n, new Date(r.last).toISOString()])).toEqual([
      [dayOf(at[0]!), 1, '2026-03-01T23:59:59.000Z'],
      [dayOf(at[1]!), 2, '2026-03-02T12:00:00.000Z'],
    ]);
  });

  it('turns per-segment membership rows into one row per customer when upgrading, keeping entry and exit times', async () => {
    const e = await emptyDb();
    cleanups.push(e.drop);
    const all = await loadMigrations();
    await migrate(e.db, all.filter((m) => m.id < 12));
    await e.db.exec(`INSERT INTO projects (id, name, settings, webhook_token, created_at) VALUES ('proj_m', 'm', '{}', 'tok', now());
      INSERT INTO customers (id, project_id, source_id, created_at) VALUES ('cust_a', 'proj_m', 'a', now()), ('cust_b', 'proj_m', 'b', now());
      INSERT INTO segments (id, project_id, name, type, created_at) VALUES
        ('seg_x', 'proj_m', 'x', 'passive', '2026-01-01T00:00:00Z'), ('seg_y', 'proj_m', 'y', 'static', '2026-01-02T00:00:00Z');
      INSERT INTO segment_members (segment_id, customer_id, project_id, active, entered_at, left_at) VALUES
        ('seg_x', 'cust_a', 'proj_m', true, '2026-02-01T10:00:00.123Z', NULL),
        ('seg_y', 'cust_a', 'proj_m', true, '2026-02-02T10:00:00Z', NULL),
        ('seg_x', 'cust_b', 'proj_m', false, '2026-02-01T10:00:00Z', '2026-02-03T10:00:00Z'),
        ('seg_x', 'cust_gone', 'proj_m', true, '2026-02-01T10:00:00Z', NULL);`);
    expect(await migrate(e.db, all)).toEqual(all.filter((m) => m.id >= 12).map((m) => m.name));
    const nums = new Map((await e.db.query<{ id: string; num: number }>('SELECT id, num FROM segments')).rows.map((r) => [r.id, r.num]));
    expect(new Set(nums.values()).size).toBe(2);
    // Times as text: the drivers hand bigint arrays over differently (strings, numbers).
    const { rows } = await e.db.query<{ customer_id: string; segments: number[]; entered_ms: string[]; left_segments: number[]; left_ms: string[] }>(
      'SELECT customer_id, segments, entered_ms::text[], left_segments, left_ms::text[] FROM customer_segments ORDER BY customer_id',
    );
    const ms = (t: string) => String(Date.parse(t));
    const [x, y] = [nums.get('seg_x')!, nums.get('seg_y')!];
    // In segment-number order; a customer that no longer exists is left out.
    expect(rows).toEqual([
      { customer_id: 'cust_a', segments: [x, y], entered_ms: [ms('2026-02-01T10:00:00.123Z'), ms('2026-02-02T10:00:00Z')], left_segments: [], left_ms: [] },
      { customer_id: 'cust_b', segments: [], entered_ms: [], left_segments: [x], left_ms: [ms('2026-02-03T10:00:00Z')] },
    ]);
    // New segments continue the numbering.
    await e.db.exec("INSERT INTO segments (id, project_id, name, type, created_at) VALUES ('seg_z', 'proj_m', 'z', 'passive', now())");
    const z = (await e.db.query<{ num: number }>("SELECT num FROM segments WHERE id = 'seg_z'")).rows[0]!.num;
    expect(z).toBeGreaterThan(Math.max(x, y));
  });

  it('keeps existing projects comparing codes without case when case_sensitive_codes starts to count, and follows the setting after', { timeout: 120_000 }, async () => {
    const e = await emptyDb();
    cleanups.push(e.drop);
    const all = await loadMigrations();
    await migrate(e.db, all.filter((m) => m.id < 71));
    await e.db.exec(`INSERT INTO projects (id, name, settings, webhook_token, created_at) VALUES ('proj_m', 'm', '{"case_sensitive_codes": true}', 'tok', now());
      INSERT INTO vouchers (id, project_id, code, type, created_at) VALUES ('v_1', 'proj_m', 'Summer10', 'DISCOUNT_VOUCHER', now());`);
    expect(await migrate(e.db, all)).toEqual(all.filter((m) => m.id >= 71).map((m) => m.name));
    const setting = async () => (await e.db.query<{ s: string }>("SELECT settings ->> 'case_sensitive_codes' AS s FROM projects WHERE id = 'proj_m'")).rows[0]!.s;
    const key = async () => (await e.db.query<{ k: string }>("SELECT code_key AS k FROM vouchers WHERE id = 'v_1'")).rows[0]!.k;
    expect(await setting()).toBe('false');
    expect(await key()).toBe('summer10');
    const insert = (id: string, code: string) => e.db.query(`INSERT INTO vouchers (id, project_id, code, type, created_at) VALUES ($1, 'proj_m', $2, 'DISCOUNT_VOUCHER', now())`, [id, code]);
    await expect(insert('v_2', 'SUMMER10')).rejects.toThrow();
    await e.db.exec(`UPDATE projects SET settings = jsonb_set(settings, '{case_sensitive_codes}', 'true') WHERE id = 'proj_m'`);
    expect(await key()).toBe('Summer10');
    await insert('v_2', 'SUMMER10');
    await expect(e.db.exec(`UPDATE projects SET settings = jsonb_set(settings, '{case_sensitive_codes}', 'false') WHERE id = 'proj_m'`)).rejects.toThrow(/vouchers_code_unique/);
  });

  describe.skipIf(driver !== 'postgres')('two processes starting at once on PostgreSQL', () => {
    let fresh: { db: Db; url?: string; drop(): Promise<void> };
    beforeAll(async () => {
      fresh = await emptyDb();
    });
    afterAll(async () => {
      await fresh.drop();
    });

    it('apply each migration exactly once, and both succeed', async () => {
      const other = createPgDb({ connectionString: fresh.url!, max: 2 });
      try {
        // Extra migrations make the two interleave; each must still run once.
        const all = [
          ...(await loadMigrations()),
          { id: 9101, name: '9101_counter', sql: 'CREATE TABLE m_counter (n int); INSERT INTO m_counter VALUES (1);' },
          { id: 9102, name: '9102_bump', sql: 'UPDATE m_counter SET n = n + 1;' },
          { id: 9103, name: '9103_bump', sql: 'UPDATE m_counter SET n = n + 1;' },
        ];
        const [a, b] = await Promise.all([migrate(fresh.db, all), migrate(other, all)]);
        expect([...a, ...b].sort()).toEqual(all.map((m) => m.name).sort());
        expect(a.filter((n) => b.includes(n))).toEqual([]);
        expect((await appliedIds(fresh.db)).map((r) => r.id)).toEqual(all.map((m) => m.id));
        expect((await fresh.db.query<{ n: number }>('SELECT n FROM m_counter')).rows).toEqual([{ n: 3 }]);
      } finally {
        await other.close();
      }
    });

    it('make exactly one default project and one management token', async () => {
      const e = await emptyDb();
      cleanups.push(e.drop);
      const config = loadConfig({ DATABASE_URL: e.url!, TESSERA_DB_POOL_SIZE: '3' });
      const [x, y] = await Promise.all([
        compose(config, { logger: createLogger('silent') }),
        compose(config, { logger: createLogger('silent') }),
      ]);
      try {
        const made = await Promise.all([x.services.projects.ensureDefault(), y.services.projects.ensureDefault()]);
        expect(made.filter((m) => m !== undefined)).toHaveLength(1);
        expect(await x.services.projects.list()).toHaveLength(1);
        expect([x.management.token, y.management.token].filter((tk) => tk !== undefined)).toHaveLength(1);
        expect(x.management.id).toBe(y.management.id);
        const token = (x.management.token ?? y.management.token)!;
        expect(await x.services.management.check(x.management.id, token)).toBe(true);
        expect(await y.services.management.check(y.management.id, token)).toBe(true);
      } finally {
        await x.close();
        await y.close();
      }
    });
  });
});

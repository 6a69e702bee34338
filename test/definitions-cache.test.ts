import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Executor } from '../src/store/db.js';
import { createDefinitions } from '../src/store/definitions.js';
import { createPgDb } from '../src/store/pg.js';
import { createTestDb, driver, type TestDb } from './helpers/db.js';

interface Def {
  project_id: string;
  name: string;
}

/** A loader over a scratch table that counts its calls. */
function loader() {
  const calls: string[][] = [];
  const load = async (ex: Executor, projectIds: string[]) => {
    calls.push(projectIds);
    const { rows } = await ex.query<Def>('SELECT project_id, name FROM t_defs WHERE project_id = ANY ($1::text[]) ORDER BY name', [projectIds]);
    return rows;
  };
  return { calls, load };
}

const names = (rows: Def[]) => rows.map((r) => `${r.project_id}/${r.name}`).sort();

describe('per-process cache of project definitions', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.exec('CREATE TABLE t_defs (project_id text NOT NULL, name text NOT NULL)');
  });
  afterAll(() => t.drop());

  it('reads a project once, then from the cache; a change made here is seen at once', async () => {
    await t.db.query("INSERT INTO t_defs VALUES ('p1', 'a'), ('p2', 'b')");
    const defs = createDefinitions(t.db, { now: () => 0 });
    const l = loader();
    const cache = defs.cache(l.load);
    expect(names(await cache.get(t.db, ['p1', 'p2']))).toEqual(['p1/a', 'p2/b']);
    expect(names(await cache.get(t.db, ['p1']))).toEqual(['p1/a']);
    expect(l.calls).toEqual([['p1', 'p2']]);

    await t.db.query("INSERT INTO t_defs VALUES ('p1', 'c')");
    await defs.changed('p1');
    expect(names(await cache.get(t.db, ['p1', 'p2']))).toEqual(['p1/a', 'p1/c', 'p2/b']);
    // Only the changed project was read again.
    expect(l.calls).toEqual([['p1', 'p2'], ['p1']]);

    await t.db.query("INSERT INTO t_defs VALUES ('p2', 'd')");
    await defs.changed();
    expect(names(await cache.get(t.db, ['p2']))).toEqual(['p2/b', 'p2/d']);
  });

  it('reloads an entry after its time to live even without a notification', async () => {
    let clock = 0;
    const defs = createDefinitions(t.db, { ttlMs: 1000, now: () => clock });
    const l = loader();
    const cache = defs.cache(l.load);
    await t.db.query("INSERT INTO t_defs VALUES ('p3', 'a')");
    await cache.get(t.db, ['p3']);
    await t.db.query("INSERT INTO t_defs VALUES ('p3', 'b')");
    clock = 999;
    expect(names(await cache.get(t.db, ['p3']))).toEqual(['p3/a']);
    clock = 1000;
    expect(names(await cache.get(t.db, ['p3']))).toEqual(['p3/a', 'p3/b']);
    expect(l.calls).toHaveLength(2);
  });

  it('does not keep a load that a change overlapped: it may have read the state before the change', async () => {
    const defs = createDefinitions(t.db, { now: () => 0 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const l = loader();
    const cache = defs.cache(async (ex, ids) => {
      const rows = await l.load(ex, ids);
      if (first) {
        first = false;
        await gate;
      }
      return rows;
    });
    await t.db.query("INSERT INTO t_defs VALUES ('p4', 'a')");
    const slow = cache.get(t.db, ['p4']);
    await t.db.query("INSERT INTO t_defs VALUES ('p4', 'b')");
    await defs.changed('p4');
    release();
    // The overlapped load answers its own caller, as it read...
    expect(names(await slow)).toEqual(['p4/a']);
    // ...but the next read loads again and sees the change.
    expect(names(await cache.get(t.db, ['p4']))).toEqual(['p4/a', 'p4/b']);
    expect(l.calls).toHaveLength(2);
  });

  // Two processes need a server: PGlite is one process's database.
  describe.runIf(driver === 'postgres')('across processes', () => {
    let other: Db;
    beforeAll(() => {
      other = createPgDb({ connectionString: t.url!, max: 2 });
    });
    afterAll(() => other.close());

    it("drops another process's entries when a change is announced (NOTIFY), long before their time to live", async () => {
      const here = createDefinitions(t.db, { now: () => 0 });
      const there = createDefinitions(other, { now: () => 0 });
      await there.start();
      try {
        const l = loader();
        const cache = there.cache(l.load);
        await t.db.query("INSERT INTO t_defs VALUES ('p5', 'a')");
        expect(names(await cache.get(other, ['p5']))).toEqual(['p5/a']);
        await t.db.query("INSERT INTO t_defs VALUES ('p5', 'b')");
        await here.changed('p5');
        // The clock never moves: only the notification can make the other process read again.
        const deadline = Date.now() + 5000;
        let seen = names(await cache.get(other, ['p5']));
        while (seen.length < 2 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          seen = names(await cache.get(other, ['p5']));
        }
        expect(seen).toEqual(['p5/a', 'p5/b']);
      } finally {
        await there.close();
      }
    });

    it('listens again after its connection is cut, dropping everything it may have missed meanwhile', async () => {
      const here = createDefinitions(t.db, { now: () => 0 });
      const there = createDefinitions(other, { now: () => 0 });
      await there.start();
      /** Reads until `want` rows show (the clock never moves: only a drop makes the cache read again). */
      const until = async (cache: { get(ex: Executor, ids: string[]): Promise<Def[]> }, want: number) => {
        const deadline = Date.now() + 10_000;
        let seen = names(await cache.get(other, ['p6']));
        while (seen.length < want && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          seen = names(await cache.get(other, ['p6']));
        }
        return seen;
      };
      try {
        const cache = there.cache(loader().load);
        await t.db.query("INSERT INTO t_defs VALUES ('p6', 'a')");
        expect(names(await cache.get(other, ['p6']))).toEqual(['p6/a']);
        const { rows } = await t.db.query<{ n: number }>(
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tessera-listen'",
        );
        expect(rows[0]!.n).toBe(1);
        // Changed while nobody listened, and not announced: seen once the connection is back.
        await t.db.query("INSERT INTO t_defs VALUES ('p6', 'b')");
        expect(await until(cache, 2)).toEqual(['p6/a', 'p6/b']);
        // And the new connection hears announcements.
        await t.db.query("INSERT INTO t_defs VALUES ('p6', 'c')");
        await here.changed('p6');
        expect(await until(cache, 3)).toEqual(['p6/a', 'p6/b', 'p6/c']);
      } finally {
        await there.close();
      }
    });
  });
});

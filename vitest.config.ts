import pg from 'pg';
import { defineConfig } from 'vitest/config';

/**
 * Two projects run the same suites: on PGlite, and on PostgreSQL (TEST_DATABASE_URL, default the local server).
 * Without a reachable PostgreSQL the second is left out with a notice, unless it is required
 * (CI=true or TESSERA_REQUIRE_POSTGRES=1), in which case the run fails.
 */
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const required = process.env.CI === 'true' || process.env.TESSERA_REQUIRE_POSTGRES === '1';

async function postgresReachable(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await c.end().catch(() => undefined);
  }
}

export default defineConfig(async () => {
  const only = process.env.TEST_DRIVER;
  const problem = only === 'pglite' ? 'not asked for' : await postgresReachable();
  if (problem !== undefined && only !== 'pglite') {
    const msg = `PostgreSQL at ${adminUrl.replace(/\/\/[^@]*@/, '//')} is unreachable (${problem})`;
    if (required) throw new Error(`${msg}: the PostgreSQL suite is required here`);
    process.stderr.write(`\n*** ${msg}: running the PGlite suite only ***\n\n`);
  }
  // Test files share their worker's module cache instead of importing the whole app afresh each (about 1.8 s a file
  // of the run's time went to imports): 1,478 s -> 912 s for the whole run here (2026-12-07). Every file builds its
  // own app, database and servers, and the open-handles check still runs per file. TEST_ISOLATE=1 isolates them again.
  const isolate = process.env.TEST_ISOLATE === '1';
  const shared = { isolate, include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000, setupFiles: ['test/helpers/open-handles.ts'] };
  const projects = [];
  if (only !== 'postgres') projects.push({ test: { ...shared, name: 'pglite', env: { TEST_DRIVER: 'pglite' }, globalSetup: ['test/helpers/global-pglite.ts'] } });
  if (problem === undefined) {
    projects.push({
      test: { ...shared, name: 'postgres', env: { TEST_DRIVER: 'postgres' }, globalSetup: ['test/helpers/global-postgres.ts'] },
    });
  }
  // Two test files at a time (Vitest's default is one less than the cores: one here). Most of a file's time is spent
  // waiting on PostgreSQL, HTTP receivers and child processes, so a second file uses it: 1,380 s -> about 950 s for
  // the whole run on this 2-core machine (2026-12-06). TEST_MAX_WORKERS overrides it.
  const maxWorkers = Number(process.env.TEST_MAX_WORKERS ?? 2);
  return { test: { projects, maxWorkers } };
});

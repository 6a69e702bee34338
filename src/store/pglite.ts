import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';
import { lockDataDir } from './dir-lock.js';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(target: PgliteLike): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await target.query<T>(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

export interface PgliteDb extends Db {
  /** The whole database as a tarball, for another in-memory PGlite to start from (`from`). */
  dumpDataDir(): Promise<Blob>;
}

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in-process. dataDir persists to disk (the database in pgdata/, a pid
 * file beside it); undefined keeps it in memory, empty or, with `from`, a copy of a dumped database.
 * It runs one statement at a time, and an open transaction holds every other query back, so transactions stay
 * short and never span an HTTP call.
 */
export async function createPgliteDb(dataDir: string | undefined, from?: Blob): Promise<PgliteDb> {
  const unlock = dataDir === undefined ? async () => undefined : await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = dataDir !== undefined ? new PGlite(join(dataDir, 'pgdata')) : from ? new PGlite({ loadDataDir: from }) : new PGlite();
    await pglite.waitReady;
  } catch (err) {
    await unlock();
    throw err;
  }
  const base = wrap(pglite as unknown as PgliteLike);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => fn(wrap(tx as unknown as PgliteLike)));
    },
    async listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>> {
      return pglite.listen(channel, (payload) => fn(payload));
    },
    dumpDataDir: () => pglite.dumpDataDir('none'),
    async close(): Promise<void> {
      try {
        await pglite.close();
      } finally {
        await unlock();
      }
    },
  };
}

/**
 * The driver matrix: every suite runs on PGlite (in memory, loaded per test file from a migrated template) and on
 * PostgreSQL (a database cloned per test file from a migrated template). TEST_DRIVER picks one; vitest.config.ts
 * sets it per project.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { createPgDb } from '../../src/store/pg.js';
import { createPgliteDb } from '../../src/store/pglite.js';
import { strictTransactions } from './strict-pglite.js';
import type { Db } from '../../src/store/db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database of this run (PostgreSQL project). */
    pgTemplate: string;
    /** The dumped migrated database of this run (PGlite project): a file. */
    pgliteTemplate: string;
  }
}

export type Driver = 'pglite' | 'postgres';

export const driver: Driver = process.env.TEST_DRIVER === 'postgres' ? 'postgres' : 'pglite';
export const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

export function databaseUrl(name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs statements on the admin database (creating and dropping databases). */
export async function adminSql(sql: string): Promise<void> {
  await admin((c) => c.query(sql));
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDb {
  db: Db;
  /** For tests that start another process against the same database (PostgreSQL only). */
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file. */
export async function createTestDb(): Promise<TestDb> {
  if (driver === 'pglite') {
    const db = strictTransactions(await createPgliteDb(undefined, new Blob([await readFile(inject('pgliteTemplate'))])));
    return { db, url: undefined, drop: () => db.close() };
  }
  const name = `tessera_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`));
  const url = databaseUrl(name);
  const db = createPgDb({ connectionString: url, max: 10 });
  return {
    db,
    url,
    async drop() {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Global setup of the PostgreSQL project: a migrated template database, named for this run so that concurrent
 * runs do not collide, which each test file clones. Dropped at the end of the run.
 */
import type { TestProject } from 'vitest/node';
import { createPgDb } from '../../src/store/pg.js';
import { migrate } from '../../src/store/migrator.js';
import { adminSql as admin, databaseUrl } from './db.js';


export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `tessera_tpl_${process.pid}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE ${name}`);
  const db = createPgDb({ connectionString: databaseUrl(name), max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  project.provide('pgTemplate', name);
  return async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
}

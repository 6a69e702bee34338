/**
 * Global setup of the PGlite project: one migrated database for the run, dumped to a file that each test file
 * loads into its own in-memory PGlite (faster than starting an empty one and migrating it). Removed at the end.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPgliteDb } from '../../src/store/pglite.js';
import { migrate } from '../../src/store/migrator.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-pglite-tpl-'));
  const file = join(dir, 'template.tar');
  const db = await createPgliteDb(undefined);
  try {
    await migrate(db);
    await writeFile(file, Buffer.from(await (await db.dumpDataDir()).arrayBuffer()));
  } finally {
    await db.close();
  }
  project.provide('pgliteTemplate', file);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

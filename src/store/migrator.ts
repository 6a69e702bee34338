import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { lockUntilCommit } from './locks.js';

/** migrations/ at the package root, from both src/store and dist/store. */
export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  const out: Migration[] = [];
  for (const f of files) {
    out.push({ id: Number(f.slice(0, 4)), name: f.replace(/\.sql$/, ''), sql: await readFile(`${dir}/${f}`, 'utf8') });
  }
  const ids = out.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error('two migrations share a number');
  return out;
}

/**
 * Applies pending migrations, one transaction each. Every transaction first takes a transaction-scoped advisory
 * lock, so two processes starting at once apply each migration exactly once, in order.
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const applied: string[] = [];
  for (const m of all) {
    const done = await db.transaction(async (tx) => {
      await lockUntilCommit(tx, 'migrations');
      await tx.exec(`CREATE TABLE IF NOT EXISTS tessera_migrations (
        id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await tx.query('SELECT 1 FROM tessera_migrations WHERE id = $1', [m.id]);
      if (rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO tessera_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

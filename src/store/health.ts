import type { Db } from './db.js';
import { loadMigrations } from './migrator.js';

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  /** Migrations shipped with this build that the database has not applied. */
  pending_migrations: string[];
  error?: string;
}

/** Whether the store answers and has every migration of this build applied (what /ready reports). */
export async function checkReadiness(db: Db): Promise<Readiness> {
  try {
    const { rows } = await db.query<{ name: string }>('SELECT name FROM tessera_migrations');
    const applied = new Set(rows.map((r) => r.name));
    const pending = (await loadMigrations()).map((m) => m.name).filter((n) => !applied.has(n));
    return { ready: pending.length === 0, database: 'ok', pending_migrations: pending };
  } catch (err) {
    const missingTable = (err as { code?: string }).code === '42P01';
    if (missingTable) return { ready: false, database: 'ok', pending_migrations: (await loadMigrations()).map((m) => m.name) };
    return { ready: false, database: 'unreachable', pending_migrations: [], error: err instanceof Error ? err.message : String(err) };
  }
}

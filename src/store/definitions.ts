import type { Db, Executor } from './db.js';

/** Where a committed change to a project's definitions (webhook endpoints, distributions) is announced. */
export const definitionsChannel = 'tessera_definitions';

/** How long a process trusts a cached entry without a notification (its listening connection may have broken). */
export const definitionsTtlMs = 5_000;

/** Definitions of some projects, read through a per-process cache. */
export interface ProjectCache<T> {
  /** The rows of these projects: cached ones, and the rest loaded in `ex` (and kept). */
  get(ex: Executor, projectIds: string[]): Promise<T[]>;
}

interface Entry<T> {
  rows: T[];
  loadedAt: number;
}

/**
 * Per-process caches of per-project definitions that every event's transaction reads (which endpoints and
 * distributions an event goes to), so that a transaction does not read them again each time. A change is
 * announced after it commits (`changed`): this process drops that project's entries at once, every other process
 * when the NOTIFY reaches it (`start` listens). An entry is also reloaded after `ttlMs`, in case notifications
 * stopped arriving. A load that overlaps a change is used once and not kept: it may predate the change.
 */
export function createDefinitions(db: Db, opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? definitionsTtlMs;
  const now = opts.now ?? Date.now;
  const caches: Array<(projectId: string | undefined) => void> = [];
  let unlisten: (() => Promise<void>) | undefined;

  function drop(projectId: string | undefined): void {
    for (const c of caches) c(projectId);
  }

  function cache<T extends { project_id: string }>(load: (ex: Executor, projectIds: string[]) => Promise<T[]>): ProjectCache<T> {
    const entries = new Map<string, Entry<T>>();
    // Bumped on every drop: a load keeps its rows only if no drop happened while it ran.
    let generation = 0;
    caches.push((projectId) => {
      generation++;
      if (projectId === undefined) entries.clear();
      else entries.delete(projectId);
    });
    return {
      async get(ex, projectIds) {
        const at = now();
        const missing = projectIds.filter((p) => {
          const e = entries.get(p);
          return !e || at - e.loadedAt >= ttlMs;
        });
        const out = projectIds.filter((p) => !missing.includes(p)).flatMap((p) => entries.get(p)!.rows);
        if (missing.length === 0) return out;
        const before = generation;
        const loaded = await load(ex, missing);
        if (generation === before) {
          for (const p of missing) entries.set(p, { rows: loaded.filter((r) => r.project_id === p), loadedAt: at });
        }
        return [...out, ...loaded];
      },
    };
  }

  return {
    cache,
    /** Calls fn whenever a project's definitions change, here or (once started) in another process. */
    watch(fn: (projectId: string | undefined) => void): void {
      caches.push(fn);
    },
    /** After a change to a project's definitions committed (no project: any): drops them here and, by NOTIFY, everywhere. */
    async changed(projectId?: string): Promise<void> {
      drop(projectId);
      await db.query('SELECT pg_notify($1, $2)', [definitionsChannel, projectId ?? '']);
    },
    /** Listens for other processes' changes. */
    async start(): Promise<void> {
      unlisten ??= await db.listen(definitionsChannel, (payload) => drop(payload === '' ? undefined : payload));
    },
    async close(): Promise<void> {
      await unlisten?.();
      unlisten = undefined;
    },
  };
}

export type Definitions = ReturnType<typeof createDefinitions>;

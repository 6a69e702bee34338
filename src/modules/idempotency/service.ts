import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';
import * as sql from './sql.js';

export interface IdempotencyDeps {
  db: Db;
  clock: Clock;
  /** How long a key's answer is replayed. */
  ttlMs: number;
  /** How long a request holds its key before a retry may run it again (its process may have died). */
  leaseMs: number;
}

/** What a request with a key does: run (the key is its own now), replay a stored answer, or stop. */
export type Claim =
  | { kind: 'run' }
  | { kind: 'replay'; status: number; type: string; body: string }
  | { kind: 'in_use' }
  | { kind: 'mismatch' };

/** The same request: method, path with query, and body. */
export function fingerprintOf(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n${body === undefined ? '' : JSON.stringify(body)}`).digest('hex');
}

export function createIdempotency(deps: IdempotencyDeps) {
  const { db, clock } = deps;
  return {
    async claim(projectId: string, key: string, fingerprint: string): Promise<Claim> {
      const now = clock.now();
      const take = () => sql.take(db, projectId, key, fingerprint, now, new Date(now.getTime() + deps.leaseMs), new Date(now.getTime() + deps.ttlMs));
      if (await take()) return { kind: 'run' };
      const row = await sql.select(db, projectId, key);
      // Gone between the two statements (pruned, or freed by a failed run): the retry may run.
      if (!row) return (await take()) ? { kind: 'run' } : { kind: 'in_use' };
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row.state === 'running') return { kind: 'in_use' };
      return { kind: 'replay', status: row.response_status!, type: row.response_type ?? 'application/json; charset=utf-8', body: row.response_body ?? '' };
    },
    complete: (projectId: string, key: string, fingerprint: string, status: number, type: string, body: string) => sql.complete(db, projectId, key, fingerprint, status, type, body),
    release: (projectId: string, key: string, fingerprint: string) => sql.release(db, projectId, key, fingerprint),
    prune: (limit: number) => sql.pruneExpired(db, clock.now(), limit),
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;

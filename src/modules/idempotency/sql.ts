import type { Executor } from '../../store/db.js';

export interface KeyRow {
  fingerprint: string;
  state: 'running' | 'done';
  locked_until: Date;
  response_status: number | null;
  response_type: string | null;
  response_body: string | null;
}

/**
 * Takes a key for a request: a new key, an expired one, or one whose request never finished (its lease ran out,
 * same request) is taken in one statement; true when taken.
 */
export async function take(db: Executor, projectId: string, key: string, fingerprint: string, now: Date, lockedUntil: Date, expiresAt: Date): Promise<boolean> {
  const { rows } = await db.query(
    `INSERT INTO idempotency_keys (project_id, key, fingerprint, state, locked_until, created_at, expires_at)
     VALUES ($1, $2, $3, 'running', $5, $4, $6)
     ON CONFLICT (project_id, key) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, state = 'running', locked_until = EXCLUDED.locked_until,
            response_status = NULL, response_type = NULL, response_body = NULL,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
      WHERE idempotency_keys.expires_at <= $4
         OR (idempotency_keys.state = 'running' AND idempotency_keys.locked_until <= $4
             AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
     RETURNING 1`,
    [projectId, key, fingerprint, now, lockedUntil, expiresAt],
  );
  return rows.length > 0;
}

export async function select(db: Executor, projectId: string, key: string): Promise<KeyRow | undefined> {
  const { rows } = await db.query<KeyRow>(
    'SELECT fingerprint, state, locked_until, response_status, response_type, response_body FROM idempotency_keys WHERE project_id = $1 AND key = $2',
    [projectId, key],
  );
  return rows[0];
}

export async function complete(db: Executor, projectId: string, key: string, fingerprint: string, status: number, type: string, body: string): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET state = 'done', response_status = $4, response_type = $5, response_body = $6
      WHERE project_id = $1 AND key = $2 AND fingerprint = $3 AND state = 'running'`,
    [projectId, key, fingerprint, status, type, body],
  );
}

/** Frees a key whose request failed on our side (5xx), so that a retry runs again. */
export async function release(db: Executor, projectId: string, key: string, fingerprint: string): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE project_id = $1 AND key = $2 AND fingerprint = $3 AND state = 'running'`, [projectId, key, fingerprint]);
}

export async function pruneExpired(db: Executor, now: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM idempotency_keys WHERE (project_id, key) IN (
       SELECT project_id, key FROM idempotency_keys WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
    [now, limit],
  );
  return rowCount;
}

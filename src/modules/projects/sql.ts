import type { Executor } from '../../store/db.js';
import type { ApiKeyRow, KeyKind, ProjectRow, ProjectSettings } from './types.js';

const projectColumns = 'id, name, settings, webhook_token, created_at, updated_at';

export async function insertProject(db: Executor, p: ProjectRow): Promise<void> {
  await db.query(
    `INSERT INTO projects (id, name, settings, webhook_token, created_at, updated_at)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
    [p.id, p.name, JSON.stringify(p.settings), p.webhook_token, p.created_at, p.updated_at],
  );
}

export async function insertKey(db: Executor, k: ApiKeyRow, createdAt: Date): Promise<void> {
  await db.query(
    'INSERT INTO api_keys (app_id, project_id, kind, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [k.app_id, k.project_id, k.kind, k.name, k.token_hash, createdAt],
  );
}

export async function selectProject(db: Executor, id: string): Promise<ProjectRow | undefined> {
  const { rows } = await db.query<ProjectRow>(`SELECT ${projectColumns} FROM projects WHERE id = $1`, [id]);
  return rows[0];
}

export async function selectProjects(db: Executor): Promise<ProjectRow[]> {
  const { rows } = await db.query<ProjectRow>(`SELECT ${projectColumns} FROM projects ORDER BY created_at, id`);
  return rows;
}

export async function countProjects(db: Executor): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM projects');
  return rows[0]?.n ?? 0;
}

export async function updateProjectRow(
  db: Executor,
  id: string,
  name: string,
  settings: ProjectSettings,
  now: Date,
): Promise<ProjectRow | undefined> {
  const { rows } = await db.query<ProjectRow>(
    `UPDATE projects SET name = $2, settings = $3::jsonb, updated_at = $4 WHERE id = $1 RETURNING ${projectColumns}`,
    [id, name, JSON.stringify(settings), now],
  );
  return rows[0];
}

export async function deleteProjectRow(db: Executor, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM projects WHERE id = $1', [id]);
  return rowCount > 0;
}

/** Holds the project against deletion until the transaction ends; false when it is gone. */
export async function holdProject(db: Executor, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM projects WHERE id = $1 FOR KEY SHARE', [id]);
  return rows.length > 0;
}

export async function selectKey(db: Executor, appId: string): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    'SELECT app_id, project_id, kind, name, token_hash FROM api_keys WHERE app_id = $1',
    [appId],
  );
  return rows[0];
}

export async function deleteKeysOfProject(db: Executor, projectId: string, kind: KeyKind): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM api_keys WHERE project_id = $1 AND kind = $2', [projectId, kind]);
  return rowCount;
}

export async function selectKeysOfProject(db: Executor, projectId: string, kind: KeyKind): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    'SELECT app_id, project_id, kind, name, token_hash FROM api_keys WHERE project_id = $1 AND kind = $2 ORDER BY created_at',
    [projectId, kind],
  );
  return rows;
}

export async function selectSetting<T>(db: Executor, key: string): Promise<T | undefined> {
  const { rows } = await db.query<{ value: T }>('SELECT value FROM instance_settings WHERE key = $1', [key]);
  return rows[0]?.value;
}

/** Inserts the setting unless another process did first; returns the value that is stored. */
export async function insertSettingOnce<T>(db: Executor, key: string, value: T): Promise<T> {
  await db.query(
    'INSERT INTO instance_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING',
    [key, JSON.stringify(value)],
  );
  return (await selectSetting<T>(db, key)) as T;
}

export async function upsertSetting<T>(db: Executor, key: string, value: T): Promise<void> {
  await db.query(
    `INSERT INTO instance_settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [key, JSON.stringify(value)],
  );
}

export interface SecretsRow {
  id: string;
  webhook_token: string;
  previous_webhook_token: string | null;
  previous_webhook_token_expires_at: Date | null;
}

export async function selectSecrets(db: Executor, ids: string[]): Promise<SecretsRow[]> {
  const { rows } = await db.query<SecretsRow>(
    `SELECT id, webhook_token, previous_webhook_token, previous_webhook_token_expires_at FROM projects
      WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
    [JSON.stringify(ids)],
  );
  return rows;
}

/** Makes `token` the signing secret; the one it replaces keeps signing until `previousUntil`. */
export async function rotateToken(db: Executor, id: string, token: string, previousUntil: Date, now: Date): Promise<SecretsRow | undefined> {
  const { rows } = await db.query<SecretsRow>(
    `UPDATE projects SET previous_webhook_token = webhook_token, previous_webhook_token_expires_at = $3,
            webhook_token = $2, updated_at = $4
      WHERE id = $1
     RETURNING id, webhook_token, previous_webhook_token, previous_webhook_token_expires_at`,
    [id, token, previousUntil, now],
  );
  return rows[0];
}

export interface OAuthTokenRow {
  app_id: string;
  project_id: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  key_kind: KeyKind;
  key_name: string;
}

export async function insertOAuthToken(
  db: Executor,
  t: { tokenHash: string; appId: string; projectId: string; scopes: string[]; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    'INSERT INTO oauth_tokens (token_hash, app_id, project_id, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [t.tokenHash, t.appId, t.projectId, t.scopes, t.createdAt, t.expiresAt],
  );
}

/** A token with the key that minted it (none when the key was regenerated or the token never existed). */
export async function selectOAuthToken(db: Executor, tokenHash: string): Promise<OAuthTokenRow | undefined> {
  const { rows } = await db.query<OAuthTokenRow>(
    `SELECT t.app_id, t.project_id, t.scopes, t.created_at, t.expires_at, t.revoked_at, k.kind AS key_kind, k.name AS key_name
       FROM oauth_tokens t JOIN api_keys k ON k.app_id = t.app_id
      WHERE t.token_hash = $1`,
    [tokenHash],
  );
  return rows[0];
}

/** Revokes a token minted by the given key; false when there is no such token of that key. */
export async function revokeOAuthToken(db: Executor, tokenHash: string, appId: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE oauth_tokens SET revoked_at = coalesce(revoked_at, $3) WHERE token_hash = $1 AND app_id = $2',
    [tokenHash, appId, now],
  );
  return rowCount > 0;
}

/** Deletes up to `limit` tokens that expired before `before`. */
export async function deleteExpiredOAuthTokens(db: Executor, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM oauth_tokens WHERE token_hash IN (SELECT token_hash FROM oauth_tokens WHERE expires_at < $1 LIMIT $2)',
    [before, limit],
  );
  return rowCount;
}

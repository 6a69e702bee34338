import type { Executor } from '../../store/db.js';
import type { WebhookRow } from './types.js';

const columns = 'id, project_id, target_url, events, description, headers, rate_limit, filter, active, disabled_reason, secret, previous_secret, previous_secret_expires_at, created_at, updated_at';

export async function insertWebhook(db: Executor, w: WebhookRow): Promise<void> {
  await db.query(
    `INSERT INTO webhooks (${columns}) VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15)`,
    [w.id, w.project_id, w.target_url, JSON.stringify(w.events), w.description, JSON.stringify(w.headers), w.rate_limit, w.filter === null ? null : JSON.stringify(w.filter), w.active, w.disabled_reason, w.secret, w.previous_secret, w.previous_secret_expires_at, w.created_at, w.updated_at],
  );
}

/**
 * Writes an endpoint's configuration; its secrets only with `secrets` (own_secret turned on or off), so that a
 * rotation made meanwhile is not overwritten with what was read before it.
 */
export async function updateWebhook(db: Executor, w: WebhookRow, secrets: boolean): Promise<void> {
  await db.query(
    `UPDATE webhooks SET target_url = $3, events = $4::jsonb, description = $5, headers = $6::jsonb, active = $7,
            disabled_reason = $8, updated_at = $9, rate_limit = $10, filter = $11::jsonb,
            secret = CASE WHEN $15 THEN $12 ELSE secret END,
            previous_secret = CASE WHEN $15 THEN $13 ELSE previous_secret END,
            previous_secret_expires_at = CASE WHEN $15 THEN $14::timestamptz ELSE previous_secret_expires_at END
      WHERE project_id = $1 AND id = $2`,
    [w.project_id, w.id, w.target_url, JSON.stringify(w.events), w.description, JSON.stringify(w.headers), w.active, w.disabled_reason, w.updated_at, w.rate_limit, w.filter === null ? null : JSON.stringify(w.filter), w.secret, w.previous_secret, w.previous_secret_expires_at, secrets],
  );
}

export async function selectWebhook(db: Executor, projectId: string, id: string): Promise<WebhookRow | undefined> {
  const { rows } = await db.query<WebhookRow>(`SELECT ${columns} FROM webhooks WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function selectWebhooks(db: Executor, projectId: string): Promise<WebhookRow[]> {
  const { rows } = await db.query<WebhookRow>(`SELECT ${columns} FROM webhooks WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
  return rows;
}

/** Active endpoints of these projects: the candidates for an event's sendouts. */
export async function selectActive(db: Executor, projectIds: string[]): Promise<WebhookRow[]> {
  const { rows } = await db.query<WebhookRow>(
    `SELECT ${columns} FROM webhooks
      WHERE active AND project_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) ORDER BY created_at, id`,
    [JSON.stringify(projectIds)],
  );
  return rows;
}

/** Endpoints by id (delivery asks at send time), each with whether it is marked failing (alerts.ts). */
export async function selectByIds(db: Executor, ids: string[]): Promise<Array<WebhookRow & { failing: boolean }>> {
  const { rows } = await db.query<WebhookRow & { failing: boolean }>(
    `SELECT ${columns}, EXISTS (SELECT 1 FROM endpoint_alerts a WHERE a.source_id = webhooks.id) AS failing
       FROM webhooks WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
    [JSON.stringify(ids)],
  );
  return rows;
}

export async function deleteWebhook(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM webhooks WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** A new own secret for an endpoint that has one; the old one signs until `expiresAt`. Undefined: no such endpoint. */
export async function rotateSecret(db: Executor, projectId: string, id: string, secret: string, expiresAt: Date, now: Date): Promise<WebhookRow | undefined> {
  const { rows } = await db.query<WebhookRow>(
    `UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = $4, secret = $3, updated_at = $5
      WHERE project_id = $1 AND id = $2 AND secret IS NOT NULL RETURNING ${columns}`,
    [projectId, id, secret, expiresAt, now],
  );
  return rows[0];
}

/** Disables an active endpoint; false when it was not active (already disabled, or deleted). */
export async function disableWebhook(db: Executor, id: string, reason: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE webhooks SET active = false, disabled_reason = $2, updated_at = $3 WHERE id = $1 AND active', [id, reason, now]);
  return rowCount > 0;
}

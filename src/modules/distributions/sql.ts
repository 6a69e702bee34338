import type { Executor } from '../../store/db.js';
import type { DistributionRow } from './types.js';

const columns = 'id, project_id, name, status, paused_reason, trigger, purpose, campaign_id, channel, created_at, updated_at';

export async function insertDistribution(db: Executor, d: DistributionRow): Promise<void> {
  await db.query(
    `INSERT INTO distributions (${columns}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::jsonb, $10, $11)`,
    [d.id, d.project_id, d.name, d.status, d.paused_reason, JSON.stringify(d.trigger), d.purpose, d.campaign_id, JSON.stringify(d.channel), d.created_at, d.updated_at],
  );
}

export async function updateDistribution(db: Executor, d: DistributionRow): Promise<void> {
  await db.query(
    `UPDATE distributions SET name = $3, status = $4, paused_reason = $5, trigger = $6::jsonb, purpose = $7, channel = $8::jsonb,
            updated_at = $9, campaign_id = $10 WHERE project_id = $1 AND id = $2`,
    [d.project_id, d.id, d.name, d.status, d.paused_reason, JSON.stringify(d.trigger), d.purpose, JSON.stringify(d.channel), d.updated_at, d.campaign_id],
  );
}

/** The distributions of a project whose trigger names the segment, whatever their status. */
export async function namingSegment(db: Executor, projectId: string, segmentId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM distributions WHERE project_id = $1 AND trigger->>'segment_id' = $2 ORDER BY created_at, id`, [projectId, segmentId]);
  return rows.map((r) => r.id);
}

export async function selectDistribution(db: Executor, projectId: string, id: string): Promise<DistributionRow | undefined> {
  const { rows } = await db.query<DistributionRow>(`SELECT ${columns} FROM distributions WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function selectDistributions(db: Executor, projectId: string): Promise<DistributionRow[]> {
  const { rows } = await db.query<DistributionRow>(`SELECT ${columns} FROM distributions WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
  return rows;
}

/** Live distributions of these projects (status TO SEND), oldest first. */
export async function selectLive(db: Executor, projectIds: string[]): Promise<DistributionRow[]> {
  const { rows } = await db.query<DistributionRow>(
    `SELECT ${columns} FROM distributions
      WHERE status = 'TO SEND' AND project_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))
      ORDER BY created_at, id`,
    [JSON.stringify(projectIds)],
  );
  return rows;
}

/** Distributions by id (delivery asks at send time), each with whether it is marked failing (webhooks' alerts). */
export async function selectByIds(db: Executor, ids: string[]): Promise<Array<DistributionRow & { failing: boolean }>> {
  const { rows } = await db.query<DistributionRow & { failing: boolean }>(
    `SELECT ${columns}, EXISTS (SELECT 1 FROM endpoint_alerts a WHERE a.source_id = distributions.id) AS failing
       FROM distributions WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
    [JSON.stringify(ids)],
  );
  return rows;
}

/** Clears a distribution's failing mark (webhooks' alerts): pausing or resuming it ends a failing episode. */
export async function clearFailingMark(db: Executor, id: string): Promise<void> {
  await db.query('DELETE FROM endpoint_alerts WHERE source_id = $1', [id]);
}

export async function deleteDistribution(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM distributions WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** Pauses a distribution that sends; false when it did not (already paused, or deleted). */
export async function pause(db: Executor, id: string, reason: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE distributions SET status = 'PAUSED', paused_reason = $2, updated_at = $3 WHERE id = $1 AND status = 'TO SEND'`, [id, reason, now]);
  return rowCount > 0;
}

/** The distributions whose custom event trigger names an event. */
export async function namingEvent(db: Executor, projectId: string, eventName: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM distributions WHERE project_id = $1 AND trigger->>'event' = $2 ORDER BY created_at, id`, [projectId, eventName]);
  return rows.map((r) => r.id);
}

import type { Executor } from '../../store/db.js';
import type { EventSchemaRow, PropertyDefinition } from './types.js';

const columns = 'id, project_id, name, properties, created_at, updated_at';

export async function insertSchema(db: Executor, s: EventSchemaRow): Promise<void> {
  await db.query(
    `INSERT INTO custom_event_schemas (${columns}) VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
    [s.id, s.project_id, s.name, JSON.stringify(s.properties), s.created_at, s.updated_at],
  );
}

export async function selectSchema(db: Executor, projectId: string, id: string): Promise<EventSchemaRow | undefined> {
  const { rows } = await db.query<EventSchemaRow>(
    `SELECT ${columns} FROM custom_event_schemas WHERE project_id = $1 AND id = $2`,
    [projectId, id],
  );
  return rows[0];
}

export async function selectSchemaByName(db: Executor, projectId: string, name: string): Promise<EventSchemaRow | undefined> {
  const { rows } = await db.query<EventSchemaRow>(
    `SELECT ${columns} FROM custom_event_schemas WHERE project_id = $1 AND name = $2`,
    [projectId, name],
  );
  return rows[0];
}

export async function selectSchemas(db: Executor, projectId: string): Promise<EventSchemaRow[]> {
  const { rows } = await db.query<EventSchemaRow>(
    `SELECT ${columns} FROM custom_event_schemas WHERE project_id = $1 ORDER BY created_at, id`,
    [projectId],
  );
  return rows;
}

export async function updateProperties(
  db: Executor,
  projectId: string,
  id: string,
  properties: Record<string, PropertyDefinition>,
  now: Date,
): Promise<EventSchemaRow | undefined> {
  const { rows } = await db.query<EventSchemaRow>(
    `UPDATE custom_event_schemas SET properties = $3::jsonb, updated_at = $4 WHERE project_id = $1 AND id = $2
     RETURNING ${columns}`,
    [projectId, id, JSON.stringify(properties), now],
  );
  return rows[0];
}

export async function deleteSchema(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM custom_event_schemas WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** Locks the schema of an event name (SHARE: held by a definition naming it; UPDATE: being deleted); false when none. */
export async function lockSchemaByName(tx: Executor, projectId: string, name: string, mode: 'UPDATE' | 'SHARE'): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>(`SELECT id FROM custom_event_schemas WHERE project_id = $1 AND name = $2 FOR ${mode === 'UPDATE' ? 'UPDATE' : 'SHARE'}`, [projectId, name]);
  return rows.length > 0;
}

/** Locks a schema by id for its deletion; undefined when there is none. */
export async function lockSchema(tx: Executor, projectId: string, id: string): Promise<EventSchemaRow | undefined> {
  const { rows } = await tx.query<EventSchemaRow>(`SELECT ${columns} FROM custom_event_schemas WHERE project_id = $1 AND id = $2 FOR UPDATE`, [projectId, id]);
  return rows[0];
}

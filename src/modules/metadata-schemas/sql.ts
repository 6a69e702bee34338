import type { Executor } from '../../store/db.js';
import type { MetadataSchemaRow } from './types.js';

const columns = 'id, project_id, related_object, allow_defined_only, properties, created_at, updated_at';

export async function insertSchema(db: Executor, s: MetadataSchemaRow): Promise<void> {
  await db.query(`INSERT INTO metadata_schemas (${columns}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`, [
    s.id,
    s.project_id,
    s.related_object,
    s.allow_defined_only,
    JSON.stringify(s.properties),
    s.created_at,
    s.updated_at,
  ]);
}

export async function updateSchema(db: Executor, s: MetadataSchemaRow): Promise<void> {
  const params = [s.project_id, s.id, s.allow_defined_only, JSON.stringify(s.properties), s.updated_at];
  await db.query('UPDATE metadata_schemas SET allow_defined_only = $3, properties = $4::jsonb, updated_at = $5 WHERE project_id = $1 AND id = $2', params);
}

/** By id or by related_object. */
export async function selectSchema(db: Executor, projectId: string, key: string): Promise<MetadataSchemaRow | undefined> {
  const { rows } = await db.query<MetadataSchemaRow>(
    `SELECT ${columns} FROM metadata_schemas WHERE project_id = $1 AND (id = $2 OR related_object = $2) ORDER BY (id = $2) DESC LIMIT 1`,
    [projectId, key],
  );
  return rows[0];
}

export async function selectSchemas(db: Executor, projectId: string): Promise<MetadataSchemaRow[]> {
  const { rows } = await db.query<MetadataSchemaRow>(`SELECT ${columns} FROM metadata_schemas WHERE project_id = $1 ORDER BY created_at, id`, [projectId]);
  return rows;
}

export async function deleteSchema(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM metadata_schemas WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** Every schema of these projects (the per-process cache's load). */
export async function selectForProjects(db: Executor, projectIds: string[]): Promise<MetadataSchemaRow[]> {
  const { rows } = await db.query<MetadataSchemaRow>(`SELECT ${columns} FROM metadata_schemas WHERE project_id = ANY ($1::text[])`, [projectIds]);
  return rows;
}

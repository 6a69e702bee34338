import type { Executor } from '../../store/db.js';
import type { ExportRow } from './types.js';

const columns = 'id, project_id, exported_object, parameters, status, channel, token, position, row_count, chunk_count, error, created_at, updated_at';

export async function insertExport(db: Executor, e: ExportRow): Promise<void> {
  await db.query(
    `INSERT INTO exports (${columns}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, NULL, 0, 0, NULL, $8, NULL)`,
    [e.id, e.project_id, e.exported_object, JSON.stringify(e.parameters), e.status, e.channel, e.token, e.created_at],
  );
}

export async function selectExport(db: Executor, projectId: string | null, id: string): Promise<ExportRow | undefined> {
  const { rows } = await db.query<ExportRow>(`SELECT ${columns} FROM exports WHERE id = $1 AND ($2::text IS NULL OR project_id = $2)`, [id, projectId]);
  return rows[0];
}

/** By creation, or by status name (newest first within a status). */
export async function selectExports(db: Executor, projectId: string, p: { offset: number; limit: number; by: 'created_at' | 'status'; descending: boolean }): Promise<{ rows: ExportRow[]; total: number }> {
  const dir = p.descending ? 'DESC' : 'ASC';
  const orderBy = p.by === 'status' ? `status ${dir}, created_at DESC, id DESC` : `created_at ${dir}, id ${dir}`;
  const [{ rows }, count] = await Promise.all([
    db.query<ExportRow>(`SELECT ${columns} FROM exports WHERE project_id = $1 ORDER BY ${orderBy} OFFSET $2 LIMIT $3`, [projectId, p.offset, p.limit]),
    db.query<{ n: string }>('SELECT count(*) AS n FROM exports WHERE project_id = $1', [projectId]),
  ]);
  return { rows, total: Number(count.rows[0]?.n ?? 0) };
}

export async function deleteExport(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM exports WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** The oldest export still to build, locked for this step (other workers skip it). */
export async function claimPending(db: Executor): Promise<ExportRow | undefined> {
  const { rows } = await db.query<ExportRow>(
    `SELECT ${columns} FROM exports WHERE status IN ('SCHEDULED', 'IN_PROGRESS') ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
  return rows[0];
}

export async function insertChunk(db: Executor, exportId: string, seq: number, content: string): Promise<void> {
  await db.query('INSERT INTO export_chunks (export_id, seq, content) VALUES ($1, $2, $3)', [exportId, seq, content]);
}

export async function saveProgress(db: Executor, e: Pick<ExportRow, 'id' | 'status' | 'position' | 'row_count' | 'chunk_count' | 'error' | 'updated_at'>): Promise<void> {
  await db.query('UPDATE exports SET status = $2, position = $3::jsonb, row_count = $4, chunk_count = $5, error = $6, updated_at = $7 WHERE id = $1', [
    e.id,
    e.status,
    e.position === null ? null : JSON.stringify(e.position),
    e.row_count,
    e.chunk_count,
    e.error,
    e.updated_at,
  ]);
}

/** The file's chunks from `seq` on, a few at a time (a download streams them). */
export async function selectChunks(db: Executor, exportId: string, fromSeq: number, count: number): Promise<Array<{ seq: number; content: string }>> {
  const { rows } = await db.query<{ seq: number; content: string }>('SELECT seq, content FROM export_chunks WHERE export_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3', [exportId, fromSeq, count]);
  return rows;
}

import type { Executor } from '../../store/db.js';
import type { ApiCall, ApiCallFilter } from './types.js';

const columns = 'id, project_id, request_id, method, path, route, status, error_key, channel, app_id, ip, duration_ms, request_body, response_body, created_at';

/** One statement for a batch of calls (column arrays unnested); calls of a project deleted meanwhile are dropped. */
export async function insertCalls(db: Executor, calls: ApiCall[]): Promise<void> {
  const col = <K extends keyof ApiCall>(k: K) => calls.map((c) => c[k]);
  await db.query(
    `INSERT INTO api_calls (${columns})
     SELECT u.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::text[],
                            $10::text[], $11::text[], $12::int[], $13::text[], $14::text[], $15::timestamptz[])
              AS u (${columns})
     WHERE EXISTS (SELECT 1 FROM projects p WHERE p.id = u.project_id)`,
    [
      col('id'), col('project_id'), col('request_id'), col('method'), col('path'), col('route'), col('status'), col('error_key'), col('channel'),
      col('app_id'), col('ip'), col('duration_ms'), col('request_body'), col('response_body'), col('created_at'),
    ],
  );
}

export async function selectCalls(db: Executor, f: ApiCallFilter): Promise<ApiCall[]> {
  const where = ['project_id = $1'];
  const params: unknown[] = [f.projectId];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.startingAfterId !== undefined) add('id < ?', f.startingAfterId);
  if (f.requestId !== undefined) add('request_id = ?', f.requestId);
  if (f.method !== undefined) add('method = ?', f.method);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.statusClass !== undefined) add('status / 100 = ?', f.statusClass);
  if (f.errorKey !== undefined) add('error_key = ?', f.errorKey);
  if (f.channel !== undefined) add('channel = ?', f.channel);
  if (f.appId !== undefined) add('app_id = ?', f.appId);
  if (f.pathPrefix !== undefined) add("path LIKE ? ESCAPE '\\'", `${f.pathPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (f.createdAfter !== undefined) add('created_at > ?', f.createdAfter);
  if (f.createdBefore !== undefined) add('created_at < ?', f.createdBefore);
  params.push(f.limit);
  const { rows } = await db.query<ApiCall>(
    `SELECT ${columns} FROM api_calls WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export async function selectCall(db: Executor, projectId: string, id: string): Promise<ApiCall | undefined> {
  const { rows } = await db.query<ApiCall>(`SELECT ${columns} FROM api_calls WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

export async function deleteCallsBefore(db: Executor, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM api_calls WHERE id IN (SELECT id FROM api_calls WHERE created_at < $1 ORDER BY created_at LIMIT $2)',
    [before, limit],
  );
  return rowCount;
}

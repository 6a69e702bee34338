import type { ValueFilter } from '../../core/list-filters.js';
import type { Executor } from '../../store/db.js';
import { filterConditions } from '../../store/list-filters.js';
import type { TemplateRow } from './types.js';

const columns = 'id, project_id, name, description, campaign_type, definition, rules, created_at, updated_at';

/** False when the project has a template of that name already. */
export async function insertTemplate(db: Executor, t: TemplateRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO campaign_templates (${columns}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9)
     ON CONFLICT ON CONSTRAINT campaign_templates_name_unique DO NOTHING`,
    [t.id, t.project_id, t.name, t.description, t.campaign_type, JSON.stringify(t.definition), JSON.stringify(t.rules), t.created_at, t.updated_at],
  );
  return rowCount > 0;
}

export async function selectTemplate(db: Executor, projectId: string, id: string): Promise<TemplateRow | undefined> {
  const { rows } = await db.query<TemplateRow>(`SELECT ${columns} FROM campaign_templates WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

/** The name and description changed; undefined when there is no such template. */
export async function updateTemplate(db: Executor, t: Pick<TemplateRow, 'id' | 'project_id' | 'name' | 'description' | 'updated_at'>): Promise<TemplateRow | undefined> {
  const { rows } = await db.query<TemplateRow>(
    `UPDATE campaign_templates SET name = $3, description = $4, updated_at = $5 WHERE project_id = $1 AND id = $2 RETURNING ${columns}`,
    [t.project_id, t.id, t.name, t.description, t.updated_at],
  );
  return rows[0];
}

export async function deleteTemplate(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM campaign_templates WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** `filters[id|name|campaign_type]` of the templates list. */
export type TemplateFilter = Partial<Record<'id' | 'name' | 'campaign_type', ValueFilter>>;

/** A page by id (the cursor is the last id seen) and, when asked, how many templates the filter matches. */
export async function selectPage(
  db: Executor,
  projectId: string,
  q: { limit: number; descending: boolean; afterId?: string; filter: TemplateFilter; withTotal: boolean },
): Promise<{ rows: TemplateRow[]; total?: number }> {
  const params: unknown[] = [projectId];
  const param = (v: unknown) => `$${params.push(v)}`;
  const where = ['project_id = $1', ...filterConditions({ id: 'id', name: 'name', campaign_type: 'campaign_type' }, q.filter, param)].join(' AND ');
  const counted = [...params];
  const cursor = q.afterId !== undefined ? ` AND id ${q.descending ? '<' : '>'} ${param(q.afterId)}` : '';
  const page = await db.query<TemplateRow>(
    `SELECT ${columns} FROM campaign_templates WHERE ${where}${cursor} ORDER BY id ${q.descending ? 'DESC' : 'ASC'} LIMIT ${param(q.limit + 1)}`,
    params,
  );
  if (!q.withTotal) return { rows: page.rows };
  const count = await db.query<{ n: string }>(`SELECT count(*) AS n FROM campaign_templates WHERE ${where}`, counted);
  return { rows: page.rows, total: Number(count.rows[0]?.n ?? 0) };
}

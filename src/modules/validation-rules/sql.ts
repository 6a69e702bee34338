import type { Executor } from '../../store/db.js';
import type { AssignmentRow, ValidationRuleRow } from './types.js';

const ruleColumns = `r.id, r.project_id, r.name, r.type, r.context_type, r.rules, r.bundle_rules, r.error, r.applicable_to, r.created_at, r.updated_at,
  (SELECT count(*)::int FROM validation_rule_assignments a WHERE a.rule_id = r.id) AS assignments_count`;

export async function selectRule(db: Executor, projectId: string, id: string, lock = false): Promise<ValidationRuleRow | undefined> {
  const { rows } = await db.query<ValidationRuleRow>(`SELECT ${ruleColumns} FROM validation_rules r WHERE r.project_id = $1 AND r.id = $2${lock ? ' FOR UPDATE' : ''}`, [projectId, id]);
  return rows[0];
}

/** Rules by id (those that exist), for evaluating what is assigned to an object. */
export async function selectRules(db: Executor, projectId: string, ids: string[]): Promise<ValidationRuleRow[]> {
  const { rows } = await db.query<ValidationRuleRow>(
    `SELECT ${ruleColumns} FROM validation_rules r WHERE r.project_id = $1 AND r.id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb))) ORDER BY r.id`,
    [projectId, JSON.stringify(ids)],
  );
  return rows;
}

const values = (r: ValidationRuleRow) => [
  r.id,
  r.project_id,
  r.name,
  r.type,
  r.context_type,
  JSON.stringify(r.rules),
  r.bundle_rules === null ? null : JSON.stringify(r.bundle_rules),
  r.error === null ? null : JSON.stringify(r.error),
  JSON.stringify(r.applicable_to),
  r.created_at,
  r.updated_at,
];

/** False when the name is taken. */
export async function insertRule(db: Executor, r: ValidationRuleRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO validation_rules (id, project_id, name, type, context_type, rules, bundle_rules, error, applicable_to, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11) ON CONFLICT (project_id, name) DO NOTHING`,
    values(r),
  );
  return rowCount === 1;
}

export async function updateRule(db: Executor, r: ValidationRuleRow): Promise<void> {
  await db.query(
    `UPDATE validation_rules SET name = $3, type = $4, context_type = $5, rules = $6::jsonb, bundle_rules = $7::jsonb, error = $8::jsonb,
       applicable_to = $9::jsonb, created_at = $10, updated_at = $11 WHERE id = $1 AND project_id = $2`,
    values(r),
  );
}

export async function deleteRule(db: Executor, projectId: string, id: string): Promise<void> {
  await db.query('DELETE FROM validation_rules WHERE project_id = $1 AND id = $2', [projectId, id]);
}

/** Rules created within [from, to] (either end open). */
const createdWithin = 'r.project_id = $1 AND ($2::timestamptz IS NULL OR r.created_at >= $2) AND ($3::timestamptz IS NULL OR r.created_at <= $3)';

export async function selectRulePage(db: Executor, projectId: string, p: { column: 'created_at' | 'updated_at' | 'name'; ascending: boolean; from?: Date; to?: Date; offset: number; limit: number }): Promise<ValidationRuleRow[]> {
  const dir = p.ascending ? 'ASC' : 'DESC';
  const column = p.column === 'updated_at' ? 'COALESCE(r.updated_at, r.created_at)' : `r.${p.column}`;
  const { rows } = await db.query<ValidationRuleRow>(
    `SELECT ${ruleColumns} FROM validation_rules r WHERE ${createdWithin} ORDER BY ${column} ${dir}, r.id ${dir} OFFSET $4 LIMIT $5`,
    [projectId, p.from ?? null, p.to ?? null, p.offset, p.limit],
  );
  return rows;
}

export async function countRules(db: Executor, projectId: string, p: { from?: Date; to?: Date } = {}): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM validation_rules r WHERE ${createdWithin}`, [projectId, p.from ?? null, p.to ?? null]);
  return rows[0]!.n;
}

/** False when the rule already has this object. */
export async function insertAssignment(db: Executor, a: AssignmentRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO validation_rule_assignments (id, project_id, rule_id, related_object_type, related_object_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (rule_id, related_object_type, related_object_id) DO NOTHING`,
    [a.id, a.project_id, a.rule_id, a.related_object_type, a.related_object_id, a.created_at],
  );
  return rowCount === 1;
}

export async function deleteAssignmentOf(db: Executor, ruleId: string, type: string, objectId: string): Promise<AssignmentRow | undefined> {
  const { rows } = await db.query<AssignmentRow>(
    'DELETE FROM validation_rule_assignments WHERE rule_id = $1 AND related_object_type = $2 AND related_object_id = $3 RETURNING *',
    [ruleId, type, objectId],
  );
  return rows[0];
}

export async function deleteAssignment(db: Executor, ruleId: string, id: string): Promise<AssignmentRow | undefined> {
  const { rows } = await db.query<AssignmentRow>('DELETE FROM validation_rule_assignments WHERE rule_id = $1 AND id = $2 RETURNING *', [ruleId, id]);
  return rows[0];
}

export interface AssignmentFilter {
  projectId: string;
  ruleId?: string;
  relatedObjectId?: string;
  ascending: boolean;
  offset: number;
  limit: number;
}

export async function selectAssignments(db: Executor, f: AssignmentFilter): Promise<{ rows: AssignmentRow[]; total: number }> {
  const dir = f.ascending ? 'ASC' : 'DESC';
  const where = `project_id = $1 AND ($2::text IS NULL OR rule_id = $2) AND ($3::text IS NULL OR related_object_id = $3)`;
  const params = [f.projectId, f.ruleId ?? null, f.relatedObjectId ?? null];
  const { rows } = await db.query<AssignmentRow>(
    `SELECT * FROM validation_rule_assignments WHERE ${where} ORDER BY created_at ${dir}, id ${dir} OFFSET $4 LIMIT $5`,
    [...params, f.offset, f.limit],
  );
  const { rows: n } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM validation_rule_assignments WHERE ${where}`, params);
  return { rows, total: n[0]!.n };
}

/** The rules assigned to objects (by type and id), for the validations that evaluate them. */
export async function selectAssignedTo(db: Executor, projectId: string, objects: { type: string; id: string }[]): Promise<AssignmentRow[]> {
  if (objects.length === 0) return [];
  const { rows } = await db.query<AssignmentRow>(
    `SELECT a.* FROM validation_rule_assignments a
       JOIN jsonb_to_recordset($2::jsonb) AS o(type text, id text) ON a.related_object_type = o.type AND a.related_object_id = o.id
      WHERE a.project_id = $1 ORDER BY a.created_at, a.id`,
    [projectId, JSON.stringify(objects)],
  );
  return rows;
}

/** A project's assignments in assignment order, at most `limit` (the per-process copy of a validation's rules). */
export async function selectProjectAssignments(db: Executor, projectId: string, limit: number): Promise<AssignmentRow[]> {
  const { rows } = await db.query<AssignmentRow>(`SELECT a.* FROM validation_rule_assignments a WHERE a.project_id = $1 ORDER BY a.created_at, a.id LIMIT $2`, [projectId, limit]);
  return rows;
}

/** The rules of a project whose text names this id (the caller checks where: a candidate list). */
export async function selectRulesMentioning(db: Executor, projectId: string, text: string): Promise<ValidationRuleRow[]> {
  const { rows } = await db.query<ValidationRuleRow>(`SELECT ${ruleColumns} FROM validation_rules r WHERE r.project_id = $1 AND strpos(r.rules::text, $2) > 0 ORDER BY r.id`, [projectId, text]);
  return rows;
}

import type { Executor, Statement } from '../../store/db.js';
import type { PublicationRow } from './types.js';

const columns = 'id, project_id, customer_id, campaign_id, vouchers, source_id, channel, metadata, created_at';

export async function insertPublication(db: Executor, p: PublicationRow): Promise<void> {
  await db.query(
    `INSERT INTO publications (${columns}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9)`,
    [p.id, p.project_id, p.customer_id, p.campaign_id, JSON.stringify(p.vouchers), p.source_id, p.channel, JSON.stringify(p.metadata), p.created_at],
    { prepare: true },
  );
}

/**
 * Several publications in one statement (a group-committed batch), for the event-log insert to carry: no deriver
 * reads publications, so they wait for it.
 */
export function publicationsInsert(ps: PublicationRow[]): Statement {
  return {
    late: true,
    text: (first) => `INSERT INTO publications (${columns})
     SELECT p->>'id', p->>'project_id', p->>'customer_id', p->>'campaign_id', p->'vouchers', p->>'source_id', p->>'channel', p->'metadata', (p->>'created_at')::timestamptz
       FROM jsonb_array_elements($${first}::jsonb) AS p`,
    params: [JSON.stringify(ps)],
  };
}

export async function selectBySourceId(db: Executor, projectId: string, sourceId: string): Promise<PublicationRow | undefined> {
  const { rows } = await db.query<PublicationRow>(`SELECT ${columns} FROM publications WHERE project_id = $1 AND source_id = $2`, [projectId, sourceId]);
  return rows[0];
}

export async function selectById(db: Executor, id: string): Promise<PublicationRow | undefined> {
  const { rows } = await db.query<PublicationRow>(`SELECT ${columns} FROM publications WHERE id = $1`, [id]);
  return rows[0];
}

/**
 * join_once: takes the customer's place in the campaign for a publication. A concurrent publication for the same
 * customer waits on the conflicting row and, once that one commits, gets nothing: it returns the first one's.
 */
export async function joinCampaign(db: Executor, campaignId: string, customerId: string, publicationId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO campaign_joins (campaign_id, customer_id, publication_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [campaignId, customerId, publicationId],
    { prepare: true },
  );
  return rowCount > 0;
}

export async function joinedPublication(db: Executor, campaignId: string, customerId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ publication_id: string }>('SELECT publication_id FROM campaign_joins WHERE campaign_id = $1 AND customer_id = $2', [campaignId, customerId]);
  return rows[0]?.publication_id;
}

export interface PublicationFilter {
  projectId: string;
  campaignId?: string;
  customerId?: string;
  voucherId?: string;
  sourceId?: string;
}

export async function selectPage(db: Executor, f: PublicationFilter, page: { ascending: boolean; offset: number; limit: number }): Promise<{ rows: PublicationRow[]; total: number }> {
  const params: unknown[] = [f.projectId];
  const parts = ['project_id = $1'];
  const add = (part: (p: string) => string, v: unknown) => {
    params.push(v);
    parts.push(part(`$${params.length}`));
  };
  if (f.campaignId !== undefined) add((p) => `campaign_id = ${p}`, f.campaignId);
  if (f.customerId !== undefined) add((p) => `customer_id = ${p}`, f.customerId);
  if (f.sourceId !== undefined) add((p) => `source_id = ${p}`, f.sourceId);
  if (f.voucherId !== undefined) add((p) => `vouchers @> ${p}::jsonb`, JSON.stringify([{ id: f.voucherId }]));
  const where = parts.join(' AND ');
  const dir = page.ascending ? 'ASC' : 'DESC';
  const { rows } = await db.query<PublicationRow>(
    `SELECT ${columns} FROM publications WHERE ${where} ORDER BY created_at ${dir}, id ${dir} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.limit, page.offset],
  );
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM publications WHERE ${where}`, params);
  return { rows, total: count.rows[0]!.n };
}

/** The customer's oldest active code of this campaign (a gift card or loyalty card they hold), if any. */
export async function selectHeldCode(db: Executor, projectId: string, customerId: string, campaignId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM vouchers WHERE project_id = $1 AND holder_id = $2 AND campaign_id = $3 AND active ORDER BY created_at, id LIMIT 1',
    [projectId, customerId, campaignId],
  );
  return rows[0]?.id;
}

import type { ValueFilter } from '../../core/list-filters.js';
import type { Executor, Statement } from '../../store/db.js';
import { filterConditions } from '../../store/list-filters.js';
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
  /** `discount` or `loyalty`: the type of the published code. */
  voucherType?: string;
  isReferralCode?: boolean;
  filters?: Record<string, ValueFilter | undefined>;
}

/** The type of a publication's (first) code, as GET /v1/publications names it. */
const voucherTypeOf = "(SELECT CASE v.type WHEN 'LOYALTY_CARD' THEN 'loyalty' WHEN 'DISCOUNT_VOUCHER' THEN 'discount' ELSE lower(v.type) END FROM vouchers v WHERE v.id = (p.vouchers -> 0 ->> 'id'))";
const referralOf = "coalesce((SELECT c.campaign_type = 'REFERRAL_PROGRAM' FROM campaigns c WHERE c.id = p.campaign_id), false)";
/** What each `filters[...]` field and `order` key reads of a publication (p). */
const listedColumns: Record<string, string> = {
  failure_code: 'NULL::text',
  result: "'SUCCESS'::text",
  customer_id: 'p.customer_id',
  campaign_name: '(SELECT c.name FROM campaigns c WHERE c.id = p.campaign_id)',
  voucher_type: voucherTypeOf,
  is_referral_code: `(${referralOf})::text`,
  parent_object_id: 'p.campaign_id',
  related_object_id: "(p.vouchers -> 0 ->> 'id')",
  source_id: 'p.source_id',
  id: 'p.id',
  created_at: 'p.created_at',
  voucher_code: "(p.vouchers -> 0 ->> 'code')",
  tracking_id: '(SELECT cu.source_id FROM customers cu WHERE cu.id = p.customer_id)',
  channel: 'p.channel',
};

export async function selectPage(db: Executor, f: PublicationFilter, page: { order?: string; offset: number; limit: number }): Promise<{ rows: PublicationRow[]; total: number }> {
  const params: unknown[] = [f.projectId];
  const param = (v: unknown) => `$${params.push(v)}`;
  const parts = ['p.project_id = $1'];
  if (f.campaignId !== undefined) parts.push(`p.campaign_id = ${param(f.campaignId)}`);
  if (f.customerId !== undefined) parts.push(`p.customer_id = ${param(f.customerId)}`);
  if (f.sourceId !== undefined) parts.push(`p.source_id = ${param(f.sourceId)}`);
  if (f.voucherId !== undefined) parts.push(`p.vouchers @> ${param(JSON.stringify([{ id: f.voucherId }]))}::jsonb`);
  if (f.voucherType !== undefined) parts.push(`${voucherTypeOf} = ${param(f.voucherType)}`);
  if (f.isReferralCode !== undefined) parts.push(`${referralOf} = ${param(f.isReferralCode)}`);
  parts.push(...filterConditions(listedColumns, f.filters ?? {}, param));
  const where = parts.join(' AND ');
  const order = page.order ?? '-created_at';
  const dir = order.startsWith('-') ? 'DESC' : 'ASC';
  const sort = listedColumns[order.replace(/^-/, '')] ?? 'p.created_at';
  const { rows } = await db.query<PublicationRow>(
    `SELECT ${columns.split(/,\s*/).map((c) => `p.${c}`).join(', ')} FROM publications p WHERE ${where}
      ORDER BY ${sort} ${dir} NULLS LAST, p.id ${dir} LIMIT ${param(page.limit)} OFFSET ${param(page.offset)}`,
    params,
  );
  const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM publications p WHERE ${where}`, params.slice(0, params.length - 2));
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

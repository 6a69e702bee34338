import type { Executor } from '../../store/db.js';
import type { EventRecord, EventSource } from './types.js';

interface Row {
  seq: string | number;
  id: string;
  project_id: string;
  type: string;
  customer_id: string | null;
  entity_id: string | null;
  data: Record<string, unknown>;
  event_source: EventSource;
  group_id: string;
  created_at: Date;
}

/**
 * A record stores its customer once per batch: a later record of the batch with the same customer state keeps
 * `{"$ref": <id of the first>}` in its place (see insertEvents). Reads put the customer back.
 */
const dataColumn = `CASE WHEN e.data -> 'customer' ? '$ref'
  THEN jsonb_set(e.data, '{customer}', COALESCE((SELECT r.data -> 'customer' FROM event_log r WHERE r.id = e.data #>> '{customer,$ref}'), 'null'::jsonb))
  ELSE e.data END AS data`;

const aliasedColumns = `e.seq::text AS seq, e.id, e.project_id, e.type, e.customer_id, e.entity_id, ${dataColumn}, e.event_source, e.group_id, e.created_at`;

function toRecord(r: Row): EventRecord {
  return {
    seq: String(r.seq),
    id: r.id,
    projectId: r.project_id,
    type: r.type,
    customerId: r.customer_id,
    entityId: r.entity_id,
    data: r.data,
    eventSource: r.event_source,
    groupId: r.group_id,
    createdAt: r.created_at,
  };
}

/**
 * Inserts many events in one statement; returns them with their seq, in input order. A customer object that an
 * earlier record of the batch carries too (the same object, as segment events share their cause's) is stored
 * once: later records keep a reference to the first (read back by selectActivity).
 */
export async function insertEvents(db: Executor, records: Omit<EventRecord, 'seq'>[]): Promise<EventRecord[]> {
  const firstWith = new Map<unknown, string>();
  const stored = (r: Omit<EventRecord, 'seq'>) => {
    const customer = r.data.customer;
    if (typeof customer !== 'object' || customer === null) return r.data;
    const first = firstWith.get(customer);
    if (first === undefined) {
      firstWith.set(customer, r.id);
      return r.data;
    }
    return { ...r.data, customer: { $ref: first } };
  };
  const payload = records.map((r) => ({
    id: r.id,
    project_id: r.projectId,
    type: r.type,
    customer_id: r.customerId,
    entity_id: r.entityId,
    data: stored(r),
    event_source: r.eventSource,
    group_id: r.groupId,
    created_at: r.createdAt.toISOString(),
  }));
  // Only the generated seq comes back: the rest is what was sent.
  const { rows } = await db.query<{ id: string; seq: string }>(
    `INSERT INTO event_log (id, project_id, type, customer_id, entity_id, data, event_source, group_id, created_at)
     SELECT v->>'id', v->>'project_id', v->>'type', v->>'customer_id', v->>'entity_id', v->'data', v->'event_source',
            v->>'group_id', (v->>'created_at')::timestamptz
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(v, n)
      ORDER BY x.n
     RETURNING id, seq::text AS seq`,
    [JSON.stringify(payload)],
  );
  const seqs = new Map(rows.map((r) => [r.id, r.seq]));
  return records.map((r) => ({ ...r, seq: seqs.get(r.id)! }));
}

export interface ActivityFilter {
  projectId: string;
  customerId: string;
  types?: string[];
  excludeTypes?: string[];
  startDate?: Date;
  endDate?: Date;
  campaignId?: string;
  ascending: boolean;
  afterId?: string;
  limit: number;
}

/** A page of a customer's activity, ordered by (created_at, seq); fetches limit + 1 to tell has_more. */
export async function selectActivity(db: Executor, f: ActivityFilter): Promise<EventRecord[]> {
  const where = ['e.project_id = $1', 'e.customer_id = $2'];
  const params: unknown[] = [f.projectId, f.customerId];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.types) add((p) => `e.type IN (SELECT jsonb_array_elements_text(${p}::jsonb))`, JSON.stringify(f.types));
  if (f.excludeTypes) {
    add((p) => `e.type NOT IN (SELECT jsonb_array_elements_text(${p}::jsonb))`, JSON.stringify(f.excludeTypes));
  }
  if (f.startDate) add((p) => `e.created_at >= ${p}`, f.startDate);
  if (f.endDate) add((p) => `e.created_at <= ${p}`, f.endDate);
  if (f.campaignId) add((p) => `e.data #>> '{campaign,id}' = ${p}`, f.campaignId);
  const cmp = f.ascending ? '>' : '<';
  if (f.afterId) {
    add(
      (p) => `(e.created_at, e.seq) ${cmp} (SELECT c.created_at, c.seq FROM event_log c WHERE c.id = ${p} AND c.project_id = $1)`,
      f.afterId,
    );
  }
  const dir = f.ascending ? 'ASC' : 'DESC';
  params.push(f.limit + 1);
  const { rows } = await db.query<Row>(
    `SELECT ${aliasedColumns} FROM event_log e
      WHERE ${where.join(' AND ')} ORDER BY e.created_at ${dir}, e.seq ${dir} LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRecord);
}

export async function eventExists(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM event_log WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rows.length > 0;
}

import { withStatements, type Executor, type Statement } from '../../store/db.js';
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
 * How records are stored, to keep a busy event log small:
 * - A record stores its customer once per batch: a later row of the batch with the same customer state keeps
 *   `{"$ref": <id of the first>}` in its place. Reads put the customer back.
 * - The records one change caused for one customer (consecutive records of one customer, cause and time, with the
 *   same customer state: segment entries and exits, points earned and the reward announced, a publication and its
 *   holder) share one row, a pack: `data` is `{"customer": ..., "$pack": [{id, type, entity_id, data}, ...]}`, and
 *   the row takes the first record's id, type and entity. Ten segment changes then write one row and its index
 *   entries, not ten. Reads list a pack's records one by one, ordered by (created_at,
 *   seq, position in the pack). Event ids carry their creation time (newEventId), so a record inside a pack is found
 *   through the customer's index at that time.
 * - A pack member whose data is exactly a simple segment (`{segment: {id: <entity>, name, object: "segment"}}`, what
 *   segment events carry) is stored as `[id, "entered" | "left", segment id, segment name]`: a change's ten
 *   segment records then take a third of the bytes and stay under the size PostgreSQL would compress. Any other
 *   member keeps the object form; reads take both. An object member leaves out what an earlier member of its pack
 *   carries under the same key (`$same`: {key: position}), as points earned and the reward announced share their
 *   card, program and balance.
 * - A tracked event leads the pack of what it caused for its customer (see `leads`): an event that earns points
 *   writes one row.
 */
/** Records that never join a pack: what a caller did (the activity's ACTION records). */
const unpacked = new Set(['customer.created', 'customer.updated', 'customer.deleted', 'customer.custom_event']);
/**
 * ACTION records that may lead a pack: a tracked event and what it caused for its customer in the same
 * transaction (points earned, segments entered) share its row, so an earning event writes one row, not two.
 */
const leads = new Set(['customer.custom_event']);

/** A pack member's id, in either of its forms (an object, or the array of a simple segment record). */
const memberId = (v: string) => `coalesce(${v} ->> 'id', ${v} ->> 0)`;

/** A stored row's records, one per pack member or the row itself: (ord, id, type, entity_id, data). */
const expanded = `CROSS JOIN LATERAL (
    SELECT m.ord, ${memberId('m.v')} AS id, coalesce(m.v ->> 'type', 'customer.segment.' || (m.v ->> 1)) AS type,
           coalesce(m.v ->> 'entity_id', m.v ->> 2) AS entity_id,
           jsonb_set(CASE WHEN jsonb_typeof(m.v) = 'array'
                          THEN jsonb_build_object('segment', jsonb_build_object('id', m.v ->> 2, 'name', m.v ->> 3, 'object', 'segment'))
                          WHEN m.v ? '$same'
                          THEN (m.v -> 'data') || (SELECT jsonb_object_agg(s.key, e.data -> '$pack' -> ((s.value #>> '{}')::int) -> 'data' -> s.key)
                                                     FROM jsonb_each(m.v -> '$same') AS s)
                          ELSE m.v -> 'data' END, '{customer}', e.data -> 'customer') AS data
      FROM jsonb_array_elements(CASE WHEN e.data ? '$pack' THEN e.data -> '$pack' ELSE '[]'::jsonb END) WITH ORDINALITY AS m(v, ord)
    UNION ALL
    SELECT 0::bigint, e.id, e.type, e.entity_id, e.data WHERE NOT e.data ? '$pack'
  ) x`;

/** The record's data with its customer put back where the row kept a reference. */
const dataColumn = `CASE WHEN x.data -> 'customer' ? '$ref'
  THEN jsonb_set(x.data, '{customer}', COALESCE((SELECT r.data -> 'customer' FROM event_log r WHERE r.id = x.data #>> '{customer,$ref}'), 'null'::jsonb))
  ELSE x.data END AS data`;

const aliasedColumns = `e.seq::text AS seq, x.id, e.project_id, x.type, e.customer_id, x.entity_id, ${dataColumn}, e.event_source, e.group_id, e.created_at`;

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

type NewRecord = Omit<EventRecord, 'seq'>;

/** Whether b can join the pack that a (the previous record) is in or starts. */
function packsWith(a: NewRecord, b: NewRecord): boolean {
  return (
    (!unpacked.has(a.type) || leads.has(a.type)) &&
    !unpacked.has(b.type) &&
    a.customerId !== null &&
    typeof a.data.customer === 'object' &&
    a.data.customer !== null &&
    a.customerId === b.customerId &&
    a.projectId === b.projectId &&
    a.groupId === b.groupId &&
    a.createdAt.getTime() === b.createdAt.getTime() &&
    a.data.customer === b.data.customer &&
    (a.eventSource === b.eventSource || JSON.stringify(a.eventSource) === JSON.stringify(b.eventSource))
  );
}

const segmentRecord = /^customer\.segment\.(entered|left)$/;

/**
 * A pack's records as its members: the array of a simple segment record, or {id, type, entity_id, data}, where a
 * value an earlier object member carries under the same key (the same object: points earned and the reward
 * announced share their card, program and balance) is left out and named in `$same` by that member's position.
 */
function packMembers(members: NewRecord[]): unknown[] {
  const objects: Array<Record<string, unknown> | undefined> = [];
  return members.map((m) => {
    const { customer: _shared, ...rest } = m.data;
    const kind = segmentRecord.exec(m.type)?.[1];
    const seg = rest.segment as Record<string, unknown> | undefined;
    if (kind && Object.keys(rest).length === 1 && seg && typeof seg === 'object' && Object.keys(seg).length === 3
        && seg.id === m.entityId && typeof seg.name === 'string' && seg.object === 'segment') {
      objects.push(undefined);
      return [m.id, kind, m.entityId, seg.name];
    }
    const data: Record<string, unknown> = {};
    const same: Record<string, number> = {};
    for (const [k, v] of Object.entries(rest)) {
      const at = typeof v === 'object' && v !== null ? objects.findIndex((o) => o !== undefined && o[k] === v) : -1;
      if (at >= 0) same[k] = at;
      else data[k] = v;
    }
    objects.push(data);
    return Object.keys(same).length > 0 ? { id: m.id, type: m.type, entity_id: m.entityId, data, $same: same } : { id: m.id, type: m.type, entity_id: m.entityId, data };
  });
}

/** Consecutive records that share a row (see packable), in order. */
function rowsOf(records: NewRecord[]): NewRecord[][] {
  const rows: NewRecord[][] = [];
  for (const r of records) {
    const last = rows.at(-1);
    if (last && packsWith(last.at(-1)!, r)) last.push(r);
    else rows.push([r]);
  }
  return rows;
}

/**
 * Inserts many events in one statement, with `writes` as parts of it; returns them, the given objects with their
 * seq set, in input order (the records of a pack share their row's seq). A customer object that an earlier row of the batch carries too (the
 * same object, as segment events share their cause's) is stored once: later rows keep a reference to the first.
 */
export async function insertEvents(db: Executor, records: NewRecord[], writes: readonly Statement[] = []): Promise<EventRecord[]> {
  const firstWith = new Map<unknown, string>();
  const customerOf = (rowId: string, customer: unknown) => {
    if (typeof customer !== 'object' || customer === null) return customer;
    const first = firstWith.get(customer);
    if (first !== undefined) return { $ref: first };
    firstWith.set(customer, rowId);
    return customer;
  };
  const rows = rowsOf(records);
  const payload = rows.map((members) => {
    const r = members[0]!;
    let data: Record<string, unknown>;
    if (members.length === 1) {
      data = r.data.customer === undefined ? r.data : { ...r.data, customer: customerOf(r.id, r.data.customer) };
    } else {
      data = {
        customer: customerOf(r.id, r.data.customer),
        $pack: packMembers(members),
      };
    }
    return {
      id: r.id,
      project_id: r.projectId,
      type: r.type,
      customer_id: r.customerId,
      entity_id: r.entityId,
      data,
      event_source: r.eventSource,
      group_id: r.groupId,
      created_at: r.createdAt.toISOString(),
    };
  });
  // Only the generated seq comes back: the rest is what was sent.
  const insert: Statement = {
    text: (first) => `INSERT INTO event_log (id, project_id, type, customer_id, entity_id, data, event_source, group_id, created_at)
     SELECT v->>'id', v->>'project_id', v->>'type', v->>'customer_id', v->>'entity_id', v->'data', v->'event_source',
            v->>'group_id', (v->>'created_at')::timestamptz
       FROM jsonb_array_elements($${first}::jsonb) WITH ORDINALITY AS x(v, n)
      ORDER BY x.n
     RETURNING id, seq::text AS seq`,
    params: [JSON.stringify(payload)],
  };
  const { text, params } = withStatements(writes, insert);
  // Prepared: an insert from parameters has one plan, and so have the writes derivers add (a few texts in all).
  const { rows: stored } = await db.query<{ id: string; seq: string }>(text, params, { prepare: true });
  const seqs = new Map(stored.map((r) => [r.id, r.seq]));
  // The records are the caller's new objects, made for this call: each takes its row's seq in place (a change's
  // ten segment records would otherwise be copied once more each).
  const out: EventRecord[] = [];
  for (const members of rows) {
    const seq = seqs.get(members[0]!.id)!;
    for (const r of members) {
      (r as EventRecord).seq = seq;
      out.push(r as EventRecord);
    }
  }
  return out;
}

/** Ids carry times up to here (the year 9999): a later one was never made, and drivers cannot all send it. */
const latestIdTime = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The creation time an event id carries (newEventId: prefix, 12 hex digits of ms, 8 more), or undefined. */
export function timeOfEventId(id: string): Date | undefined {
  const m = /^[a-z]+_([0-9a-f]{12})[0-9a-f]{8}$/.exec(id);
  const ms = m ? parseInt(m[1]!, 16) : NaN;
  return ms <= latestIdTime ? new Date(ms) : undefined;
}

/**
 * Where a record sits in the order of a customer's activity: (created_at, seq, position in its pack), looked up
 * as a row of its own (any customer of the project, as before packs) or inside one of the customer's packs.
 */
function positionOf(idParam: string, timeParam: string): string {
  return `(SELECT c.created_at, c.seq, 0::bigint AS ord FROM event_log c WHERE c.id = ${idParam} AND c.project_id = $1 AND NOT c.data ? '$pack'
           UNION ALL
           SELECT c.created_at, c.seq, m.ord FROM event_log c
             CROSS JOIN LATERAL jsonb_array_elements(c.data -> '$pack') WITH ORDINALITY AS m(v, ord)
            WHERE c.project_id = $1 AND c.customer_id = $2 AND c.created_at = ${timeParam}::timestamptz
              AND c.data ? '$pack' AND ${memberId('m.v')} = ${idParam}
           LIMIT 1)`;
}

export interface ActivityFilter {
  projectId: string;
  customerId: string;
  types?: string[];
  excludeTypes?: string[];
  startDate?: Date;
  endDate?: Date;
  campaignId?: string;
  /** Records that name this voucher (`voucher.id`), and with `campaign`, records of those types about its campaign. */
  voucher?: { id: string; campaign?: { id: string; types: readonly string[] } };
  ascending: boolean;
  afterId?: string;
  limit: number;
}

/** The conditions of an activity filter on the expanded records (e, x), with their parameters. */
function activityWhere(f: Omit<ActivityFilter, 'ascending' | 'afterId' | 'limit'>): { where: string[]; params: unknown[] } {
  const where = ['e.project_id = $1', 'e.customer_id = $2'];
  const params: unknown[] = [f.projectId, f.customerId];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.types) add((p) => `x.type IN (SELECT jsonb_array_elements_text(${p}::jsonb))`, JSON.stringify(f.types));
  if (f.excludeTypes) {
    add((p) => `x.type NOT IN (SELECT jsonb_array_elements_text(${p}::jsonb))`, JSON.stringify(f.excludeTypes));
  }
  if (f.startDate) add((p) => `e.created_at >= ${p}`, f.startDate);
  if (f.endDate) add((p) => `e.created_at <= ${p}`, f.endDate);
  if (f.campaignId) add((p) => `x.data #>> '{campaign,id}' = ${p}`, f.campaignId);
  if (f.voucher) {
    const { id, campaign } = f.voucher;
    params.push(id);
    const voucher = `x.data #>> '{voucher,id}' = $${params.length}`;
    if (campaign) {
      params.push(campaign.id, JSON.stringify(campaign.types));
      const [c, types] = [`$${params.length - 1}`, `$${params.length}`];
      where.push(`(${voucher} OR (x.data #>> '{campaign,id}' = ${c} AND x.type IN (SELECT jsonb_array_elements_text(${types}::jsonb))))`);
    } else {
      where.push(voucher);
    }
  }
  return { where, params };
}

/** A page of a customer's activity, ordered by (created_at, seq, position in a pack); fetches limit + 1 to tell has_more. */
export async function selectActivity(db: Executor, f: ActivityFilter): Promise<EventRecord[]> {
  const { where, params } = activityWhere(f);
  const cmp = f.ascending ? '>' : '<';
  if (f.afterId) {
    params.push(f.afterId, timeOfEventId(f.afterId) ?? null);
    const at = positionOf(`$${params.length - 1}`, `$${params.length}`);
    where.push(`(e.created_at, e.seq, x.ord) ${cmp} (SELECT p.created_at, p.seq, p.ord FROM ${at} p)`);
  }
  const dir = f.ascending ? 'ASC' : 'DESC';
  params.push(f.limit + 1);
  const { rows } = await db.query<Row>(
    `SELECT ${aliasedColumns} FROM event_log e ${expanded}
      WHERE ${where.join(' AND ')} ORDER BY e.created_at ${dir}, e.seq ${dir}, x.ord ${dir} LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRecord);
}

/** How many records of a customer's activity a filter matches (a pack counts as its records). */
export async function countActivity(db: Executor, f: Omit<ActivityFilter, 'ascending' | 'afterId' | 'limit'>): Promise<number> {
  const { where, params } = activityWhere(f);
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM event_log e ${expanded} WHERE ${where.join(' AND ')}`, params);
  return Number(rows[0]?.n ?? 0);
}

/** Whether this record is in the project (as a row of its own) or in one of this customer's packs. */
export async function eventExists(db: Executor, projectId: string, customerId: string, id: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM ${positionOf('$3', '$4')} p`, [projectId, customerId, id, timeOfEventId(id) ?? null]);
  return rows.length > 0;
}

/**
 * Deletes the oldest records (by sequence, a range of the primary key: the log has no time index) made before
 * `before`, up to `limit` rows; a newer row among the oldest stays, and with it nothing newer is read.
 */
export async function deleteOldest(db: Executor, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `WITH oldest AS (SELECT seq, created_at FROM event_log ORDER BY seq LIMIT $2)
     DELETE FROM event_log e USING oldest o WHERE e.seq = o.seq AND o.created_at < $1`,
    [before, limit],
  );
  return rowCount;
}

/** How many of the newest rows of the whole log a per-minute count reads at most (the log has no time index). */
export const recentScanRows = 200_000;

/**
 * Records per minute of one project since a time, read from the newest rows of the log by sequence (a range of the
 * primary key); a pack counts as its records.
 */
export async function countPerMinute(db: Executor, projectId: string, since: Date): Promise<Array<{ minute: Date; n: number }>> {
  const { rows } = await db.query<{ minute: Date; n: number }>(
    `SELECT date_trunc('minute', created_at) AS minute,
            sum(CASE WHEN data ? '$pack' THEN jsonb_array_length(data -> '$pack') ELSE 1 END)::int AS n
       FROM event_log
      WHERE seq > (SELECT COALESCE(max(seq), 0) FROM event_log) - $3 AND project_id = $1 AND created_at >= $2
      GROUP BY 1 ORDER BY 1`,
    [projectId, since, recentScanRows],
  );
  return rows;
}

import type { ValueFilter } from '../../core/list-filters.js';
import { filterConditions } from '../../store/list-filters.js';
import { withStatements, type Executor, type Statement } from '../../store/db.js';
import { lockProjectUntilCommit } from '../../store/locks.js';
import { encodeMemberRow, parseMemberRow, type MemberRow } from './member-rows.js';
import type { EventStats, EventStatsSelect, LiveSegment, SegmentRow } from './types.js';

const written = 'id, project_id, name, type, filter, sync_status, sync_cursor, sync_processed, sync_total, created_at, updated_at, revision';
/** What a read of a segment row takes: what is written, and the number its memberships use (assigned on insert). */
const columns = `${written}, num`;

/** Inserts a segment; returns the number it was given. */
export async function insertSegment(db: Executor, s: Omit<SegmentRow, 'num'>): Promise<number> {
  const { rows } = await db.query<{ num: number }>(
    `INSERT INTO segments (${written}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12) RETURNING num`,
    [s.id, s.project_id, s.name, s.type, s.filter === null ? null : JSON.stringify(s.filter), s.sync_status, s.sync_cursor, s.sync_processed, s.sync_total, s.created_at, s.updated_at, s.revision],
  );
  return rows[0]!.num;
}

/** A passive segment's name and filter; `refilter` (a new filter) starts its recomputation over, a rename keeps its progress. */
export async function updateDefinition(db: Executor, s: SegmentRow, refilter: boolean): Promise<void> {
  await db.query(
    `UPDATE segments SET name = $3, filter = $4::jsonb, sync_status = $5,
            sync_cursor = CASE WHEN $8 THEN NULL ELSE sync_cursor END, sync_processed = CASE WHEN $8 THEN 0 ELSE sync_processed END,
            sync_total = $6, updated_at = $7, revision = revision + 1 WHERE project_id = $1 AND id = $2`,
    [s.project_id, s.id, s.name, s.filter === null ? null : JSON.stringify(s.filter), s.sync_status, s.sync_total, s.updated_at, refilter],
  );
}

export async function selectSegment(db: Executor, projectId: string, id: string): Promise<SegmentRow | undefined> {
  const { rows } = await db.query<SegmentRow>(`SELECT ${columns} FROM segments WHERE project_id = $1 AND id = $2`, [projectId, id]);
  return rows[0];
}

/** GET /v1/segments: by type, ids and `filters[id|name|type]`. */
export interface SegmentListFilter {
  type?: string;
  ids?: string[];
  filters?: Record<string, ValueFilter | undefined>;
}

function segmentsWhere(projectId: string, f: SegmentListFilter): { text: string; params: unknown[] } {
  const params: unknown[] = [projectId];
  const param = (v: unknown) => `$${params.push(v)}`;
  const parts = ['s.project_id = $1'];
  if (f.type !== undefined) parts.push(`s.type = ${param(f.type)}`);
  if (f.ids !== undefined) parts.push(`s.id = ANY (${param(f.ids)}::text[])`);
  parts.push(...filterConditions({ id: 's.id', name: 's.name', type: 's.type' }, f.filters ?? {}, param));
  return { text: parts.join(' AND '), params };
}

export async function selectSegments(db: Executor, projectId: string, f: SegmentListFilter & { ascending: boolean; limit: number; offset: number }) {
  const w = segmentsWhere(projectId, f);
  const { rows } = await db.query<SegmentRow & { total: number }>(
    `SELECT ${columns.split(/,\s*/).map((c) => `s.${c}`).join(', ')}, count(*) OVER ()::int AS total FROM segments s
      WHERE ${w.text}
      ORDER BY s.created_at ${f.ascending ? 'ASC' : 'DESC'}, s.id LIMIT $${w.params.length + 1} OFFSET $${w.params.length + 2}`,
    [...w.params, f.limit, f.offset],
  );
  return rows;
}

export async function countSegments(db: Executor, projectId: string, f: SegmentListFilter): Promise<number> {
  const w = segmentsWhere(projectId, f);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM segments s WHERE ${w.text}`, w.params);
  return rows[0]?.n ?? 0;
}

/** A filter segment as listed for evaluation: which revision of it, and whether its first computation is done. */
export interface LiveRef {
  id: string;
  revision: number;
  sync_status: SegmentRow['sync_status'];
}

/** A project's filter segments as evaluation lists them, with the version of that list (migration 0012). */
export interface LiveList {
  /** Bumped in the transaction of every change to what the list holds. */
  version: string;
  /** "id revision sync_status ..." in id order. */
  list: string;
}

/**
 * The filter segments of these projects, per project as a list "id revision sync_status ..." in id order, with its
 * version (projects without any are left out): what real-time evaluation considers. One row per project (a list to
 * split) rather than a row per segment; a segment's name, type and filter are read once per revision
 * (selectFilters). A change's state read returns the version alone, to compare with the one read here.
 */
export async function selectLiveLists(db: Executor, projectIds: string[]): Promise<Map<string, LiveList>> {
  const { rows } = await db.query<{ project_id: string; version: string; list: string }>(
    `SELECT s.project_id, coalesce((SELECT l.version FROM segment_lists l WHERE l.project_id = s.project_id), 0)::text AS version,
            string_agg(s.id || ' ' || s.revision || ' ' || s.sync_status, ' ' ORDER BY s.id) AS list FROM segments s
      WHERE s.type <> 'static' AND s.project_id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb))) GROUP BY s.project_id`,
    [JSON.stringify(projectIds)],
  );
  return new Map(rows.map((r) => [r.project_id, { version: r.version, list: r.list }]));
}

/** A list of selectLiveLists as its segments. */
export function parseLive(list: string): LiveRef[] {
  const out: LiveRef[] = [];
  const parts = list === '' ? [] : list.split(' ');
  for (let i = 0; i + 2 < parts.length; i += 3) {
    out.push({ id: parts[i]!, revision: Number(parts[i + 1]), sync_status: parts[i + 2] as LiveRef['sync_status'] });
  }
  return out;
}

/** The filter segments of these projects, in id order per project. */
export async function selectLiveSegments(db: Executor, projectIds: string[]): Promise<LiveRef[]> {
  return [...(await selectLiveLists(db, projectIds)).values()].flatMap((l) => parseLive(l.list));
}

/** These segments as evaluation needs them, with their filters. */
export async function selectFilters(db: Executor, ids: string[]): Promise<Array<LiveSegment & { filter: Record<string, unknown> }>> {
  const { rows } = await db.query<LiveSegment & { filter: Record<string, unknown> }>(
    `SELECT id, num, project_id, name, type, sync_status, revision, created_at, filter FROM segments
      WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
    [JSON.stringify(ids)],
  );
  return rows;
}

/** Serialises, until tx ends, the creation of filter segments in one project: a count and an insert stay in step. */
export async function lockFilterLimit(tx: Executor, projectId: string): Promise<void> {
  await lockProjectUntilCommit(tx, 'filterSegmentLimit', projectId);
}

export async function countFilterSegments(db: Executor, projectId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM segments WHERE project_id = $1 AND type <> 'static'`, [projectId]);
  return rows[0]?.n ?? 0;
}

/**
 * Locks a segment until tx ends: FOR UPDATE by its deletion, FOR SHARE by a definition that names it (saved either
 * before the deletion looks for users, or after it, finding the segment gone). False when there is none.
 */
export async function lockSegment(tx: Executor, projectId: string, id: string, mode: 'UPDATE' | 'SHARE'): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>(`SELECT id FROM segments WHERE project_id = $1 AND id = $2 FOR ${mode === 'UPDATE' ? 'UPDATE' : 'SHARE'}`, [projectId, id]);
  return rows.length > 0;
}

export async function deleteSegment(db: Executor, projectId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM segments WHERE project_id = $1 AND id = $2', [projectId, id]);
  return rowCount > 0;
}

/** A timestamptz as milliseconds since the epoch (a float8 the driver hands over as a number, not a string to parse). */
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;

export interface SegmentState {
  /** The known customers' membership rows (customers without one are in no segment and left none). */
  members: Map<string, MemberRow>;
  /** Scheduled re-checks: customer to due time (ms). */
  checks: Map<string, number>;
  /** Per customer, per event name: count, last time, and per window its count and oldest event. */
  events: Map<string, EventStats>;
  /** The version of the live list of the project asked for (liveOf), as selectLiveLists gives it ('0' for never any). */
  live?: string;
}

export interface StateQuery {
  /** Whether some evaluated segments are time-based: the customers' re-checks are read. */
  timed: boolean;
  /** Customers whose memberships and re-checks are read (not those created in this transaction). */
  knownIds: string[];
  /** Customers whose event stats are read, for these names and windows (days), at `now`. */
  eventsOf?: { projectId: string; customerIds: string[]; names: string[]; windows: number[]; now: Date; select: EventStatsSelect };
  /** Also read the version of this project's live list (selectLiveLists), in the same snapshot. */
  liveOf?: string;
}

/**
 * In one statement: the known customers' membership rows, their re-checks (when a segment is time-based), and the
 * customers' event stats. Not locked: whoever evaluates a customer holds its row (the change's own lock, or FOR
 * SHARE), so evaluations of one customer queue up. A prepared statement whose reads are functions
 * (tessera_segment_state and the event stats', migrations 0010 and 0012) with plans kept per connection that go
 * through the indexes: parsing and planning it anew cost five times what running it does.
 */
export async function readState(db: Executor, q: StateQuery): Promise<SegmentState> {
  const state: SegmentState = { members: new Map(), checks: new Map(), events: new Map() };
  const params: unknown[] = [];
  // One shape for every part: kind, key (a membership row, the live list or an event name), customer, a time, a count, windows.
  const parts: string[] = [];
  if (q.knownIds.length > 0 || q.liveOf !== undefined) {
    params.push(q.knownIds, q.timed, q.liveOf ?? null);
    parts.push(`SELECT kind, key, customer_id, at, NULL::int AS n, NULL::jsonb AS windows
      FROM tessera_segment_state($1::text[], $2::boolean, $3::text)`);
  }
  const e = q.eventsOf;
  if (e && e.names.length > 0 && e.customerIds.length > 0) {
    parts.push(`SELECT 'e' AS kind, s.type AS key, s.customer_id, ${epochMs('s.last')} AS at, s.n, s.windows
      FROM (${e.select(params, e)}) s`);
  }
  if (parts.length === 0) return state;
  const { rows } = await db.query<{ kind: string; key: string; customer_id: string; at: number | null; n: number | null; windows: Record<string, [number, string | null]> | null }>(
    parts.join('\nUNION ALL\n'),
    params,
    { prepare: true },
  );
  for (const r of rows) {
    if (r.kind === 'm') {
      state.members.set(r.customer_id, parseMemberRow(r.key));
    } else if (r.kind === 'c') {
      state.checks.set(r.customer_id, r.at!);
    } else if (r.kind === 'l') {
      state.live = r.key;
    } else {
      const per = state.events.get(r.customer_id) ?? new Map();
      const windows = new Map(Object.entries(r.windows ?? {}).map(([days, [count, oldest]]) => [Number(days), { count, oldest: oldest === null ? null : new Date(oldest) }]));
      per.set(r.key, { count: r.n!, last: r.at === null ? null : new Date(r.at), windows });
      state.events.set(r.customer_id, per);
    }
  }
  return state;
}

/** A customer's membership row to store, whole. */
export interface MemberWrite {
  customer_id: string;
  project_id: string;
  row: MemberRow;
}

export interface CheckWrite {
  customer_id: string;
  project_id: string;
  due_at: string;
}

/**
 * Membership rows inserted whole, arriving as one array per column (the driver sends arrays as text PostgreSQL
 * reads faster than JSON records), each row's arrays as comma-joined texts. Alone, for customers created in the
 * same transaction (who have none yet): without the conflict check and confirmation an upsert costs.
 */
const memberInsert = (first: number) => `INSERT INTO customer_segments (customer_id, project_id, segments, entered_ms, left_segments, left_ms)
     SELECT r.customer_id, r.project_id, string_to_array(r.segments, ',')::integer[], string_to_array(r.entered_ms, ',')::bigint[],
            string_to_array(r.left_segments, ',')::integer[], string_to_array(r.left_ms, ',')::bigint[]
       FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::text[], $${first + 5}::text[])
         AS r(customer_id, project_id, segments, entered_ms, left_segments, left_ms)`;

/** Replaces customers' membership rows (the row changes in place: none of its indexed columns move). */
const memberUpsert = (first: number) => `${memberInsert(first)}
     ON CONFLICT (customer_id) DO UPDATE SET segments = EXCLUDED.segments, entered_ms = EXCLUDED.entered_ms,
       left_segments = EXCLUDED.left_segments, left_ms = EXCLUDED.left_ms`;

function memberParams(rows: MemberWrite[]): unknown[] {
  const cols: string[][] = [[], [], [], [], [], []];
  for (const r of rows) {
    const [segments, entered, leftSegments, leftAt] = encodeMemberRow(r.row);
    cols[0]!.push(r.customer_id);
    cols[1]!.push(r.project_id);
    cols[2]!.push(segments);
    cols[3]!.push(entered);
    cols[4]!.push(leftSegments);
    cols[5]!.push(leftAt);
  }
  return cols;
}

const checkUpsert = (first: number) => `INSERT INTO segment_rechecks (customer_id, project_id, due_at)
     SELECT * FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::timestamptz[])
     ON CONFLICT (customer_id) DO UPDATE SET due_at = EXCLUDED.due_at`;

const checkParams = (rows: CheckWrite[]) => [rows.map((r) => r.customer_id), rows.map((r) => r.project_id), rows.map((r) => r.due_at)];

/** Stores these membership rows whole, in one statement. */
export async function writeMemberRows(db: Executor, rows: MemberWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(memberUpsert(1), memberParams(rows), { prepare: true });
}

/** The membership rows of these customers (none for a customer in no segment that never left one). */
export async function selectMemberRows(db: Executor, customerIds: string[]): Promise<Map<string, MemberRow>> {
  return (await readState(db, { timed: false, knownIds: customerIds })).members;
}

/**
 * An evaluation's outcome as statements (none when nothing changed): the membership rows of customers who entered
 * or left a segment, and the customers' re-checks set or moved. Customers in `fresh` were created in this
 * transaction: they have no row to replace.
 */
export function stateWrites(members: MemberWrite[], checks: CheckWrite[], fresh?: ReadonlySet<string>): Statement[] {
  const out: Statement[] = [];
  const added = fresh ? members.filter((m) => fresh.has(m.customer_id)) : [];
  const changed = added.length > 0 ? members.filter((m) => !fresh!.has(m.customer_id)) : members;
  if (added.length > 0) out.push({ text: memberInsert, params: memberParams(added) });
  if (changed.length > 0) out.push({ text: memberUpsert, params: memberParams(changed) });
  if (checks.length > 0) out.push({ text: checkUpsert, params: checkParams(checks) });
  return out;
}

/** Runs an evaluation's outcome (stateWrites) in one statement. */
export async function writeState(db: Executor, writes: Statement[]): Promise<void> {
  const last = writes.at(-1);
  if (!last) return;
  const { text, params } = withStatements(writes.slice(0, -1), last);
  await db.query(text, params, { prepare: true });
}

export interface DueCheck {
  customer_id: string;
  project_id: string;
  due_at: Date;
}

/** Takes up to `limit` customers' due re-checks (removing them), skipping those another worker holds. */
export async function takeDueChecks(db: Executor, now: Date, limit: number): Promise<DueCheck[]> {
  const { rows } = await db.query<DueCheck>(
    `DELETE FROM segment_rechecks c USING (
       SELECT customer_id FROM segment_rechecks WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED) d
      WHERE c.customer_id = d.customer_id
     RETURNING c.customer_id, c.project_id, c.due_at`,
    [now, limit],
  );
  return rows;
}

/** Puts taken re-checks back (customers still there only); one set meanwhile keeps the earlier time. */
export async function putBackChecks(db: Executor, rows: DueCheck[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO segment_rechecks (customer_id, project_id, due_at)
     SELECT r.customer_id, r.project_id, r.due_at
       FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, project_id text, due_at timestamptz)
      WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = r.customer_id)
     ON CONFLICT (customer_id) DO UPDATE SET due_at = least(segment_rechecks.due_at, EXCLUDED.due_at)`,
    [JSON.stringify(rows)],
  );
}

export async function memberIds(db: Executor, projectId: string, segmentId: string): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT m.customer_id FROM customer_segments m
      WHERE m.project_id = $1 AND m.segments @> ARRAY[(SELECT s.num FROM segments s WHERE s.id = $2 AND s.project_id = $1)]
      ORDER BY m.customer_id`,
    [projectId, segmentId],
  );
  return rows.map((r) => r.customer_id);
}

export async function segmentsOfCustomer(db: Executor, projectId: string, customerId: string): Promise<SegmentRow[]> {
  const { rows } = await db.query<SegmentRow>(
    `SELECT ${columns.split(', ').map((c) => `s.${c}`).join(', ')} FROM customer_segments m JOIN segments s ON s.num = ANY (m.segments)
      WHERE m.project_id = $1 AND m.customer_id = $2 AND s.project_id = $1 ORDER BY s.created_at, s.id`,
    [projectId, customerId],
  );
  return rows;
}

/** A deleted customer's memberships and re-check (deleting the customer row removes its memberships too). */
export async function forgetCustomer(db: Executor, customerId: string): Promise<void> {
  await db.query('DELETE FROM customer_segments WHERE customer_id = $1', [customerId]);
  await db.query('DELETE FROM segment_rechecks WHERE customer_id = $1', [customerId]);
}

/**
 * Backfill progress of segments computed together: the next page of customer ids after the cursor is the caller's to
 * read. The total (the customers when the computation started) grows with customers created meanwhile that it meets.
 */
export async function saveSync(db: Executor, ids: string[], cursor: string | null, processed: number, done: boolean): Promise<void> {
  await db.query(
    `UPDATE segments SET sync_cursor = $2, sync_processed = sync_processed + $3, sync_status = $4,
            sync_total = greatest(sync_total, sync_processed + $3)
      WHERE id = ANY (ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))`,
    [JSON.stringify(ids), cursor, processed, done ? 'DONE' : 'IN_PROGRESS'],
  );
}

/**
 * The segments whose members to compute next, locked: the oldest one in progress, and up to `limit` in all of
 * its project's segments in progress at the same point (segments created together are computed together).
 */
export async function selectSyncing(db: Executor, limit: number): Promise<SegmentRow[]> {
  const { rows } = await db.query<SegmentRow>(
    `WITH first AS (
       SELECT project_id, sync_cursor FROM segments WHERE sync_status = 'IN_PROGRESS'
        ORDER BY created_at LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED)
     SELECT ${columns.split(', ').map((c) => `s.${c}`).join(', ')} FROM segments s JOIN first f ON s.project_id = f.project_id
      WHERE s.sync_status = 'IN_PROGRESS' AND s.sync_cursor IS NOT DISTINCT FROM f.sync_cursor
      ORDER BY s.created_at, s.id LIMIT $1 FOR NO KEY UPDATE OF s SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/**
 * Of these (segment, customer) pairs, those the segment's first computation has still to reach (or whose segment is
 * gone): the customer comes after its cursor, compared as the computation orders customers (by id, in SQL).
 */
export async function notYetComputed(db: Executor, pairs: Array<{ segment_id: string; customer_id: string }>): Promise<Array<{ segment_id: string; customer_id: string }>> {
  if (pairs.length === 0) return [];
  const { rows } = await db.query<{ segment_id: string; customer_id: string }>(
    `SELECT p.segment_id, p.customer_id FROM jsonb_to_recordset($1::jsonb) AS p(segment_id text, customer_id text)
       LEFT JOIN segments s ON s.id = p.segment_id
      WHERE s.id IS NULL OR (s.sync_status <> 'DONE' AND (s.sync_cursor IS NULL OR p.customer_id > s.sync_cursor))`,
    [JSON.stringify(pairs)],
  );
  return rows;
}

/** Which of these customers are members of the segment now (in tx: sees this transaction's changes). */
export async function membersAmong(db: Executor, segmentId: string, customerIds: string[]): Promise<Set<string>> {
  if (customerIds.length === 0) return new Set();
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT m.customer_id FROM customer_segments m
      WHERE m.customer_id = ANY (ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))
        AND (SELECT s.num FROM segments s WHERE s.id = $1) = ANY (m.segments)`,
    [segmentId, JSON.stringify(customerIds)],
  );
  return new Set(rows.map((r) => r.customer_id));
}

/** A deleted segment whose number is still to be swept out of its former members' rows. */
export interface Tombstone {
  num: number;
  project_id: string;
  cursor: string | null;
}

/** The next tombstones to sweep, locked: the oldest and those of its project at the same point (swept together). */
export async function selectTombstones(db: Executor): Promise<Tombstone[]> {
  const { rows } = await db.query<Tombstone>(
    `WITH first AS (SELECT project_id, cursor FROM segment_tombstones ORDER BY num LIMIT 1 FOR UPDATE SKIP LOCKED)
     SELECT t.num, t.project_id, t.cursor FROM segment_tombstones t JOIN first f ON t.project_id = f.project_id
      WHERE t.cursor IS NOT DISTINCT FROM f.cursor ORDER BY t.num FOR UPDATE OF t SKIP LOCKED`,
  );
  return rows;
}

/** A page of the customers with a membership row in the project, in id order after `after`. */
export async function memberRowIdsAfter(db: Executor, projectId: string, after: string | null, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ customer_id: string }>(
    `SELECT customer_id FROM customer_segments WHERE project_id = $1 AND ($2::text IS NULL OR customer_id > $2)
      ORDER BY customer_id LIMIT $3`,
    [projectId, after, limit],
  );
  return rows.map((r) => r.customer_id);
}

/** Moves the tombstones' sweep on to after `cursor`, or, when done, removes them. */
export async function saveSweep(db: Executor, nums: number[], cursor: string | null, done: boolean): Promise<void> {
  if (done) await db.query('DELETE FROM segment_tombstones WHERE num = ANY ($1::integer[])', [nums]);
  else await db.query('UPDATE segment_tombstones SET cursor = $2 WHERE num = ANY ($1::integer[])', [nums, cursor]);
}

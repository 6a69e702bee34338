/**
 * The reads of every segment evaluation are functions whose plans a connection keeps (migrations 0010, 0012). A kept plan
 * is made with the statistics of its moment; these must read through the indexes even when made while the tables
 * were tiny, or they would scan millions of memberships once the tables have grown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../src/store/db.js';
import { createTestDb, type TestDb } from './helpers/db.js';

let testDb: TestDb;
let projectId: string;

beforeAll(async () => {
  testDb = await createTestDb();
  projectId = 'proj_plans';
  await testDb.db.query(`INSERT INTO projects (id, name, webhook_token, created_at) VALUES ($1, 'plans', 'token', now())`, [projectId]);
});
afterAll(() => testDb.drop());

const tables = ['customer_segments', 'segment_rechecks', 'custom_event_days', 'custom_events', 'segment_lists'] as const;

/** This transaction's sequential and index scans per table so far. */
async function scans(tx: Queryable): Promise<Record<string, { seq: number; idx: number }>> {
  const { rows } = await tx.query<{ relname: string; seq: number; idx: number }>(
    `SELECT relname, seq_scan::int AS seq, coalesce(idx_scan, 0)::int AS idx FROM pg_stat_xact_user_tables WHERE relname = ANY ($1::text[])`,
    [tables],
  );
  return Object.fromEntries(tables.map((t) => [t, rows.find((r) => r.relname === t) ?? { seq: 0, idx: 0 }]));
}

const day = 86_400_000;

describe('segment state functions', () => {
  it('read through the indexes with a kept plan made while the tables were tiny, and answer what was stored', async () => {
    await testDb.db.transaction(async (tx) => {
      const now = new Date('2026-06-15T12:00:00Z');
      await tx.query(
        `INSERT INTO segments (id, project_id, name, type, filter, created_at, revision, num) VALUES
           ('seg_a', $1, 'a', 'auto-update', '{}', $2, 3, 101), ('seg_b', $1, 'b', 'passive', '{}', $2, 0, 102), ('seg_s', $1, 's', 'static', NULL, $2, 0, 103)`,
        [projectId, now],
      );
      await tx.query(
        `INSERT INTO customers (id, project_id, source_id, metadata, created_at) VALUES ('cust_1', $1, 'c1', '{}', $2), ('cust_2', $1, 'c2', '{}', $2)`,
        [projectId, now],
      );
      // cust_1 is in a and b, and left c (a number no segment has any more: a deleted one).
      await tx.query(
        `INSERT INTO customer_segments (customer_id, project_id, segments, entered_ms, left_segments, left_ms)
         VALUES ('cust_1', $1, '{101,102}', ARRAY[$2, $3]::bigint[], '{99}', ARRAY[$3]::bigint[])`,
        [projectId, now.getTime(), now.getTime() + 1],
      );
      await tx.query(`INSERT INTO segment_rechecks (customer_id, project_id, due_at) VALUES ('cust_1', $1, '2026-07-01T00:00:00Z')`, [projectId]);
      await tx.query(
        `INSERT INTO custom_events (id, project_id, customer_id, type, created_at) VALUES
           ('evt_1', $1, 'cust_1', 'review', '2026-05-20T08:00:00Z'), ('evt_2', $1, 'cust_1', 'review', '2026-06-10T08:00:00Z')`,
        [projectId],
      );
      await tx.query(
        `INSERT INTO custom_event_days (project_id, customer_id, type, day, n, last) VALUES
           ($1, 'cust_1', 'review', floor(extract(epoch FROM timestamptz '2026-05-20T08:00:00Z') / 86400), 1, '2026-05-20T08:00:00Z'),
           ($1, 'cust_1', 'review', floor(extract(epoch FROM timestamptz '2026-06-10T08:00:00Z') / 86400), 1, '2026-06-10T08:00:00Z')`,
        [projectId],
      );
      // Statistics that say every table is one small page: where a plan may choose, it scans them whole.
      for (const t of tables) await tx.query(`ANALYZE ${t}`);
      const before = await scans(tx);
      await tx.query(`SELECT * FROM customer_segments WHERE customer_id = ANY ($1::text[])`, [['cust_1']]);
      expect((await scans(tx)).customer_segments.seq, 'a planned statement scans the tiny table whole').toBe(before.customer_segments.seq + 1);

      const start = now.getTime() - 30 * day;
      const firstDay = Math.floor(start / day);
      const stats = () =>
        tx.query<{ customer_id: string; type: string; n: number; last: Date; windows: Record<string, [number, string | null]> }>(
          `SELECT * FROM tessera_custom_event_stats($1, $2::text[], $3::text[], $4, $5::integer[], $6::timestamptz[], $7::integer[], $8::timestamptz[])`,
          [projectId, ['cust_1', 'cust_2'], ['review', 'purchase'], now, [30], [new Date(start)], [firstDay], [new Date((firstDay + 1) * day)]],
        );
      const state = () =>
        tx.query<{ kind: string; key: string; customer_id: string; at: number | null }>(
          'SELECT * FROM tessera_segment_state($1::text[], true, $2) ORDER BY kind',
          [['cust_1', 'cust_2'], projectId],
        );
      const start2 = await scans(tx);
      // More calls than PostgreSQL's five custom plans: the plans kept are the generic ones.
      for (let i = 0; i < 8; i++) {
        const s = await stats();
        expect(s.rows).toEqual([{ customer_id: 'cust_1', type: 'review', n: 2, last: new Date('2026-06-10T08:00:00Z'), windows: { '30': [2, expect.stringMatching(/^2026-05-20T08:00:00/)] } }]);
        const rows = (await state()).rows;
        expect(rows.map((r) => (r.kind === 'm' ? { ...r, key: '' } : r))).toEqual([
          { kind: 'c', key: '', customer_id: 'cust_1', at: Date.parse('2026-07-01T00:00:00Z') },
          // The version of the project's list of filter segments: three inserted in one statement bumped it once.
          { kind: 'l', key: '1', customer_id: projectId, at: null },
          { kind: 'm', key: '', customer_id: 'cust_1', at: null },
        ]);
        // The membership row: segments and their entry times, left segments and their exit times.
        const [segs, entered, leftSegs, leftAt] = rows.find((r) => r.kind === 'm')!.key.split('|');
        expect(segs).toBe('101,102');
        expect(entered).toBe(`${now.getTime()},${now.getTime() + 1}`);
        expect(leftSegs).toBe('99');
        expect(leftAt).toBe(String(now.getTime() + 1));
      }
      const after = await scans(tx);
      for (const t of tables) {
        expect(after[t].seq, `${t}: no sequential scan`).toBe(start2[t].seq);
        expect(after[t].idx, `${t}: read through an index`).toBeGreaterThan(start2[t].idx);
      }
      throw Object.assign(new Error('rollback'), { rollback: true });
    }).catch((err: { rollback?: boolean }) => {
      if (!err.rollback) throw err;
    });
  });
});

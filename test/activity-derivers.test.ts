/**
 * Event-log derivers: each sees the entries of its types, and may leave writes to the statement that stores the
 * events (a round trip less); those writes are in place before any deriver reads again, and commit or roll back
 * with the events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { createEventLog, type CausedEvent } from '../src/modules/event-log/index.js';
import type { Executor, Statement } from '../src/store/db.js';
import { createTestDb, type TestDb } from './helpers/db.js';

let testDb: TestDb;
const projectId = 'proj_derivers';

beforeAll(async () => {
  testDb = await createTestDb();
  await testDb.db.query(`INSERT INTO projects (id, name, webhook_token, created_at) VALUES ($1, 'derivers', 'token', now())`, [projectId]);
  await testDb.db.query('CREATE TABLE derived_marks (mark text NOT NULL)');
});
afterAll(() => testDb.drop());

const cause = { projectId, groupId: 'v-derivers', source: { channel: 'API' as const } };
const entry = (type: string, data: Record<string, unknown> = {}): CausedEvent => ({ cause, event: { type, customerId: null, data } });
const mark = (m: string): Statement => ({ text: (first) => `INSERT INTO derived_marks (mark) VALUES ($${first})`, params: [m] });

/** tx, counting the statements sent through it. */
function counting(tx: Executor): Executor & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query: (text, params, options) => {
      statements.push(text);
      return tx.query(text, params, options);
    },
    exec: (text) => tx.exec(text),
  };
}

const marks = async (tx: Executor) => (await tx.query<{ mark: string }>('SELECT mark FROM derived_marks ORDER BY mark')).rows.map((r) => r.mark);

describe('event-log derivers', () => {
  it('store what a deriver causes and its writes in the statement that stores the events', async () => {
    const log = createEventLog({ db: testDb.db, clock: systemClock });
    // A subscriber of every record: records that concern no customer are stored only when one would take them.
    log.subscribe(async () => undefined);
    const seen: string[][] = [];
    log.derive(async (_tx, entries) => {
      seen.push(entries.map((e) => e.event.type));
      return { events: [entry('test.caused')], writes: [mark('a'), mark('b')] };
    }, ['test.cause']);
    await testDb.db.transaction(async (tx) => {
      const counted = counting(tx);
      const records = await log.record(counted, [entry('test.cause'), entry('test.other')]);
      expect(records.map((r) => r.type)).toEqual(['test.cause', 'test.other', 'test.caused']);
      // Only its types reach the deriver; it is not called for what it caused.
      expect(seen).toEqual([['test.cause']]);
      expect(counted.statements).toHaveLength(1);
      expect(counted.statements[0]).toMatch(/^WITH w0 AS \(INSERT INTO derived_marks.*w1 AS \(INSERT INTO derived_marks[\s\S]*INSERT INTO event_log/);
      expect(await marks(tx)).toEqual(['a', 'b']);
      await tx.query('DELETE FROM derived_marks');
    });
  });

  it('write what one deriver left before another reads', async () => {
    const log = createEventLog({ db: testDb.db, clock: systemClock });
    // A subscriber of every record: records that concern no customer are stored only when one would take them.
    log.subscribe(async () => undefined);
    log.derive(async () => ({ events: [entry('test.second')], writes: [mark('first')] }), ['test.first']);
    log.derive(async (tx) => ({ events: [entry('test.third', { saw: await marks(tx) })], writes: [mark('second')] }), ['test.second']);
    await testDb.db.transaction(async (tx) => {
      const records = await log.record(tx, [entry('test.first')]);
      expect(records.map((r) => r.type)).toEqual(['test.first', 'test.second', 'test.third']);
      expect(records[2]!.data).toEqual({ saw: ['first'] });
      expect(await marks(tx)).toEqual(['first', 'second']);
      await tx.query('DELETE FROM derived_marks');
    });
  });

  it('roll the writes back with the events', async () => {
    const log = createEventLog({ db: testDb.db, clock: systemClock });
    log.derive(async () => ({ events: [], writes: [mark('gone')] }), ['test.rolled']);
    await expect(
      testDb.db.transaction(async (tx) => {
        await log.record(tx, [entry('test.rolled')]);
        throw new Error('after the events');
      }),
    ).rejects.toThrow('after the events');
    expect(await marks(testDb.db)).toEqual([]);
    expect((await testDb.db.query(`SELECT count(*)::int AS n FROM event_log WHERE project_id = $1 AND type = 'test.rolled'`, [projectId])).rows[0]).toEqual({ n: 0 });
  });

  it('store a record that concerns no customer only when a subscriber would act on it; customers\' records always', async () => {
    const log = createEventLog({ db: testDb.db, clock: systemClock });
    const got: string[] = [];
    log.subscribe(async (_tx, records) => void got.push(...records.map((r) => r.type)), '*', async (_tx, _projectId, type) => type === 'test.wanted');
    await testDb.db.transaction(async (tx) => {
      const records = await log.record(tx, [entry('test.unwanted'), entry('test.wanted'), { cause, event: { type: 'test.mine', customerId: 'cust_elision', data: {} } }]);
      expect(records.map((r) => r.type)).toEqual(['test.wanted', 'test.mine']);
      expect(got).toEqual(['test.wanted', 'test.mine']);
      const { rows } = await tx.query<{ type: string }>("SELECT type FROM event_log WHERE type LIKE 'test.%wanted' OR type = 'test.mine' ORDER BY seq");
      expect(rows.map((r) => r.type)).toEqual(['test.wanted', 'test.mine']);
      await tx.query("DELETE FROM event_log WHERE type LIKE 'test.%'");
    });
  });
});

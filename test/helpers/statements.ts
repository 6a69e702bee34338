/**
 * Counts the statements the app sends to the store under test (both through the pool and in transactions), while a
 * test asks it to: `start()` begins a log, `stop()` ends it and answers the statements sent meanwhile.
 */
import type { Queryable } from '../../src/store/db.js';
import type { TestTessera } from './app.js';

export function statementLog(t: TestTessera) {
  let log: string[] | undefined;
  const counting = (q: Queryable): Queryable => {
    const query = q.query.bind(q);
    q.query = ((sql: string, params?: readonly unknown[], options?: object) => {
      log?.push(sql.replace(/\s+/g, ' ').slice(0, 140));
      return query(sql, params as unknown[], options as never);
    }) as Queryable['query'];
    return q;
  };
  const db = t.testDb.db;
  counting(db);
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (tx: Queryable) => Promise<unknown>) => transaction((tx) => fn(counting(tx)))) as typeof db.transaction;
  return {
    start: () => void (log = []),
    stop: (): string[] => {
      const out = log ?? [];
      log = undefined;
      return out;
    },
  };
}

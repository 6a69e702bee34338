/**
 * PGlite has one connection: a query on the pool made while a transaction is open waits for that transaction, and
 * when the transaction is waiting for the query the whole store hangs for good (a voucher update once looked its
 * category up that way). The test databases on PGlite refuse such a query at once, with where it came from, and
 * every test file fails if one was made (even in a background job whose error nobody sees).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Queryable, QueryOptions } from '../../src/store/db.js';

const inside = new AsyncLocalStorage<{ open: boolean }>();
export const violations: string[] = [];

function check(what: string, sql: string): void {
  if (!inside.getStore()?.open) return;
  const message = `${what} on the PGlite pool inside an open transaction (it would wait for that transaction for ever; pass tx): ${sql.slice(0, 120)}`;
  violations.push(`${message}\n${new Error().stack ?? ''}`);
  throw new Error(message);
}

export function strictTransactions<T extends Db>(db: T): T {
  return {
    ...db,
    query: ((sql: string, params?: readonly unknown[], options?: QueryOptions) => {
      check('a query', sql);
      return db.query(sql, params, options);
    }) as Db['query'],
    exec: (sql: string) => {
      check('a statement', sql);
      return db.exec(sql);
    },
    transaction: (async (fn: (tx: Queryable) => Promise<unknown>) => {
      check('a transaction', 'BEGIN');
      const state = { open: true };
      try {
        return await inside.run(state, () => db.transaction(fn));
      } finally {
        state.open = false;
      }
    }) as Db['transaction'],
  };
}

import pg from 'pg';
import { serviceUnavailable } from '../core/errors.js';
import { createHash } from 'node:crypto';
import { isRetryable, type Db, type Queryable, type QueryOptions, type QueryResult } from './db.js';

export interface PgOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
}

/** Prepared statements' names, by text: a digest, so that one text always has one name on every connection. */
const names = new Map<string, string>();

function nameOf(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) names.set(sql, (name = `tessera_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
  return name;
}

/** A query config for node-postgres: named (prepared once per connection) when asked. */
function config(sql: string, params: readonly unknown[] | undefined, options: QueryOptions | undefined): pg.QueryConfig {
  return options?.prepare ? { name: nameOf(sql), text: sql, values: params as unknown[] | undefined } : { text: sql, values: params as unknown[] | undefined };
}

function wrap(client: pg.PoolClient): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>> {
      const r = await client.query(config(sql, params, options));
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

export function createPgDb(options: PgOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 16,
    application_name: options.applicationName ?? 'tessera',
  });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const listeners = new Set<pg.Client>();
  let closed = false;

  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>> {
      const r = await pool.query(config(sql, params, options));
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('BEGIN');
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true;
          }
          if (!isRetryable(err)) throw err;
          if (attempt < 3) continue;
          // Conflicting with concurrent transactions three times running: the caller may try again (503, not 500).
          throw serviceUnavailable('The request conflicted with concurrent changes; try again');
        } finally {
          client.release(broken);
        }
      }
    },
    async listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>> {
      // A dedicated connection: LISTEN belongs to a session. When it breaks (a server restart, a terminated backend)
      // it is opened again, after 1 s and then up to 30 s between tries, and fn('') is called once it listens
      // again: notifications may have been missed meanwhile. Callers still poll, so nothing waits on it.
      let client: pg.Client | undefined;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const open = async (): Promise<pg.Client> => {
        const c = new pg.Client({ connectionString: options.connectionString, application_name: `${options.applicationName ?? 'tessera'}-listen` });
        c.on('error', () => undefined);
        c.on('notification', (n) => {
          if (n.channel === channel) fn(n.payload ?? '');
        });
        try {
          await c.connect();
          await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        } catch (err) {
          await c.end().catch(() => undefined);
          throw err;
        }
        c.on('end', () => {
          listeners.delete(c);
          if (!stopped && !closed) reopen(1000);
        });
        listeners.add(c);
        return c;
      };
      const reopen = (delayMs: number) => {
        timer = setTimeout(() => {
          if (stopped || closed) return;
          open().then(
            (c) => {
              if (stopped || closed) return void c.end().catch(() => undefined);
              client = c;
              fn('');
            },
            () => {
              if (!stopped && !closed) reopen(Math.min(delayMs * 2, 30_000));
            },
          );
        }, delayMs);
        timer.unref();
      };
      client = await open();
      return async () => {
        stopped = true;
        clearTimeout(timer);
        if (client) {
          listeners.delete(client);
          await client.end().catch(() => undefined);
        }
      };
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close(): Promise<void> {
      closed = true;
      await Promise.all([...listeners].map((c) => c.end().catch(() => undefined)));
      listeners.clear();
      await pool.end();
    },
  };
}

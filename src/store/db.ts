/**
 * The narrow database port every module sees. Two adapters implement it (node-postgres and PGlite); only the
 * composition root and test helpers pick one. One SQL dialect: PostgreSQL.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Keep the statement parsed on the connection (a named prepared statement) instead of parsing it anew each time:
   * for the long statements of hot paths whose plan has no alternatives (inserts and upserts from a parameter), or
   * whose reads are functions with plans of their own that cannot go wrong (migration 0010). After five runs
   * PostgreSQL may keep a generic plan, made with the statistics of that moment, for good: not for plain queries
   * over tables that grow. The text is the statement's identity: one text, one prepared statement per connection.
   * PGlite ignores it.
   */
  prepare?: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Calls fn with the payload of each NOTIFY on channel (sent by committed transactions); resolves to an unsubscribe. */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /** Connection pool use, where there is a pool (PostgreSQL). */
  poolStats?(): { total: number; idle: number; waiting: number };
}

/**
 * A data-modifying statement whose parameters are numbered from `first`: it runs alone (text(1)) or as one
 * WITH part of another statement (withStatements), sparing a round trip.
 */
export interface Statement {
  text(first: number): string;
  params: unknown[];
  /** Writes rows no event-log deriver reads: they may wait for the event insert even when more derivers run first. */
  late?: boolean;
}

/**
 * Statements as the WITH parts of `last` (itself numbered after them): one statement, each part run once. Parts must
 * not read what another part writes (all see the statement's snapshot), nor contain a WITH of their own.
 */
export function withStatements(parts: readonly Statement[], last: Statement): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const ctes = parts.map((p, i) => {
    const text = `w${i} AS (${p.text(params.length + 1)})`;
    params.push(...p.params);
    return text;
  });
  const text = last.text(params.length + 1);
  params.push(...last.params);
  return { text: ctes.length > 0 ? `WITH ${ctes.join(', ')}\n${text}` : text, params };
}

/** Either the database or an open transaction: service methods that write take one, so callers can compose. */
export type Executor = Queryable;

/** SQLSTATEs after which a whole transaction may simply be run again. */
const retryableStates = new Set(['40001', '40P01']);

export function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && retryableStates.has(String((err as { code?: unknown }).code));
}

/**
 * An error after which db.transaction runs the whole transaction again, as after a serialization failure: for a
 * transaction that finds, late, that a concurrent one got in first (and will see its result on the next run).
 */
export function retryTransaction(message: string): Error {
  return Object.assign(new Error(message), { code: '40001' });
}

/** A value the database refuses (SQLSTATE class 22: a number out of range, text that is no number...). */
export function isDataException(err: unknown): boolean {
  return typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('22');
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  if (constraint === undefined) return true;
  return e.constraint === constraint || String(e.message ?? '').includes(constraint);
}

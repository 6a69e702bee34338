/**
 * Every advisory lock Tessera takes, in one place so no two share a key by accident. All are transaction-scoped
 * (released at commit or rollback). PostgreSQL keeps one-key (bigint) and two-key (int, int) locks apart, so a
 * per-project lock (class key + hash of the project id) never meets a one-key lock with the same number.
 */
import type { Queryable } from './db.js';

export const lockKeys = {
  /** Migrations: two processes starting at once apply each migration exactly once, in order. */
  migrations: 7_263_554_201,
  /** The default project made on the first start of an empty store. */
  defaultProject: 7_263_554_202,
  /** Per project: creating filter segments (a count and an insert stay in step). */
  filterSegmentLimit: 7_263_554_202 % 2 ** 31,
  /**
   * Per reward: a purchase holds it shared (purchases never wait for each other), a change of the stock holds it
   * alone, so a stock set on an unlimited reward counts every purchase in flight.
   */
  rewardStock: 7_263_554_203 % 2 ** 31,
  /** Per project: creating earning rules (a count and an insert stay in step under the limit of 100). */
  earningRuleLimit: 7_263_554_211 % 2 ** 31,
  /** Per referral program and referrer: their conversions are counted one at a time (rewards at thresholds). */
  referrerConversions: 7_263_554_204 % 2 ** 31,
} as const;

export type LockName = keyof typeof lockKeys;

/** Takes a one-key lock until tx ends. */
export async function lockUntilCommit(tx: Queryable, name: 'migrations' | 'defaultProject'): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [lockKeys[name]]);
}

/** Takes a per-project lock until tx ends. */
export async function lockProjectUntilCommit(tx: Queryable, name: 'filterSegmentLimit' | 'earningRuleLimit', projectId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [lockKeys[name], projectId]);
}

/** Takes a per-object lock until tx ends: shared (holders of it do not wait for each other) or alone. */
export async function lockObjectUntilCommit(tx: Queryable, name: 'rewardStock' | 'referrerConversions', id: string, mode: 'shared' | 'alone'): Promise<void> {
  await tx.query(`SELECT ${mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}($1::int, hashtext($2))`, [lockKeys[name], id]);
}

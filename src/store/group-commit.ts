import { createBatcher, type Batcher } from '../core/batcher.js';
import { metrics } from '../core/metrics.js';
import type { Db, Executor } from './db.js';

export interface GroupCommitOptions<I, O> {
  db: Db;
  /** The write path, as the batch-size metric labels it. */
  name?: string;
  maxBatch: number;
  /** Transactions written at the same time. */
  maxInFlight: number;
  /** Writes a batch in one transaction; one outcome per item, in order: a value or the Error that item fails with. */
  write(tx: Executor, items: I[]): Promise<Array<O | Error>>;
}

/**
 * Group commit over the database: items that arrive while earlier transactions are being written go together
 * into the next one. If a batch's transaction fails as a whole, its items are written one by one, so only the
 * item at fault fails.
 */
export function createGroupCommit<I, O>(o: GroupCommitOptions<I, O>): Batcher<I, O> {
  async function run(items: I[]): Promise<Array<O | Error>> {
    try {
      const out = await o.db.transaction((tx) => o.write(tx, items));
      metrics.batchSize.observe({ path: o.name ?? 'other' }, items.length);
      return out;
    } catch (err) {
      if (items.length === 1) return [err instanceof Error ? err : new Error(String(err))];
      const out: Array<O | Error> = [];
      for (const item of items) out.push(...(await run([item])));
      return out;
    }
  }
  return createBatcher<I, O>({ maxBatch: o.maxBatch, maxInFlight: Math.max(1, o.maxInFlight), run });
}

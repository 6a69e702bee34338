import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createPollLoop, type PollLoop } from './poll-loop.js';

export interface DeliveryWorkerDeps {
  deliverDue(owner: string): Promise<number>;
  prune(cutoff: Date): Promise<number>;
  /** Wakes the worker when sendouts are committed; resolves to an unsubscribe. */
  subscribe(wake: () => void): Promise<() => Promise<void>>;
  now(): Date;
  onError(err: unknown): void;
  pollMs: number;
  lanes: number;
  retentionMs: number;
}

/**
 * The delivery worker: lanes that claim and send due sendouts (woken by NOTIFY, polling as a fallback and for
 * retries that come due), and a pruner that deletes finished sendouts past retention.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps) {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const delivery: PollLoop = createPollLoop({
    name: 'delivery',
    tick: () => deps.deliverDue(owner),
    idleMs: deps.pollMs,
    lanes: deps.lanes,
    onError: deps.onError,
  });
  const pruner: PollLoop = createPollLoop({
    name: 'retention',
    tick: async () => {
      const n = await deps.prune(new Date(deps.now().getTime() - deps.retentionMs));
      return n > 0 ? n : 0;
    },
    idleMs: 60_000,
    onError: deps.onError,
  });
  let unsubscribe: (() => Promise<void>) | undefined;

  return {
    owner,
    async start(): Promise<void> {
      try {
        unsubscribe = await deps.subscribe(() => delivery.wake());
      } catch (err) {
        deps.onError(err);
      }
      delivery.start();
      pruner.start();
    },
    wake: () => delivery.wake(),
    /** Stops claiming; sends in flight finish (within the delivery timeout) and are recorded. */
    async stop(): Promise<void> {
      await unsubscribe?.();
      await Promise.all([delivery.stop(), pruner.stop()]);
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

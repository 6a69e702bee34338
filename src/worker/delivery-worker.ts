import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createPollLoop, type PollLoop } from './poll-loop.js';

export interface DeliveryWorkerDeps {
  /** Claims up to limit due sendouts and starts sending them; onSettled runs once per sendout when recorded. */
  start(owner: string, limit: number, onSettled: () => void): Promise<{ claimed: number; held?: number; done: Promise<void> }>;
  /** Wakes the worker when sendouts are committed; resolves to an unsubscribe. */
  subscribe(wake: () => void): Promise<() => Promise<void>>;
  onError(err: unknown): void;
  pollMs: number;
  /** Largest claim. */
  batchSize: number;
  /** Sendouts in flight at once, over all endpoints. */
  concurrency: number;
}

/**
 * The delivery worker: one claim loop that keeps up to `concurrency` sendouts in flight (woken by NOTIFY and, when
 * it was full, by finished sends; polling as a fallback and for retries that come due). Pruning finished sendouts is
 * a job of the catalog (delivery.retention). A slow endpoint occupies only its own sendouts' slots.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps) {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let inFlight = 0;
  /** Whether the last claim was held back for want of room: a finished send then wakes the claimer. */
  let full = false;
  const batches = new Set<Promise<void>>();

  const claimer: PollLoop = createPollLoop({
    name: 'delivery',
    tick: async () => {
      const room = Math.min(deps.batchSize, deps.concurrency - inFlight);
      full = room <= 0;
      if (full) return 0;
      // Reserve the room, then give back what the claim did not use; each sent sendout frees its slot.
      inFlight += room;
      let settled = 0;
      const settle = () => {
        settled++;
        inFlight--;
        if (full) claimer.wake();
      };
      try {
        const { claimed, held = 0, done } = await deps.start(owner, room, settle);
        inFlight -= room - claimed;
        batches.add(done);
        void done.finally(() => batches.delete(done));
        // Fewer than there was room for, none held back by a rate limit: nothing else was due. Idle until new
        // sendouts are announced (a wake during the claim is kept by the loop) or the poll finds retries come due,
        // rather than claiming again at once. Held ones took room in the claim: others may be due behind them.
        return claimed + held === room ? Math.max(claimed, 1) : 0;
      } catch (err) {
        inFlight -= room - settled;
        throw err;
      }
    },
    idleMs: deps.pollMs,
    onError: deps.onError,
  });
  let unsubscribe: (() => Promise<void>) | undefined;

  return {
    owner,
    async start(): Promise<void> {
      try {
        unsubscribe = await deps.subscribe(() => claimer.wake());
      } catch (err) {
        deps.onError(err);
      }
      claimer.start();
    },
    wake: () => claimer.wake(),
    /** Stops claiming; sends in flight finish (within the delivery timeout) and are recorded. */
    async stop(): Promise<void> {
      await unsubscribe?.();
      await claimer.stop();
      await Promise.all([...batches]);
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;

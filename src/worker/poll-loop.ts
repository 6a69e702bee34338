/**
 * A generic poll loop: runs `tick` again at once while it finds work, otherwise waits `idleMs` or until woken. A
 * wake while a tick runs is kept: the lane then ticks again instead of sleeping (what woke it may have come after
 * the tick looked). Several lanes may run the same tick concurrently. stop() lets running ticks finish, then resolves.
 */
import { metrics } from '../core/metrics.js';

export interface PollLoopOptions {
  name: string;
  /** Does one round of work; returns how much it found (0 = idle). */
  tick(): Promise<number>;
  idleMs: number;
  lanes?: number;
  onError(err: unknown): void;
  /** Pause after a failed tick, so a broken dependency is not hammered. */
  errorBackoffMs?: number;
}

export interface PollLoop {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createPollLoop(o: PollLoopOptions): PollLoop {
  let running = false;
  /** Woken since the last tick started. */
  let woken = false;
  let lanes: Promise<void>[] = [];
  const sleepers = new Set<() => void>();

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  async function lane(): Promise<void> {
    while (running) {
      let found = 0;
      woken = false;
      try {
        found = await o.tick();
        metrics.jobRuns.inc({ job: o.name });
        if (found > 0) metrics.jobItems.inc({ job: o.name }, found);
      } catch (err) {
        metrics.jobErrors.inc({ job: o.name });
        o.onError(err);
        if (running) await sleep(o.errorBackoffMs ?? 1000);
        continue;
      }
      if (found === 0 && running && !woken) await sleep(o.idleMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      lanes = Array.from({ length: o.lanes ?? 1 }, () => lane());
    },
    wake() {
      woken = true;
      for (const s of [...sleepers]) s();
    },
    async stop() {
      running = false;
      for (const s of [...sleepers]) s();
      await Promise.all(lanes);
    },
  };
}

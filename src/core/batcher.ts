/**
 * Group commit for hot write paths: callers submit one item each; items wait while earlier batches are being
 * written and go together in the next one. An idle system writes each item at once (a batch of one); a busy one
 * writes many per transaction, which saves round trips and commits.
 */
export interface BatcherOptions<I, O> {
  /** Largest batch. */
  maxBatch: number;
  /** Batches written at the same time. */
  maxInFlight: number;
  /** Writes a batch; returns one outcome per item, in order: a value, or the Error that item fails with. */
  run(items: I[]): Promise<Array<O | Error>>;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export interface Batcher<I, O> {
  submit(item: I): Promise<O>;
  /** Resolves when everything submitted so far is written. */
  drain(): Promise<void>;
}

export function createBatcher<I, O>(options: BatcherOptions<I, O>): Batcher<I, O> {
  const queue: Pending<I, O>[] = [];
  let inFlight = 0;
  let idle: Array<() => void> = [];

  function pump(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      inFlight++;
      // A run() that throws instead of rejecting must still settle its batch and give its slot back.
      new Promise<Array<O | Error>>((resolve) => resolve(options.run(batch.map((p) => p.item))))
        .then(
          (outcomes) => {
            batch.forEach((p, i) => {
              const o = outcomes[i];
              if (o instanceof Error) p.reject(o);
              else if (i >= outcomes.length) p.reject(new Error('batch returned fewer outcomes than items'));
              else p.resolve(o as O);
            });
          },
          (err: unknown) => batch.forEach((p) => p.reject(err)),
        )
        .finally(() => {
          inFlight--;
          pump();
          if (inFlight === 0 && queue.length === 0) {
            const waiting = idle;
            idle = [];
            waiting.forEach((fn) => fn());
          }
        });
    }
  }

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    drain(): Promise<void> {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}

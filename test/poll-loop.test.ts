/**
 * The claim loop's wake-ups: a wake that arrives while a tick runs is not lost (the loop ticks again instead of
 * sleeping until the poll), and an idle delivery worker claims again only when something can be there (new
 * sendouts announced, or room freed while it was full), not each time a send finishes.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createDeliveryWorker } from '../src/worker/delivery-worker.js';
import { createPollLoop } from '../src/worker/poll-loop.js';

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('poll loop', () => {
  it('ticks again at once when woken during a tick, and otherwise sleeps until the poll', async () => {
    let ticks = 0;
    let wakeDuring = true;
    const loop = createPollLoop({
      name: 'test',
      idleMs: 60_000,
      onError: (err) => {
        throw err;
      },
      async tick() {
        ticks++;
        if (wakeDuring) {
          wakeDuring = false;
          await macrotask();
          loop.wake();
        }
        return 0;
      },
    });
    loop.start();
    onTestFinished(() => loop.stop());
    await until(() => ticks === 2, 'the second tick');
    // Nothing woke it during the second tick: it sleeps (the poll is a minute away).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ticks).toBe(2);
    loop.wake();
    await until(() => ticks === 3, 'the tick after a wake');
  });
});

describe('delivery worker claims', () => {
  function worker(concurrency: number, claims: number[], held: number[] = []) {
    const calls: number[] = [];
    const settlers: Array<() => void> = [];
    const w = createDeliveryWorker({
      async start(_owner, limit, onSettled) {
        calls.push(limit);
        const claimed = Math.min(limit, claims.shift() ?? 0);
        for (let i = 0; i < claimed; i++) settlers.push(onSettled);
        return { claimed, held: held.shift() ?? 0, done: Promise.resolve() };
      },
      prune: async () => 0,
      subscribe: async () => async () => undefined,
      now: () => new Date(),
      onError: (err) => {
        throw err;
      },
      pollMs: 60_000,
      batchSize: 100,
      concurrency,
      retentionMs: 86_400_000,
    });
    return { w, calls, settlers };
  }

  it('does not claim again when sends finish after a claim that found fewer than it had room for', async () => {
    const { w, calls, settlers } = worker(256, [3]);
    await w.start();
    onTestFinished(() => w.stop());
    await until(() => settlers.length === 3, 'the first claim');
    for (const s of settlers.splice(0)) s();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One claim: it found 3 with room for 100, so nothing else was due; the sends finishing change nothing.
    expect(calls).toEqual([100]);
    // New sendouts announced: it claims again.
    w.wake();
    await until(() => calls.length === 2, 'the claim after a wake');
  });

  it('claims again as soon as a send finishes when it was full', async () => {
    const { w, calls, settlers } = worker(2, [2, 5]);
    await w.start();
    onTestFinished(() => w.stop());
    await until(() => settlers.length === 2, 'the first claim');
    // Full: room for 2, claimed 2. A finished send frees a slot and wakes it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual([2]);
    settlers.shift()!();
    await until(() => calls.length === 2, 'the claim after a slot freed');
    expect(calls[1]).toBe(1);
  });

  it('claims again at once when a rate limit held back part of a full claim (others may be due behind them)', async () => {
    // Room for 100: 40 claimed and 60 held back by an endpoint's rate limit, then 10 (nothing held): idle.
    const { w, calls } = worker(256, [40, 10], [60, 0]);
    await w.start();
    onTestFinished(() => w.stop());
    await until(() => calls.length === 2, 'the claim after the held ones');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The second claim has room for a full batch again (40 in flight of 256), and finds less: no third.
    expect(calls).toEqual([100, 100]);
  });
});

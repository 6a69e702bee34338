/** createBatcher on its own: run() is driven by hand through deferred promises, so batch composition is exact. */
import { describe, expect, it } from 'vitest';
import { createBatcher } from '../src/core/batcher.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A batcher whose every run() call is recorded and stays pending until the test settles it. */
function manual<I = string, O = string>(options: { maxBatch: number; maxInFlight: number }) {
  const calls: Array<{ items: I[]; done: Deferred<Array<O | Error>> }> = [];
  const batcher = createBatcher<I, O>({
    ...options,
    run(items) {
      const done = deferred<Array<O | Error>>();
      calls.push({ items: [...items], done });
      return done.promise;
    },
  });
  return { batcher, calls };
}

/** Lets every pending promise callback run (no clock involved: one macrotask turn). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Observes a promise without letting an expected rejection go unhandled. */
function track<T>(p: Promise<T>) {
  const state: { status: 'pending' | 'fulfilled' | 'rejected'; value?: T; reason?: unknown } = { status: 'pending' };
  p.then(
    (value) => Object.assign(state, { status: 'fulfilled', value }),
    (reason: unknown) => Object.assign(state, { status: 'rejected', reason }),
  );
  return state;
}

const upper = (items: string[]) => items.map((s) => s.toUpperCase());

describe('createBatcher', () => {
  it('runs a single item on an idle batcher at once, as a batch of one', async () => {
    const { batcher, calls } = manual({ maxBatch: 10, maxInFlight: 1 });
    const a = batcher.submit('a');
    expect(calls.map((c) => c.items)).toEqual([['a']]);
    calls[0]!.done.resolve(['A']);
    await expect(a).resolves.toBe('A');
  });

  it('groups items submitted while maxInFlight batches run into the next batch', async () => {
    const { batcher, calls } = manual({ maxBatch: 10, maxInFlight: 2 });
    const first = [batcher.submit('a'), batcher.submit('b')];
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b']]);
    const waiting = ['c', 'd', 'e'].map((s) => batcher.submit(s));
    await settle();
    expect(calls).toHaveLength(2);

    calls[1]!.done.resolve(['B']);
    await settle();
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    // A slot is taken again: what comes now waits for the next free one.
    const late = batcher.submit('f');
    await settle();
    expect(calls).toHaveLength(3);

    calls[0]!.done.resolve(['A']);
    await settle();
    expect(calls[3]!.items).toEqual(['f']);
    calls[2]!.done.resolve(upper(calls[2]!.items));
    calls[3]!.done.resolve(['F']);
    expect(await Promise.all([...first, ...waiting, late])).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('never puts more than maxBatch items in a batch, and keeps submission order across batches', async () => {
    const { batcher, calls } = manual({ maxBatch: 3, maxInFlight: 1 });
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const results = items.map((s) => batcher.submit(s));
    for (let i = 0; i < 4; i++) {
      await settle();
      calls[i]!.done.resolve(upper(calls[i]!.items));
    }
    expect(calls.map((c) => c.items)).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g'], ['h']]);
    expect(await Promise.all(results)).toEqual(items.map((s) => s.toUpperCase()));
  });

  it('gives each item the outcome at its own position', async () => {
    const { batcher, calls } = manual({ maxBatch: 10, maxInFlight: 1 });
    const head = batcher.submit('head');
    const rest = ['x', 'y', 'z'].map((s) => batcher.submit(s));
    calls[0]!.done.resolve(['HEAD']);
    await settle();
    expect(calls[1]!.items).toEqual(['x', 'y', 'z']);
    calls[1]!.done.resolve(['out-x', 'out-y', 'out-z']);
    expect(await head).toBe('HEAD');
    expect(await Promise.all(rest)).toEqual(['out-x', 'out-y', 'out-z']);
  });

  it('rejects only the item whose outcome is an Error', async () => {
    const { batcher, calls } = manual({ maxBatch: 10, maxInFlight: 1 });
    const head = batcher.submit('head');
    const [x, y, z] = ['x', 'y', 'z'].map((s) => track(batcher.submit(s)));
    calls[0]!.done.resolve(['HEAD']);
    await settle();
    const culprit = new Error('y is refused');
    calls[1]!.done.resolve(['X', culprit, 'Z']);
    await settle();
    expect(await head).toBe('HEAD');
    expect(x).toMatchObject({ status: 'fulfilled', value: 'X' });
    expect(y).toMatchObject({ status: 'rejected', reason: culprit });
    expect(z).toMatchObject({ status: 'fulfilled', value: 'Z' });
  });

  it('rejects the items that a short outcome list leaves without an outcome', async () => {
    const { batcher, calls } = manual({ maxBatch: 10, maxInFlight: 1 });
    const a = track(batcher.submit('a'));
    calls[0]!.done.resolve([]);
    await settle();
    expect(a.status).toBe('rejected');
  });

  it('rejects every item of a batch whose run() fails, and still runs later batches', async () => {
    const { batcher, calls } = manual({ maxBatch: 10, maxInFlight: 1 });
    const head = batcher.submit('head');
    const doomed = ['x', 'y'].map((s) => track(batcher.submit(s)));
    calls[0]!.done.resolve(['HEAD']);
    await settle();
    const boom = new Error('transaction failed');
    calls[1]!.done.reject(boom);
    await settle();
    expect(doomed.map((d) => d.status)).toEqual(['rejected', 'rejected']);
    expect(doomed.every((d) => d.reason === boom)).toBe(true);

    const after = batcher.submit('after');
    expect(calls[2]!.items).toEqual(['after']);
    calls[2]!.done.resolve(['AFTER']);
    expect(await after).toBe('AFTER');
    expect(await head).toBe('HEAD');
  });

  it('rejects the batch of a run() that throws before returning a promise, and keeps going', async () => {
    const head = deferred<string[]>();
    const seen: string[][] = [];
    const batcher = createBatcher<string, string>({
      maxBatch: 10,
      maxInFlight: 1,
      run(items) {
        seen.push(items);
        if (items.includes('bad')) throw new Error('thrown synchronously');
        return items[0] === 'head' ? head.promise : Promise.resolve(upper(items));
      },
    });
    const first = track(batcher.submit('head'));
    const doomed = ['x', 'bad'].map((s) => track(batcher.submit(s)));
    head.resolve(['HEAD']);
    await settle();
    expect(first.status).toBe('fulfilled');
    expect(doomed.map((d) => d.status)).toEqual(['rejected', 'rejected']);
    // The failed batch gave its slot back: the batcher still writes and drains.
    const after = track(batcher.submit('after'));
    await settle();
    expect(after).toMatchObject({ status: 'fulfilled', value: 'AFTER' });
    expect(seen).toEqual([['head'], ['x', 'bad'], ['after']]);
    const drained = track(batcher.drain());
    await settle();
    expect(drained.status).toBe('fulfilled');
  });

  it('drain() resolves at once when idle, else only when everything submitted is done', async () => {
    const { batcher, calls } = manual({ maxBatch: 2, maxInFlight: 1 });
    await batcher.drain();
    const items = ['a', 'b', 'c', 'd'].map((s) => track(batcher.submit(s)));
    const drained = track(batcher.drain());
    const expected = [['a'], ['b', 'c'], ['d']];
    for (let i = 0; i < expected.length; i++) {
      await settle();
      expect(drained.status).toBe('pending');
      expect(calls[i]!.items).toEqual(expected[i]);
      // A failing batch counts as done too.
      if (i === 1) calls[i]!.done.reject(new Error('failed batch'));
      else calls[i]!.done.resolve(upper(calls[i]!.items));
    }
    await settle();
    expect(drained.status).toBe('fulfilled');
    expect(items.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(calls).toHaveLength(3);
  });
});

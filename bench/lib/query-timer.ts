/**
 * Loaded into a Tessera process with `node --import` (delivery bench --count-queries): like query-counter, counts
 * the statements node-postgres sends by their first words, and also sums the time each took from being handed to
 * a connection to its result (pool waits excluded). Prints `BENCH_QUERY_TIMES {key: [count, ms]}` to stderr on
 * SIGUSR2.
 */
import { onEveryQuery } from './query-hook.js';

const figures: Record<string, [number, number]> = {};

onEveryQuery('BENCH_QUERY_TIMES', figures, (key) => {
  const f = (figures[key] ??= [0, 0]);
  f[0]++;
  const t0 = performance.now();
  return () => {
    f[1] += performance.now() - t0;
  };
});

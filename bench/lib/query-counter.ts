/**
 * Loaded into the server with `node --import` (bench --count-queries): counts the statements node-postgres sends,
 * by their first words, and prints the running totals to stderr on SIGUSR2. The bench asks before and after the
 * measured phase and divides the difference by the events sent. PostgreSQL only: PGlite does not go through pg.
 */
import { onEveryQuery } from './query-hook.js';

const counts: Record<string, number> = {};

onEveryQuery('BENCH_QUERY_COUNTS', counts, (key) => {
  counts[key] = (counts[key] ?? 0) + 1;
  return undefined;
});

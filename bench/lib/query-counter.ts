/**
 * Loaded into the server with `node --import` (bench --count-queries): counts the statements node-postgres sends,
 * by their first words, and prints the running totals to stderr on SIGUSR2. The bench asks before and after the
 * measured phase and divides the difference by the events sent. PostgreSQL only: PGlite does not go through pg.
 */
import pg from 'pg';

const counts: Record<string, number> = {};
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = proto.query;

proto.query = function query(this: unknown, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: unknown } | null)?.text ?? '');
  const key = String(text).replace(/\s+/g, ' ').trim().slice(0, 70);
  counts[key] = (counts[key] ?? 0) + 1;
  return original.apply(this, args);
};

process.on('SIGUSR2', () => {
  process.stderr.write(`BENCH_QUERY_COUNTS ${JSON.stringify(counts)}\n`);
});

/**
 * Loaded into a Tessera process with `node --import` (delivery bench --count-queries): like query-counter, counts
 * the statements node-postgres sends by their first words, and also sums the time each took from being handed to
 * a connection to its result (pool waits excluded). Prints `BENCH_QUERY_TIMES {key: [count, ms]}` to stderr on
 * SIGUSR2.
 */
import pg from 'pg';

const figures: Record<string, [number, number]> = {};
const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = proto.query;

proto.query = function query(this: unknown, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: unknown } | null)?.text ?? '');
  const key = String(text).replace(/\s+/g, ' ').trim().slice(0, 70);
  const f = (figures[key] ??= [0, 0]);
  f[0]++;
  const t0 = performance.now();
  const done = () => {
    f[1] += performance.now() - t0;
  };
  const last = args.length - 1;
  if (typeof args[last] === 'function') {
    const cb = args[last] as (...a: unknown[]) => unknown;
    args[last] = (...a: unknown[]) => {
      done();
      return cb(...a);
    };
    return original.apply(this, args);
  }
  const result = original.apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
  return result;
};

process.on('SIGUSR2', () => {
  process.stderr.write(`BENCH_QUERY_TIMES ${JSON.stringify(figures)}\n`);
});

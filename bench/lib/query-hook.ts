/**
 * What query-counter and query-timer share. Loaded into a server with `node --import`, they wrap node-postgres'
 * Client#query to note every statement under its first words, and print their figures to stderr on SIGUSR2 as
 * `<label> <JSON>`, for the bench to ask for before and after a phase.
 */
import pg from 'pg';

/**
 * Calls observe(key) as each statement is sent; the function it may return is called when the statement's result
 * (or error) is in. On SIGUSR2 prints `label` and `figures` (the object observe fills in).
 */
export function onEveryQuery(label: string, figures: object, observe: (key: string) => (() => void) | undefined): void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;

  proto.query = function query(this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: unknown } | null)?.text ?? '');
    const done = observe(String(text).replace(/\s+/g, ' ').trim().slice(0, 70));
    if (!done) return original.apply(this, args);
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
    process.stderr.write(`${label} ${JSON.stringify(figures)}\n`);
  });
}

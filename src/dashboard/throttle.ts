/**
 * Failed sign-ins per account (a login, or the management id), kept in this process's memory: after `max` failures
 * within `windowMs` the account's sign-in is refused until the window has passed, whatever the password. Guessing a
 * password then costs days, while its owner waits minutes. A success clears the count.
 */
export function createThrottle(opts: { max: number; windowMs: number; now?: () => number; maxKeys?: number }) {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 10_000;
  const failures = new Map<string, { count: number; since: number }>();

  const current = (key: string) => {
    const f = failures.get(key);
    if (f && now() - f.since >= opts.windowMs) {
      failures.delete(key);
      return undefined;
    }
    return f;
  };

  return {
    /** Milliseconds until the account may try again (0: it may now). */
    waitMs(key: string): number {
      const f = current(key);
      return f && f.count >= opts.max ? opts.windowMs - (now() - f.since) : 0;
    },
    failed(key: string): void {
      const f = current(key);
      if (f) f.count++;
      else {
        if (failures.size >= maxKeys) failures.delete(failures.keys().next().value!);
        failures.set(key, { count: 1, since: now() });
      }
    },
    succeeded(key: string): void {
      failures.delete(key);
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;

import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';

/**
 * Wrong passwords per login, counted in the database (every process holds a guessed account alike): after `max`
 * failures within `windowMs` of the first, the login's sign-in is refused until the window has passed, whatever the
 * password. Guessing a password then costs days, while its owner waits minutes. A success clears the count.
 */
export function createSignInThrottle(deps: { db: Db; clock: Clock; max: number; windowMs: number }) {
  const { db, clock, max, windowMs } = deps;

  return {
    /** Milliseconds until the login may try again (0: it may now). */
    async waitMs(login: string): Promise<number> {
      const { rows } = await db.query<{ failures: number; since: Date }>('SELECT failures, since FROM sign_in_failures WHERE login = $1', [login]);
      const f = rows[0];
      if (!f || f.failures < max) return 0;
      return Math.max(0, windowMs - (clock.now().getTime() - new Date(f.since).getTime()));
    },
    /** Counts a wrong password: one statement, so that concurrent failures on several processes all count. */
    async failed(login: string): Promise<void> {
      const now = clock.now();
      // Windows that have passed are swept out (failures are rare; the table stays as small as the attacks of the hour).
      await db.query('DELETE FROM sign_in_failures WHERE since <= $1 AND login <> $2', [new Date(now.getTime() - windowMs), login]);
      await db.query(
        `INSERT INTO sign_in_failures (login, failures, since) VALUES ($1, 1, $2)
         ON CONFLICT (login) DO UPDATE SET
           failures = CASE WHEN sign_in_failures.since <= $3 THEN 1 ELSE sign_in_failures.failures + 1 END,
           since = CASE WHEN sign_in_failures.since <= $3 THEN $2 ELSE sign_in_failures.since END`,
        [login, now, new Date(now.getTime() - windowMs)],
      );
    },
    async succeeded(login: string): Promise<void> {
      await db.query('DELETE FROM sign_in_failures WHERE login = $1', [login]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

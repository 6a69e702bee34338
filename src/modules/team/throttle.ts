import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';

/**
 * Password tries per login, counted in the database (every process holds a guessed account alike): each try is
 * counted before its password is checked, in one statement, so tries sent at once count as surely as tries in a row;
 * a success takes the count away. After `max` unsuccessful tries within `windowMs` of the first, the login's sign-in
 * is refused until the window has passed, whatever the password. Guessing a password then costs days, while its
 * owner waits minutes.
 */
export function createSignInThrottle(deps: { db: Db; clock: Clock; max: number; windowMs: number }) {
  const { db, clock, max, windowMs } = deps;
  const waitFrom = (since: Date) => Math.max(0, windowMs - (clock.now().getTime() - new Date(since).getTime()));

  return {
    /** Milliseconds until the login may try again (0: it may now); counts nothing. */
    async waitMs(login: string): Promise<number> {
      const { rows } = await db.query<{ failures: number; since: Date }>('SELECT failures, since FROM sign_in_failures WHERE login = $1', [login]);
      const f = rows[0];
      if (!f || f.failures < max) return 0;
      return waitFrom(f.since);
    },
    /**
     * Counts a try (one statement, so that concurrent tries on several processes all count) and answers how long the
     * login must wait: 0 lets this try check its password (it stays counted unless `succeeded` follows).
     */
    async attempt(login: string): Promise<number> {
      const now = clock.now();
      const passed = new Date(now.getTime() - windowMs);
      // Windows that have passed are swept out (tries are rare; the table stays as small as the attacks of the hour).
      await db.query('DELETE FROM sign_in_failures WHERE since <= $1 AND login <> $2', [passed, login]);
      const { rows } = await db.query<{ failures: number; since: Date }>(
        `INSERT INTO sign_in_failures (login, failures, since) VALUES ($1, 1, $2)
         ON CONFLICT (login) DO UPDATE SET
           failures = CASE WHEN sign_in_failures.since <= $3 THEN 1 ELSE least(sign_in_failures.failures + 1, $4::int) END,
           since = CASE WHEN sign_in_failures.since <= $3 THEN $2 ELSE sign_in_failures.since END
         RETURNING failures, since`,
        [login, now, passed, max + 1],
      );
      const f = rows[0]!;
      return f.failures > max ? waitFrom(f.since) : 0;
    },
    async succeeded(login: string): Promise<void> {
      await db.query('DELETE FROM sign_in_failures WHERE login = $1', [login]);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

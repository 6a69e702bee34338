import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../store/db.js';

/** Who signed in: the holder of the management credentials, or a team user (with the login they signed in with). */
export type SessionUser = { kind: 'management'; id: string } | { kind: 'user'; id: string; login: string };

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** A dashboard sign-in as stored. */
export interface StoredSession {
  /** The SHA-256 digest of the cookie's id: what the row is found by. */
  key: string;
  csrf: string;
  user: SessionUser;
  /** For a management sign-in: the stored hash of the credentials it signed in with. */
  credential: string | null;
  createdAt: number;
  seenAt: number;
  flash?: Flash;
}

/** A session ends after this long without a request, and this long after it began, whatever happens. */
export const sessionIdleMs = 12 * 60 * 60 * 1000;
export const sessionMaxAgeMs = 7 * 24 * 60 * 60 * 1000;
/** Sessions one user keeps at most: a new sign-in ends their least recently used one beyond it. */
export const sessionsPerUser = 100;
/** A request records that the session is in use at most this often (one write a minute, not one per click). */
const touchEveryMs = 60_000;

const digest = (id: string) => createHash('sha256').update(id).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

interface Row {
  key: string;
  csrf: string;
  user_kind: string;
  user_id: string;
  login: string | null;
  credential: string | null;
  flash: Flash | null;
  created_at: Date;
  seen_at: Date;
}

const columns = 'key, csrf, user_kind, user_id, login, credential, flash, created_at, seen_at';

function sessionOf(r: Row): StoredSession {
  const user: SessionUser = r.user_kind === 'user' ? { kind: 'user', id: r.user_id, login: r.login ?? '' } : { kind: 'management', id: r.user_id };
  return { key: r.key, csrf: r.csrf, user, credential: r.credential, createdAt: r.created_at.getTime(), seenAt: r.seen_at.getTime(), ...(r.flash ? { flash: r.flash } : {}) };
}

/**
 * Dashboard sessions in the database: every `serve` process on it knows them, and a restart keeps them. The cookie
 * carries a random id and the row is keyed by its digest, so the table holds nothing that signs anyone in. What a
 * session may do is not stored: the dashboard derives it on every request (a team user's roles are read afresh).
 */
export function createSessionStore(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  /**
   * Starts a session. Expired ones are swept out at the same time (sign-ins are rare, requests are not), and so are
   * the user's least recently used ones beyond `sessionsPerUser`, so that the table stays bounded.
   */
  async function start(user: SessionUser, credential: string | null): Promise<{ cookie: string; session: StoredSession }> {
    const now = clock.now();
    await db.query('DELETE FROM dashboard_sessions WHERE seen_at < $1 OR created_at < $2', [new Date(now.getTime() - sessionIdleMs), new Date(now.getTime() - sessionMaxAgeMs)]);
    await db.query(
      `DELETE FROM dashboard_sessions WHERE user_id = $1 AND key IN (
         SELECT key FROM dashboard_sessions WHERE user_id = $1 ORDER BY seen_at DESC, key OFFSET $2)`,
      [user.id, sessionsPerUser - 1],
    );
    const cookie = newToken();
    const { rows } = await db.query<Row>(
      `INSERT INTO dashboard_sessions (key, csrf, user_kind, user_id, login, credential, created_at, seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ${columns}`,
      [digest(cookie), newToken(), user.kind, user.id, user.kind === 'user' ? user.login : null, credential, now],
    );
    return { cookie, session: sessionOf(rows[0]!) };
  }

  /** The live session of a cookie, or undefined (none, ended or expired: an expired one is deleted). */
  async function find(cookie: string | undefined): Promise<StoredSession | undefined> {
    if (!cookie) return undefined;
    const key = digest(cookie);
    const { rows } = await db.query<Row>(`SELECT ${columns} FROM dashboard_sessions WHERE key = $1`, [key]);
    if (!rows[0]) return undefined;
    const s = sessionOf(rows[0]);
    const t = clock.now().getTime();
    if (t - s.seenAt > sessionIdleMs || t - s.createdAt > sessionMaxAgeMs) {
      await db.query('DELETE FROM dashboard_sessions WHERE key = $1', [key]);
      return undefined;
    }
    if (t - s.seenAt >= touchEveryMs) {
      await db.query('UPDATE dashboard_sessions SET seen_at = $2 WHERE key = $1', [key, new Date(t)]);
      s.seenAt = t;
    }
    return s;
  }

  async function end(cookie: string | undefined): Promise<void> {
    if (cookie) await db.query('DELETE FROM dashboard_sessions WHERE key = $1', [digest(cookie)]);
  }

  /** Ends every session of this user (the management id, or a team user's id) but the one keyed `keep`; answers how many. */
  async function endFor(userId: string, keep?: string): Promise<number> {
    const { rowCount } = await db.query('DELETE FROM dashboard_sessions WHERE user_id = $1 AND key IS DISTINCT FROM $2', [userId, keep ?? null]);
    return rowCount;
  }

  /** A user's live sessions, the most recently used first (at most 50). */
  async function listFor(userId: string): Promise<Array<{ key: string; createdAt: Date; seenAt: Date }>> {
    const t = clock.now().getTime();
    const { rows } = await db.query<{ key: string; created_at: Date; seen_at: Date }>(
      'SELECT key, created_at, seen_at FROM dashboard_sessions WHERE user_id = $1 AND seen_at > $2 AND created_at > $3 ORDER BY seen_at DESC, key LIMIT 50',
      [userId, new Date(t - sessionIdleMs), new Date(t - sessionMaxAgeMs)],
    );
    return rows.map((r) => ({ key: r.key, createdAt: new Date(r.created_at), seenAt: new Date(r.seen_at) }));
  }

  /** Sets (or, with undefined, clears) the message the session's next page shows once. */
  async function setFlash(key: string, flash: Flash | undefined): Promise<void> {
    await db.query('UPDATE dashboard_sessions SET flash = $2::jsonb WHERE key = $1', [key, flash ? JSON.stringify(flash) : null]);
  }

  return { start, find, end, endFor, listFor, setFlash };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

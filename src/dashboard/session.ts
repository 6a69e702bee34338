import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who signed in: the holder of the management credentials, or a team user (with the login they signed in with). */
export type SessionUser = { kind: 'management'; id: string } | { kind: 'user'; id: string; login: string };

/**
 * Dashboard sessions, kept in this process's memory: a restart signs everyone out, and sessions are not shared
 * between processes. The cookie carries only a random id; what the management API takes (the management
 * credentials, or a team user's in-process delegation) stays server-side, in `headers`.
 */
export interface Session {
  csrf: string;
  user: SessionUser;
  /** The headers the session's management API calls carry. */
  headers: Record<string, string>;
  createdAt: number;
  seenAt: number;
  flash?: { kind: 'ok' | 'error'; text: string };
}

export const cookieName = 'tessera_session';
export const signInCookie = 'tessera_signin';
const idleMs = 12 * 60 * 60 * 1000;
const maxAgeMs = 7 * 24 * 60 * 60 * 1000;
const maxSessions = 10_000;

const digest = (id: string) => createHash('sha256').update(id).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function createSessions(now: () => number = Date.now) {
  const sessions = new Map<string, Session>();

  function start(user: SessionUser, headers: Record<string, string>): { cookie: string; session: Session } {
    if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
    const cookie = newToken();
    const t = now();
    const session: Session = { csrf: newToken(), user, headers, createdAt: t, seenAt: t };
    sessions.set(digest(cookie), session);
    return { cookie, session };
  }

  function find(cookie: string | undefined): Session | undefined {
    if (!cookie) return undefined;
    const key = digest(cookie);
    const s = sessions.get(key);
    if (!s) return undefined;
    const t = now();
    if (t - s.seenAt > idleMs || t - s.createdAt > maxAgeMs) {
      sessions.delete(key);
      return undefined;
    }
    s.seenAt = t;
    return s;
  }

  function end(cookie: string | undefined): void {
    if (cookie) sessions.delete(digest(cookie));
  }

  /** Ends every session of this user (the management id, or a team user's id), but `keep`: their sign-in changed. */
  function endFor(userId: string, keep?: Session): void {
    for (const [k, s] of sessions) if (s.user.id === userId && s !== keep) sessions.delete(k);
  }

  return { start, find, end, endFor };
}

export type Sessions = ReturnType<typeof createSessions>;

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function cookie(name: string, value: string, opts: { secure: boolean; maxAgeS?: number }): string {
  const parts = [`${name}=${value}`, 'Path=/dashboard', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeS !== undefined) parts.push(`Max-Age=${opts.maxAgeS}`);
  return parts.join('; ');
}

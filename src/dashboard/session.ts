import { timingSafeEqual } from 'node:crypto';
import type { Delegation, SessionStore, SessionUser, StoredSession } from '../modules/team/index.js';

export type { SessionUser } from '../modules/team/index.js';
export { newToken } from '../modules/team/index.js';

/**
 * A dashboard session: stored in the database (shared by every process, kept across restarts), with the headers
 * its management API calls carry, made afresh on each request: the process's delegation for the team user or the
 * management id. The management token itself is never kept.
 */
export interface Session extends StoredSession {
  /** The headers the session's management API calls carry. */
  headers: Record<string, string>;
  /** The flash message as loaded, to store it again only when a request changed it. */
  loadedFlash: string;
}

export const cookieName = 'tessera_session';
export const signInCookie = 'tessera_signin';

export function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function createSessions(deps: { store: SessionStore; delegation: Delegation; management: { fingerprint(): Promise<string | undefined> } }) {
  const { store, delegation, management } = deps;

  const live = (s: StoredSession): Session => ({
    ...s,
    headers: s.user.kind === 'user' ? delegation.headers(s.user.id) : delegation.managementHeaders(s.user.id),
    loadedFlash: JSON.stringify(s.flash ?? null),
  });

  async function start(user: SessionUser): Promise<{ cookie: string; session: Session }> {
    const credential = user.kind === 'management' ? ((await management.fingerprint()) ?? null) : null;
    const started = await store.start(user, credential);
    return { cookie: started.cookie, session: live(started.session) };
  }

  /** The cookie's session; a management one ends when the instance's credentials are no longer those it signed in with. */
  async function find(cookie: string | undefined): Promise<Session | undefined> {
    const s = await store.find(cookie);
    if (!s) return undefined;
    if (s.user.kind === 'management' && s.credential !== ((await management.fingerprint()) ?? null)) {
      await store.end(cookie);
      return undefined;
    }
    return live(s);
  }

  /** Stores the session's flash message when the request set or showed it. */
  async function saveFlash(s: Session): Promise<void> {
    const now = JSON.stringify(s.flash ?? null);
    if (now === s.loadedFlash) return;
    await store.setFlash(s.key, s.flash);
    s.loadedFlash = now;
  }

  return {
    start,
    find,
    saveFlash,
    end: (cookie: string | undefined) => store.end(cookie),
    /** Ends every session of this user (the management id, or a team user's id), but `keep`: their sign-in changed. */
    endFor: (userId: string, keep?: Session) => store.endFor(userId, keep?.key),
    /** The user's live sessions, the most recently used first. */
    listFor: (userId: string) => store.listFor(userId),
  };
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

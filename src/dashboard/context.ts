import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '../core/errors.js';
import { ApiRefusal, type ApiClient } from './api-client.js';
import { page, type ProjectRef, type Screen } from './layout.js';
import { html, type Html } from './html.js';
import type { Session } from './session.js';
import type { Role } from '../modules/team/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, its API client and, for a team user on a project's screen, their role in it. */
    dash?: { session: Session; api: ApiClient; role?: Role };
  }
}

export type Form = Record<string, string | string[]>;

export function parseForm(body: string): Form {
  const out: Form = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function field(form: unknown, name: string): string {
  const v = (form as Form | undefined)?.[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? '') : '';
}

export function fields(form: unknown, name: string): string[] {
  const v = (form as Form | undefined)?.[name];
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
}

/** The signed-in session and its API client (set by the dashboard's auth hook). */
export function dashOf(req: FastifyRequest): { session: Session; api: ApiClient; role?: Role } {
  if (!req.dash) throw new Error('dashboard route without a session');
  return req.dash;
}

export interface ProjectCtx {
  session: Session;
  api: ApiClient;
  projects: ProjectRef[];
  project: ProjectRef;
  /** /dashboard/p/<project id> */
  base: string;
  /** A team user's role in the project (none for management credentials, which may do everything). */
  role?: Role;
  render(reply: FastifyReply, screen: Screen, title: string, body: Html): FastifyReply;
  /** Redirects (303) after a change, with a message shown once on the next page. */
  done(reply: FastifyReply, to: string, text: string, kind?: 'ok' | 'error'): FastifyReply;
  /**
   * Makes a change and redirects to `at` with what it answers (or where and how it says). A refusal by a service
   * (a 4xx) is said on `at` with nothing changed; anything else is thrown.
   */
  attempt(reply: FastifyReply, at: string, change: () => Promise<Outcome>): Promise<FastifyReply>;
  /**
   * Shows a secret a change made (a key, an invitation link) once, in the change's own answer (200) with a link back:
   * never in the message for the next page, which the session's row in the database keeps until then.
   */
  reveal(reply: FastifyReply, screen: Screen, title: string, text: string, back: string): FastifyReply;
}

/** What a change shows next: its message on the page it was made from, or a message of its own kind elsewhere. */
export type Outcome = string | { text: string; to?: string; kind?: 'ok' | 'error' };

/** The project a /dashboard/p/:projectId route is about, read through the management API (404 when unknown). */
export async function projectCtx(req: FastifyRequest): Promise<ProjectCtx> {
  const { session, api, role } = dashOf(req);
  const projectId = (req.params as { projectId: string }).projectId;
  const list = await api.must<{ data: ProjectRef[] }>('GET', '/projects');
  const projects = list.data.map((p) => ({ id: p.id, name: p.name }));
  const project = projects.find((p) => p.id === projectId);
  if (!project) throw new ApiRefusal(404, { details: `Cannot find project with id ${projectId}` });
  const base = `/dashboard/p/${encodeURIComponent(project.id)}`;
  const done = (reply: FastifyReply, to: string, text: string, kind: 'ok' | 'error' = 'ok') => {
    session.flash = { kind, text };
    return reply.redirect(to, 303);
  };
  const render = (reply: FastifyReply, screen: Screen, title: string, body: Html) => reply.type('text/html; charset=utf-8').send(page({ session, projects, project, screen, title, body, role }));
  return {
    session,
    api,
    projects,
    project,
    base,
    role,
    render,
    done,
    reveal: (reply, screen, title, text, back) =>
      render(reply, screen, title, html`<h1>${title}</h1><div class="notice ok" role="status">${text}</div><p class="muted">Copy it now: it is not shown again.</p><p><a class="button" href="${back}">Back</a></p>`),
    async attempt(reply, at, change) {
      let out: Outcome;
      try {
        out = await change();
      } catch (err) {
        const why = refusalText(err);
        if (why === undefined) throw err;
        return done(reply, at, why, 'error');
      }
      return typeof out === 'string' ? done(reply, at, out) : done(reply, out.to ?? at, out.text, out.kind);
    },
  };
}

/** Requests made by the page's script (polling, live checks) get fragments or JSON, never a redirect. */
export const isFetch = (req: FastifyRequest) => req.headers['x-requested-with'] === 'fetch';

/**
 * What a refusal by a service or the management API says (a 4xx: a name taken, more points removed than held...), to show on the page
 * with nothing changed; undefined for anything else, which the caller rethrows.
 */
export function refusalText(err: unknown): string | undefined {
  if (err instanceof TesseraError && err.code < 500) return err.details ?? err.publicMessage;
  // The management API's, but a 401: a sign-in that stopped working ends the session (the dashboard's error handler).
  if (err instanceof ApiRefusal && err.status < 500 && err.status !== 401) return err.message;
  return undefined;
}

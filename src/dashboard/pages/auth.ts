import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dashOf, field } from '../context.js';
import { html } from '../html.js';
import { signedOutPage } from '../layout.js';
import { cookie, cookieName, newToken, readCookie, sameToken, signInCookie, type Sessions } from '../session.js';

const secure = (req: FastifyRequest) => req.protocol === 'https';
const screens = new Set(['overview', 'campaigns', 'customers', 'segments', 'distributions', 'sendouts', 'webhooks', 'event-schemas']);

function signInForm(token: string, error?: string): string {
  return signedOutPage(
    'Sign in',
    html`<div class="card narrow"><h1>Sign in to Tessera</h1>
<p class="muted">Use the instance's management credentials (X-Management-Id and X-Management-Token).</p>
${error ? html`<div class="notice error" role="alert">${error}</div>` : ''}
<form method="post" action="/dashboard/sign-in"><input type="hidden" name="_csrf" value="${token}">
<label for="management-id">Management ID</label><input type="text" id="management-id" name="id" autocomplete="username" required>
<label for="management-token">Management token</label><input type="password" id="management-token" name="token" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form></div>`,
  );
}

/** Sign-in (a double-submitted token guards the form), sign-out, the landing redirect and the project switcher. */
export function authRoutes(d: FastifyInstance, deps: { sessions: Sessions; management: { check(id: string, token: string): Promise<boolean> } }): void {
  const { sessions, management } = deps;

  d.get('/sign-in', async (req, reply) => {
    const token = newToken();
    return reply
      .header('set-cookie', cookie(signInCookie, token, { secure: secure(req), maxAgeS: 3600 }))
      .type('text/html; charset=utf-8')
      .send(signInForm(token));
  });

  d.post('/sign-in', async (req, reply) => {
    const expected = readCookie(req.headers.cookie, signInCookie);
    if (!expected || !sameToken(field(req.body, '_csrf'), expected)) {
      return reply.code(403).type('text/html; charset=utf-8').send(signInForm(expected ?? newToken(), 'The sign-in form expired: try again.'));
    }
    const id = field(req.body, 'id').trim();
    const token = field(req.body, 'token');
    if (!id || !token || !(await management.check(id, token))) {
      // A fixed pause makes guessing slow.
      await new Promise((f) => setTimeout(f, 300));
      return reply.code(401).type('text/html; charset=utf-8').send(signInForm(expected, 'Wrong management ID or token.'));
    }
    sessions.end(readCookie(req.headers.cookie, cookieName));
    const started = sessions.start({ id, token });
    return reply
      .header('set-cookie', [
        cookie(cookieName, started.cookie, { secure: secure(req) }),
        cookie(signInCookie, '', { secure: secure(req), maxAgeS: 0 }),
      ])
      .redirect('/dashboard', 303);
  });

  d.post('/sign-out', async (req, reply) => {
    sessions.end(readCookie(req.headers.cookie, cookieName));
    return reply.header('set-cookie', cookie(cookieName, '', { secure: secure(req), maxAgeS: 0 })).redirect('/dashboard/sign-in', 303);
  });

  d.get('/', async (req, reply) => {
    const list = await dashOf(req).api.must<{ data: Array<{ id: string }> }>('GET', '/projects');
    const first = list.data[0];
    if (!first) {
      return reply.type('text/html; charset=utf-8').send(signedOutPage('No projects', html`<div class="card"><h1>No projects yet</h1><p>Create one with <code>tessera projects create</code> or <code>POST /management/v1/projects</code>.</p></div>`));
    }
    return reply.redirect(`/dashboard/p/${encodeURIComponent(first.id)}/overview`, 302);
  });

  d.get<{ Querystring: { project?: string; screen?: string } }>('/switch', async (req, reply) => {
    const project = typeof req.query.project === 'string' ? req.query.project : '';
    const screen = typeof req.query.screen === 'string' && screens.has(req.query.screen) ? req.query.screen : 'overview';
    if (!project) return reply.redirect('/dashboard', 303);
    return reply.redirect(`/dashboard/p/${encodeURIComponent(project)}/${screen === 'schemas' ? 'event-schemas' : screen}`, 303);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invitationDays, minPasswordLength, type TeamService, type TeamUser } from '../../modules/team/index.js';
import { dashOf, field } from '../context.js';
import { html } from '../html.js';
import { signedOutPage } from '../layout.js';
import type { SignInThrottle as Throttle } from '../../modules/team/index.js';
import { cookie, cookieName, newToken, readCookie, sameToken, signInCookie, type SessionUser, type Sessions } from '../session.js';

const secure = (req: FastifyRequest) => req.protocol === 'https';
const screens = new Set(['overview', 'campaigns', 'customers', 'segments', 'distributions', 'sendouts', 'webhooks', 'event-schemas', 'team']);

function signInForm(token: string, error?: string): string {
  return signedOutPage(
    'Sign in',
    html`<div class="card narrow"><h1>Sign in to Tessera</h1>
<p class="muted">With the instance's management credentials (X-Management-Id and X-Management-Token): every project, and the team.</p>
${error ? html`<div class="notice error" role="alert">${error}</div>` : ''}
<form method="post" action="/dashboard/sign-in"><input type="hidden" name="_csrf" value="${token}"><input type="hidden" name="kind" value="management">
<label for="management-id">Management ID</label><input type="text" id="management-id" name="id" autocomplete="username" required>
<label for="management-token">Management token</label><input type="password" id="management-token" name="token" autocomplete="current-password" required>
<p><button type="submit">Sign in with the management credentials</button></p></form>
<h2>Team members</h2>
<p class="muted">The email you were invited with, and your password.</p>
<form method="post" action="/dashboard/sign-in"><input type="hidden" name="_csrf" value="${token}"><input type="hidden" name="kind" value="user">
<label for="login">Email</label><input type="email" id="login" name="login" autocomplete="email" required>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="off" required>
<p><button type="submit">Sign in as a team member</button></p></form></div>`,
  );
}

function invitationForm(action: string, token: string, who: TeamUser, error?: string): string {
  // The same link serves an invitation and a password reset (a user who has a password already).
  const reset = who.password_hash !== null;
  return signedOutPage(
    reset ? 'Choose a new password' : 'Accept the invitation',
    html`<div class="card narrow"><h1>${reset ? 'Choose a new password' : 'Welcome to Tessera'}</h1>
<p>Choose a ${reset ? 'new ' : ''}password for <strong>${who.email}</strong> (at least ${String(minPasswordLength)} characters).</p>
${error ? html`<div class="notice error" role="alert">${error}</div>` : ''}
<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${token}">
<label for="new-password">Password</label><input type="password" id="new-password" name="password" autocomplete="new-password" minlength="${String(minPasswordLength)}" required>
<label for="repeat-password">Password again</label><input type="password" id="repeat-password" name="repeat" autocomplete="new-password" required>
<p><button type="submit">Set the password and sign in</button></p></form></div>`,
  );
}

const closedInvitation = () =>
  signedOutPage('Invitation', html`<div class="card narrow"><h1>This invitation link does not work</h1><p>It was used already, or it expired (links work for ${String(invitationDays)} days). Ask for a new invitation.</p></div>`);

/** Sign-in (a double-submitted token guards the form), sign-out, the landing redirect and the project switcher. */
export function authRoutes(
  d: FastifyInstance,
  deps: { sessions: Sessions; management: { check(id: string, token: string): Promise<boolean> }; team: TeamService; throttle: Throttle },
): void {
  const { sessions, management, team, throttle } = deps;

  async function signedIn(req: FastifyRequest, reply: FastifyReply, user: SessionUser): Promise<FastifyReply> {
    await sessions.end(readCookie(req.headers.cookie, cookieName));
    const started = await sessions.start(user);
    return reply
      .header('set-cookie', [cookie(cookieName, started.cookie, { secure: secure(req) }), cookie(signInCookie, '', { secure: secure(req), maxAgeS: 0 })])
      .redirect('/dashboard', 303);
  }

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
    if (field(req.body, 'kind') === 'user') {
      const login = field(req.body, 'login').trim().toLowerCase();
      // The try is counted before the password is checked: tries sent at once cannot pass the limit.
      const wait = await throttle.attempt(login);
      if (wait > 0) {
        return reply.code(429).header('retry-after', String(Math.ceil(wait / 1000))).type('text/html; charset=utf-8')
          .send(signInForm(expected, `Too many wrong passwords for this email: try again in ${Math.ceil(wait / 60_000)} minutes.`));
      }
      const user = login && field(req.body, 'password') ? await team.signIn(login, field(req.body, 'password')) : undefined;
      if (!user) {
        await new Promise((f) => setTimeout(f, 300));
        return reply.code(401).type('text/html; charset=utf-8').send(signInForm(expected, 'Wrong email or password.'));
      }
      await throttle.succeeded(login);
      return signedIn(req, reply, { kind: 'user', id: user.id, login: user.login });
    }
    const id = field(req.body, 'id').trim();
    const token = field(req.body, 'token');
    if (!id || !token || !(await management.check(id, token))) {
      // A fixed pause makes guessing slow.
      await new Promise((f) => setTimeout(f, 300));
      return reply.code(401).type('text/html; charset=utf-8').send(signInForm(expected, 'Wrong management ID or token.'));
    }
    return signedIn(req, reply, { kind: 'management', id });
  });

  // An invitation link (from POST /management/v1/projects/users/invite): the invitee sets a password, then is in.
  d.get<{ Params: { token: string } }>('/invitation/:token', async (req, reply) => {
    const user = await team.invitation(req.params.token);
    if (!user) return reply.code(404).type('text/html; charset=utf-8').send(closedInvitation());
    const token = newToken();
    return reply
      .header('set-cookie', cookie(signInCookie, token, { secure: secure(req), maxAgeS: 3600 }))
      .type('text/html; charset=utf-8')
      .send(invitationForm(req.url, token, user));
  });

  d.post<{ Params: { token: string } }>('/invitation/:token', async (req, reply) => {
    const user = await team.invitation(req.params.token);
    if (!user) return reply.code(404).type('text/html; charset=utf-8').send(closedInvitation());
    const expected = readCookie(req.headers.cookie, signInCookie);
    const form = (error: string, status: number) => reply.code(status).type('text/html; charset=utf-8').send(invitationForm(req.url, expected ?? newToken(), user, error));
    if (!expected || !sameToken(field(req.body, '_csrf'), expected)) return form('The form expired: try again.', 403);
    const password = field(req.body, 'password');
    if (password !== field(req.body, 'repeat')) return form('The two passwords differ.', 400);
    if (password.length < minPasswordLength || password.length > 200) return form(`The password needs ${minPasswordLength} to 200 characters.`, 400);
    const accepted = await team.accept(req.params.token, password);
    // Used meanwhile (another tab) or expired since the page was shown.
    if (!accepted) return reply.code(404).type('text/html; charset=utf-8').send(closedInvitation());
    // A new password signs the user out everywhere else.
    await sessions.endFor(accepted.id);
    return signedIn(req, reply, { kind: 'user', id: accepted.id, login: accepted.login });
  });

  d.post('/sign-out', async (req, reply) => {
    await sessions.end(readCookie(req.headers.cookie, cookieName));
    return reply.header('set-cookie', cookie(cookieName, '', { secure: secure(req), maxAgeS: 0 })).redirect('/dashboard/sign-in', 303);
  });

  d.get('/', async (req, reply) => {
    const list = await dashOf(req).api.must<{ data: Array<{ id: string }> }>('GET', '/projects');
    const first = list.data[0];
    if (!first) {
      const { session } = dashOf(req);
      const body =
        session.user.kind === 'user'
          ? html`<div class="card"><h1>No projects for you yet</h1><p>You are not assigned to any project: ask an admin of one to add you.</p>
<form method="post" action="/dashboard/sign-out"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit" class="secondary">Sign out</button></form></div>`
          : html`<div class="card"><h1>No projects yet</h1><p>Create one with <code>tessera projects create</code> or <code>POST /management/v1/projects</code>.</p></div>`;
      return reply.type('text/html; charset=utf-8').send(signedOutPage('No projects', body));
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

import type { FastifyInstance } from 'fastify';
import { minPasswordLength, type TeamService } from '../../modules/team/index.js';
import { field, projectCtx, type ProjectCtx } from '../context.js';
import { html, when, type Html } from '../html.js';
import { csrfField, postButton } from '../layout.js';
import type { Sessions } from '../session.js';
import type { SignInThrottle as Throttle } from '../../modules/team/index.js';

type P = { Params: { projectId: string } };

/** Where the user is signed in: each session's start and last use, this one marked, and a way to end the others. */
function sessionsSection(c: ProjectCtx, sessions: Array<{ key: string; createdAt: Date; seenAt: Date }>): Html {
  const others = sessions.filter((s) => s.key !== c.session.key).length;
  return html`<h2>Where you are signed in</h2>
<div class="table-wrap"><table id="my-sessions"><thead><tr><th scope="col">Signed in</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
<tbody>${sessions.map((s) => html`<tr><td>${when(s.createdAt.toISOString())}</td><td>${when(s.seenAt.toISOString())}</td><td>${s.key === c.session.key ? 'This browser' : ''}</td></tr>`)}</tbody></table></div>
<p class="muted">A session is forgotten after 12 hours unused, or 7 days after signing in.</p>
${others > 0 ? postButton(c.session, `${c.base}/account/sign-out-others`, `Sign out of the ${others} other session${others === 1 ? '' : 's'}`, { secondary: true, confirm: 'Sign out everywhere but here?' }) : ''}`;
}

function accountBody(c: ProjectCtx, sessions: Array<{ key: string; createdAt: Date; seenAt: Date }>, error?: string): Html {
  const me = c.session.user;
  if (me.kind !== 'user') {
    return html`<h1>Your account</h1><p>You signed in with the instance's management credentials: they have no password to change here (set them with <code>TESSERA_MANAGEMENT_ID</code> and <code>TESSERA_MANAGEMENT_TOKEN</code>).</p>${sessionsSection(c, sessions)}`;
  }
  return html`<h1>Your account</h1><p>Signed in as <strong>${me.login}</strong>.</p>
<h2>Change your password</h2>
${error ? html`<div class="notice error" role="alert">${error}</div>` : ''}
<form method="post" action="${c.base}/account/password" class="card">${csrfField(c.session)}
<label for="current-password">Current password</label><input type="password" id="current-password" name="current" autocomplete="current-password" required>
<label for="new-password">New password <span class="muted">(at least ${String(minPasswordLength)} characters)</span></label><input type="password" id="new-password" name="password" autocomplete="new-password" minlength="${String(minPasswordLength)}" required>
<label for="repeat-password">New password again</label><input type="password" id="repeat-password" name="repeat" autocomplete="new-password" required>
<p><button type="submit">Change the password</button></p></form>
<p class="muted">Changing it signs you out everywhere else.</p>
${sessionsSection(c, sessions)}`;
}

/** A team user's own account: their password, changed with the current one (other sessions end). */
export function accountRoutes(d: FastifyInstance, deps: { team: TeamService; sessions: Sessions; throttle: Throttle }): void {
  d.get<P>('/p/:projectId/account', async (req, reply) => {
    const c = await projectCtx(req);
    return c.render(reply, 'account', 'Your account', accountBody(c, await deps.sessions.listFor(c.session.user.id)));
  });

  d.post<P>('/p/:projectId/account/sign-out-others', async (req, reply) => {
    const c = await projectCtx(req);
    const ended = await deps.sessions.endFor(c.session.user.id, c.session);
    return c.done(reply, `${c.base}/account`, `Signed out of ${ended} other session${ended === 1 ? '' : 's'}.`);
  });

  d.post<P>('/p/:projectId/account/password', async (req, reply) => {
    const c = await projectCtx(req);
    const me = c.session.user;
    const sessions = await deps.sessions.listFor(me.id);
    if (me.kind !== 'user') return c.render(reply.code(400), 'account', 'Your account', accountBody(c, sessions));
    const fail = (error: string, status = 400) => c.render(reply.code(status), 'account', 'Your account', accountBody(c, sessions, error));
    const password = field(req.body, 'password');
    if (password !== field(req.body, 'repeat')) return fail('The two new passwords differ.');
    if (password.length < minPasswordLength || password.length > 200) return fail(`The new password needs ${minPasswordLength} to 200 characters.`);
    // Wrong current passwords count with wrong sign-ins: a left-open session is no way around the limit.
    const wait = await deps.throttle.attempt(me.login);
    // Held as the sign-in is: 429 with Retry-After.
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return fail(`Too many wrong passwords for this email: try again in ${Math.ceil(wait / 60_000)} minutes.`, 429);
    }
    if (!(await deps.team.changePassword(me.id, field(req.body, 'current'), password))) {
      await new Promise((f) => setTimeout(f, 300));
      return fail('The current password is wrong.');
    }
    await deps.throttle.succeeded(me.login);
    // Every other session of this user ends; this one goes on.
    await deps.sessions.endFor(me.id, c.session);
    return c.done(reply, `${c.base}/account`, 'Your password is changed; you are signed out everywhere else.');
  });
}

import type { FastifyInstance } from 'fastify';
import { roles } from '../../modules/team/index.js';
import { ApiRefusal } from '../api-client.js';
import { field, projectCtx, type ProjectCtx } from '../context.js';
import { html, type Html } from '../html.js';
import { csrfField, postButton, settingsTabs } from '../layout.js';

interface Member {
  id: string;
  login: string;
  first_name: string;
  last_name: string;
  role: string;
  status: 'INVITED' | 'ACTIVE';
}

type P = { Params: { projectId: string; userId: string } };

const roleHelp = 'ADMIN: everything in the project, its settings, webhooks and team. USER: changes data, reads settings. MERCHANT: reads, and checks and redeems codes at the counter. VIEWER: read only.';

const roleSelect = (id: string, selected: string, label: string): Html =>
  html`<label for="${id}" class="visually-hidden">${label}</label><select id="${id}" name="role">${roles.map((r) => html`<option value="${r}"${r === selected ? ' selected' : ''}>${r}</option>`)}</select>`;

function teamBody(c: ProjectCtx, members: Member[], canAdmin: boolean): Html {
  // A password reset or a deletion reaches a user's other projects: the management credentials' to do.
  const canReset = c.session.user.kind === 'management';
  const rows = members.map((m) => {
    const at = `${c.base}/team/${encodeURIComponent(m.id)}`;
    const name = `${m.first_name} ${m.last_name}`.trim();
    return html`<tr data-user="${m.id}"><td>${m.login}</td><td>${name || '—'}</td><td>${m.status === 'INVITED' ? 'invited' : 'active'}</td>
<td>${canAdmin ? html`<form method="post" action="${at}/role" class="inline">${csrfField(c.session)}${roleSelect(`role-${m.id}`, m.role, `Role of ${m.login}`)}<button type="submit" class="secondary">Save</button></form>` : m.role}</td>
<td class="actions">${canReset && m.status === 'ACTIVE' ? postButton(c.session, `${at}/reset`, `Reset the password of ${m.login}`, { secondary: true, confirm: `Make a link for ${m.login} to choose a new password?` }) : ''}${canAdmin ? postButton(c.session, `${at}/remove`, `Remove ${m.login}`, { danger: true, confirm: `Take ${m.login} off this project?` }) : ''}${canReset ? postButton(c.session, `${at}/delete`, `Delete ${m.login} from the team`, { danger: true, confirm: `Delete ${m.login} from the team, in every project? They can no longer sign in.` }) : ''}</td></tr>`;
  });
  const invite = canAdmin
    ? html`<h2>Add a person</h2>
<form method="post" action="${c.base}/team" class="card">${csrfField(c.session)}
<label for="email">Email</label><input type="email" id="email" name="email" required autocomplete="off">
<label for="first_name">First name</label><input type="text" id="first_name" name="first_name" autocomplete="off">
<label for="last_name">Last name</label><input type="text" id="last_name" name="last_name" autocomplete="off">
<label for="new-role">Role</label><select id="new-role" name="role">${roles.map((r) => html`<option value="${r}"${r === 'USER' ? ' selected' : ''}>${r}</option>`)}</select>
<p class="muted">Someone new gets an invitation link to pass on (Tessera sends no email); someone already in the team is added at once.</p>
<p><button type="submit">Add</button></p></form>`
    : '';
  return html`${settingsTabs(c.project.id, 'team')}<h1>Team</h1><p class="muted">${roleHelp}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Role</th><th scope="col">Actions</th></tr></thead>
<tbody>${members.length === 0 ? html`<tr><td colspan="5" class="muted">Nobody is assigned to this project yet: the management credentials work everywhere.</td></tr>` : ''}${rows}</tbody></table></div>${invite}`;
}

/** Project settings › Team: who works in the project and with which role; admins add, change and remove people. */
export function teamRoutes(d: FastifyInstance): void {
  d.get<P>('/p/:projectId/team', async (req, reply) => {
    const c = await projectCtx(req);
    const list = await c.api.must<{ data: Member[] }>('GET', `/projects/${c.project.id}/users`);
    const me = c.session.user;
    const canAdmin = me.kind === 'management' || list.data.some((m) => m.id === me.id && m.role === 'ADMIN');
    return c.render(reply, 'team', 'Team', teamBody(c, list.data, canAdmin));
  });

  d.post<P>('/p/:projectId/team', async (req, reply) => {
    const c = await projectCtx(req);
    const email = field(req.body, 'email').trim();
    const role = field(req.body, 'role');
    const names = { first_name: field(req.body, 'first_name').trim(), last_name: field(req.body, 'last_name').trim() };
    const invited = await c.api.call('POST', '/projects/users/invite', { email, ...names, projects: { [c.project.id]: role } });
    if (invited.status === 204) {
      const path = new URL(String(invited.headers['x-tessera-invitation-url'])).pathname;
      const link = `${req.publicOrigin}${path}`;
      return c.reveal(reply, 'team', 'Invitation link', `${email} is invited as ${role}. Send them this link (it works for 7 days, once): ${link}`, `${c.base}/team`);
    }
    // Already in the team (the invitation was accepted): added to this project at once.
    if (invited.status === 409) {
      const added = await c.api.call('POST', `/projects/${c.project.id}/users`, { login: email, role });
      if (added.ok) return c.done(reply, `${c.base}/team`, `${email} is added as ${role}.`);
      return c.done(reply, `${c.base}/team`, new ApiRefusal(added.status, added.body).message, 'error');
    }
    return c.done(reply, `${c.base}/team`, new ApiRefusal(invited.status, invited.body).message, 'error');
  });

  d.post<P>('/p/:projectId/team/:userId/role', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call<Member>('PUT', `/projects/${c.project.id}/users/${encodeURIComponent(req.params.userId)}`, { role: field(req.body, 'role') });
    if (!r.ok) return c.done(reply, `${c.base}/team`, new ApiRefusal(r.status, r.body).message, 'error');
    return c.done(reply, `${c.base}/team`, `${r.body.login} is now ${r.body.role}.`);
  });

  d.post<P>('/p/:projectId/team/:userId/reset', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call('POST', `/users/${encodeURIComponent(req.params.userId)}/password-reset`);
    if (r.status !== 204) return c.done(reply, `${c.base}/team`, new ApiRefusal(r.status, r.body).message, 'error');
    const link = `${req.publicOrigin}${new URL(String(r.headers['x-tessera-invitation-url'])).pathname}`;
    return c.reveal(reply, 'team', 'Password reset link', `Send this link to choose a new password (it works for 7 days, once; the current password works until then): ${link}`, `${c.base}/team`);
  });

  d.post<P>('/p/:projectId/team/:userId/delete', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call('DELETE', `/users/${encodeURIComponent(req.params.userId)}`);
    if (!r.ok) return c.done(reply, `${c.base}/team`, new ApiRefusal(r.status, r.body).message, 'error');
    return c.done(reply, `${c.base}/team`, 'Deleted from the team: they can no longer sign in.');
  });

  d.post<P>('/p/:projectId/team/:userId/remove', async (req, reply) => {
    const c = await projectCtx(req);
    const r = await c.api.call('DELETE', `/projects/${c.project.id}/users/${encodeURIComponent(req.params.userId)}`);
    if (!r.ok) return c.done(reply, `${c.base}/team`, new ApiRefusal(r.status, r.body).message, 'error');
    return c.done(reply, `${c.base}/team`, 'Taken off the project.');
  });
}

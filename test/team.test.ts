/**
 * The team (Voucherify's project users): invitations by link, assignments with a role, the answers' official
 * schemas, and what each role may do in the dashboard and, through it, in the management API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSpecValidator } from './helpers/api-spec.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { mgmt, privateTargets } from './helpers/sendouts.js';
import { createSignInThrottle } from '../src/modules/team/index.js';
import { fixedClock } from '../src/core/clock.js';

const official = apiSpecValidator('management');
let t: TestTessera;
let shop: TestProject;
let other: TestProject;

beforeAll(async () => {
  t = await startTessera({ env: privateTargets });
  shop = await t.createProject({ name: 'Shop' });
  other = await t.createProject({ name: 'Other shop' });
});
afterAll(() => t.close());

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const formHeaders = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded' });
const firstCookie = (h: unknown) => String(Array.isArray(h) ? h[0] : h).split(';')[0]!;

async function invite(email: string, projects: Record<string, string>) {
  const res = await mgmt(t, 'POST', '/projects/users/invite', { email, first_name: 'Ada', last_name: 'Lovelace', projects });
  expect(res.statusCode, res.body).toBe(204);
  const url = String(res.headers['x-tessera-invitation-url']);
  return { id: String(res.headers['x-tessera-user-id']), path: new URL(url).pathname };
}

/** Opens the invitation link and sets the password: answers the signed-in session's cookie. */
async function accept(path: string, password = 'correct horse battery') {
  const page = await t.app.inject({ method: 'GET', url: path });
  expect(page.statusCode, page.body).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await t.app.inject({ method: 'POST', url: path, headers: formHeaders(firstCookie(page.headers['set-cookie'])), payload: form({ _csrf: csrf, password, repeat: password }) });
  return { res, cookie: res.statusCode === 303 ? firstCookie(res.headers['set-cookie']) : '' };
}

async function signIn(login: string, password: string) {
  const page = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await t.app.inject({ method: 'POST', url: '/dashboard/sign-in', headers: formHeaders(firstCookie(page.headers['set-cookie'])), payload: form({ _csrf: csrf, kind: 'user', login, password }) });
  return { res, cookie: res.statusCode === 303 ? firstCookie(res.headers['set-cookie']) : '' };
}

/** A dashboard request as the signed-in user (changes carry the page's CSRF token). */
async function as(cookie: string, method: 'GET' | 'POST', url: string, body: Record<string, string> = {}) {
  if (method === 'GET') return t.app.inject({ method, url, headers: { cookie } });
  const page = await t.app.inject({ method: 'GET', url: `/dashboard/p/${shop.id}/overview`, headers: { cookie } });
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1] ?? 'none';
  return t.app.inject({ method, url, headers: formHeaders(cookie), payload: form({ _csrf: csrf, ...body }) });
}

describe('project users (management API)', () => {
  it('invites by link; the invitee sets a password and is signed in; answers validate', async () => {
    const inv = await invite('Grace@Example.com', { [shop.id]: 'USER' });
    expect(inv.id).toMatch(/^user_/);
    expect(inv.path).toMatch(/^\/dashboard\/invitation\/[A-Za-z0-9]{40}$/);

    const list = (await mgmt(t, 'GET', `/projects/${shop.id}/users`)).json();
    official('ManagementProjectsUsersListResponseBody', list);
    const listed = list.data.find((u: any) => u.id === inv.id);
    expect(listed).toMatchObject({ login: 'grace@example.com', email: 'Grace@Example.com', first_name: 'Ada', last_name: 'Lovelace', projects: { [shop.id]: 'USER' }, role: 'USER', is_owner: false, status: 'INVITED' });
    // Invited, not yet accepted: no password, so no sign-in.
    expect((await signIn('grace@example.com', 'correct horse battery')).res.statusCode).toBe(401);

    // The form refuses a short password and two that differ, and keeps the link open.
    const page = await t.app.inject({ method: 'GET', url: inv.path });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const headers = formHeaders(firstCookie(page.headers['set-cookie']));
    expect((await t.app.inject({ method: 'POST', url: inv.path, headers, payload: form({ _csrf: csrf, password: 'short', repeat: 'short' }) })).statusCode).toBe(400);
    const long = 'x'.repeat(201);
    expect((await t.app.inject({ method: 'POST', url: inv.path, headers, payload: form({ _csrf: csrf, password: long, repeat: long }) })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: inv.path, headers, payload: form({ _csrf: csrf, password: 'correct horse battery', repeat: 'correct horse batterY' }) })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: inv.path, headers: formHeaders('tessera_signin=from-this-page'), payload: form({ _csrf: 'from-another-page', password: 'correct horse battery', repeat: 'correct horse battery' }) })).statusCode).toBe(403);

    const { res, cookie } = await accept(inv.path);
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/dashboard');
    const overview = await as(cookie, 'GET', `/dashboard/p/${shop.id}/overview`);
    expect(overview.statusCode, overview.body).toBe(200);
    expect(overview.body).toContain('grace@example.com');
    // Used once: the link is closed, also to a form opened before it was used (another tab).
    expect((await t.app.inject({ method: 'GET', url: inv.path })).statusCode).toBe(404);
    const late = await t.app.inject({ method: 'POST', url: inv.path, headers, payload: form({ _csrf: csrf, password: 'another long password', repeat: 'another long password' }) });
    expect(late.statusCode).toBe(404);
    expect(late.body).toContain('does not work');

    const got = (await mgmt(t, 'GET', `/projects/${shop.id}/users/${inv.id}`)).json();
    official('ManagementProjectsUsersGetUserResponseBody', got);
    expect(got.status).toBe('ACTIVE');
    // The login is the email, whatever its case; a wrong password is refused.
    expect((await signIn('GRACE@example.com', 'correct horse battery')).res.statusCode).toBe(303);
    expect((await signIn('grace@example.com', 'wrong horse battery!')).res.statusCode).toBe(401);
    expect((await signIn('nobody@example.com', 'correct horse battery')).res.statusCode).toBe(401);
  });

  it('refuses what cannot be: an unknown project, a role it does not know, no project, an active login again', async () => {
    const bad = async (body: object, status: number, text: RegExp) => {
      const res = await mgmt(t, 'POST', '/projects/users/invite', body);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json()).toMatchObject({ code: status, details: expect.stringMatching(text), request_id: expect.any(String) });
    };
    await bad({ email: 'x@example.com', projects: { proj_nope: 'USER' } }, 404, /project with id proj_nope/);
    await bad({ email: 'x@example.com', projects: { [shop.id]: 'USER_RESTRICTED' } }, 400, /areas and stores/);
    await bad({ email: 'x@example.com', projects: { [shop.id]: 'role_XyZ7aB9cD2eF4gH1iJ0kL5mN6oP8qR3s' } }, 400, /no custom roles/);
    await bad({ email: 'x@example.com', projects: {} }, 400, /at least one project/);
    await bad({ email: 'not an email', projects: { [shop.id]: 'USER' } }, 400, /email/);
    // Nothing was made by the refused invitations.
    expect((await mgmt(t, 'GET', '/users')).json().data.map((u: any) => u.login)).not.toContain('x@example.com');

    const inv = await invite('active@example.com', { [shop.id]: 'VIEWER' });
    await accept(inv.path);
    await bad({ email: 'ACTIVE@example.com', projects: { [shop.id]: 'ADMIN' } }, 409, /login active@example.com/);
  });

  it('sends a pending invitation again: the new link replaces the old and the projects are added', async () => {
    const first = await invite('again@example.com', { [shop.id]: 'VIEWER' });
    // Sent again without names (the helper sends Ada Lovelace; here none): the names given first stay.
    const bare = await mgmt(t, 'POST', '/projects/users/invite', { email: 'again@example.com', projects: { [shop.id]: 'VIEWER' } });
    expect(bare.statusCode).toBe(204);
    expect((await mgmt(t, 'GET', `/users/${first.id}`)).json()).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    const second = await invite('again@example.com', { [other.id]: 'ADMIN' });
    expect(second.id).toBe(first.id);
    expect((await t.app.inject({ method: 'GET', url: first.path })).statusCode).toBe(404);
    const u = (await mgmt(t, 'GET', `/users/${first.id}`)).json();
    expect(u.projects).toEqual({ [shop.id]: 'VIEWER', [other.id]: 'ADMIN' });
    expect((await accept(second.path)).res.statusCode).toBe(303);
  });

  it('expires invitation links after seven days', async () => {
    const inv = await invite('late@example.com', { [shop.id]: 'USER' });
    await t.tessera.db.query("UPDATE team_users SET invited_until = now() - interval '1 second' WHERE id = $1", [inv.id]);
    const page = await t.app.inject({ method: 'GET', url: inv.path });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('expired');
  });

  it('assigns by id or login, changes roles, unassigns, and keeps every user in at least one project', async () => {
    const inv = await invite('mover@example.com', { [shop.id]: 'VIEWER' });
    const assign = async (body: object) => mgmt(t, 'POST', `/projects/${other.id}/users`, body);
    expect((await assign({ id: inv.id, login: 'mover@example.com', role: 'USER' })).statusCode).toBe(400);
    expect((await assign({ role: 'USER' })).statusCode).toBe(400);
    expect((await assign({ id: 'user_nope', role: 'USER' })).statusCode).toBe(404);
    expect((await assign({ login: 'Mover@example.com', role: 'MERCHANT_X' })).statusCode).toBe(400);
    const assigned = await assign({ login: 'Mover@example.com', role: 'MERCHANT' });
    expect(assigned.statusCode, assigned.body).toBe(200);
    official('ManagementProjectsUsersAssignResponseBody', assigned.json());
    expect(assigned.json()).toMatchObject({ id: inv.id, role: 'MERCHANT', projects: { [shop.id]: 'VIEWER', [other.id]: 'MERCHANT' } });
    const again = await assign({ id: inv.id, role: 'USER' });
    expect(again.statusCode).toBe(409);
    expect(again.json().key).toBe('duplicate_found');

    const changed = await mgmt(t, 'PUT', `/projects/${other.id}/users/${inv.id}`, { role: 'ADMIN' });
    expect(changed.statusCode, changed.body).toBe(200);
    official('ManagementProjectsUsersUpdateRoleResponseBody', changed.json());
    expect(changed.json().role).toBe('ADMIN');
    expect((await mgmt(t, 'PUT', `/projects/${other.id}/users/user_nope`, { role: 'ADMIN' })).statusCode).toBe(404);

    expect((await mgmt(t, 'DELETE', `/projects/${other.id}/users/${inv.id}`)).statusCode).toBe(204);
    expect((await mgmt(t, 'GET', `/projects/${other.id}/users/${inv.id}`)).statusCode).toBe(404);
    const last = await mgmt(t, 'DELETE', `/projects/${shop.id}/users/${inv.id}`);
    expect(last.statusCode).toBe(400);
    expect(last.json().details).toMatch(/this project only/);
    expect((await mgmt(t, 'DELETE', `/users/${inv.id}`)).statusCode).toBe(204);
    expect((await mgmt(t, 'GET', `/users/${inv.id}`)).statusCode).toBe(404);
    expect((await mgmt(t, 'GET', `/projects/${shop.id}/users`)).json().data.map((u: any) => u.id)).not.toContain(inv.id);
  });

  it('two unassignments racing for a user\'s last two projects: exactly one passes', async () => {
    const inv = await invite('racer@example.com', { [shop.id]: 'USER', [other.id]: 'USER' });
    const answers = await Promise.all([mgmt(t, 'DELETE', `/projects/${shop.id}/users/${inv.id}`), mgmt(t, 'DELETE', `/projects/${other.id}/users/${inv.id}`)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([204, 400]);
    const { rows } = await t.tessera.db.query<{ n: number }>('SELECT count(*)::int AS n FROM project_users WHERE user_id = $1', [inv.id]);
    expect(rows[0]!.n).toBe(1);
  });

  it('assigns existing users when a project is created, and creates none for an unknown user', async () => {
    const inv = await invite('founder@example.com', { [shop.id]: 'USER' });
    const made = await mgmt(t, 'POST', '/projects', { name: 'Team project', users: [{ login: 'founder@example.com', role: 'ADMIN' }] });
    expect(made.statusCode, made.body).toBe(200);
    expect((await mgmt(t, 'GET', `/users/${inv.id}`)).json().projects).toEqual({ [shop.id]: 'USER', [made.json().id]: 'ADMIN' });
    const before = (await mgmt(t, 'GET', '/projects')).json().total;
    const refused = await mgmt(t, 'POST', '/projects', { name: 'Ghost project', users: [{ id: 'user_ghost', role: 'ADMIN' }] });
    expect(refused.statusCode).toBe(404);
    expect((await mgmt(t, 'GET', '/projects')).json().total).toBe(before);
  });
});

describe('roles in the dashboard', () => {
  async function member(email: string, projects: Record<string, string>) {
    const inv = await invite(email, projects);
    const { cookie } = await accept(inv.path);
    return { id: inv.id, cookie };
  }

  it('shows a user only their projects, and not found for the others', async () => {
    const m = await member('only-shop@example.com', { [shop.id]: 'VIEWER' });
    const overview = await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/overview`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Shop');
    expect(overview.body).not.toContain('Other shop');
    expect((await as(m.cookie, 'GET', `/dashboard/p/${other.id}/overview`)).statusCode).toBe(404);
    expect((await as(m.cookie, 'GET', `/dashboard/p/${other.id}/customers`)).statusCode).toBe(404);
  });

  it('VIEWER reads and changes nothing; USER changes data but not webhooks or the secret; ADMIN does both', async () => {
    const viewer = await member('viewer@example.com', { [shop.id]: 'VIEWER' });
    const user = await member('user@example.com', { [shop.id]: 'USER' });
    const admin = await member('admin@example.com', { [shop.id]: 'ADMIN' });
    const segment = (name: string) => ({ name, type: 'auto-update', filter: JSON.stringify({ junction: 'and', 'metadata.tier': { conditions: { $is: ['gold'] } } }) });

    for (const who of [viewer, user, admin]) expect((await as(who.cookie, 'GET', `/dashboard/p/${shop.id}/segments`)).statusCode).toBe(200);
    expect((await as(viewer.cookie, 'POST', `/dashboard/p/${shop.id}/segments`, segment('Viewer gold'))).statusCode).toBe(403);
    const byUser = await as(user.cookie, 'POST', `/dashboard/p/${shop.id}/segments`, segment('User gold'));
    expect(byUser.statusCode, byUser.body).toBe(303);

    const hook = { target_url: 'http://127.0.0.1:9/in', events: 'customer.created' };
    expect((await as(user.cookie, 'POST', `/dashboard/p/${shop.id}/webhooks`, hook)).statusCode).toBe(403);
    expect((await as(user.cookie, 'GET', `/dashboard/p/${shop.id}/webhooks?reveal=1`)).statusCode).toBe(403);
    expect((await as(user.cookie, 'POST', `/dashboard/p/${shop.id}/webhook-secret/rotate`)).statusCode).toBe(403);
    const byAdmin = await as(admin.cookie, 'POST', `/dashboard/p/${shop.id}/webhooks`, hook);
    expect(byAdmin.statusCode, byAdmin.body).toBe(303);
    const revealed = await as(admin.cookie, 'GET', `/dashboard/p/${shop.id}/webhooks?reveal=1`);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.body).toContain(shop.webhookToken);
    // An endpoint's own secret is an admin's to see and rotate, like the project's.
    const ownHook = await as(admin.cookie, 'POST', `/dashboard/p/${shop.id}/webhooks`, { target_url: 'http://127.0.0.1:9/own', events: 'customer.created', own_secret: 'on' });
    expect(ownHook.statusCode, ownHook.body).toBe(303);
    const { rows: own } = await t.tessera.db.query<{ id: string; secret: string }>("SELECT id, secret FROM webhooks WHERE project_id = $1 AND target_url LIKE '%/own'", [shop.id]);
    expect(own[0]!.secret).toEqual(expect.any(String));
    const peek = await as(user.cookie, 'GET', `/dashboard/p/${shop.id}/webhooks/${own[0]!.id}/edit?reveal=1`);
    expect(peek.statusCode).toBe(403);
    expect(peek.body).not.toContain(own[0]!.secret);
    expect((await as(user.cookie, 'POST', `/dashboard/p/${shop.id}/webhooks/${own[0]!.id}/secret/rotate`)).statusCode).toBe(403);
    const shown = await as(admin.cookie, 'GET', `/dashboard/p/${shop.id}/webhooks/${own[0]!.id}/edit?reveal=1`);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain(own[0]!.secret);

    const { rows } = await t.tessera.db.query<{ name: string }>('SELECT name FROM segments WHERE project_id = $1 AND name IN ($2, $3) ORDER BY name', [shop.id, 'User gold', 'Viewer gold']);
    expect(rows.map((r) => r.name)).toEqual(['User gold']);
  });

  it('MERCHANT checks and redeems codes at the counter, and changes nothing else; VIEWER not even that', async () => {
    const merchant = await member('till@example.com', { [shop.id]: 'MERCHANT' });
    const viewer = await member('looker@example.com', { [shop.id]: 'VIEWER' });
    const v1 = (method: 'POST' | 'GET', url: string, payload?: object) => t.app.inject({ method, url, headers: shop.server, ...(payload ? { payload } : {}) });
    const made = await v1('POST', '/v1/vouchers', { code: 'TILL-10', type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 }, redemption: { quantity: 5 } });
    expect(made.statusCode, made.body).toBe(200);
    // The voucher's page: the counter is there for the merchant; Disable and Delete are not; the viewer's counter is off.
    const page = await as(merchant.cookie, 'GET', `/dashboard/p/${shop.id}/vouchers/TILL-10`);
    expect(page.body).toMatch(/action="\/dashboard\/p\/[^"]+\/vouchers\/TILL-10\/redeem"><input type="hidden"/);
    expect(page.body).not.toContain('Disable voucher');
    expect(page.body).toContain('Your role in this project (MERCHANT) does not allow the changes on this screen');
    expect((await as(viewer.cookie, 'GET', `/dashboard/p/${shop.id}/vouchers/TILL-10`)).body).toMatch(/\/vouchers\/TILL-10\/redeem"><fieldset class="read-only" disabled>/);

    const counter = (cookie: string, action: string) => as(cookie, 'POST', `/dashboard/p/${shop.id}/vouchers/TILL-10/redeem`, { amount: '50', action });
    expect((await counter(merchant.cookie, 'check')).statusCode).toBe(303);
    const redeemed = await counter(merchant.cookie, 'redeem');
    expect(redeemed.statusCode).toBe(303);
    expect((await as(merchant.cookie, 'GET', String(redeemed.headers.location))).body).toContain('Redeemed: 10.00 off, 40.00 to pay.');
    expect((await counter(viewer.cookie, 'redeem')).statusCode).toBe(403);
    expect((await as(merchant.cookie, 'POST', `/dashboard/p/${shop.id}/vouchers/TILL-10/active`, { active: 'off' })).statusCode).toBe(403);
    const after = (await v1('GET', '/v1/vouchers/TILL-10')).json();
    expect(after).toMatchObject({ active: true, redemption: { redeemed_quantity: 1 } });
    const list = (await v1('GET', '/v1/redemptions?voucher=TILL-10')).json();
    expect(list.redemptions.map((r: any) => [r.result, r.channel])).toEqual([['SUCCESS', { channel_type: 'USER', channel_id: merchant.id }]]);
  });

  it('a user whose every project is deleted is told so, and can sign out', async () => {
    const lone = await t.createProject({ name: 'Short-lived' });
    const m = await member('orphan@example.com', { [lone.id]: 'ADMIN' });
    expect((await mgmt(t, 'DELETE', `/projects/${lone.id}`)).statusCode).toBe(204);
    expect((await mgmt(t, 'GET', `/users/${m.id}`)).json().projects).toEqual({});
    const home = await as(m.cookie, 'GET', '/dashboard');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('You are not assigned to any project');
    expect((await as(m.cookie, 'GET', `/dashboard/p/${lone.id}/overview`)).statusCode).toBe(404);
  });

  it('a role change or removal takes effect on the next request', async () => {
    const m = await member('demoted@example.com', { [shop.id]: 'ADMIN', [other.id]: 'USER' });
    expect((await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/webhooks?reveal=1`)).statusCode).toBe(200);
    await mgmt(t, 'PUT', `/projects/${shop.id}/users/${m.id}`, { role: 'VIEWER' });
    expect((await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/webhooks?reveal=1`)).statusCode).toBe(403);
    await mgmt(t, 'DELETE', `/projects/${shop.id}/users/${m.id}`);
    expect((await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/overview`)).statusCode).toBe(404);
    await mgmt(t, 'DELETE', `/users/${m.id}`);
    const gone = await as(m.cookie, 'GET', `/dashboard/p/${other.id}/overview`);
    expect(gone.statusCode).toBe(401);
    expect(gone.body).toContain('no longer exists');
    // Signed out: the session ended with the user.
    expect((await as(m.cookie, 'GET', `/dashboard/p/${other.id}/overview`)).headers.location).toBe('/dashboard/sign-in');
  });

  it('cannot reach the management credentials\' own work through the dashboard\'s API delegation from outside', async () => {
    // The delegation's headers without the process's key are no credentials at all.
    const res = await t.app.inject({ method: 'GET', url: '/management/v1/projects', headers: { 'x-tessera-dashboard-user': 'user_x', 'x-tessera-dashboard-key': 'guess' } });
    expect(res.statusCode).toBe(401);
  });

  it('Project settings › Team: an admin adds people (a link for someone new), changes roles and removes; a USER only reads', async () => {
    const admin = await member('team-admin@example.com', { [shop.id]: 'ADMIN', [other.id]: 'USER' });
    const page = await as(admin.cookie, 'GET', `/dashboard/p/${shop.id}/team`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('team-admin@example.com');
    expect(page.body).toContain('Add a person');
    // Resets and deletions reach other projects: not a project admin's buttons.
    expect(page.body).not.toContain('Reset the password of');
    expect(page.body).not.toContain('from the team');
    expect(page.body).toContain('aria-current="page">Team</a>');

    const added = await as(admin.cookie, 'POST', `/dashboard/p/${shop.id}/team`, { email: 'newcomer@example.com', first_name: 'New', last_name: 'Comer', role: 'VIEWER' });
    // The link is shown once, in the answer to the form, with a way back; the next page does not repeat it.
    expect(added.statusCode, added.body).toBe(200);
    const link = /Send them this link \(it works for 7 days, once\): (http:\/\/[^\s<]+)/.exec(added.body)?.[1];
    expect(link, added.body).toBeDefined();
    expect(added.body).toContain(`href="/dashboard/p/${shop.id}/team"`);
    expect((await as(admin.cookie, 'GET', `/dashboard/p/${shop.id}/team`)).body).not.toContain(link);
    const newcomer = await accept(new URL(link!).pathname);
    expect(newcomer.res.statusCode).toBe(303);
    const listed = (await mgmt(t, 'GET', `/projects/${shop.id}/users`)).json().data.find((u: any) => u.login === 'newcomer@example.com');
    expect(listed).toMatchObject({ role: 'VIEWER', status: 'ACTIVE', first_name: 'New' });

    // Someone already in the team is added at once; an admin of one project cannot invite to another.
    expect((await as(admin.cookie, 'POST', `/dashboard/p/${other.id}/team`, { email: 'newcomer@example.com', role: 'USER' })).statusCode).toBe(403);
    // The management API, called as the admin (the dashboard's in-process delegation): invitations to their projects only.
    const asAdmin = (projects: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/management/v1/projects/users/invite', headers: { ...t.tessera.services.delegation.headers(admin.id), 'content-type': 'application/json' }, payload: { email: 'z@example.com', projects } });
    const refused = await asAdmin({ [shop.id]: 'USER', [other.id]: 'USER' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details).toContain(`ADMIN of project ${other.id}`);
    expect((await asAdmin({ [shop.id]: 'USER' })).statusCode).toBe(204);
    const projectsSeen = await t.app.inject({ method: 'GET', url: '/management/v1/projects', headers: t.tessera.services.delegation.headers(admin.id) });
    expect(projectsSeen.json().data.map((x: any) => x.id).sort()).toEqual([shop.id, other.id].sort());
    const createProject = await t.app.inject({ method: 'POST', url: '/management/v1/projects', headers: { ...t.tessera.services.delegation.headers(admin.id), 'content-type': 'application/json' }, payload: { name: 'Mine' } });
    expect(createProject.statusCode).toBe(403);

    expect((await as(admin.cookie, 'POST', `/dashboard/p/${shop.id}/team/${listed.id}/role`, { role: 'USER' })).statusCode).toBe(303);
    expect((await mgmt(t, 'GET', `/projects/${shop.id}/users/${listed.id}`)).json().role).toBe('USER');
    // Their only project: refused, said on the page, nothing changed.
    await as(admin.cookie, 'POST', `/dashboard/p/${shop.id}/team/${listed.id}/remove`);
    expect((await as(admin.cookie, 'GET', `/dashboard/p/${shop.id}/team`)).body).toContain('this project only');
    expect((await mgmt(t, 'GET', `/projects/${shop.id}/users/${listed.id}`)).statusCode).toBe(200);

    // As a USER: the list, no forms, and changes refused.
    const asUser = await as(newcomer.cookie, 'GET', `/dashboard/p/${shop.id}/team`);
    expect(asUser.statusCode).toBe(200);
    expect(asUser.body).toContain('team-admin@example.com');
    expect(asUser.body).not.toContain('Add a person');
    expect((await as(newcomer.cookie, 'POST', `/dashboard/p/${shop.id}/team`, { email: 'friend@example.com', role: 'ADMIN' })).statusCode).toBe(403);
    expect((await as(newcomer.cookie, 'POST', `/dashboard/p/${shop.id}/team/${admin.id}/role`, { role: 'VIEWER' })).statusCode).toBe(403);
    expect((await mgmt(t, 'GET', `/projects/${shop.id}/users/${admin.id}`)).json().role).toBe('ADMIN');
  });

  it("an admin cannot send again another project's pending invitation (its new link would open that project): they add the person, whose own link still works", async () => {
    const admin = await member('shop-only-admin@example.com', { [shop.id]: 'ADMIN' });
    const bob = await invite('pending-bob@example.com', { [other.id]: 'ADMIN' });
    const asAdmin = () =>
      t.app.inject({ method: 'POST', url: '/management/v1/projects/users/invite', headers: { ...t.tessera.services.delegation.headers(admin.id), 'content-type': 'application/json' }, payload: { email: 'pending-bob@example.com', projects: { [shop.id]: 'VIEWER' } } });
    const refused = await asAdmin();
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['x-tessera-invitation-url']).toBeUndefined();
    // Through the dashboard: added to the project at once, no link shown.
    expect((await as(admin.cookie, 'POST', `/dashboard/p/${shop.id}/team`, { email: 'pending-bob@example.com', role: 'VIEWER' })).statusCode).toBe(303);
    const shown = (await as(admin.cookie, 'GET', `/dashboard/p/${shop.id}/team`)).body;
    expect(shown).toContain('pending-bob@example.com is added as VIEWER');
    expect(shown).not.toContain('/dashboard/invitation/');
    // Bob's own link still works, and opens both projects with their roles.
    const accepted = await accept(bob.path);
    expect(accepted.res.statusCode).toBe(303);
    expect((await mgmt(t, 'GET', `/projects/${shop.id}/users/${bob.id}`)).json()).toMatchObject({ role: 'VIEWER', status: 'ACTIVE' });
    expect((await mgmt(t, 'GET', `/projects/${other.id}/users/${bob.id}`)).json()).toMatchObject({ role: 'ADMIN' });
    // A pending invitation to their own projects only is theirs to send again.
    await invite('pending-cy@example.com', { [shop.id]: 'USER' });
    const again = await t.app.inject({ method: 'POST', url: '/management/v1/projects/users/invite', headers: { ...t.tessera.services.delegation.headers(admin.id), 'content-type': 'application/json' }, payload: { email: 'pending-cy@example.com', projects: { [shop.id]: 'USER' } } });
    expect(again.statusCode).toBe(204);
  });

  it('a forgotten password: the management credentials make a reset link; the old password works until it is used', async () => {
    const m = await member('forgetful@example.com', { [shop.id]: 'USER' });
    expect((await mgmt(t, 'POST', '/users/user_nope/password-reset')).statusCode).toBe(404);
    // A team admin cannot: a reset reaches the user's other projects.
    const byAdmin = await t.app.inject({ method: 'POST', url: `/management/v1/users/${m.id}/password-reset`, headers: t.tessera.services.delegation.headers(m.id) });
    expect(byAdmin.statusCode).toBe(403);

    const mgmtSession = await managementSession();
    const team = await as(mgmtSession, 'GET', `/dashboard/p/${shop.id}/team`);
    expect(team.body).toContain('Reset the password of forgetful@example.com');
    const reset = await as(mgmtSession, 'POST', `/dashboard/p/${shop.id}/team/${m.id}/reset`);
    expect(reset.statusCode).toBe(200);
    const shown = reset.body;
    const link = /choose a new password \(it works for 7 days, once; the current password works until then\): (http:\/\/[^\s<]+)/.exec(shown)?.[1];
    expect(link, shown).toBeDefined();
    expect((await signIn('forgetful@example.com', 'correct horse battery')).res.statusCode).toBe(303);
    const page = await t.app.inject({ method: 'GET', url: new URL(link!).pathname });
    expect(page.body).toContain('Choose a new password');
    expect((await accept(new URL(link!).pathname, 'a brand new passphrase')).res.statusCode).toBe(303);
    expect((await signIn('forgetful@example.com', 'correct horse battery')).res.statusCode).toBe(401);
    expect((await signIn('forgetful@example.com', 'a brand new passphrase')).res.statusCode).toBe(303);
    // The new password ended the sessions signed in before it.
    expect((await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/overview`)).headers.location).toBe('/dashboard/sign-in');

    // Deleted from the team from the same screen: gone from every project, no sign-in.
    const signedInAgain = (await signIn('forgetful@example.com', 'a brand new passphrase')).cookie;
    expect((await as(mgmtSession, 'POST', `/dashboard/p/${shop.id}/team/${m.id}/delete`)).statusCode).toBe(303);
    expect((await as(mgmtSession, 'GET', `/dashboard/p/${shop.id}/team`)).body).toContain('Deleted from the team');
    expect((await mgmt(t, 'GET', `/users/${m.id}`)).statusCode).toBe(404);
    expect((await signIn('forgetful@example.com', 'a brand new passphrase')).res.statusCode).toBe(401);
    expect((await as(signedInAgain, 'GET', `/dashboard/p/${shop.id}/overview`)).statusCode).toBe(401);
  });

  it('Your account: a user changes their own password with the current one, whatever their role; other sessions end', async () => {
    const m = await member('changer@example.com', { [shop.id]: 'VIEWER' });
    const other = (await signIn('changer@example.com', 'correct horse battery')).cookie;
    const page = await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/account`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Change your password');
    const wrong = await as(m.cookie, 'POST', `/dashboard/p/${shop.id}/account/password`, { current: 'not my password!', password: 'another long password', repeat: 'another long password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The current password is wrong.');
    const short = await as(m.cookie, 'POST', `/dashboard/p/${shop.id}/account/password`, { current: 'correct horse battery', password: 'short', repeat: 'short' });
    expect(short.statusCode).toBe(400);
    const changed = await as(m.cookie, 'POST', `/dashboard/p/${shop.id}/account/password`, { current: 'correct horse battery', password: 'another long password', repeat: 'another long password' });
    expect(changed.statusCode, changed.body).toBe(303);
    // This session goes on; the other one ended; the new password signs in, the old one does not.
    expect((await as(m.cookie, 'GET', `/dashboard/p/${shop.id}/account`)).body).toContain('Your password is changed');
    expect((await as(other, 'GET', `/dashboard/p/${shop.id}/overview`)).headers.location).toBe('/dashboard/sign-in');
    expect((await signIn('changer@example.com', 'correct horse battery')).res.statusCode).toBe(401);
    expect((await signIn('changer@example.com', 'another long password')).res.statusCode).toBe(303);
  });

  it("Your account: a password change held by too many wrong passwords is 429 with Retry-After, as the sign-in's is", async () => {
    const m = await member('held-changer@example.com', { [shop.id]: 'USER' });
    const body = { current: 'not my password!', password: 'another long password', repeat: 'another long password' };
    for (let i = 0; i < 10; i++) expect((await as(m.cookie, 'POST', `/dashboard/p/${shop.id}/account/password`, body)).statusCode).toBe(400);
    const held = await as(m.cookie, 'POST', `/dashboard/p/${shop.id}/account/password`, { ...body, current: 'correct horse battery' });
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(800);
    expect(held.body).toContain('Too many wrong passwords for this email');
  });
});

describe('TESSERA_PUBLIC_URL', () => {
  it('is the origin of invitation links, whatever address the request reached', async () => {
    const behind = await startTessera({ env: { TESSERA_PUBLIC_URL: 'https://tessera.example.com/' } });
    try {
      const p = await behind.createProject({ name: 'Proxied' });
      const invited = await mgmt(behind, 'POST', '/projects/users/invite', { email: 'proxied@example.com', projects: { [p.id]: 'USER' } });
      expect(String(invited.headers['x-tessera-invitation-url'])).toMatch(/^https:\/\/tessera\.example\.com\/dashboard\/invitation\/[A-Za-z0-9]{40}$/);
      // Without the setting, the address the request reached (inject's localhost).
      expect(String((await mgmt(t, 'POST', '/projects/users/invite', { email: 'direct@example.com', projects: { [shop.id]: 'USER' } })).headers['x-tessera-invitation-url'])).toMatch(/^http:\/\/localhost(:80)?\/dashboard\/invitation\//);
    } finally {
      await behind.close();
    }
  });
});

describe('wrong passwords', () => {
  it('ten wrong passwords for one email hold its sign-in for 15 minutes, even with the right one, on every process; a success clears the count', async () => {
    const clock = fixedClock(new Date('2026-03-01T10:00:00Z'));
    const start = clock.now().getTime();
    // Two processes on one database: each counts into the same rows.
    const [one, two] = [0, 1].map(() => createSignInThrottle({ db: t.testDb.db, clock, max: 10, windowMs: 15 * 60_000 }));
    for (let i = 0; i < 9; i++) await (i % 2 ? one! : two!).attempt('a@example.com');
    expect(await one!.waitMs('a@example.com')).toBe(0);
    await two!.succeeded('a@example.com');
    // Ten at once, spread over both: every one counts.
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one! : two!).attempt('a@example.com')));
    expect(await one!.waitMs('a@example.com')).toBe(15 * 60_000);
    expect(await two!.waitMs('a@example.com')).toBe(15 * 60_000);
    expect(await one!.waitMs('b@example.com')).toBe(0);
    // The eleventh try is held, whatever its password.
    expect(await two!.attempt('a@example.com')).toBe(15 * 60_000);
    clock.set(new Date(start + 15 * 60_000 - 1));
    expect(await two!.waitMs('a@example.com')).toBe(1);
    clock.set(new Date(start + 15 * 60_000));
    expect(await two!.waitMs('a@example.com')).toBe(0);
    // A failure after the window starts a new count of one; the passed window of another login is swept out.
    await one!.attempt('c@example.com');
    expect(await one!.waitMs('a@example.com')).toBe(0);
    const { rows } = await t.testDb.db.query<{ login: string; failures: number }>("SELECT login, failures FROM sign_in_failures WHERE login LIKE '_@example.com' ORDER BY login");
    expect(rows).toEqual([{ login: 'c@example.com', failures: 1 }]);
  });

  it('forty wrong passwords sent at once: ten are checked, thirty are held', async () => {
    const inv = await invite('burst@example.com', { [shop.id]: 'USER' });
    await accept(inv.path, 'the burst long password');
    const tries = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn('burst@example.com', `burst guess ${i} here`)));
    const statuses = tries.map((x) => x.res.statusCode);
    expect(statuses.filter((x) => x === 401)).toHaveLength(10);
    expect(statuses.filter((x) => x === 429)).toHaveLength(30);
    expect((await signIn('burst@example.com', 'the burst long password')).res.statusCode).toBe(429);
  });

  it('through the sign-in form: the eleventh try is 429 with Retry-After, right password or not; another email is not held', async () => {
    const inv = await invite('guessed@example.com', { [shop.id]: 'USER' });
    await accept(inv.path, 'the real long password');
    for (let i = 0; i < 10; i++) expect((await signIn('guessed@example.com', `guess number ${i} here`)).res.statusCode).toBe(401);
    const held = await signIn('Guessed@example.com', 'the real long password');
    expect(held.res.statusCode).toBe(429);
    expect(Number(held.res.headers['retry-after'])).toBeGreaterThan(800);
    expect(held.res.body).toContain('Too many wrong passwords for this email');
    const neighbour = await invite('neighbour@example.com', { [shop.id]: 'USER' });
    await accept(neighbour.path, 'the neighbour password');
    expect((await signIn('neighbour@example.com', 'the neighbour password')).res.statusCode).toBe(303);
  });
});

async function managementSession(): Promise<string> {
  const page = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await t.app.inject({
    method: 'POST',
    url: '/dashboard/sign-in',
    headers: formHeaders(firstCookie(page.headers['set-cookie'])),
    payload: form({ _csrf: csrf, kind: 'management', id: managementHeaders['x-management-id'], token: managementHeaders['x-management-token'] }),
  });
  expect(res.statusCode).toBe(303);
  return firstCookie(res.headers['set-cookie']);
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { enumerateRoutes, type RouteInfo } from './helpers/fuzz-app.js';
import { mgmt, privateTargets } from './helpers/sendouts.js';

/**
 * The dashboard's doors, checked on every route Fastify knows under /dashboard (no browser needed): signed out,
 * nothing but a redirect to the sign-in page or a bare 401; signed in, no change without the session's CSRF token.
 */
describe('dashboard sessions and CSRF on every route', () => {
  let t: TestTessera;
  let p: TestProject;
  let hook: { id: string; target_url: string };
  let routes: RouteInfo[];
  // An invitation's page is open to whoever holds its link (the link is the credential: see team.test.ts).
  const publicPaths = ['/dashboard/sign-in', '/dashboard/assets/dashboard.css', '/dashboard/assets/dashboard.js', '/dashboard/invitation/:token'];

  const urlOf = (r: RouteInfo) =>
    r.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => (name === 'projectId' ? p.id : name === 'webhookId' ? hook.id : 'x'));

  async function signIn(token = managementHeaders['x-management-token']) {
    const form = await t.app.inject({ method: 'GET', url: '/dashboard/sign-in' });
    const signinCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/dashboard/sign-in',
      headers: { cookie: signinCookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, id: managementHeaders['x-management-id'], token }).toString(),
    });
    return res;
  }

  beforeAll(async () => {
    t = await startTessera({ env: privateTargets });
    p = await t.createProject({ name: 'Secret shop' });
    hook = (await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: 'http://127.0.0.1:9/private-hook', events: ['*'] })).json();
    routes = enumerateRoutes(t.app).filter((r) => r.path.startsWith('/dashboard') && !publicPaths.includes(r.path) && r.method !== 'HEAD');
  });
  afterAll(() => t?.close());

  it('knows the dashboard routes', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    for (const k of ['GET /dashboard/p/:projectId/webhooks', 'GET /dashboard/p/:projectId/sendouts/rows', 'POST /dashboard/p/:projectId/webhooks/:webhookId/delete', 'POST /dashboard/p/:projectId/segments/check']) {
      expect(keys).toContain(k);
    }
    expect(routes.length).toBeGreaterThan(30);
  });

  it('keeps its pages out of the API description', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const paths = Object.keys(doc.paths);
    expect(paths).toContain('/management/v1/projects/{projectId}/webhooks');
    expect(paths.filter((x) => x === '/' || x.startsWith('/dashboard'))).toEqual([]);
  });

  it('gives a signed-out request (no cookie, or a made-up one) no data on any route', async () => {
    for (const cookie of [undefined, 'tessera_session=made-up-session-id']) {
      for (const r of routes) {
        const res = await t.app.inject({ method: r.method as 'GET', url: urlOf(r), headers: cookie ? { cookie } : {} });
        const what = `${r.method} ${r.path}`;
        if (r.method === 'GET') {
          expect(res.statusCode, what).toBe(303);
          expect(res.headers.location, what).toBe('/dashboard/sign-in');
        } else {
          expect(res.statusCode, what).toBe(401);
        }
        for (const secret of [hook.target_url, p.webhookToken, 'Secret shop']) expect(res.body, what).not.toContain(secret);
      }
      // The script's polling gets a bare 401, never a page.
      const poll = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/sendouts/rows`, headers: { 'x-requested-with': 'fetch', ...(cookie ? { cookie } : {}) } });
      expect(poll.statusCode).toBe(401);
      expect(poll.body).toBe('Sign in first');
    }
  });

  it('signs in only with the management credentials and its own form token', async () => {
    expect((await signIn('wrong-token-wrong-token')).statusCode).toBe(401);
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/dashboard/sign-in',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ id: managementHeaders['x-management-id'], token: managementHeaders['x-management-token'] }).toString(),
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.headers['set-cookie'] ?? '').not.toContain('tessera_session=');
    const ok = await signIn();
    expect(ok.statusCode).toBe(303);
    expect(String(ok.headers['set-cookie'])).toMatch(/tessera_session=[^;]+; Path=\/dashboard; HttpOnly; SameSite=Strict/);
  });

  it('refuses every write without the session CSRF token, and takes it with the token', async () => {
    const session = String((await signIn()).headers['set-cookie']).match(/tessera_session=[^;]+/)![0];
    const page = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/webhooks`, headers: { cookie: session } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(hook.target_url);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const form = { cookie: session, 'content-type': 'application/x-www-form-urlencoded' };
    for (const r of routes.filter((x) => x.method !== 'GET' && x.path !== '/dashboard/sign-out')) {
      for (const body of ['', '_csrf=wrong', `_csrf=${csrf}x`]) {
        const res = await t.app.inject({ method: r.method as 'POST', url: urlOf(r), headers: form, payload: body });
        expect(res.statusCode, `${r.method} ${r.path} with "${body}"`).toBe(403);
      }
    }
    // A JSON write (the filter editor's check) needs the header.
    const check = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: `/dashboard/p/${p.id}/segments/check`, headers: { cookie: session, 'content-type': 'application/json', ...headers }, payload: { filter: {} } });
    expect((await check({})).statusCode).toBe(403);
    expect((await check({ 'x-csrf-token': csrf })).statusCode).toBe(200);
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks/${hook.id}`)).statusCode).toBe(200);
    // With the token the same write goes through.
    const del = await t.app.inject({ method: 'POST', url: `/dashboard/p/${p.id}/webhooks/${hook.id}/delete`, headers: form, payload: `_csrf=${csrf}` });
    expect(del.statusCode).toBe(303);
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhooks/${hook.id}`)).statusCode).toBe(404);
    // Signing out ends the session.
    await t.app.inject({ method: 'POST', url: '/dashboard/sign-out', headers: form, payload: `_csrf=${csrf}` });
    expect((await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/webhooks`, headers: { cookie: session } })).statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: '/' })).headers.location).toBe('/dashboard');
  });
});

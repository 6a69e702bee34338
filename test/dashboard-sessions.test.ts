import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { fixedClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { compose, type Tessera } from '../src/compose.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

/**
 * Dashboard sessions live in the database: another instance on the same database (a second `serve` behind one
 * address, or the same one restarted) knows them, with their CSRF token and the message for the next page; they
 * end on sign-out everywhere, after 12 hours idle or 7 days, and when the management credentials change. The table
 * holds no token that signs anyone in.
 */
const clock = fixedClock(new Date('2026-06-01T08:00:00Z'));
let t: TestTessera;
let p: TestProject;
const others: Tessera[] = [];

/** Another instance on the same database: on PostgreSQL its own pool; on PGlite the same database object. */
async function another(env: Record<string, string> = {}): Promise<Tessera> {
  const config = loadConfig({
    ...(t.testDb.url ? { DATABASE_URL: t.testDb.url, TESSERA_DB_POOL_SIZE: '3' } : {}),
    TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'],
    TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'],
    TESSERA_LOG_LEVEL: 'silent',
    ...env,
  });
  const other = await compose(config, { ...(t.testDb.url ? {} : { db: t.testDb.db }), clock, logger: createLogger('silent') });
  others.push(other);
  return other;
}

type App = NonNullable<Tessera['app']>;

async function signIn(app: App): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/dashboard/sign-in' });
  const signinCookie = String(form.headers['set-cookie']).split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const res = await app.inject({
    method: 'POST',
    url: '/dashboard/sign-in',
    headers: { cookie: signinCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, kind: 'management', id: managementHeaders['x-management-id'], token: managementHeaders['x-management-token'] }).toString(),
  });
  expect(res.statusCode).toBe(303);
  const session = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith('tessera_session='));
  return String(session).split(';')[0]!;
}

const page = (app: App, cookie: string, path = 'overview') => app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/${path}`, headers: { cookie } });
const csrfOf = (body: string) => /<meta name="csrf-token" content="([^"]+)">/.exec(body)?.[1];

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject({ name: 'Shared shop' });
});
afterAll(async () => {
  for (const o of others) await o.close();
  await t?.close();
});

describe('dashboard sessions in the database', () => {
  it('work on another instance of the same database: pages, changes with the CSRF token, the message after a change, sign-out', async () => {
    const second = (await another()).app!;
    const cookie = await signIn(t.app);
    const here = await page(second, cookie);
    expect(here.statusCode).toBe(200);
    const csrf = csrfOf(here.body)!;
    expect(csrf).toBe(csrfOf((await page(t.app, cookie)).body));

    // A change on the second instance; its message is shown once, by the first.
    const made = await second.inject({ method: 'POST', url: `/dashboard/p/${p.id}/customers`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, source_id: 'shared-ann', name: 'Ann', metadata: '{}' }).toString() });
    expect(made.statusCode).toBe(303);
    const next = await t.app.inject({ method: 'GET', url: String(made.headers.location), headers: { cookie } });
    expect(next.body).toMatch(/class="notice ok"/);
    expect((await t.app.inject({ method: 'GET', url: String(made.headers.location), headers: { cookie } })).body).not.toMatch(/class="notice ok"/);

    // Signed out on the first: the second no longer knows the session either.
    await t.app.inject({ method: 'POST', url: '/dashboard/sign-out', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}` });
    const after = await page(second, cookie);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/dashboard/sign-in');
  });

  it('end after 12 hours without a request, and 7 days after the sign-in however busy', async () => {
    const cookie = await signIn(t.app);
    const start = clock.now().getTime();
    const hour = 3_600_000;
    clock.set(new Date(start + 11 * hour));
    expect((await page(t.app, cookie)).statusCode).toBe(200);
    clock.set(new Date(start + 22 * hour));
    expect((await page(t.app, cookie)).statusCode).toBe(200);
    clock.set(new Date(start + 34 * hour + 1));
    expect((await page(t.app, cookie)).statusCode).toBe(303);

    const busy = await signIn(t.app);
    const began = clock.now().getTime();
    for (let h = 10; h < 7 * 24; h += 10) {
      clock.set(new Date(began + h * hour));
      expect((await page(t.app, busy)).statusCode, `after ${h} hours`).toBe(200);
    }
    clock.set(new Date(began + 7 * 24 * hour + 1));
    expect((await page(t.app, busy)).statusCode).toBe(303);
    // Expired sessions are swept out at the next sign-in.
    await signIn(t.app);
    const { rows } = await t.testDb.db.query<{ n: string }>('SELECT count(*) AS n FROM dashboard_sessions WHERE seen_at < $1', [new Date(clock.now().getTime() - 12 * hour)]);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('end when the management credentials are replaced', async () => {
    const cookie = await signIn(t.app);
    expect((await page(t.app, cookie)).statusCode).toBe(200);
    // An instance started with a new management token (it stores the new credentials).
    const renewed = (await another({ TESSERA_MANAGEMENT_TOKEN: 'a-new-management-token-0123456789' })).app!;
    const res = await page(renewed, cookie);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/dashboard/sign-in');
    // The old token no longer signs in there; the new one does.
    const form = await renewed.inject({ method: 'GET', url: '/dashboard/sign-in' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const signinCookie = String(form.headers['set-cookie']).split(';')[0]!;
    const tryToken = (token: string) =>
      renewed.inject({ method: 'POST', url: '/dashboard/sign-in', headers: { cookie: signinCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, kind: 'management', id: managementHeaders['x-management-id'], token }).toString() });
    expect((await tryToken(managementHeaders['x-management-token'])).statusCode).toBe(401);
    expect((await tryToken('a-new-management-token-0123456789')).statusCode).toBe(303);
    // Put the original credentials back for the other tests.
    await another();
  });

  it('are listed on Your account, and the other ones end from there', async () => {
    const here = await signIn(t.app);
    const form = (cookie: string, body: string, path: string) => t.app.inject({ method: 'POST', url: `/dashboard/p/${p.id}/${path}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
    const csrf = csrfOf((await page(t.app, here, 'account')).body)!;
    // Earlier tests' sessions of the same management id end first.
    await form(here, `_csrf=${csrf}`, 'account/sign-out-others');
    const elsewhere = await signIn((await another()).app!);
    const account = await page(t.app, here, 'account');
    expect(account.statusCode).toBe(200);
    expect(account.body.match(/<tr><td>/g)).toHaveLength(2);
    expect(account.body).toContain('This browser');
    expect(account.body).toContain('Sign out of the 1 other session');
    const ended = await form(here, `_csrf=${csrf}`, 'account/sign-out-others');
    expect(ended.statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: String(ended.headers.location), headers: { cookie: here } })).body).toContain('Signed out of 1 other session.');
    expect((await page(t.app, elsewhere)).statusCode).toBe(303);
    expect((await page(t.app, here)).statusCode).toBe(200);
  });

  it('are kept up to 100 per user: a new sign-in ends the least recently used one beyond them', async () => {
    // (The fixed clock stood still through the earlier tests: their sessions are older than these.)
    clock.advance(1000);
    const first = await signIn(t.app);
    const rest: string[] = [];
    for (let i = 0; i < 99; i++) {
      clock.advance(1000);
      rest.push(await signIn(t.app));
    }
    const { rows } = await t.testDb.db.query<{ n: string }>("SELECT count(*) AS n FROM dashboard_sessions WHERE user_kind = 'management'");
    expect(Number(rows[0]!.n)).toBe(100);
    // The first, used again, is the most recently used; one more sign-in ends the least recently used of the rest.
    expect((await page(t.app, first)).statusCode).toBe(200);
    await signIn(t.app);
    expect((await page(t.app, first)).statusCode).toBe(200);
    expect((await page(t.app, rest[0]!)).statusCode).toBe(303);
    expect((await page(t.app, rest[1]!)).statusCode).toBe(200);
  });

  it('are stored without any token that signs in: the cookie only as a digest, never the management token', async () => {
    const cookie = await signIn(t.app);
    const id = cookie.slice('tessera_session='.length);
    const { rows } = await t.testDb.db.query<Record<string, unknown>>('SELECT * FROM dashboard_sessions');
    expect(rows.length).toBeGreaterThan(0);
    const all = JSON.stringify(rows);
    expect(all).not.toContain(id);
    expect(all).not.toContain(managementHeaders['x-management-token']);
  });

  it('never keep a secret a change shows (an invitation or password reset link, a new key): it is in that answer only', async () => {
    const cookie = await signIn(t.app);
    const csrf = csrfOf((await page(t.app, cookie, 'team')).body)!;
    const post = (path: string, fields: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: `/dashboard/p/${p.id}/${path}`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString() });
    const stored = async () => JSON.stringify((await t.testDb.db.query<Record<string, unknown>>('SELECT * FROM dashboard_sessions')).rows);

    const invited = await post('team', { email: 'kept-out@example.com', role: 'USER' });
    expect(invited.statusCode).toBe(200);
    const link = /Send them this link \(it works for 7 days, once\): (http:\/\/[^\s<]+)/.exec(invited.body)?.[1];
    expect(link, invited.body).toBeDefined();
    expect(await stored()).not.toContain(new URL(link!).pathname);
    // The link works: it opens the invitation's page.
    expect((await t.app.inject({ method: 'GET', url: new URL(link!).pathname })).statusCode).toBe(200);

    const key = await post('settings/keys/server/regenerate');
    expect(key.statusCode).toBe(200);
    const [, appId, appToken] = /app id (\S+), app token ([^\s<]+)/.exec(key.body)!;
    expect(await stored()).not.toContain(appToken);
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: { 'x-app-id': appId!, 'x-app-token': appToken! } })).statusCode).toBe(200);
    // The next page says nothing of it.
    expect((await page(t.app, cookie, 'settings')).body).not.toContain(appToken);
  });
});

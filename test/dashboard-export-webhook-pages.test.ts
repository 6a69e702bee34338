/**
 * What two dashboard pages show: a failed export's reason, and the webhooks page's secret links only to the roles that
 * may reveal the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { createExportsService } from '../src/modules/exports/service.js';
import type { Executor } from '../src/store/db.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession } from './helpers/dashboard-session.js';
import { mgmt } from './helpers/sendouts.js';

let t: TestTessera;
let p: TestProject;

const firstCookie = (h: unknown) => String(Array.isArray(h) ? h[0] : h).split(';')[0]!;

/** A team user with this role in the project, signed in: their session's cookie. */
async function member(email: string, role: string): Promise<string> {
  const res = await mgmt(t, 'POST', '/projects/users/invite', { email, projects: { [p.id]: role } });
  expect(res.statusCode, res.body).toBe(204);
  const path = new URL(String(res.headers['x-tessera-invitation-url'])).pathname;
  const page = await t.app.inject({ method: 'GET', url: path });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const password = 'correct horse battery';
  const done = await t.app.inject({ method: 'POST', url: path, headers: { cookie: firstCookie(page.headers['set-cookie']), 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, password, repeat: password }).toString() });
  expect(done.statusCode, done.body).toBe(303);
  return firstCookie(done.headers['set-cookie']);
}

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Pages shop' });
});
afterAll(() => t.close());

describe('the export page', () => {
  it("says why an export failed, as the API's result.error does", async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/exports', headers: p.server, payload: { exported_object: 'voucher' } });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().id as string;
    // The build's own service, with a lookup the database refuses.
    const failing = createExportsService({
      db: t.testDb.db,
      clock: systemClock,
      campaigns: { byIds: async () => [], categories: async (_projectId: string, tx: Executor) => (await tx.query('SELECT 1 / 0'), []) } as any,
    });
    expect(await failing.step()).toBe(1);
    const api = (await t.app.inject({ method: 'GET', url: `/v1/exports/${id}`, headers: p.server })).json();
    expect(api).toMatchObject({ status: 'ERROR', result: { error: expect.stringContaining('division by zero') } });
    const { cookie } = await dashboardSession(t.app, p.id);
    const page = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/exports/${id}`, headers: { cookie } });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('id="export-status">ERROR</span>');
    expect(page.body).toContain('division by zero');
  });
});

describe('the webhooks page', () => {
  it('offers "Reveal secret" only to those who may reveal it', async () => {
    const { cookie: admin } = await dashboardSession(t.app, p.id);
    const url = `/dashboard/p/${p.id}/webhooks`;
    expect((await t.app.inject({ method: 'GET', url, headers: { cookie: admin } })).body).toContain('Reveal secret');
    for (const [email, role] of [['user@example.com', 'USER'], ['viewer@example.com', 'VIEWER'], ['merchant@example.com', 'MERCHANT']] as const) {
      const cookie = await member(email, role);
      const page = await t.app.inject({ method: 'GET', url, headers: { cookie } });
      expect(page.statusCode, page.body).toBe(200);
      expect(page.body, role).not.toContain('Reveal secret');
      expect(page.body, role).not.toContain('?reveal=1');
    }
    const owner = await member('owner@example.com', 'ADMIN');
    expect((await t.app.inject({ method: 'GET', url, headers: { cookie: owner } })).body).toContain('Reveal secret');
  });
});

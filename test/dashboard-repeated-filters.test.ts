/** A list screen's filter given twice in the address (a hand-made or pasted URL) is ignored, not a server error. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { dashboardSession } from './helpers/dashboard-session.js';

let t: TestTessera;
let p: TestProject;
let cookie = '';

beforeAll(async () => {
  t = await startTessera();
  p = await t.createProject({ name: 'Filter shop' });
  ({ cookie } = await dashboardSession(t.app, p.id));
});
afterAll(() => t.close());

describe('a filter given twice', () => {
  for (const screen of ['redemptions', 'publications']) {
    for (const name of ['campaign', 'customer', 'code', 'page']) {
      it(`on ${screen}: ${name}=a&${name}=b shows the list`, async () => {
        const res = await t.app.inject({ method: 'GET', url: `/dashboard/p/${p.id}/${screen}?${name}=a&${name}=b`, headers: { cookie } });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toContain('text/html');
      });
    }
  }
});

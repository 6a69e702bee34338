/**
 * A dashboard session without a browser: signs in with the management credentials as the sign-in form does and
 * reads the session's CSRF token from a project page, for tests that post the dashboard's forms with inject.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { managementHeaders } from './app.js';

export async function dashboardSession(app: FastifyInstance, projectId: string): Promise<{ cookie: string; csrf: string }> {
  const form = await app.inject({ method: 'GET', url: '/dashboard/sign-in' });
  const signinCookie = String(form.headers['set-cookie']).split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const res = await app.inject({
    method: 'POST',
    url: '/dashboard/sign-in',
    headers: { cookie: signinCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token, id: managementHeaders['x-management-id'], token: managementHeaders['x-management-token'] }).toString(),
  });
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  const page = await app.inject({ method: 'GET', url: `/dashboard/p/${projectId}/overview`, headers: { cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! };
}

/**
 * Posts a dashboard form as a browser does (the answer must be the 303 to a page) and reads the page it leads to:
 * its notice (the flash message, as the page escapes it) and its whole body.
 */
export async function postForm(app: FastifyInstance, session: { cookie: string; csrf: string }, url: string, fields: Record<string, string>): Promise<{ notice: string; page: string }> {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: session.csrf, ...fields }).toString(),
  });
  expect(res.statusCode, res.body).toBe(303);
  const page = await app.inject({ method: 'GET', url: String(res.headers.location), headers: { cookie: session.cookie } });
  return { notice: /<div class="notice[^"]*"[^>]*>([^<]*)</.exec(page.body)?.[1] ?? '', page: page.body };
}

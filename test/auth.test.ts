import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/core/hash.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

function expectUnauthorized(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(401);
  const body = res.json();
  expect(body).toMatchObject({ code: 401, key: 'unauthorized', message: 'Unauthorized' });
  expect(typeof body.details).toBe('string');
  expect(body.request_id).toBe(res.headers['x-request-id']);
}

function expectForbidden(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(403);
  expect(res.json()).toMatchObject({ code: 403, key: 'forbidden' });
}

describe('authentication and authorization', () => {
  let t: TestTessera;
  let p: TestProject;
  const mgmt = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/management/v1${url}`, headers: managementHeaders, ...(payload ? { payload } : {}) });
  const clientTrack = (project: TestProject, origin: string | undefined, payload: object = { event: 'visit', customer: { source_id: 'v1' } }) =>
    t.app.inject({
      method: 'POST',
      url: '/client/v1/events',
      headers: { ...project.client, ...(origin !== undefined ? { origin } : {}) },
      payload,
    });

  beforeAll(async () => {
    t = await startTessera();
    p = await t.createProject({
      client_trusted_domains: ['shop.example.com', '*.example.org', 'https://secure.example.net:8443'],
    });
    await defineSchema(t.app, p.id, 'visit', {});
  });
  afterAll(() => t.close());

  describe('server API /v1', () => {
    it('answers 401 in the error shape without keys, with half a key and with a wrong token', async () => {
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers' }));
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers', headers: { 'x-app-id': p.server['x-app-id'] } }));
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers', headers: { 'x-app-token': p.server['x-app-token'] } }));
      const wrong = { ...p.server, 'x-app-token': `${p.server['x-app-token']}x` };
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers', headers: wrong }));
      const unknown = { ...p.server, 'x-app-id': '00000000-0000-0000-0000-000000000000' };
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/v1/events', headers: unknown, payload: { event: 'visit', customer: { source_id: 'x' } } }));
      expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server })).statusCode).toBe(200);
    });

    it('refuses a client key on /v1', async () => {
      const asServer = { 'x-app-id': p.client['x-client-application-id'], 'x-app-token': p.client['x-client-token'] };
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers', headers: asServer }));
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.client }));
    });

    it('checks keys before anything is read or written', async () => {
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/v1/customers', payload: { source_id: 'ghost' } }));
      expect((await t.app.inject({ method: 'GET', url: '/v1/customers/ghost', headers: p.server })).statusCode).toBe(404);
    });
  });

  describe('client API /client/v1', () => {
    it('refuses a server key, and missing or wrong client keys, with 401', async () => {
      const asClient = { 'x-client-application-id': p.server['x-app-id'], 'x-client-token': p.server['x-app-token'] };
      const payload = { event: 'visit', customer: { source_id: 'v1' } };
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...asClient, origin: 'shop.example.com' }, payload }));
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...p.server, origin: 'shop.example.com' }, payload }));
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { origin: 'shop.example.com' }, payload }));
      const wrong = { ...p.client, 'x-client-token': 'nope', origin: 'shop.example.com' };
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/client/v1/events', headers: wrong, payload }));
    });

    it('accepts an exact trusted host, as a bare host (the SDK) or inside an origin', async () => {
      expect((await clientTrack(p, 'shop.example.com')).statusCode).toBe(200);
      expect((await clientTrack(p, 'https://shop.example.com')).statusCode).toBe(200);
      expect((await clientTrack(p, 'HTTPS://SHOP.EXAMPLE.COM')).statusCode).toBe(200);
      expectForbidden(await clientTrack(p, 'https://shop.example.com.evil.io'));
      expectForbidden(await clientTrack(p, 'https://example.com'));
    });

    it('matches a *.domain entry on subdomains only', async () => {
      expect((await clientTrack(p, 'https://a.example.org')).statusCode).toBe(200);
      expect((await clientTrack(p, 'https://a.b.example.org')).statusCode).toBe(200);
      expectForbidden(await clientTrack(p, 'https://example.org'));
      expectForbidden(await clientTrack(p, 'https://badexample.org'));
      expectForbidden(await clientTrack(p, 'https://example.org.evil.io'));
    });

    it('matches a full-origin entry on scheme, host and port', async () => {
      expect((await clientTrack(p, 'https://secure.example.net:8443')).statusCode).toBe(200);
      expectForbidden(await clientTrack(p, 'http://secure.example.net:8443'));
      expectForbidden(await clientTrack(p, 'https://secure.example.net'));
      expectForbidden(await clientTrack(p, 'https://secure.example.net:9443'));
    });

    it('answers 403 without an Origin and from untrusted origins, and writes nothing', async () => {
      const payload = { event: 'visit', customer: { source_id: 'refused' } };
      expectForbidden(await clientTrack(p, undefined, payload));
      expectForbidden(await clientTrack(p, 'https://evil.io', payload));
      expectForbidden(await clientTrack(p, 'null', payload));
      expect((await t.app.inject({ method: 'GET', url: '/v1/customers/refused', headers: p.server })).statusCode).toBe(404);
    });

    it('accepts any origin with *, but still needs one', async () => {
      const open = await t.createProject({ client_trusted_domains: ['*'] });
      await defineSchema(t.app, open.id, 'visit', {});
      expect((await clientTrack(open, 'https://anything.io')).statusCode).toBe(200);
      expect((await clientTrack(open, 'localhost:3000')).statusCode).toBe(200);
      expectForbidden(await clientTrack(open, undefined));
    });

    it('refuses every origin while client_trusted_domains is empty', async () => {
      const closed = await t.createProject();
      await defineSchema(t.app, closed.id, 'visit', {});
      expectForbidden(await clientTrack(closed, 'https://shop.example.com'));
    });

    it('applies a change of client_trusted_domains at once', async () => {
      const q = await t.createProject({ client_trusted_domains: ['old.example.com'] });
      await defineSchema(t.app, q.id, 'visit', {});
      expect((await clientTrack(q, 'https://old.example.com')).statusCode).toBe(200);
      expectForbidden(await clientTrack(q, 'https://new.example.com'));
      const res = await mgmt('PUT', `/projects/${q.id}`, { client_trusted_domains: ['new.example.com'] });
      expect(res.statusCode).toBe(200);
      expect(res.json().client_trusted_domains).toEqual(['new.example.com']);
      expect((await clientTrack(q, 'https://new.example.com')).statusCode).toBe(200);
      expectForbidden(await clientTrack(q, 'https://old.example.com'));
    });

    it('answers a CORS preflight allowing the origin and the client key headers', async () => {
      const res = await t.app.inject({
        method: 'OPTIONS',
        url: '/client/v1/events',
        headers: {
          origin: 'https://shop.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-client-application-id,x-client-token',
        },
      });
      expect(res.statusCode).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(/\s*,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['x-client-application-id', 'x-client-token', 'content-type']));
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    });

    it('refuses an OPTIONS that is no preflight (no Origin or no requested method) in the error shape', async () => {
      for (const headers of [{ origin: 'https://shop.example.com' }, { 'access-control-request-method': 'POST' }, {}]) {
        const res = await t.app.inject({ method: 'OPTIONS', url: '/client/v1/events', headers });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload', request_id: res.headers['x-request-id'] });
        expect(res.json().details).toContain('Access-Control-Request-Method');
      }
    });

    it('sends CORS headers on the real request too, exposing the request id', async () => {
      const res = await clientTrack(p, 'https://shop.example.com');
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      expect(String(res.headers['access-control-expose-headers']).toLowerCase()).toContain('x-request-id');
    });

    it('refuses referral and loyalty on the client endpoint unless client_loyalty_events_enabled', async () => {
      const q = await t.createProject({ client_trusted_domains: ['*'] });
      await defineSchema(t.app, q.id, 'visit', {});
      const withLoyalty = { event: 'visit', customer: { source_id: 'l1' }, loyalty: { code: 'L-1' } };
      const withReferral = { event: 'visit', customer: { source_id: 'l1' }, referral: { code: 'R-1' } };
      expectForbidden(await clientTrack(q, 'https://x.io', withLoyalty));
      expectForbidden(await clientTrack(q, 'https://x.io', withReferral));
      expect((await clientTrack(q, 'https://x.io', { event: 'visit', customer: { source_id: 'l1' } })).statusCode).toBe(200);
      // The server key is not restricted.
      const server = await t.app.inject({ method: 'POST', url: '/v1/events', headers: q.server, payload: withLoyalty });
      expect(server.statusCode).toBe(200);
      expect((await mgmt('PUT', `/projects/${q.id}`, { client_loyalty_events_enabled: true })).statusCode).toBe(200);
      expect((await clientTrack(q, 'https://x.io', withLoyalty)).statusCode).toBe(200);
      expect((await clientTrack(q, 'https://x.io', withReferral)).statusCode).toBe(200);
    });
  });

  describe('management API', () => {
    it('needs X-Management-Id and X-Management-Token', async () => {
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/management/v1/projects' }));
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/management/v1/projects', headers: { 'x-management-id': 'mgmt_test' } }));
      const wrong = { ...managementHeaders, 'x-management-token': 'test-management-token-wrong-00000' };
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/management/v1/projects', headers: wrong }));
      const otherId = { ...managementHeaders, 'x-management-id': 'mgmt_other' };
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/management/v1/projects', headers: otherId }));
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/management/v1/projects', headers: p.server }));
      expectUnauthorized(await t.app.inject({ method: 'POST', url: '/management/v1/projects', payload: { name: 'sneaky' } }));
      const names = (await mgmt('GET', '/projects')).json().data.map((x: { name: string }) => x.name);
      expect(names).not.toContain('sneaky');
    });

    it('creates a project with its keys and webhook token; the keys work at once', async () => {
      const res = await mgmt('POST', '/projects', { name: 'Shop', timezone: 'Europe/Warsaw', client_trusted_domains: ['shop.io'] });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ name: 'Shop', timezone: 'Europe/Warsaw', client_trusted_domains: ['shop.io'], object: 'project' });
      expect(body.id).toMatch(/^proj_/);
      expect(body.server_side_key).toEqual({ app_id: expect.any(String), app_token: expect.any(String) });
      expect(body.client_side_key).toEqual({ app_id: expect.any(String), app_token: expect.any(String) });
      expect(body.server_side_key.app_id).not.toBe(body.client_side_key.app_id);
      expect(body.webhook_token).toEqual(expect.any(String));
      const headers = { 'x-app-id': body.server_side_key.app_id, 'x-app-token': body.server_side_key.app_token };
      expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers })).statusCode).toBe(200);
    });

    it('validates the project body', async () => {
      expect((await mgmt('POST', '/projects', {})).statusCode).toBe(400);
      expect((await mgmt('POST', '/projects', { name: 'x', client_trusted_domains: 'shop.io' })).statusCode).toBe(400);
      // An entry with a space can match no origin: refused rather than kept.
      const spaced = await mgmt('PUT', `/projects/${p.id}`, { client_trusted_domains: ['shop.io', 'bad domain.io'] });
      expect(spaced.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
      expect((await mgmt('PUT', `/projects/${p.id}`, { client_loyalty_events_enabled: 'yes' })).statusCode).toBe(400);
    });

    it('lists, reads, updates and deletes projects, never showing keys again', async () => {
      const created = await t.createProject({ name: 'Temp' });
      const list = (await mgmt('GET', '/projects')).json();
      expect(list).toMatchObject({ object: 'list', data_ref: 'data' });
      expect(list.total).toBe(list.data.length);
      expect(list.data.map((x: { id: string }) => x.id)).toContain(created.id);
      const got = await mgmt('GET', `/projects/${created.id}`);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toMatchObject({ id: created.id, name: 'Temp' });
      expect(got.json().server_side_key).toBeUndefined();
      expect(JSON.stringify(list)).not.toContain(created.server['x-app-token']);

      const upd = await mgmt('PUT', `/projects/${created.id}`, { name: 'Renamed', currency: 'EUR' });
      expect(upd.json()).toMatchObject({ id: created.id, name: 'Renamed', currency: 'EUR' });
      expect((await mgmt('GET', `/projects/${created.id}`)).json().name).toBe('Renamed');

      expect((await mgmt('DELETE', `/projects/${created.id}`)).statusCode).toBe(204);
      expect((await mgmt('GET', `/projects/${created.id}`)).statusCode).toBe(404);
      // A deleted project's keys stop working.
      expectUnauthorized(await t.app.inject({ method: 'GET', url: '/v1/customers', headers: created.server }));
    });

    it('answers 404 not_found for an unknown project', async () => {
      for (const [method, payload] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
        const res = await mgmt(method, '/projects/proj_missing', payload);
        expect(res.statusCode).toBe(404);
        expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'project', resource_id: 'proj_missing' });
      }
    });

    it('stores key tokens and the management token only as digests', async () => {
      const { rows } = await t.tessera.db.query<{ app_id: string; kind: string; token_hash: string }>(
        'SELECT app_id, kind, token_hash FROM api_keys WHERE project_id = $1',
        [p.id],
      );
      expect(rows.map((r) => r.kind).sort()).toEqual(['client', 'server']);
      const tokens = { server: p.server['x-app-token'], client: p.client['x-client-token'] } as Record<string, string>;
      for (const r of rows) {
        const token = tokens[r.kind]!;
        expect(r.token_hash).not.toBe(token);
        expect(r.token_hash).not.toContain(token);
        expect(r.token_hash).toBe(hashToken(token));
      }
      const everything = await t.tessera.db.query('SELECT * FROM api_keys');
      expect(JSON.stringify(everything.rows)).not.toContain(tokens.server);
      const settings = await t.tessera.db.query('SELECT * FROM instance_settings');
      expect(JSON.stringify(settings.rows)).not.toContain(managementHeaders['x-management-token']);
    });
  });
});

/**
 * OAuth 2.0 tokens for Voucherify's X-Voucherify-OAuth scheme: minted with a project key, 15 minutes long, limited
 * to their scopes (checked against the scopes the official spec gives every operation), revocable, and dead with
 * the key that minted them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { oauthScopes, scopesFor } from '../src/modules/projects/index.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
const origin = 'https://shop.example.com';
let t: TestTessera;
let p: TestProject;

const basic = (appId: string, secret: string) => `Basic ${Buffer.from(`${appId}:${secret}`).toString('base64')}`;
const serverBasic = () => basic(p.server['x-app-id'], p.server['x-app-token']);

async function mint(form: string, authorization = serverBasic()) {
  return t.app.inject({ method: 'POST', url: '/v1/oauth/token', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
}

async function tokenOf(scope?: string, authorization?: string): Promise<string> {
  const res = await mint(`grant_type=client_credentials${scope === undefined ? '' : `&scope=${encodeURIComponent(scope)}`}`, authorization);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().access_token;
}

const get = (url: string, token: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

beforeAll(async () => {
  t = await startTessera({ clock });
  p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
});
afterAll(() => t.close());

describe('OAuth tokens', () => {
  it('mints a 15-minute bearer token with the server key that works in place of the key', async () => {
    const res = await mint('grant_type=client_credentials');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 900, scope: 'api' });
    expect(body.access_token.length).toBeGreaterThanOrEqual(32);

    const created = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: `Bearer ${body.access_token}` }, payload: { source_id: 'oauth-ann' } });
    expect(created.statusCode, created.body).toBe(200);
    const listed = await get('/v1/customers', body.access_token);
    expect(listed.json().customers.map((c: { source_id: string }) => c.source_id)).toContain('oauth-ann');
    // The token is stored as a digest only.
    const stored = await t.testDb.db.query<{ token_hash: string }>('SELECT token_hash FROM oauth_tokens');
    expect(stored.rows.some((r) => r.token_hash === body.access_token)).toBe(false);
    expect(stored.rows.length).toBeGreaterThan(0);
  });

  it('takes JSON bodies and client_id / client_secret as well as HTTP Basic', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/oauth/token',
      payload: { grant_type: 'client_credentials', scope: 'vouchers', client_id: p.server['x-app-id'], client_secret: p.server['x-app-token'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scope).toBe('vouchers');
  });

  it('reaches only its scopes: a route outside them is 403 missing_required_permission', async () => {
    await defineSchema(t.app, p.id, 'oauth-tried', {});
    const token = await tokenOf('customers events');
    expect((await get('/v1/customers', token)).statusCode).toBe(200);
    const tracked = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${token}` }, payload: { event: 'oauth-tried', customer: { source_id: 'oauth-bob' } } });
    expect(tracked.statusCode, tracked.body).toBe(200);
    const refused = await get('/v1/vouchers', token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 403, key: 'missing_required_permission', request_id: refused.headers['x-request-id'] });
    expect(refused.json().details).toMatch(/customers events.*api or vouchers/);
    // A server token is no client token.
    expect((await get('/client/v1/promotions/tiers', await tokenOf('api'), { origin })).statusCode).toBe(403);
  });

  it('gives every operation of the official spec the scopes the spec names for it', () => {
    const dir = join(__dirname, '../../shared/voucherify/spec/api');
    let checked = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const spec = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      for (const [path, ops] of Object.entries<Record<string, any>>(spec.paths)) {
        if (path.startsWith('/management/')) continue;
        for (const [method, op] of Object.entries<any>(ops)) {
          const oauth = (op.security ?? spec.security ?? []).find((s: object) => 'X-Voucherify-OAuth' in s)?.['X-Voucherify-OAuth'];
          if (!oauth) continue;
          expect([...scopesFor(path)!].sort(), `${method} ${path}`).toEqual([...oauth].sort());
          for (const s of oauth) expect(oauthScopes, s).toContain(s);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(170);
  });

  it('mints client tokens with the client key, used on /client/v1 from a trusted origin only', async () => {
    const clientBasic = basic(p.client['x-client-application-id'], p.client['x-client-token']);
    const res = await mint('grant_type=client_credentials', clientBasic);
    expect(res.json().scope).toBe('client_api');
    const token = res.json().access_token;
    expect((await get('/client/v1/promotions/tiers', token, { origin })).statusCode).toBe(200);
    expect((await get('/client/v1/promotions/tiers', token)).statusCode).toBe(403);
    expect((await get('/client/v1/promotions/tiers', token, { origin: 'https://evil.example.net' })).statusCode).toBe(403);
    expect((await get('/v1/customers', token)).statusCode).toBe(403);
    // A client key cannot mint server scopes.
    const refused = await mint('grant_type=client_credentials&scope=api', clientBasic);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details).toMatch(/client scopes only/);
    // The server key may mint a narrow client token (for a browser, instead of the client key).
    const narrow = await tokenOf('client_publish');
    expect((await get('/client/v1/promotions/tiers', narrow, { origin })).statusCode).toBe(403);
  });

  it('serves the official SDK with a token in place of the key (customHeaders, empty key fields)', async () => {
    const apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const token = await tokenOf('customers');
    const sdk = VoucherifyServerSide({ applicationId: '', secretKey: '', apiUrl, customHeaders: { Authorization: `Bearer ${token}` } });
    const created: any = await sdk.customers.create({ source_id: 'sdk-oauth' });
    expect(created).toMatchObject({ object: 'customer', source_id: 'sdk-oauth' });
    const err = (await sdk.vouchers.list({}).then(() => undefined, (e: unknown) => e)) as Record<string, unknown>;
    expect(err).toMatchObject({ code: 403, key: 'missing_required_permission' });
  });

  it('expires after 15 minutes', async () => {
    const token = await tokenOf();
    clock.advance(899_000);
    expect((await get('/v1/customers', token)).statusCode).toBe(200);
    clock.advance(2_000);
    const expired = await get('/v1/customers', token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 401, key: 'unauthorized' });
    expect(expired.json().details).toMatch(/expired/);
  });

  it('introspects and revokes, for the key that minted the token only', async () => {
    const token = await tokenOf('customers');
    const introspect = (authorization: string) =>
      t.app.inject({ method: 'POST', url: '/v1/oauth/token/introspect', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${token}` });
    const live = (await introspect(serverBasic())).json();
    expect(live).toMatchObject({ active: true, scope: 'customers', client_id: p.server['x-app-id'], token_type: 'bearer', expires_in: 900, project_id: p.id });
    expect(live.exp - live.iat).toBe(900);
    const other = await t.createProject();
    const otherBasic = basic(other.server['x-app-id'], other.server['x-app-token']);
    expect((await introspect(otherBasic)).json()).toEqual({ active: false });
    // Another project's key cannot revoke it.
    await t.app.inject({ method: 'POST', url: '/v1/oauth/token/revoke', headers: { authorization: otherBasic }, payload: { token } });
    expect((await get('/v1/customers', token)).statusCode).toBe(200);

    const revoked = await t.app.inject({ method: 'POST', url: '/v1/oauth/token/revoke', headers: { authorization: serverBasic() }, payload: { token } });
    expect(revoked.statusCode).toBe(200);
    expect((await get('/v1/customers', token)).statusCode).toBe(401);
    expect((await introspect(serverBasic())).json()).toEqual({ active: false });
  });

  it('dies with the key that minted it', async () => {
    const q = await t.createProject();
    const token = await tokenOf('api', basic(q.server['x-app-id'], q.server['x-app-token']));
    expect((await get('/v1/customers', token)).statusCode).toBe(200);
    const regen = await t.app.inject({ method: 'POST', url: `/management/v1/projects/${q.id}/server-side-key/regenerate`, headers: managementHeaders });
    expect(regen.statusCode).toBe(200);
    clock.advance(6_000); // past the few seconds a process trusts a looked-up token
    expect((await get('/v1/customers', token)).statusCode).toBe(401);
  });

  it("refuses what it cannot mint in Voucherify's error shape", async () => {
    const cases: [string, string | undefined, number, RegExp][] = [
      ['grant_type=password', serverBasic(), 400, /client_credentials/],
      ['', serverBasic(), 400, /client_credentials/],
      ['grant_type=client_credentials&scope=everything', serverBasic(), 400, /Unknown scope 'everything'/],
      ['grant_type=client_credentials', basic(p.server['x-app-id'], 'wrong'), 401, /Invalid client credentials/],
      ['grant_type=client_credentials', undefined, 401, /Missing client credentials/],
      ['grant_type=client_credentials', 'Bearer nonsense', 401, /Missing client credentials/],
    ];
    for (const [form, authorization, status, details] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/oauth/token', headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
      expect(res.statusCode, `${form} ${authorization}`).toBe(status);
      expect(res.json()).toMatchObject({ code: status, request_id: expect.any(String) });
      expect(res.json().details, form).toMatch(details);
    }
    expect((await get('/v1/customers', 'not-a-token')).statusCode).toBe(401);
  });
});

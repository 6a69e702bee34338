/**
 * API call limits, in Voucherify's headers: per project on the server API, per project and IP address on the
 * client API; a project's own setting wins over the instance's default; the official SDK reads the headers.
 */
import { VoucherifyServerSide } from '@voucherify/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseRateLimit } from '../src/config/index.js';
import { bulkRoutes } from '../src/api/rate-limits.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const origin = 'https://shop.example.com';

async function setLimits(t: TestTessera, projectId: string, body: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${projectId}`, headers: managementHeaders, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const customersOf = async (t: TestTessera, p: TestProject): Promise<number> =>
  (await t.app.inject({ method: 'GET', url: '/v1/customers?limit=100', headers: p.server })).json().customers.length;

describe('API call limits, no instance default', () => {
  let t: TestTessera;
  beforeAll(async () => {
    t = await startTessera();
  });
  afterAll(() => t.close());

  it('counts nothing and sends no limit headers while a project has no limit', async () => {
    const p = await t.createProject();
    expect(p.raw).toMatchObject({ api_rate_limit: null, client_rate_limit: null });
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-rate-limit-limit']).toBeUndefined();
    }
  });

  it("refuses the 4th server call of a 3-per-minute project with 429 in Voucherify's shape, without doing it", async () => {
    const p = await t.createProject();
    const other = await t.createProject();
    expect(await setLimits(t, p.id, { api_rate_limit: { calls: 3, seconds: 60 } })).toMatchObject({ api_rate_limit: { calls: 3, seconds: 60 } });
    const started = Math.floor(Date.now() / 1000);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: `c${i}` } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['x-rate-limit-limit']).toBe('3');
      const retry = Number(res.headers['x-rate-limit-retry']);
      expect(retry).toBeGreaterThanOrEqual(started);
      expect(retry).toBeLessThanOrEqual(started + 61);
      remaining.push(String(res.headers['x-rate-limit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'c3' } });
    expect(refused.statusCode).toBe(429);
    const body = refused.json();
    expect(body).toMatchObject({ code: 429, key: 'too_many_requests', message: 'Too many requests', request_id: refused.headers['x-request-id'] });
    expect(body.details).toMatch(/3 API calls per 1 min/);
    expect(refused.headers).toMatchObject({ 'x-rate-limit-limit': '3', 'x-rate-limit-remaining': '0', 'x-rate-limit-type': 'api_calls' });
    const after = Number(refused.headers['retry-after']);
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(60);

    const scraped = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(Number(/^tessera_api_rate_limited_total\{api="api"\} (\d+)/m.exec(scraped)?.[1])).toBeGreaterThanOrEqual(1);
    // The refused call did nothing; another project and the management API are not limited by this one.
    const direct = await t.testDb.db.query<{ n: string }>('SELECT count(*) AS n FROM customers WHERE project_id = $1', [p.id]);
    expect(Number(direct.rows[0]!.n)).toBe(3);
    expect(await customersOf(t, other)).toBe(0);
    const mgmt = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}`, headers: managementHeaders });
    expect(mgmt.statusCode).toBe(200);
    expect(mgmt.headers['x-rate-limit-limit']).toBeUndefined();
  });

  it('counts client-side calls per IP address, apart from the server calls', async () => {
    const p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    await setLimits(t, p.id, { client_rate_limit: { calls: 2, seconds: 60 } });
    const call = (ip: string) =>
      t.app.inject({ method: 'GET', url: '/client/v1/promotions/tiers', headers: { ...p.client, origin }, remoteAddress: ip });
    const first = await call('203.0.113.7');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['x-rate-limit-remaining']).toBe('1');
    // Browsers may read the headers.
    expect(String(first.headers['access-control-expose-headers'])).toMatch(/x-rate-limit-remaining/);
    expect((await call('203.0.113.7')).statusCode).toBe(200);
    const refused = await call('203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().details).toMatch(/one IP address/);
    expect((await call('198.51.100.1')).statusCode).toBe(200);
    // The server key of the project has no limit of its own.
    const server = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server });
    expect(server.statusCode).toBe(200);
    expect(server.headers['x-rate-limit-limit']).toBeUndefined();
  });

  it("a token minted with the (public) client key counts in the client limit, per address, never in the server API's", async () => {
    const p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    await setLimits(t, p.id, { api_rate_limit: { calls: 3, seconds: 60 }, client_rate_limit: { calls: 2, seconds: 60 } });
    const basic = `Basic ${Buffer.from(`${p.client['x-client-application-id']}:${p.client['x-client-token']}`).toString('base64')}`;
    const mint = () => t.app.inject({ method: 'POST', url: '/v1/oauth/token', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials', remoteAddress: '203.0.113.9' });
    const minted = await Promise.all([mint(), mint(), mint()]);
    expect(minted.map((m) => m.statusCode).sort()).toEqual([200, 200, 429]);
    expect(minted[0]!.headers['cache-control']).toBe('no-store');
    // The backend's own calls are untouched.
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server })).statusCode).toBe(200);
  });

  it('refuses a malformed limit setting with 400 and lifts a limit set back to null', async () => {
    const p = await t.createProject();
    for (const bad of [{ calls: 0, seconds: 60 }, { calls: 5 }, { calls: 5, seconds: 100_000 }, { calls: 5, seconds: 60, burst: 2 }, 'lots']) {
      const res = await t.app.inject({ method: 'PUT', url: `/management/v1/projects/${p.id}`, headers: managementHeaders, payload: { api_rate_limit: bad } });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().key).toBe('invalid_payload');
    }
    await setLimits(t, p.id, { api_rate_limit: { calls: 1, seconds: 60 } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server })).statusCode).toBe(429);
    // The key cache keeps a project's settings for a few seconds in other processes; here the update clears it.
    await setLimits(t, p.id, { api_rate_limit: null });
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers: p.server })).statusCode).toBe(200);
  });
});

describe('bulk API call limits', () => {
  let t: TestTessera;
  beforeAll(async () => {
    t = await startTessera({ env: { TESSERA_BULK_RATE_LIMIT: '1/1h' } });
  });
  afterAll(() => t.close());

  it('counts imports and bulk updates apart, refusing the one over the limit with X-Rate-Limit-Type bulk_api_calls', async () => {
    const p = await t.createProject();
    const bulk = { source_ids: ['b1'], metadata: { tier: 'gold' } };
    const first = await t.app.inject({ method: 'POST', url: '/v1/customers/metadata/async', headers: p.server, payload: bulk });
    expect(first.statusCode, first.body).toBe(202);
    expect(first.headers).toMatchObject({ 'x-rate-limit-limit': '1', 'x-rate-limit-remaining': '0' });
    const actions = async () => (await t.app.inject({ method: 'GET', url: '/v1/async-actions', headers: p.server })).json().async_actions.length;
    expect(await actions()).toBe(1);

    // Any other bulk route shares the count; the refused call starts nothing.
    const refused = await t.app.inject({ method: 'POST', url: '/v1/vouchers/metadata/async', headers: p.server, payload: { codes: ['X'], metadata: { a: 1 } } });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['x-rate-limit-type']).toBe('bulk_api_calls');
    expect(refused.json()).toMatchObject({ key: 'too_many_requests' });
    expect(refused.json().details).toMatch(/1 bulk API calls per 1 h for this project/);
    expect(await actions()).toBe(1);

    // Other calls are not bulk calls: no bulk count, no headers (no API limit is set).
    const plain = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'b2' } });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['x-rate-limit-limit']).toBeUndefined();
    // Another project has its own count, and its own setting wins over the instance's.
    const other = await t.createProject({ bulk_api_rate_limit: { calls: 2, seconds: 60 } });
    const theirs = await t.app.inject({ method: 'POST', url: '/v1/customers/metadata/async', headers: other.server, payload: bulk });
    expect(theirs.statusCode).toBe(202);
    expect(theirs.headers).toMatchObject({ 'x-rate-limit-limit': '2', 'x-rate-limit-remaining': '1' });
  });

  it('names only routes that exist', () => {
    for (const url of bulkRoutes) expect(t.app.hasRoute({ method: 'POST', url }), url).toBe(true);
  });
});

describe('API call limits, instance default', () => {
  let t: TestTessera;
  let apiUrl: string;
  beforeAll(async () => {
    t = await startTessera({ env: { TESSERA_API_RATE_LIMIT: '4/1m' } });
    apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it("applies TESSERA_API_RATE_LIMIT to every project, and a project's own setting wins over it", async () => {
    const plain = await t.createProject();
    const own = await t.createProject({ api_rate_limit: { calls: 10, seconds: 3600 } });
    const a = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: plain.server });
    expect(a.headers['x-rate-limit-limit']).toBe('4');
    const b = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: own.server });
    expect(b.headers['x-rate-limit-limit']).toBe('10');
    expect(Number(b.headers['x-rate-limit-retry'])).toBeGreaterThan(Date.now() / 1000 + 3000);
  });

  it("is what the official SDK's apiLimitsHandler reads, and an SDK call over the limit fails with 429", async () => {
    const p = await t.createProject();
    const sdk = VoucherifyServerSide({ applicationId: p.server['x-app-id'], secretKey: p.server['x-app-token'], apiUrl });
    await sdk.customers.create({ source_id: 'sdk-1' });
    expect(sdk.apiLimitsHandler.areLimitsAvailable()).toBe(true);
    expect(sdk.apiLimitsHandler.getRateLimit()).toBe(4);
    expect(sdk.apiLimitsHandler.getRateLimitRemaining()).toBe(3);
    await sdk.customers.list({});
    await sdk.customers.list({});
    expect(sdk.apiLimitsHandler.getRateLimitRemaining()).toBe(1);
    await sdk.customers.list({});
    // The last allowed call says how long to wait (the SDK keeps the headers of successful answers only).
    expect(sdk.apiLimitsHandler.getRateLimitRemaining()).toBe(0);
    expect(sdk.apiLimitsHandler.getRetryAfter()).toBeGreaterThanOrEqual(1);
    expect(sdk.apiLimitsHandler.getRetryAfter()).toBeLessThanOrEqual(60);
    const err = (await sdk.customers.create({ source_id: 'sdk-2' }).then(() => undefined, (e: unknown) => e)) as Record<string, unknown>;
    expect(err).toMatchObject({ code: 429, key: 'too_many_requests' });
  });
});

describe('rate-limit configuration', () => {
  it('reads calls per window in several spellings', () => {
    expect(parseRateLimit('X', '6000/1m')).toEqual({ calls: 6000, seconds: 60 });
    expect(parseRateLimit('X', '5/5s')).toEqual({ calls: 5, seconds: 5 });
    expect(parseRateLimit('X', '100000 / hour')).toEqual({ calls: 100000, seconds: 3600 });
    expect(parseRateLimit('X', '10/minute')).toEqual({ calls: 10, seconds: 60 });
    expect(parseRateLimit('X', '')).toBeUndefined();
    expect(loadConfig({}).rateLimits).toEqual({ api: undefined, client: undefined });
    expect(loadConfig({ TESSERA_CLIENT_RATE_LIMIT: '5/5s' }).rateLimits.client).toEqual({ calls: 5, seconds: 5 });
  });

  it('refuses limits it cannot read, naming the variable', () => {
    for (const bad of ['lots', '0/1m', '10', '10/0s', '10/2d', '-1/1s', '5/25h']) {
      expect(() => loadConfig({ TESSERA_API_RATE_LIMIT: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ TESSERA_API_RATE_LIMIT: bad }), bad).toThrow(/TESSERA_API_RATE_LIMIT/);
    }
  });

  it('reads TESSERA_TRUST_PROXY as a switch or a list of proxy addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TESSERA_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TESSERA_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toBe('10.0.0.0/8, 127.0.0.1');
    expect(() => loadConfig({ TESSERA_TRUST_PROXY: '2' })).toThrow(/TESSERA_TRUST_PROXY/);
    expect(() => loadConfig({ TESSERA_TRUST_PROXY: 'proxy.local' })).toThrow(/TESSERA_TRUST_PROXY/);
    // Caught at the start, with the variable named (they crashed the server's build before).
    for (const bad of ['abc', '1.2.3.4.5', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1']) expect(() => loadConfig({ TESSERA_TRUST_PROXY: bad }), bad).toThrow(ConfigError);
    expect(loadConfig({ TESSERA_TRUST_PROXY: '::1, fd00::/8' }).trustProxy).toBe('::1, fd00::/8');
  });
});

describe('API call limits behind a proxy', () => {
  let t: TestTessera;
  beforeAll(async () => {
    t = await startTessera({ env: { TESSERA_TRUST_PROXY: '10.0.0.0/8', TESSERA_CLIENT_RATE_LIMIT: '1/1h' } });
  });
  afterAll(() => t.close());

  it("counts each client's address from X-Forwarded-For when the proxy is trusted, and not a stranger's claim", async () => {
    const p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    const call = (remoteAddress: string, forwarded: string) =>
      t.app.inject({ method: 'GET', url: '/client/v1/promotions/tiers', remoteAddress, headers: { ...p.client, origin, 'x-forwarded-for': forwarded } });
    expect((await call('10.0.0.5', '203.0.113.1')).statusCode).toBe(200);
    expect((await call('10.0.0.5', '203.0.113.2')).statusCode).toBe(200);
    expect((await call('10.0.0.6', '203.0.113.1')).statusCode).toBe(429);
    // A client that is no trusted proxy is counted by its own address, whatever it forwards.
    expect((await call('198.51.100.9', '203.0.113.3')).statusCode).toBe(200);
    expect((await call('198.51.100.9', '203.0.113.4')).statusCode).toBe(429);
  });

  it('counts an IPv6 client by its /64, so that its other addresses share the count', async () => {
    const p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    const call = (forwarded: string) =>
      t.app.inject({ method: 'GET', url: '/client/v1/promotions/tiers', remoteAddress: '10.0.0.5', headers: { ...p.client, origin, 'x-forwarded-for': forwarded } });
    expect((await call('2001:db8:1:2::1')).statusCode).toBe(200);
    expect((await call('2001:db8:1:2:ffff:eeee:dddd:cccc')).statusCode).toBe(429);
    // Another /64, and an IPv4 address written as IPv6 counts as that IPv4 address.
    expect((await call('2001:db8:1:3::1')).statusCode).toBe(200);
    expect((await call('::ffff:203.0.113.77')).statusCode).toBe(200);
    expect((await call('203.0.113.77')).statusCode).toBe(429);
  });
});

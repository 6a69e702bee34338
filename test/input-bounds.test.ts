import { connect } from 'node:net';
/**
 * Input at the edges of what the API takes: dates outside 0001..9999 in query strings and bodies, malformed
 * Origins for client keys, and a body over the limit while the client is still sending (over real HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

let t: TestTessera;
let p: TestProject;

beforeAll(async () => {
  t = await startTessera({ env: { TESSERA_BODY_LIMIT: String(64 * 1024), TESSERA_ALLOW_PRIVATE_TARGETS: 'true' } });
  p = await t.createProject({ client_trusted_domains: ['*.f.test', 'shop.example.com'] });
  await defineSchema(t.app, p.id, 'visit', {});
});
afterAll(() => t.close());

describe('dates outside 0001-01-01..9999-12-31', () => {
  const mgmt = () => `/management/v1/projects/${p.id}`;
  const urls = (date: string) => [
    ['server', `/v1/customers?created_at[before]=${date}`],
    ['server', `/v1/customers?created_at[after]=${date}`],
    ['server', `/v1/customers?updated_at[before]=${date}`],
    ['server', `/v1/customers?starting_after=${date}`],
    ['server', `/v1/customers/someone/activity?start_date=${date}`],
    ['server', `/v1/customers/someone/activity?end_date=${date}`],
    ['management', `${mgmt()}/webhook-sendouts?created_at[before]=${date}`],
    ['management', `${mgmt()}/webhook-sendouts?created_at[after]=${date}`],
    ['management', `${mgmt()}/webhook-sendouts?executed_at[before]=${date}`],
    ['management', `${mgmt()}/webhook-sendouts?executed_at[after]=${date}`],
  ] as const;

  for (const date of ['0000-01-01', '0000-12-31T23:59:59Z', '0001-01-01T00:00:00%2B01:00', '9999-12-31T23:00:00-05:00']) {
    it(`answers 400 invalid_query_params for ${date}, naming the parameter`, async () => {
      for (const [who, url] of urls(date)) {
        const res = await t.app.inject({ method: 'GET', url, headers: who === 'server' ? p.server : managementHeaders });
        expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
        expect(res.json()).toMatchObject({ code: 400, key: 'invalid_query_params' });
        expect(res.json().details).toContain('must be a date from 0001-01-01 to 9999-12-31');
      }
    });
  }

  it('takes the first and last storable days', async () => {
    for (const date of ['0001-01-01', '9999-12-31', '9999-12-31T23:59:59.999Z']) {
      for (const [who, url] of urls(date)) {
        if (url.includes('/activity')) continue;
        const res = await t.app.inject({ method: 'GET', url, headers: who === 'server' ? p.server : managementHeaders });
        expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      }
    }
  });

  it('refuses such dates in a retry-failed body as invalid_payload', async () => {
    const hook = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${p.id}/webhooks`,
      headers: managementHeaders,
      payload: { target_url: 'http://127.0.0.1:9/x', events: ['customer.created'] },
    });
    expect(hook.statusCode, hook.body).toBe(200);
    const res = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${p.id}/webhooks/${hook.json().id}/retry-failed`,
      headers: managementHeaders,
      payload: { start_date: '0000-01-01' },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().key).toBe('invalid_payload');
  });
});

describe('client Origins against a wildcard trusted domain', () => {
  const track = (origin: string) =>
    t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...p.client, origin }, payload: { event: 'visit', customer: { source_id: 'o' } } });

  it('refuses a host with an empty label or no subdomain', async () => {
    for (const origin of ['http://.f.test', 'https://..f.test', '.f.test', 'https://f.test', 'f.test', 'https://a..f.test', 'https://shop.example.com.']) {
      const res = await track(origin);
      expect(res.statusCode, `${origin}: ${res.body}`).toBe(403);
    }
  });

  it('accepts a subdomain as an origin or as a bare host name (the form the SDK passes on)', async () => {
    for (const origin of ['https://a.f.test', 'http://a.b.f.test:8080', 'a.f.test', 'shop.example.com']) {
      const res = await track(origin);
      expect(res.statusCode, `${origin}: ${res.body}`).toBe(200);
    }
  });
});

let address: string | undefined;

describe('a body over the limit', () => {
  it('answers 413 in the error shape to a client that is still sending, over a real connection', async () => {
    address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const big = JSON.stringify({ event: 'visit', customer: { source_id: 'big' }, metadata: { blob: 'x'.repeat(8 * 1024 * 1024) } });
    for (const chunked of [false, true]) {
      // A slow sender: the answer comes while most of the body is still to be sent.
      const bytes = new TextEncoder().encode(big);
      let sent = 0;
      const body = chunked
        ? new ReadableStream({
            async pull(c) {
              if (sent >= bytes.length) return c.close();
              await new Promise((r) => setTimeout(r, 2));
              c.enqueue(bytes.subarray(sent, (sent += 65_536)));
            },
          })
        : big;
      const res = await fetch(`${address}/v1/events`, {
        method: 'POST',
        headers: { ...p.server, 'content-type': 'application/json' },
        body,
        ...(chunked ? { duplex: 'half' } : {}),
      } as RequestInit);
      expect(res.status).toBe(413);
      const json = (await res.json()) as Record<string, unknown>;
      expect(json).toMatchObject({ code: 413, key: 'payload_too_large' });
      expect(String(json.details)).toContain(String(64 * 1024));
    }
    // The server is fine afterwards.
    const ok = await fetch(`${address}/v1/events`, {
      method: 'POST',
      headers: { ...p.server, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'visit', customer: { source_id: 'small' } }),
    });
    expect(ok.status).toBe(200);
  });
});

describe('what the HTTP parser refuses before any route', () => {
  it('a URL and headers over the limit (431) and a request that is not HTTP (400) get the error shape', async () => {
    address ??= await t.app.listen({ host: '127.0.0.1', port: 0 });
    const long = await fetch(`${address}/v1/customers?email=${'x'.repeat(20_000)}`, { headers: p.server });
    expect(long.status).toBe(431);
    const json = (await long.json()) as Record<string, unknown>;
    expect(json).toMatchObject({ code: 431, key: 'headers_too_large', message: expect.any(String), request_id: expect.any(String) });
    expect(long.headers.get('x-request-id')).toBe(json.request_id);
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => s.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d)).on('close', () => resolve(got)).on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 400, key: 'invalid_payload' });
  });
});

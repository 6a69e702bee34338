/**
 * The API call log: a project's refused and failed calls (by default), found by their request id, with their bodies
 * (secrets replaced, long ones cut); every call with TESSERA_API_LOG=all, none with off; pruned after its retention.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';

const origin = 'https://shop.example.com';

const calls = async (t: TestTessera, projectId: string, query = '') => {
  const res = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${projectId}/api-calls${query}`, headers: managementHeaders });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('the API call log, by default', () => {
  const clock = fixedClock(new Date('2026-05-04T12:00:00Z'));
  let t: TestTessera;
  let p: TestProject;
  beforeAll(async () => {
    t = await startTessera({ clock });
    p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
  });
  afterAll(() => t.close());

  it('keeps a refused call with its request id, error key and bodies, and not the calls that succeeded', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/v1/customers?limit=5', headers: p.server });
    expect(ok.statusCode).toBe(200);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'ann', email: 42 } });
    expect(refused.statusCode).toBe(400);
    const requestId = refused.headers['x-request-id'] as string;

    const list = await calls(t, p.id);
    expect(list).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(list.data).toHaveLength(1);
    const [call] = list.data;
    expect(call).toMatchObject({
      object: 'api_call',
      request_id: requestId,
      method: 'POST',
      path: '/v1/customers',
      route: '/v1/customers',
      status: 400,
      error_key: 'invalid_payload',
      channel: 'API',
      app_id: p.server['x-app-id'],
      created_at: '2026-05-04T12:00:00.000Z',
    });
    expect(JSON.parse(call.request_body)).toEqual({ source_id: 'ann', email: 42 });
    expect(JSON.parse(call.response_body)).toMatchObject({ code: 400, key: 'invalid_payload', request_id: requestId });
    expect(call.duration_ms).toBeGreaterThanOrEqual(0);
    // Found by the request id an error answer names, and one by one.
    expect((await calls(t, p.id, `?request_id=${requestId}`)).data.map((c: { id: string }) => c.id)).toEqual([call.id]);
    const one = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/api-calls/${call.id}`, headers: managementHeaders });
    expect(one.json()).toEqual(call);
  });

  it('keeps a call to a route that does not exist (a misspelt path) with the project, once its key is checked', async () => {
    for (const [url, headers] of [['/v1/custmers', p.server], ['/client/v1/nothing-here', { ...p.client, origin }]] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.json()).toMatchObject({ code: 404, key: 'not_found' });
      const kept = await calls(t, p.id, `?request_id=${res.headers['x-request-id']}`);
      expect(kept.data).toEqual([expect.objectContaining({ path: url, status: 404, error_key: 'not_found', route: null })]);
    }
    // Without a key, the key is what is wrong.
    expect((await t.app.inject({ method: 'GET', url: '/v1/custmers' })).json()).toMatchObject({ code: 401 });
  });

  it('filters by status, status class, method, path, error key and dates, newest first, a page at a time', async () => {
    const q = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    clock.advance(60_000);
    await t.app.inject({ method: 'GET', url: '/v1/customers/nobody', headers: q.server });
    clock.advance(60_000);
    await t.app.inject({ method: 'GET', url: '/v1/vouchers/NOPE', headers: q.server });
    clock.advance(60_000);
    await t.app.inject({ method: 'POST', url: '/v1/customers', headers: q.server, payload: { email: [] } });
    clock.advance(60_000);
    // A client call from an origin the project does not trust.
    await t.app.inject({ method: 'GET', url: '/client/v1/promotions/tiers', headers: { ...q.client, origin: 'https://elsewhere.example.org' } });

    const all = await calls(t, q.id);
    expect(all.data.map((c: { status: number }) => c.status)).toEqual([403, 400, 404, 404]);
    expect(all.data[0]).toMatchObject({ channel: 'CLIENT_API', app_id: q.client['x-client-application-id'], error_key: 'forbidden' });
    expect((await calls(t, q.id, '?status=404')).data).toHaveLength(2);
    expect((await calls(t, q.id, '?status=4xx')).data).toHaveLength(4);
    expect((await calls(t, q.id, '?status=5xx')).data).toHaveLength(0);
    expect((await calls(t, q.id, '?method=POST')).data.map((c: { path: string }) => c.path)).toEqual(['/v1/customers']);
    expect((await calls(t, q.id, '?path=/v1/vouchers')).data.map((c: { path: string }) => c.path)).toEqual(['/v1/vouchers/NOPE']);
    expect((await calls(t, q.id, '?error_key=not_found')).data).toHaveLength(2);
    expect((await calls(t, q.id, '?channel=CLIENT_API')).data.map((c: { status: number }) => c.status)).toEqual([403]);
    expect((await calls(t, q.id, `?app_id=${q.server['x-app-id']}`)).data).toHaveLength(3);
    expect((await calls(t, q.id, '?channel=API&status=404')).data).toHaveLength(2);
    const firstAt = all.data[3].created_at;
    const lastAt = all.data[0].created_at;
    expect((await calls(t, q.id, `?start_date=${firstAt}&end_date=${lastAt}`)).data).toHaveLength(2);

    const page1 = await calls(t, q.id, '?limit=3');
    expect(page1).toMatchObject({ has_more: true, more_starting_after: page1.data[2].id });
    const page2 = await calls(t, q.id, `?limit=3&starting_after_id=${page1.data[2].id}`);
    expect(page2.has_more).toBe(false);
    expect([...page1.data, ...page2.data].map((c: { id: string }) => c.id)).toEqual(all.data.map((c: { id: string }) => c.id));

    // Another project's calls are not this one's.
    expect((await calls(t, p.id)).data.some((c: { app_id: string }) => c.app_id === q.server['x-app-id'])).toBe(false);
    const foreign = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/api-calls/${all.data[0].id}`, headers: managementHeaders });
    expect(foreign.statusCode).toBe(404);
  });

  it('replaces secrets in kept bodies and cuts long ones', async () => {
    const q = await t.createProject();
    await t.app.inject({
      method: 'POST',
      url: '/v1/oauth/token',
      payload: { grant_type: 'client_credentials', scope: 'everything', client_id: q.server['x-app-id'], client_secret: q.server['x-app-token'] },
    });
    clock.advance(1_000);
    const long = 'x'.repeat(40_000);
    await t.app.inject({ method: 'POST', url: '/v1/customers', headers: q.server, payload: { source_id: 'long', email: 7, description: long } });
    const [cut, token] = (await calls(t, q.id)).data;
    expect(token).toMatchObject({ path: '/v1/oauth/token', status: 400 });
    expect(token.request_body).not.toContain(q.server['x-app-token']);
    expect(JSON.parse(token.request_body)).toMatchObject({ client_secret: '[redacted]', client_id: q.server['x-app-id'] });
    expect(cut.request_body.length).toBeLessThan(17_000);
    expect(cut.request_body).toMatch(/\[cut: \d+ characters in all\]$/);
  });

  it('refuses a bad filter with 400 and an unknown call with 404', async () => {
    for (const query of ['?status=99', '?status=4XX', '?path=v1', '?limit=0', '?start_date=2026-05-05&end_date=2026-05-04', '?colour=red', '?channel=WEB']) {
      const res = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/api-calls${query}`, headers: managementHeaders });
      expect(res.statusCode, query).toBe(400);
    }
    const missing = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/api-calls/call_nope`, headers: managementHeaders });
    expect(missing.statusCode).toBe(404);
  });

  it('deletes calls older than the retention (30 days)', async () => {
    const q = await t.createProject();
    await t.app.inject({ method: 'GET', url: '/v1/customers/old', headers: q.server });
    await t.tessera.services.apiCalls.flush();
    clock.advance(29 * 86_400_000);
    await t.app.inject({ method: 'GET', url: '/v1/customers/newer', headers: q.server });
    await t.tessera.services.apiCalls.flush();
    clock.advance(2 * 86_400_000);
    expect(await t.tessera.services.apiCalls.prune(1000)).toBeGreaterThanOrEqual(1);
    expect((await calls(t, q.id)).data.map((c: { path: string }) => c.path)).toEqual(['/v1/customers/newer']);
  });
});

describe('the API call log, every call or none', () => {
  it('keeps every call without bodies when TESSERA_API_LOG=all, none when off', async () => {
    const all = await startTessera({ env: { TESSERA_API_LOG: 'all' } });
    try {
      const p = await all.createProject();
      await all.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'ann' } });
      await all.app.inject({ method: 'GET', url: '/v1/customers/nobody', headers: p.server });
      const list = await calls(all, p.id);
      expect(list.data.map((c: { status: number }) => c.status)).toEqual([404, 200]);
      expect(list.data[1]).toMatchObject({ path: '/v1/customers', request_body: null, response_body: null, error_key: null });
      expect(list.data[0].response_body).toMatch(/not_found/);
    } finally {
      await all.close();
    }
    const off = await startTessera({ env: { TESSERA_API_LOG: 'off' } });
    try {
      const p = await off.createProject();
      await off.app.inject({ method: 'GET', url: '/v1/customers/nobody', headers: p.server });
      expect((await calls(off, p.id)).data).toEqual([]);
    } finally {
      await off.close();
    }
  }, 90_000);
});

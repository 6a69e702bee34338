/**
 * Operations: /metrics (Prometheus text) moves with what happens, /ready reports the database and migrations,
 * and the log says what went wrong with deliveries without ever printing a secret.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { createWebhook, deliverAll, mgmt, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

const lines: Array<Record<string, any>> = [];
const output = () => lines.map((l) => JSON.stringify(l)).join('\n');
const destination = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
    done();
  },
});

let t: TestTessera;
let p: TestProject;
let ok: Sink;
let failing: Sink;
let gone: Sink;

beforeAll(async () => {
  t = await startTessera({ env: privateTargets, logger: createLogger('debug', { destination }) });
  p = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
  [ok, failing, gone] = await Promise.all([startSink(), startSink(() => ({ status: 500 })), startSink(() => ({ status: 410 }))]);
  await defineSchema(t.app, p.id, 'sign_up', { plan: { type: 'string', optional: true } });
});
afterAll(async () => {
  await Promise.all([ok.close(), failing.close(), gone.close()]);
  await t.close();
});

/** Prometheus text into "name{labels}" -> value. */
async function scrape(): Promise<Map<string, number>> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  const out = new Map<string, number>();
  for (const line of res.body.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
const value = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

describe('/metrics', () => {
  it('moves after an event: events ingested, requests by route and status with latency, group-commit batches', async () => {
    const before = await scrape();
    const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload: { event: 'sign_up', customer: { source_id: 'm1' }, metadata: { plan: 'pro' } } });
    expect(res.statusCode, res.body).toBe(200);
    const after = await scrape();
    expect(value(after, 'tessera_events_ingested_total') - value(before, 'tessera_events_ingested_total')).toBe(1);
    const route = '{method="POST",route="/v1/events",status="200"}';
    expect(value(after, `tessera_http_requests_total${route}`) - value(before, `tessera_http_requests_total${route}`)).toBe(1);
    expect(value(after, `tessera_http_request_duration_seconds_count${route}`) - value(before, `tessera_http_request_duration_seconds_count${route}`)).toBe(1);
    expect(value(after, 'tessera_group_commit_batch_size_count{path="events"}') - value(before, 'tessera_group_commit_batch_size_count{path="events"}')).toBe(1);
    expect(after.has('tessera_db_pool_connections{state="total"}')).toBe(true);
    expect([...after.keys()].some((k) => k.startsWith('tessera_process_'))).toBe(true);
    // Unknown routes share one label value, whatever the URL.
    await t.app.inject({ method: 'GET', url: '/no/such/route/12345' });
    const later = await scrape();
    expect(value(later, 'tessera_http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
    expect([...later.keys()].some((k) => k.includes('12345'))).toBe(false);
  });

  it('counts sendouts by status, due ones, delivery attempts and delivery latency', async () => {
    const q = await t.createProject();
    await createWebhook(t, q.id, ok.url);
    const before = await scrape();
    await t.app.inject({ method: 'POST', url: '/v1/customers', headers: q.server, payload: { source_id: 'metric-customer' } });
    const queued = await scrape();
    expect(value(queued, 'tessera_sendouts{status="pending"}') - value(before, 'tessera_sendouts{status="pending"}')).toBe(1);
    expect(value(queued, 'tessera_sendouts_due')).toBeGreaterThanOrEqual(1);
    await deliverAll(t);
    const sent = await scrape();
    expect(value(sent, 'tessera_sendouts{status="sent"}') - value(before, 'tessera_sendouts{status="sent"}')).toBe(1);
    expect(value(sent, 'tessera_sendouts_due')).toBe(0);
    expect(value(sent, 'tessera_delivery_attempts_total{outcome="delivered"}') - value(before, 'tessera_delivery_attempts_total{outcome="delivered"}')).toBe(1);
    expect(value(sent, 'tessera_delivery_latency_seconds_count') - value(before, 'tessera_delivery_latency_seconds_count')).toBe(1);
  });
});

describe('/ready', () => {
  it('answers 200 when the database answers and every migration is applied, 503 naming what is missing otherwise', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', ready: true, database: 'ok', pending_migrations: [] });
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const { rows } = await t.tessera.db.query<{ id: number; name: string }>('SELECT id, name FROM tessera_migrations ORDER BY id DESC LIMIT 1');
    const last = rows[0]!;
    await t.tessera.db.query('DELETE FROM tessera_migrations WHERE id = $1', [last.id]);
    try {
      const missing = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(missing.statusCode).toBe(503);
      expect(missing.json()).toMatchObject({ status: 'not_ready', ready: false, database: 'ok', pending_migrations: [last.name] });
    } finally {
      await t.tessera.db.query('INSERT INTO tessera_migrations (id, name) VALUES ($1, $2)', [last.id, last.name]);
    }
  });
});

describe('logs', () => {
  it('say when a delivery fails (endpoint, status, next attempt), an endpoint is disabled, a distribution is paused; never a secret', async () => {
    const secretHeader = 'Bearer receiver-secret-0123456789';
    const queryToken = 'query-token-9876543210';
    await createWebhook(t, p.id, `${failing.url}/hook?token=${queryToken}`);
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: gone.url, events: ['customer.created'], headers: { Authorization: secretHeader } });
    expect(res.statusCode, res.body).toBe(200);
    const goneHook = res.json().id;
    const dist = await t.app.inject({
      method: 'POST',
      url: '/v1/distributions',
      headers: p.server,
      payload: { name: 'Paused soon', trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: gone.url, event_name: 'x', headers: { 'X-Key': secretHeader } } },
    });
    expect(dist.statusCode, dist.body).toBe(200);
    await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'logged', email: 'logged@example.com' } });
    const send = await t.app.inject({ method: 'POST', url: `/v1/distributions/${dist.json().id}/send`, headers: p.server, payload: { customer: 'logged', delay_seconds: 0 } });
    expect(send.statusCode, send.body).toBe(200);
    await t.app.inject({ method: 'GET', url: '/v1/customers', headers: { ...p.server, authorization: 'Bearer never-logged' } });
    await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/webhook-secret`, headers: managementHeaders });
    await deliverAll(t);

    const failed = lines.find((l) => l.msg?.startsWith('delivery attempt failed (HTTP 500)'));
    expect(failed).toMatchObject({ level: 30, status: 500, outcome: 'retry', target: `${failing.url}/hook?…`, source_object: 'webhook' });
    expect(failed!.next_attempt_at).toMatch(/^\d{4}-/);
    expect(failed!.msg).toContain(`next attempt at ${failed!.next_attempt_at}`);
    expect(lines.find((l) => l.msg?.startsWith('webhook endpoint disabled'))).toMatchObject({ source: goneHook, reason: 'the endpoint answered 410 Gone' });
    expect(lines.find((l) => l.msg?.startsWith('distribution paused'))).toMatchObject({ source: dist.json().id, source_object: 'distribution' });
    expect(lines.some((l) => l.level === 20 && l.msg === 'request' && l.route === '/v1/customers' && l.status === 200)).toBe(true);

    const all = output();
    const secrets = [
      p.server['x-app-token'],
      p.client['x-client-token'],
      managementHeaders['x-management-token'],
      p.webhookToken,
      secretHeader,
      queryToken,
      'never-logged',
    ];
    for (const s of secrets) expect(all, s).not.toContain(s);
  });
});

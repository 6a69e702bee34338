import { describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { closeAfterEach, defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { standardVerify } from './helpers/conformance.js';
import { startSink, type Handler, type Sink } from './helpers/sink.js';
import { allSendouts, createCustomer, createWebhook, deliverAll, getWebhook, mgmt, privateTargets } from './helpers/sendouts.js';

/**
 * Operational webhooks (our extension): endpoints subscribed to `tessera.*` types hear when another endpoint of the
 * project starts failing, recovers, is disabled, or loses a message. Real receivers; time moved by the clock.
 */
const start = new Date('2026-03-03T09:00:00.000Z');

const closing = closeAfterEach();

async function setup() {
  const clock = fixedClock(start);
  const t: TestTessera = closing(await startTessera({ clock, env: privateTargets }));
  const p: TestProject = await t.createProject();
  const sink = async (handler?: Handler) => closing(await startSink(handler));
  /**
   * Delivers what is due, then moves the clock to the latest retry due (retries of one number fall within ±10% of
   * their gap, so one round is one attempt of each), until nothing is left to retry or `rounds` ran.
   */
  async function run(rounds: number): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      await deliverAll(t);
      const next = (await allSendouts(t, p.id, 'status=retrying')).map((s) => Date.parse(s.next_attempt_at)).sort((a, b) => b - a)[0];
      if (next === undefined) return;
      clock.set(new Date(Math.max(next, clock.now().getTime())));
    }
  }
  return { t, clock, p, sink, run };
}

const ops = (s: Sink, type?: string) => s.received.map((r) => r.json).filter((b) => b && (type === undefined || b.type === type));

describe('operational webhooks', () => {
  it('says once that an endpoint is failing (4th failed attempt), then that it recovered; signed like every message', async () => {
    const { t, p, sink, run, clock } = await setup();
    let failures = 0;
    const customers = await sink(() => (failures++ < 8 ? { status: 500 } : { status: 200 }));
    const watcher = await sink();
    const target = await createWebhook(t, p.id, `${customers.url}/hooks?token=s3cret`);
    const alerts = await createWebhook(t, p.id, watcher.url, ['tessera.endpoint.failing', 'tessera.endpoint.recovered']);
    await createCustomer(t, p, 'alice');
    await createCustomer(t, p, 'bob');

    await run(4);
    // Both sendouts failed their 4th attempt: one episode, one message.
    expect(customers.received).toHaveLength(8);
    const failing = ops(watcher, 'tessera.endpoint.failing');
    expect(failing).toHaveLength(1);
    expect(failing[0].data).toMatchObject({
      endpoint: { id: target.id, object: 'webhook', target_url: `${customers.url}/hooks?…` },
      sendout: { event_type: 'customer.created', attempts: 4, last_attempt: { status_code: 500, outcome: 'retry' } },
    });
    expect(JSON.stringify(failing[0])).not.toContain('s3cret');
    expect(failing[0]).toMatchObject({ project_id: p.id, source: { id: alerts.id, object: 'webhook' }, event: { entity_id: target.id, event_source: { channel: 'INTERNAL' } } });
    const secret = (await mgmt(t, 'GET', `/projects/${p.id}/webhook-secret`)).json().standard_webhooks_secret;
    expect(standardVerify(secret, watcher.received[0]!, clock.now())).toBe(true);

    await run(2);
    // The 5th attempts got through: recovered, once, with when the failing began.
    expect(ops(customers).filter((b) => b.type === 'customer.created')).toHaveLength(10);
    const recovered = ops(watcher, 'tessera.endpoint.recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0].data).toMatchObject({ endpoint: { id: target.id }, sendout: { attempts: 5 }, failing_since: failing[0].created_at });
    expect(ops(watcher, 'tessera.endpoint.failing')).toHaveLength(1);

    // A new episode is announced again.
    failures = 0;
    await createCustomer(t, p, 'carol');
    await run(4);
    expect(ops(watcher, 'tessera.endpoint.failing')).toHaveLength(2);
  });

  it('a manual retry that gets through says recovered, and the next outage is announced again', async () => {
    const { t, p, sink, run } = await setup();
    let status = 500;
    const customers = await sink(() => ({ status }));
    const watcher = await sink();
    const target = await createWebhook(t, p.id, customers.url);
    await createWebhook(t, p.id, watcher.url, ['tessera.endpoint.failing', 'tessera.endpoint.recovered']);
    await createCustomer(t, p, 'alice');
    await run(4);
    expect(ops(watcher, 'tessera.endpoint.failing')).toHaveLength(1);

    status = 200;
    const [failing] = await allSendouts(t, p.id, `webhook_id=${target.id}&status=retrying`);
    expect((await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${failing.id}/retry`)).statusCode).toBe(200);
    await deliverAll(t);
    const recovered = ops(watcher, 'tessera.endpoint.recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0].data).toMatchObject({ endpoint: { id: target.id }, sendout: { id: failing.id, attempts: 1, last_attempt: { outcome: 'delivered' } } });

    status = 500;
    await createCustomer(t, p, 'bob');
    await run(4);
    expect(ops(watcher, 'tessera.endpoint.failing')).toHaveLength(2);
  });

  it('disabling or re-enabling an endpoint ends its failing episode; a distribution: a new message that gets through says recovered, pausing or resuming ends the episode', async () => {
    const { t, p, sink, run } = await setup();
    let status = 500;
    // gus's messages always get through (a new message while the others still fail).
    const customers = await sink((r) => ({ status: r.json?.data?.customer?.source_id === 'gus' ? 200 : status }));
    const watcher = await sink();
    const target = await createWebhook(t, p.id, customers.url);
    await createWebhook(t, p.id, watcher.url, ['tessera.endpoint.failing', 'tessera.endpoint.recovered']);
    await createCustomer(t, p, 'alice');
    await run(4);
    expect(ops(watcher, 'tessera.endpoint.failing')).toHaveLength(1);
    const put = (active: boolean) => mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${target.id}`, { target_url: customers.url, events: ['customer.created'], active });
    expect((await put(false)).statusCode).toBe(200);
    await run(2);
    expect((await put(true)).statusCode).toBe(200);
    await createCustomer(t, p, 'bob');
    await run(4);
    expect(ops(watcher, 'tessera.endpoint.failing').map((b) => b.data.endpoint.id)).toEqual([target.id, target.id]);

    await defineSchema(t.app, p.id, 'sign_up', {});
    const call = (method: 'POST' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, headers: p.server, payload });
    const definition = { name: 'Welcome', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: { type: 'webhook', target_url: `${customers.url}/d`, event_name: 'welcome' } };
    const d = (await call('POST', '/v1/distributions', definition)).json();
    await call('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'fay' } });
    await run(4);
    const ofDistribution = (type: string) => ops(watcher, type).filter((b) => b.data.endpoint.id === d.id);
    expect(ofDistribution('tessera.endpoint.failing')).toHaveLength(1);
    // A new message gets through while the failing one still fails: recovered, once.
    await call('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'gus' } });
    await deliverAll(t);
    expect(ofDistribution('tessera.endpoint.recovered')).toMatchObject([{ data: { endpoint: { object: 'distribution' }, sendout: { attempts: 1 } } }]);
    status = 200;
    await run(3);
    expect(ofDistribution('tessera.endpoint.recovered')).toHaveLength(1);

    status = 500;
    await call('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'hal' } });
    await run(4);
    expect(ofDistribution('tessera.endpoint.failing')).toHaveLength(2);
    expect((await call('PUT', `/v1/distributions/${d.id}`, { ...definition, status: 'PAUSED' })).statusCode).toBe(200);
    expect((await call('PUT', `/v1/distributions/${d.id}`, definition)).statusCode).toBe(200);
    await call('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'ida' } });
    await run(4);
    expect(ofDistribution('tessera.endpoint.failing')).toHaveLength(3);
  });

  it('says that a message was lost and the endpoint disabled (410 Gone); the alerts endpoint failing itself announces nothing', async () => {
    const { t, p, sink, run } = await setup();
    const gone = await sink(() => ({ status: 410 }));
    const watcher = await sink(() => ({ status: 500 }));
    const target = await createWebhook(t, p.id, gone.url);
    const alerts = await createWebhook(t, p.id, watcher.url, ['tessera.sendout.exhausted', 'tessera.endpoint.disabled', 'tessera.endpoint.failing']);
    await createCustomer(t, p, 'alice');
    await run(1);
    const bodies = ops(watcher);
    expect(bodies.map((b) => b.type).sort()).toEqual(['tessera.endpoint.disabled', 'tessera.sendout.exhausted']);
    const disabled = bodies.find((b) => b.type === 'tessera.endpoint.disabled');
    expect(disabled.data).toMatchObject({ endpoint: { id: target.id }, disabled_reason: expect.stringMatching(/410/), sendout: { attempts: 1, last_attempt: { status_code: 410, outcome: 'disable_endpoint' } } });
    expect((await getWebhook(t, p.id, target.id)).active).toBe(false);

    // The watcher answers 500 to every attempt: its own two sendouts run through all their retries and it is
    // disabled, and none of that makes another alert.
    await run(20);
    const own = await allSendouts(t, p.id, `webhook_id=${alerts.id}`);
    expect(own).toHaveLength(2);
    expect(own.every((s) => s.status === 'failed')).toBe(true);
    expect(new Set(ops(watcher).map((b) => b.id)).size).toBe(2);
    expect((await getWebhook(t, p.id, alerts.id)).active).toBe(false);
  });

  it('a distribution paused by 410 Gone is announced as a disabled endpoint of object distribution', async () => {
    const { t, p, sink, run } = await setup();
    await defineSchema(t.app, p.id, 'sign_up', {});
    const gone = await sink(() => ({ status: 410 }));
    const watcher = await sink();
    await createWebhook(t, p.id, watcher.url, ['tessera.endpoint.disabled']);
    const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });
    const d = (await post('/v1/distributions', { name: 'Gone', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: { type: 'webhook', target_url: gone.url, event_name: 'g' } })).json();
    await post('/v1/events', { event: 'sign_up', customer: { source_id: 'fay' } });
    await post('/v1/events', { event: 'sign_up', customer: { source_id: 'gus' } });
    await run(1);
    // Two messages were refused with 410; the first paused the distribution, which is said once.
    expect(ops(watcher).map((b) => [b.type, b.data.endpoint.id, b.data.endpoint.object])).toEqual([['tessera.endpoint.disabled', d.id, 'distribution']]);
  });

  it("'*' means Voucherify's events only; filters and other projects apply", async () => {
    const { t, p, sink, run } = await setup();
    const gone = await sink(() => ({ status: 410 }));
    const all = await sink();
    const filtered = await sink();
    const target = await createWebhook(t, p.id, gone.url);
    await createWebhook(t, p.id, all.url, ['*']);
    await createWebhook(t, p.id, `${all.url}/both`, ['*', 'tessera.endpoint.disabled']);
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: filtered.url, events: ['tessera.endpoint.disabled'], filter: { 'data.endpoint.id': 'wh_other' } });
    expect(res.statusCode).toBe(200);
    const other = await t.createProject();
    const elsewhere = await sink();
    await createWebhook(t, other.id, elsewhere.url, ['tessera.endpoint.disabled']);

    await createCustomer(t, p, 'alice');
    await run(1);
    expect(all.received.filter((r) => r.path === '/hook').map((r) => r.json.type)).toEqual(['customer.created']);
    expect(all.received.filter((r) => r.path === '/hook/both').map((r) => r.json.type).sort()).toEqual(['customer.created', 'tessera.endpoint.disabled']);
    expect(filtered.received).toHaveLength(0);
    expect(elsewhere.received).toHaveLength(0);
    expect((await getWebhook(t, p.id, target.id)).active).toBe(false);
  });

  it('validates subscriptions, lists the types, and sends samples on test', async () => {
    const { t, p, sink, run } = await setup();
    const refused = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: 'http://127.0.0.1:1/x', events: ['*', 'customer.created'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details).toMatch(/'\*' \(with operational types, if any\) or event types/);
    const unknown = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: 'http://127.0.0.1:1/x', events: ['tessera.endpoint.exploded'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details).toContain('tessera.endpoint.failing');

    const catalog = (await mgmt(t, 'GET', '/webhook-event-types')).json().data;
    expect(catalog.filter((e: any) => e.group === 'operational').map((e: any) => e.type).sort()).toEqual([
      'tessera.endpoint.disabled',
      'tessera.endpoint.failing',
      'tessera.endpoint.recovered',
      'tessera.sendout.exhausted',
    ]);

    const watcher = await sink();
    const w = await createWebhook(t, p.id, watcher.url, ['tessera.endpoint.recovered']);
    expect((await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/test`)).statusCode).toBe(200);
    await run(1);
    expect(watcher.received[0]!.json).toMatchObject({ type: 'tessera.endpoint.recovered', data: { endpoint: { object: 'webhook' }, failing_since: expect.any(String) } });
  });
});

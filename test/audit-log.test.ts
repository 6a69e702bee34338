import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Answer, type Sink } from './helpers/sink.js';
import {
  allSendouts,
  createCustomer,
  createWebhook,
  deliverAll,
  getSendout,
  listSendouts,
  mgmt,
  minute,
  privateTargets,
} from './helpers/sendouts.js';

/** The audit log of sendouts (our API for Voucherify's dashboard-only "Webhook send outs" tab, DIGEST e.4). */
const T0 = new Date('2025-05-05T10:00:00.000Z');
const hour = 60 * minute;
const at = (ms: number) => new Date(T0.getTime() + ms).toISOString();

let t: TestTessera | undefined;
const sinks: Sink[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const s of sinks.splice(0)) await s.close();
});

async function setup(env: Record<string, string> = {}) {
  const clock = fixedClock(T0);
  t = await startTessera({ clock, env: { ...privateTargets, ...env } });
  const p = await t.createProject();
  return { t, clock, p };
}

/** A sink whose answer the test can change. */
async function sink(answer: Answer = { status: 200 }): Promise<Sink & { answer: Answer }> {
  const s: Sink & { answer: Answer } = Object.assign(await startSink((): Answer => s.answer), { answer });
  sinks.push(s);
  return s;
}

describe('audit log of sendouts', () => {
  it('filters by status, type, webhook, source, target, id, request id, event id and time ranges, newest first', async () => {
    const { t, clock, p } = await setup();
    const [ok, bad, gone] = [await sink(), await sink({ status: 500 }), await sink({ status: 410 })];
    const w1 = await createWebhook(t, p.id, ok.url);
    const w2 = await createWebhook(t, p.id, bad.url, ['customer.created', 'customer.deleted']);
    const w3 = await createWebhook(t, p.id, gone.url);
    const r1 = await createCustomer(t, p, 'a');
    await deliverAll(t); // T0: to w1 sent, to w2 retrying, to w3 failed (and w3 disabled)
    clock.set(new Date(at(hour)));
    const r2 = await createCustomer(t, p, 'b');
    await deliverAll(t); // T0+1h: b to w1 sent, b to w2 retrying, a to w2 retried
    clock.set(new Date(at(2 * hour)));
    const del = await t.app.inject({ method: 'DELETE', url: '/v1/customers/a', headers: p.server });
    expect(del.statusCode).toBe(204);
    const r3 = String(del.headers['x-request-id']);

    const names: Record<string, string> = { [w1.id]: 'w1', [w2.id]: 'w2', [w3.id]: 'w3', [r1]: 'a', [r2]: 'b', [r3]: 'del' };
    const label = (s: any) => `${names[s.request_id]}>${names[s.source.id]}`;
    const all = await allSendouts(t, p.id);
    expect(all.map(label)).toHaveLength(6);
    expect(all.map((s) => s.created_at)).toEqual([at(2 * hour), at(hour), at(hour), at(0), at(0), at(0)]);
    expect(all[0]).toMatchObject({ object: 'webhook_sendout', type: 'customer.deleted', status: 'pending', executed_at: null });
    const byLabel = Object.fromEntries(all.map((s) => [label(s), s]));
    const find = async (query: string) => (await allSendouts(t, p.id, query)).map(label).sort();

    expect(await find('status=sent')).toEqual(['a>w1', 'b>w1']);
    expect(await find('status=retrying')).toEqual(['a>w2', 'b>w2']);
    expect(await find('status=failed')).toEqual(['a>w3']);
    expect(await find('status=pending')).toEqual(['del>w2']);
    expect(await find('type=customer.deleted')).toEqual(['del>w2']);
    expect(await find('type=customer.created')).toHaveLength(5);
    expect(await find(`webhook_id=${w2.id}`)).toEqual(['a>w2', 'b>w2', 'del>w2']);
    expect(await find(`webhook_id=${w2.id}&status=retrying`)).toEqual(['a>w2', 'b>w2']);
    expect(await find('source_object=webhook')).toHaveLength(6);
    expect(await find('source_object=distribution')).toEqual([]);
    expect(await find(`target_url=${encodeURIComponent(gone.url)}`)).toEqual(['a>w3']);
    expect(await find(`id=${byLabel['b>w1'].id}`)).toEqual(['b>w1']);
    expect(await find(`request_id=${r1}`)).toEqual(['a>w1', 'a>w2', 'a>w3']);
    expect(await find(`request_id=${r3}`)).toEqual(['del>w2']);
    // By event: the id of the customer's activity record that caused them (from the activity API).
    const customerB = (await t.app.inject({ method: 'GET', url: '/v1/customers/b', headers: p.server })).json();
    const activity = (await t.app.inject({ method: 'GET', url: `/v1/customers/${customerB.id}/activity`, headers: p.server })).json();
    const createdB = activity.data.find((a: { type: string }) => a.type === 'customer.created');
    expect(await find(`event_id=${createdB.id}`)).toEqual(['b>w1', 'b>w2']);
    expect(byLabel['b>w1'].event_id).toBe(createdB.id);
    expect(await find('event_id=evcus_nothing')).toEqual([]);
    expect(await find(`created_at[after]=${at(30 * minute)}`)).toEqual(['b>w1', 'b>w2', 'del>w2']);
    expect(await find(`created_at[before]=${at(30 * minute)}`)).toEqual(['a>w1', 'a>w2', 'a>w3']);
    expect(await find(`created_at[after]=${at(30 * minute)}&created_at[before]=${at(90 * minute)}`)).toEqual(['b>w1', 'b>w2']);
    expect(await find(`executed_at[after]=${at(30 * minute)}`)).toEqual(['a>w2', 'b>w1', 'b>w2']);
    expect(await find(`executed_at[before]=${at(30 * minute)}`)).toEqual(['a>w1', 'a>w3']);
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhook-sendouts?status=lost`)).statusCode).toBe(400);
  });

  it('pages newest first with limit and starting_after_id, each sendout exactly once, ties included', async () => {
    const { t, clock, p } = await setup();
    await createWebhook(t, p.id, (await sink()).url);
    for (let i = 0; i < 23; i++) {
      if (i === 8 || i === 16) clock.advance(1000); // same created_at within each group: ties broken by id
      await createCustomer(t, p, `p${i}`);
    }
    const everything = (await allSendouts(t, p.id)).map((s) => s.id);
    expect(everything).toHaveLength(23);

    const walked: string[] = [];
    const pages: number[] = [];
    let query = 'limit=5';
    for (;;) {
      const page = await listSendouts(t, p.id, query);
      walked.push(...page.data.map((s: any) => s.id));
      pages.push(page.data.length);
      if (!page.has_more) {
        expect(page.more_starting_after).toBeUndefined();
        break;
      }
      expect(page.more_starting_after).toBe(page.data.at(-1).id);
      query = `limit=5&starting_after_id=${page.more_starting_after}`;
    }
    expect(pages).toEqual([5, 5, 5, 5, 3]);
    expect(walked).toEqual(everything);
    expect(new Set(walked).size).toBe(23);
    const created = (await allSendouts(t, p.id)).map((s) => Date.parse(s.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhook-sendouts?starting_after_id=whs_nope`)).statusCode).toBe(404);
  });

  it('shows one sendout with the exact envelope sent and its attempts; an unknown one is 404', async () => {
    const { t, clock, p } = await setup();
    const s = await sink({ status: 502, headers: { 'x-why': 'maintenance' }, body: 'down' });
    const w = await createWebhook(t, p.id, s.url);
    const requestId = await createCustomer(t, p, 'shown');
    await deliverAll(t);
    s.answer = { status: 202 };
    clock.advance(2 * minute);
    await deliverAll(t);

    const [{ id }] = await allSendouts(t, p.id);
    const one = await getSendout(t, p.id, id);
    expect(JSON.stringify(one.payload)).toBe(s.received[0]!.body);
    expect(one.payload).toMatchObject({
      id,
      project_id: p.id,
      type: 'customer.created',
      data: { customer: { source_id: 'shown' } },
      source: { id: w.id, object: 'webhook', target_url: s.url },
      event: { type: 'customer.created', group_id: requestId },
    });
    expect(one).toMatchObject({ status: 'sent', request_id: requestId, target_url: s.url, attempts: 2, last_status_code: 202 });
    expect(one.attempts_log).toHaveLength(2);
    expect(one.attempts_log[0]).toMatchObject({ attempt: 1, status_code: 502, response_body: 'down', outcome: 'retry', started_at: at(0) });
    expect(one.attempts_log[0].response_headers['x-why']).toBe('maintenance');
    expect(one.attempts_log[1]).toMatchObject({ attempt: 2, status_code: 202, outcome: 'delivered', error: null });

    const missing = await mgmt(t, 'GET', `/projects/${p.id}/webhook-sendouts/whs_0000000000000000000000`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'webhook_sendout' });
    expect((await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/whs_0000000000000000000000/retry`)).statusCode).toBe(404);
  });

  it('retries a sent or failed sendout now, with the same id and bytes, on a fresh schedule', async () => {
    const { t, clock, p } = await setup();
    const s = await sink();
    const w = await createWebhook(t, p.id, s.url);
    await createCustomer(t, p, 'again');
    await deliverAll(t);
    const [{ id }] = await allSendouts(t, p.id);

    clock.set(new Date(at(3 * hour)));
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${id}/retry`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'retrying', next_attempt_at: at(3 * hour) });
    expect(await deliverAll(t)).toBe(1);
    expect(s.received.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
    expect(s.received[1]!.body).toBe(s.received[0]!.body);
    expect(await getSendout(t, p.id, id)).toMatchObject({ status: 'sent', executed_at: at(3 * hour) });

    // Failed for good (410 disables the endpoint); once re-enabled, a retry starts the schedule over from now.
    s.answer = { status: 410 };
    await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${id}/retry`);
    await deliverAll(t);
    expect(await getSendout(t, p.id, id)).toMatchObject({ status: 'failed', last_status_code: 410 });
    expect((await mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${w.id}`, { target_url: s.url, events: w.events, active: true })).statusCode).toBe(200);
    s.answer = { status: 500 };
    clock.set(new Date(at(10 * hour)));
    await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${id}/retry`);
    expect(await deliverAll(t)).toBe(1);
    const after = await getSendout(t, p.id, id);
    expect(after).toMatchObject({ status: 'retrying', attempts: 1 });
    const wait = Date.parse(after.next_attempt_at) - Date.parse(at(10 * hour));
    expect(wait).toBeGreaterThanOrEqual(0.9 * minute);
    expect(wait).toBeLessThanOrEqual(1.1 * minute);
    expect(after.attempts_log.map((a: any) => a.status_code)).toEqual([200, 200, 410, 500]);
    expect(new Set(s.received.map((r) => r.body)).size).toBe(1);
  });

  it('retries the failed sendouts of one endpoint created within a date range, and answers how many', async () => {
    const { t, clock, p } = await setup();
    const [s, other] = [await sink({ status: 410 }), await sink({ status: 410 })];
    const w = await createWebhook(t, p.id, s.url);
    const v = await createWebhook(t, p.id, other.url);
    for (let i = 0; i < 4; i++) {
      clock.set(new Date(at(i * hour)));
      await createCustomer(t, p, `f${i}`);
    }
    await deliverAll(t);
    expect(await allSendouts(t, p.id, 'status=failed')).toHaveLength(8);
    expect(other.received).toHaveLength(4); // one batch: all four got their 410

    await mgmt(t, 'PUT', `/projects/${p.id}/webhooks/${w.id}`, { target_url: s.url, events: w.events, active: true });
    s.answer = { status: 200 };
    const body = { start_date: at(30 * minute), end_date: at(150 * minute) };
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/retry-failed`, body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ webhook_id: w.id, retried: 2 });
    const chosen = (await allSendouts(t, p.id, `webhook_id=${w.id}&status=retrying`)).map((x) => x.created_at).sort();
    expect(chosen).toEqual([at(hour), at(2 * hour)]);
    const before = s.received.length;
    expect(await deliverAll(t)).toBe(2);
    expect(s.received.length - before).toBe(2);
    expect(other.received).toHaveLength(4);
    expect(await allSendouts(t, p.id, `webhook_id=${v.id}&status=failed`)).toHaveLength(4);

    const rest = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/retry-failed`, {});
    expect(rest.json().retried).toBe(2);
    expect((await mgmt(t, 'POST', `/projects/${p.id}/webhooks/wh_missing/retry-failed`, {})).statusCode).toBe(404);
  });

  it('sends a signed test event of the requested type, and refuses a type that is not a webhook event', async () => {
    const { t, p } = await setup();
    const s = await sink();
    const w = await createWebhook(t, p.id, s.url);
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/test`, { event_type: 'customer.deleted' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: 'customer.deleted', status: 'pending', request_id: res.headers['x-request-id'] });
    expect(await deliverAll(t)).toBe(1);

    const [got] = s.received;
    const secret = (await mgmt(t, 'GET', `/projects/${p.id}/webhook-secret`)).json().secret;
    expect(got!.headers['x-voucherify-signature']).toBe(createHmac('sha256', secret).update(got!.body).digest('hex'));
    expect(got!.json).toMatchObject({ id: res.json().id, type: 'customer.deleted', event: { type: 'customer.deleted' }, source: { id: w.id } });
    expect(got!.json.data.customer).toBeDefined();

    for (const event_type of ['customer.custom_event', 'no.such.event']) {
      const refused = await mgmt(t, 'POST', `/projects/${p.id}/webhooks/${w.id}/test`, { event_type });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().key).toBe('invalid_payload');
    }
    expect(await allSendouts(t, p.id)).toHaveLength(1);
  });

  it("keeps another project's sendouts out of sight and out of reach", async () => {
    const { t, p } = await setup();
    const q: TestProject = await t.createProject();
    const s = await sink({ status: 410 });
    const w = await createWebhook(t, p.id, s.url);
    await createCustomer(t, p, 'mine');
    await deliverAll(t);
    const [{ id }] = await allSendouts(t, p.id);

    expect(await allSendouts(t, q.id)).toEqual([]);
    expect(await allSendouts(t, q.id, `id=${id}`)).toEqual([]);
    for (const [method, path] of [
      ['GET', `/projects/${q.id}/webhook-sendouts/${id}`],
      ['POST', `/projects/${q.id}/webhook-sendouts/${id}/retry`],
      ['POST', `/projects/${q.id}/webhooks/${w.id}/retry-failed`],
      ['GET', `/projects/${q.id}/webhook-sendouts?starting_after_id=${id}`],
    ] as const) {
      expect((await mgmt(t, method, path, method === 'POST' ? {} : undefined)).statusCode).toBe(404);
    }
    expect(await getSendout(t, p.id, id)).toMatchObject({ status: 'failed' });
  });

  it('prunes finished sendouts past retention; newer and unfinished ones stay', async () => {
    const { t, clock, p } = await setup({ TESSERA_SENDOUT_RETENTION_DAYS: '20' });
    const day = 24 * hour;
    const [ok, bad, gone] = [await sink(), await sink({ status: 500 }), await sink({ status: 410 })];
    for (const x of [ok, bad, gone]) await createWebhook(t, p.id, x.url);
    await createCustomer(t, p, 'old');
    await deliverAll(t);
    clock.set(new Date(at(25 * day)));
    await createCustomer(t, p, 'new');
    await deliverAll(t);
    const status = async () => (await allSendouts(t, p.id)).map((s) => `${s.created_at === at(0) ? 'old' : 'new'} ${s.status}`).sort();
    expect(await status()).toEqual(['new retrying', 'new sent', 'old failed', 'old retrying', 'old sent']);
    const oldSent = (await allSendouts(t, p.id, 'status=sent')).find((s) => s.created_at === at(0)).id;

    // The worker's pruner runs at start with the configured retention (20 days) against the injected clock.
    await t.tessera.worker.start();
    await t.tessera.worker.stop();
    expect(await status()).toEqual(['new retrying', 'new sent', 'old retrying']);
    expect((await mgmt(t, 'GET', `/projects/${p.id}/webhook-sendouts/${oldSent}`)).statusCode).toBe(404);
    const { rows } = await t.tessera.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sendout_attempts WHERE sendout_id = $1', [oldSent]);
    expect(rows[0]!.n).toBe(0);

    expect(await t.tessera.services.delivery.prune(new Date(at(25 * day + 1)))).toBe(1);
    expect(await status()).toEqual(['new retrying', 'old retrying']);
  });
});

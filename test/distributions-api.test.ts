/**
 * /v1/distributions as an API: CRUD, the refusals, what a trigger's segment, a pause and a deletion do to what is
 * sent, the audit log of distribution sendouts, the payload designer inside the envelope, and project isolation.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { allSendouts, createWebhook, deliverAll, getSendout, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

describe('/v1/distributions', () => {
  let t: TestTessera;
  let a: TestProject;
  let b: TestProject;
  let sink: Sink;
  const call = (p: TestProject, method: Method, url: string, payload?: object) =>
    t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });
  const definition = (over: Record<string, unknown> = {}, channel: Record<string, unknown> = {}) => ({
    name: 'Welcome',
    trigger: { type: 'customer.custom_event', event: 'sign_up' },
    channel: { type: 'webhook', target_url: sink.url, event_name: 'welcome', ...channel },
    ...over,
  });
  async function create(p: TestProject, body: object): Promise<any> {
    const res = await call(p, 'POST', '/v1/distributions', body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }
  async function track(p: TestProject, event: string, sourceId: string, metadata: object = {}): Promise<LightMyRequestResponse> {
    const res = await call(p, 'POST', '/v1/events', { event, customer: { source_id: sourceId, name: sourceId }, metadata });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  }
  const sentBy = (id: string) => sink.received.filter((r) => r.json?.source?.id === id);
  const expectError = (res: LightMyRequestResponse, code: number, key: string, details?: RegExp) => {
    expect(res.statusCode, res.body).toBe(code);
    expect(res.json()).toMatchObject({ code, key });
    if (details) expect(res.json().details).toMatch(details);
  };

  beforeAll(async () => {
    t = await startTessera({ env: privateTargets });
    a = await t.createProject();
    b = await t.createProject();
    sink = await startSink();
    const props = { plan: { type: 'string', optional: true }, seats: { type: 'number', optional: true }, vip: { type: 'boolean', optional: true } };
    for (const name of ['sign_up', 'ping', 'pause_me', 'doomed']) await defineSchema(t.app, a.id, name, props);
    await defineSchema(t.app, b.id, 'sign_up', props);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('creates, lists with a total, gets, replaces with PUT and deletes (204), answering 404 for distribution ids it lacks', async () => {
    const p = await t.createProject();
    await defineSchema(t.app, p.id, 'sign_up', {});
    const first = await create(p, definition({}, { headers: { 'X-Flow': 'one' }, template: { who: '{{customer.name}}' } }));
    const second = await create(p, definition({ name: 'Second' }));
    expect(first).toMatchObject({ id: expect.stringMatching(/^distr_/), object: 'distribution', status: 'TO SEND', updated_at: null });
    const list = (await call(p, 'GET', '/v1/distributions')).json();
    expect(list).toMatchObject({ object: 'list', data_ref: 'data', total: 2 });
    expect(list.data.map((d: { id: string }) => d.id).sort()).toEqual([first.id, second.id].sort());
    expect((await call(p, 'GET', `/v1/distributions/${first.id}`)).json()).toEqual(first);

    // PUT replaces the whole definition: what it leaves out (headers, template) is gone.
    const put = await call(p, 'PUT', `/v1/distributions/${first.id}`, definition({ name: 'Renamed', status: 'PAUSED' }, { event_name: 'renamed' }));
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ id: first.id, name: 'Renamed', status: 'PAUSED', created_at: first.created_at, updated_at: expect.any(String) });
    expect(put.json().channel).toMatchObject({ event_name: 'renamed', headers: {}, template: null, raw_payload: false });
    expect((await call(p, 'GET', `/v1/distributions/${first.id}`)).json()).toEqual(put.json());

    const del = await call(p, 'DELETE', `/v1/distributions/${first.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const gone = await call(p, 'GET', `/v1/distributions/${first.id}`);
    expectError(gone, 404, 'not_found');
    expect(gone.json()).toMatchObject({ resource_type: 'distribution', resource_id: first.id });
    expectError(await call(p, 'DELETE', `/v1/distributions/${first.id}`), 404, 'not_found');
    expectError(await call(p, 'PUT', `/v1/distributions/${first.id}`, definition()), 404, 'not_found');
    expect((await call(p, 'GET', '/v1/distributions')).json()).toMatchObject({ total: 1, data: [{ id: second.id }] });
  });

  it('refuses definitions that cannot work', async () => {
    const post = (body: object) => call(a, 'POST', '/v1/distributions', body);
    const stored = async () => (await call(a, 'GET', '/v1/distributions')).json().total as number;
    const before = await stored();
    expectError(await post(definition({ trigger: { type: 'customer.custom_event' } })), 400, 'invalid_payload', /event/);
    // An event without a schema cannot be tracked, so such a trigger could never fire.
    const schemaless = await post(definition({ trigger: { type: 'customer.custom_event', event: 'nope_no_schema' } }));
    expectError(schemaless, 404, 'not_found', /custom event 'nope_no_schema'.*no schema/);
    expect(schemaless.json()).toMatchObject({ resource_type: 'custom_event_schema', resource_id: 'nope_no_schema' });
    const signUp = (await create(a, definition({ name: 'Schema check' }))).id as string;
    expectError(await call(a, 'PUT', `/v1/distributions/${signUp}`, definition({ trigger: { type: 'customer.custom_event', event: 'nope_no_schema' } })), 404, 'not_found', /nope_no_schema/);
    expect((await call(a, 'DELETE', `/v1/distributions/${signUp}`)).statusCode).toBe(204);
    expectError(await post(definition({ trigger: { type: 'customer.segment.entered' } })), 400, 'invalid_payload', /segment_id/);
    expectError(await post(definition({ trigger: { type: 'customer.segment.left' } })), 400, 'invalid_payload', /segment_id/);
    const unknown = await post(definition({ trigger: { type: 'customer.segment.entered', segment_id: 'seg_nope' } }));
    expectError(unknown, 404, 'not_found');
    expect(unknown.json()).toMatchObject({ resource_type: 'segment', resource_id: 'seg_nope' });
    const passive = (
      await call(a, 'POST', '/v1/segments', { name: 'Passive', type: 'passive', filter: { junction: 'and', name: { conditions: { $has_value: '' } } } })
    ).json();
    // A static segment is a fixed list: nobody enters or leaves it, so such a trigger could never fire.
    const fixed = (await call(a, 'POST', '/v1/segments', { name: 'Fixed', type: 'static', customers: [] })).json();
    for (const type of ['customer.segment.entered', 'customer.segment.left']) {
      expectError(await post(definition({ trigger: { type, segment_id: passive.id } })), 400, 'invalid_payload', /passive/);
      expectError(await post(definition({ trigger: { type, segment_id: fixed.id } })), 400, 'invalid_payload', /static/);
    }
    expectError(await post(definition({}, { headers: { 'X-Voucherify-Signature': 'forged' } })), 400, 'invalid_payload', /reserved/);
    expectError(await post(definition({}, { headers: { 'Content-Type': 'text/plain' } })), 400, 'invalid_payload', /reserved/);
    // Header errors name the path as sent: .channel.headers, not a webhook's .headers.
    expectError(await post(definition({}, { headers: { 'Content-Type': 'text/plain' } })), 400, 'invalid_payload', /^Property \.channel\.headers must not set Content-Type/);
    expectError(await post(definition({}, { headers: { 'X-Bad': 'a\u0001b' } })), 400, 'invalid_payload', /^Property \.channel\.headers\.X-Bad /);
    expectError(await post(definition({}, { headers: { 'Bad Name': 'x' } })), 400, 'invalid_payload', /^Property \.channel\.headers /);
    expectError(await post(definition({}, { raw_payload: true })), 400, 'invalid_payload', /template/);
    expectError(await post(definition({}, { target_url: 'ftp://example.com/x' })), 400, 'invalid_payload');
    expectError(await post({ name: 'x', trigger: { type: 'customer.custom_event', event: 'sign_up' } }), 400, 'invalid_payload');
    // None of the refused definitions was stored.
    expect(await stored()).toBe(before);

    // Private targets are refused unless the instance allows them: the same definition passes on `t`.
    const strict = await startTessera();
    try {
      const p = await strict.createProject();
      for (const url of [sink.url, 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.7/hook']) {
        const res = await strict.app.inject({ method: 'POST', url: '/v1/distributions', headers: p.server, payload: definition({}, { target_url: url }) });
        expectError(res, 400, 'invalid_payload', /not allowed/);
      }
      // IPv6 forms that carry loopback: IPv4-translated (stored as [::ffff:0:7f00:1]), 6to4 and Teredo.
      for (const [url, address] of [
        ['http://[::ffff:0:127.0.0.1]/hook', '::ffff:0:7f00:1'],
        ['http://[2002:7f00:1::]/hook', '2002:7f00:1::'],
        ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
      ]) {
        const res = await strict.app.inject({ method: 'POST', url: '/v1/distributions', headers: p.server, payload: definition({}, { target_url: url }) });
        expectError(res, 400, 'invalid_payload', /not allowed/);
        expect(res.json().details).toContain(`${address} is a blocked address (it carries 127.0.0.1)`);
      }
      expect((await strict.app.inject({ method: 'GET', url: '/v1/distributions', headers: p.server })).json().total).toBe(0);
    } finally {
      await strict.close();
    }
    const allowed = await create(a, definition({ status: 'DRAFT' }));
    expect(allowed.channel.target_url).toBe(sink.url);
    expectError(await call(a, 'PUT', `/v1/distributions/${allowed.id}`, definition({ trigger: { type: 'customer.custom_event' } })), 400, 'invalid_payload');
    expect(await call(a, 'DELETE', `/v1/distributions/${allowed.id}`)).toMatchObject({ statusCode: 204 });
  });

  it('a custom event trigger limited to a segment sends only for its members', async () => {
    for (const s of ['member-1', 'outsider-1']) await call(a, 'POST', '/v1/customers', { source_id: s, name: s });
    const seg = (await call(a, 'POST', '/v1/segments', { name: 'Members', type: 'static', customers: ['member-1'] })).json();
    const d = await create(a, definition({ trigger: { type: 'customer.custom_event', event: 'ping', segment_id: seg.id } }));
    await track(a, 'ping', 'outsider-1');
    await track(a, 'ping', 'member-1');
    await track(a, 'ping', 'new-customer-1');
    await deliverAll(t);
    expect(sentBy(d.id).map((r) => r.json.data.customer.source_id)).toEqual(['member-1']);
    expect(await allSendouts(t, a.id, `webhook_id=${d.id}`)).toHaveLength(1);
  });

  it('a publication or redemption trigger limited to a segment sends only for its members', async () => {
    for (const s of ['member-2', 'outsider-2']) await call(a, 'POST', '/v1/customers', { source_id: s, name: s });
    const campaign = (await call(a, 'POST', '/v1/campaigns', { name: 'Club codes', campaign_type: 'DISCOUNT_COUPONS', type: 'AUTO_UPDATE', voucher: { discount: { type: 'AMOUNT', amount_off: 100 } } })).json();
    const publish = async (s: string) => {
      const pub = await call(a, 'POST', '/v1/publications', { campaign: { id: campaign.id }, customer: { source_id: s } });
      expect(pub.statusCode, pub.body).toBe(200);
      return pub.json().voucher.code as string;
    };
    // An auto-update segment nobody matches: a code published to a non-member sends nothing.
    const nobody = (await call(a, 'POST', '/v1/segments', { name: 'Nobody', type: 'auto-update', filter: { junction: 'and', 'metadata.club': { conditions: { $is: 'nobody' } } } })).json();
    const none = await create(a, definition({ trigger: { type: 'customer.publication.succeeded', segment_id: nobody.id } }));
    expect(none.trigger).toEqual({ type: 'customer.publication.succeeded', segment_id: nobody.id });
    await publish('outsider-2');
    await deliverAll(t);
    expect(sentBy(none.id)).toHaveLength(0);

    // Any segment narrows these triggers (none has to record entered or left events).
    const seg = (await call(a, 'POST', '/v1/segments', { name: 'Club', type: 'static', customers: ['member-2'] })).json();
    const published = await create(a, definition({ trigger: { type: 'customer.publication.succeeded', segment_id: seg.id } }));
    const redeemed = await create(a, definition({ trigger: { type: 'customer.redemption.succeeded', segment_id: seg.id } }));
    for (const s of ['outsider-2', 'member-2']) {
      const r = await call(a, 'POST', `/v1/vouchers/${await publish(s)}/redemption`, { customer: { source_id: s } });
      expect(r.statusCode, r.body).toBe(200);
    }
    await deliverAll(t);
    expect(sentBy(published.id).map((r) => r.json.data.customer.source_id)).toEqual(['member-2']);
    expect(sentBy(redeemed.id).map((r) => r.json.data.customer.source_id)).toEqual(['member-2']);
    expect(sentBy(none.id)).toHaveLength(0);
  });

  it('refuses to delete a segment a distribution uses (409 resource_in_use naming them), and deletes it once none does', async () => {
    const filter = { junction: 'and', 'metadata.club': { conditions: { $is: ['gold'] } } };
    const seg = (await call(a, 'POST', '/v1/segments', { name: 'Used', type: 'auto-update', filter })).json();
    const entered = await create(a, definition({ name: 'On entry', trigger: { type: 'customer.segment.entered', segment_id: seg.id } }));
    const narrowed = await create(a, definition({ name: 'Narrowed', status: 'DRAFT', trigger: { type: 'customer.custom_event', event: 'ping', segment_id: seg.id } }));
    const refused = await call(a, 'DELETE', `/v1/segments/${seg.id}`);
    expectError(refused, 409, 'resource_in_use', new RegExp(`${entered.id}.*${narrowed.id}|${narrowed.id}.*${entered.id}`));
    expect(refused.json()).toMatchObject({ resource_id: seg.id, resource_type: 'segment', request_id: expect.any(String) });
    // Nothing was deleted: the segment still triggers its distribution.
    expect((await call(a, 'GET', `/v1/segments/${seg.id}`)).statusCode).toBe(200);
    await track(a, 'ping', 'used-1', {});
    expect((await call(a, 'POST', '/v1/customers', { source_id: 'used-1', metadata: { club: 'gold' } })).statusCode).toBe(200);
    await deliverAll(t);
    expect(sentBy(entered.id)).toHaveLength(1);
    // Another trigger frees the segment from one; deleting the other frees it for good.
    expect((await call(a, 'PUT', `/v1/distributions/${narrowed.id}`, definition({ name: 'Narrowed', status: 'DRAFT', trigger: { type: 'customer.custom_event', event: 'ping' } }))).statusCode).toBe(200);
    expectError(await call(a, 'DELETE', `/v1/segments/${seg.id}`), 409, 'resource_in_use', new RegExp(entered.id));
    expect((await call(a, 'DELETE', `/v1/distributions/${entered.id}`)).statusCode).toBe(204);
    expect((await call(a, 'DELETE', `/v1/segments/${seg.id}`)).statusCode).toBe(204);
    // A distribution naming a segment deleted meanwhile is refused, not saved to never send.
    expectError(await call(a, 'POST', '/v1/distributions', definition({ trigger: { type: 'customer.segment.entered', segment_id: seg.id } })), 404, 'not_found');
  });

  it('a PAUSED distribution sends nothing; PUT with status TO SEND resumes it', async () => {
    const body = definition({ name: 'Pausable', status: 'PAUSED', trigger: { type: 'customer.custom_event', event: 'pause_me' } });
    const d = await create(a, body);
    expect(d.status).toBe('PAUSED');
    await track(a, 'pause_me', 'paused-1');
    await deliverAll(t);
    expect(sentBy(d.id)).toHaveLength(0);
    expect(await allSendouts(t, a.id, `webhook_id=${d.id}`)).toHaveLength(0);

    const resumed = await call(a, 'PUT', `/v1/distributions/${d.id}`, { ...body, status: 'TO SEND' });
    expect(resumed.json()).toMatchObject({ status: 'TO SEND', paused_reason: null });
    await track(a, 'pause_me', 'paused-2');
    await deliverAll(t);
    // Only what happened after the resume: the paused event is not sent late.
    expect(sentBy(d.id).map((r) => r.json.data.customer.source_id)).toEqual(['paused-2']);
  });

  it("fails a deleted distribution's queued sendouts without an attempt", async () => {
    const d = await create(a, definition({ name: 'Doomed', trigger: { type: 'customer.custom_event', event: 'doomed' } }));
    await track(a, 'doomed', 'doomed-1');
    const [queued] = await allSendouts(t, a.id, `webhook_id=${d.id}`);
    expect(queued).toMatchObject({ status: 'pending', attempts: 0, source: { object: 'distribution', id: d.id } });
    expect(await call(a, 'DELETE', `/v1/distributions/${d.id}`)).toMatchObject({ statusCode: 204 });
    await deliverAll(t);
    expect(sentBy(d.id)).toHaveLength(0);
    const after = await getSendout(t, a.id, queued.id);
    expect(after).toMatchObject({ status: 'failed', attempts: 0, last_error: expect.stringMatching(/deleted/), attempts_log: [] });
  });

  it('the audit log lists distribution sendouts under source_object=distribution, apart from project webhooks', async () => {
    const p = await t.createProject();
    await defineSchema(t.app, p.id, 'sign_up', {});
    const hook = await createWebhook(t, p.id, sink.url, ['customer.created']);
    const d = await create(p, definition());
    const ev = await track(p, 'sign_up', 'audited-1');
    await deliverAll(t);
    const all = await allSendouts(t, p.id);
    expect(all.map((s: { source: object }) => s.source)).toEqual(
      expect.arrayContaining([{ object: 'webhook', id: hook.id }, { object: 'distribution', id: d.id }]),
    );
    const distributed = await allSendouts(t, p.id, 'source_object=distribution');
    expect(distributed).toHaveLength(1);
    expect(distributed[0]).toMatchObject({
      id: sentBy(d.id)[0]!.json.id,
      status: 'sent',
      type: 'customer.custom_event',
      source: { object: 'distribution', id: d.id },
      target_url: sink.url,
      request_id: ev.headers['x-request-id'],
      attempts: 1,
    });
    expect((await allSendouts(t, p.id, 'source_object=webhook')).every((s: { source: { object: string } }) => s.source.object === 'webhook')).toBe(true);
    const detail = await getSendout(t, p.id, distributed[0].id);
    expect(detail.payload).toEqual(sentBy(d.id)[0]!.json);
    expect(detail.attempts_log).toMatchObject([{ outcome: 'delivered', status_code: 200 }]);
  });

  it('renders the payload designer into the envelope: a lone {{path}} keeps its type, a missing path gives null', async () => {
    const template = {
      who: '{{customer.name}}',
      seats: '{{event.metadata.seats}}',
      vip: '{{ event.metadata.vip }}',
      meta: '{{event.metadata}}',
      missing: '{{customer.nope.deeper}}',
      text: 'Hi {{customer.name}}: {{event.metadata.seats}} seats{{customer.nope}}',
      nested: { plan: '{{event.metadata.plan}}', list: ['{{customer.source_id}}', 42, null] },
      fixed: { on: true, n: 7 },
    };
    const d = await create(a, definition({ name: 'Designed' }, { event_name: 'designed', template }));
    const ev = await track(a, 'sign_up', 'designed-1', { plan: 'pro', seats: 3, vip: false });
    await deliverAll(t);
    const [got] = sentBy(d.id);
    expect(got!.json).toMatchObject({ type: 'designed', event: { type: 'customer.custom_event', group_id: ev.headers['x-request-id'] } });
    expect(got!.json.data).toStrictEqual({
      who: 'designed-1',
      seats: 3,
      vip: false,
      meta: { plan: 'pro', seats: 3, vip: false },
      missing: null,
      text: 'Hi designed-1: 3 seats',
      nested: { plan: 'pro', list: ['designed-1', 42, null] },
      fixed: { on: true, n: 7 },
    });
  });

  it("keeps projects apart: B's keys neither see nor use A's distributions, and B's events do not trigger them", async () => {
    const d = await create(a, definition({ name: 'A only' }));
    const seg = (await call(a, 'POST', '/v1/segments', { name: 'A seg', type: 'auto-update', filter: { junction: 'and', name: { conditions: { $has_value: '' } } } })).json();
    expect((await call(b, 'GET', '/v1/distributions')).json()).toMatchObject({ total: 0, data: [] });
    for (const [method, payload] of [['GET'], ['PUT', definition()], ['DELETE']] as const) {
      const res = await call(b, method, `/v1/distributions/${d.id}`, payload);
      expectError(res, 404, 'not_found');
      expect(res.json()).toMatchObject({ resource_type: 'distribution' });
    }
    expectError(await call(b, 'POST', '/v1/distributions', definition({ trigger: { type: 'customer.segment.entered', segment_id: seg.id } })), 404, 'not_found');
    const mine = await create(b, definition({ name: 'B own' }));
    await track(b, 'sign_up', 'b-customer');
    await deliverAll(t);
    expect(sentBy(d.id)).toHaveLength(0);
    expect(sentBy(mine.id)).toHaveLength(1);
    expect(sentBy(mine.id)[0]!.json.project_id).toBe(b.id);
    expect((await call(a, 'GET', `/v1/distributions/${d.id}`)).json()).toMatchObject({ id: d.id, name: 'A only', status: 'TO SEND' });
    expect(await allSendouts(t, b.id, `webhook_id=${d.id}`)).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

describe('distributions triggered by events and segments', () => {
  let t: TestTessera;
  let p: TestProject;
  let sink: Sink;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });

  beforeAll(async () => {
    t = await startTessera({ env: privateTargets });
    p = await t.createProject();
    sink = await startSink();
    await defineSchema(t.app, p.id, 'sign_up', { plan: { type: 'string', optional: true } });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('sends a custom event to the channel in the envelope, typed with the channel event name', async () => {
    const d = await post('/v1/distributions', {
      name: 'Welcome',
      trigger: { type: 'customer.custom_event', event: 'sign_up' },
      channel: { type: 'webhook', target_url: sink.url, event_name: 'welcome-message', headers: { 'X-Flow': 'welcome' } },
    });
    expect(d.statusCode).toBe(200);
    expect(d.json()).toMatchObject({ object: 'distribution', status: 'TO SEND', purpose: 'plain_message' });
    const ev = await post('/v1/events', { event: 'sign_up', customer: { source_id: 'dora', name: 'Dora' }, metadata: { plan: 'pro' } });
    await deliverAll(t);
    const got = sink.received.find((r) => r.json?.source?.id === d.json().id)!;
    expect(got.headers['x-flow']).toBe('welcome');
    expect(got.json).toMatchObject({
      type: 'welcome-message',
      source: { object: 'distribution', target_url: sink.url },
      event: { type: 'customer.custom_event', group_id: ev.headers['x-request-id'] },
      data: { event: { type: 'sign_up', metadata: { plan: 'pro' } }, event_schema: { name: 'sign_up' }, customer: { source_id: 'dora' }, referral: null, loyalty: null },
    });
  });

  it('sends customer.segment.entered for an auto-update segment, and a raw designed payload when asked', async () => {
    const seg = (await post('/v1/segments', { name: 'Pros', type: 'auto-update', filter: { junction: 'and', 'metadata.plan': { conditions: { $is: 'pro' } } } })).json();
    // The segment's first computation (over the customers already there) must finish before it records entries.
    while ((await t.tessera.services.segments.syncStep()) > 0);
    const d = (
      await post('/v1/distributions', {
        name: 'Pro entered',
        trigger: { type: 'customer.segment.entered', segment_id: seg.id },
        channel: { type: 'webhook', target_url: sink.url, event_name: 'pro-in', template: { who: '{{customer.name}}', seg: '{{segment.id}}', text: 'Hi {{customer.name}}!' }, raw_payload: true },
      })
    ).json();
    const before = sink.received.length;
    await post('/v1/customers', { source_id: 'eve', name: 'Eve', metadata: { plan: 'pro' } });
    await deliverAll(t);
    const raw = sink.received.slice(before).map((r) => r.json);
    expect(raw).toContainEqual({ who: 'Eve', seg: seg.id, text: 'Hi Eve!' });
    expect(d.status).toBe('TO SEND');
  });

  it('refuses what cannot work, and pauses a distribution after 410 Gone', async () => {
    const passive = (await post('/v1/segments', { name: 'P', type: 'passive', filter: { junction: 'and', name: { conditions: { $has_value: '' } } } })).json();
    const bad = await post('/v1/distributions', { name: 'x', trigger: { type: 'customer.segment.left', segment_id: passive.id }, channel: { type: 'webhook', target_url: sink.url, event_name: 'x' } });
    expect(bad.statusCode).toBe(400);
    const noEvent = await post('/v1/distributions', { name: 'x', trigger: { type: 'customer.custom_event' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'x' } });
    expect(noEvent.statusCode).toBe(400);
    const gone = await startSink(() => ({ status: 410 }));
    try {
      const d = (await post('/v1/distributions', { name: 'Gone', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: { type: 'webhook', target_url: gone.url, event_name: 'g' } })).json();
      await post('/v1/events', { event: 'sign_up', customer: { source_id: 'fay' } });
      await deliverAll(t);
      const after = (await t.app.inject({ method: 'GET', url: `/v1/distributions/${d.id}`, headers: p.server })).json();
      expect(after).toMatchObject({ status: 'PAUSED' });
      expect(after.paused_reason).toContain('410');
    } finally {
      await gone.close();
    }
  });
});

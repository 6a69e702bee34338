import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

describe('manual distributions', () => {
  const clock = fixedClock(new Date('2026-07-01T08:00:00Z'));
  let t: TestTessera;
  let p: TestProject;
  let sink: Sink;
  const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: p.server, payload });

  beforeAll(async () => {
    t = await startTessera({ clock, env: privateTargets });
    p = await t.createProject();
    sink = await startSink();
    await defineSchema(t.app, p.id, 'x', {});
    for (const id of ['m1', 'm2', 'm3']) await post('/v1/customers', { source_id: id, metadata: { club: id !== 'm3' } });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('sends to every member of a segment after the delay, and to one customer after its own delay', async () => {
    const seg = (await post('/v1/segments', { name: 'Club', type: 'static', customers: ['m1', 'm2'] })).json();
    const d = (
      await post('/v1/distributions', { name: 'Newsletter', trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'newsletter' } })
    ).json();

    const sent = await post(`/v1/distributions/${d.id}/send`, { segment_id: seg.id });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ object: 'distribution_send', sendouts: 2, scheduled_at: '2026-07-01T08:10:00.000Z' });
    expect(await deliverAll(t)).toBe(0);
    expect(sink.received).toHaveLength(0);

    clock.set(new Date('2026-07-01T08:10:00Z'));
    await deliverAll(t);
    expect(sink.received).toHaveLength(2);
    const bodies = sink.received.map((r) => r.json);
    expect(bodies.map((b) => b.data.customer.source_id).sort()).toEqual(['m1', 'm2']);
    expect(bodies[0]).toMatchObject({
      type: 'newsletter',
      source: { id: d.id, object: 'distribution' },
      event: { type: 'manual_distribution_schedule' },
      data: { distribution: { id: d.id, status: 'TO SEND' } },
    });

    const one = await post(`/v1/distributions/${d.id}/send`, { customer: 'm3', delay_seconds: 0 });
    expect(one.json()).toMatchObject({ sendouts: 1, scheduled_at: '2026-07-01T08:10:00.000Z' });
    await deliverAll(t);
    expect(sink.received.at(-1)!.json.data.customer.source_id).toBe('m3');
  });

  it('a manual notify_promotion message carries the campaign it tells about', async () => {
    const campaign = (await post('/v1/campaigns', { name: 'Spring promo', campaign_type: 'PROMOTION', type: 'STATIC', promotion: { tiers: [{ name: 'Ten off', action: { discount: { type: 'AMOUNT', amount_off: 1000 } } }] } })).json();
    expect(campaign.id, JSON.stringify(campaign)).toMatch(/^camp_/);
    const d = (await post('/v1/distributions', { name: 'Promo news', purpose: 'notify_promotion', campaign_id: campaign.id, trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'promo-news' } })).json();
    expect((await post(`/v1/distributions/${d.id}/send`, { customer: 'm1', delay_seconds: 0 })).statusCode).toBe(200);
    await deliverAll(t);
    const got = sink.received.map((r) => r.json).filter((b) => b.type === 'promo-news');
    expect(got).toHaveLength(1);
    expect(got[0].data).toMatchObject({ distribution: { id: d.id }, customer: { source_id: 'm1' }, campaign: { id: campaign.id, name: 'Spring promo' }, promotion_tier: null });
  });

  it('refuses what it cannot send', async () => {
    const auto = (await post('/v1/distributions', { name: 'A', trigger: { type: 'customer.custom_event', event: 'x' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'a' } })).json();
    expect((await post(`/v1/distributions/${auto.id}/send`, { customer: 'm1' })).statusCode).toBe(400);
    const d = (await post('/v1/distributions', { name: 'M', status: 'PAUSED', trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'm' } })).json();
    const paused = await post(`/v1/distributions/${d.id}/send`, { customer: 'm1' });
    expect(paused.statusCode).toBe(409);
    expect(paused.json().key).toBe('resource_in_use');
    const live = (await post('/v1/distributions', { name: 'L', trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: sink.url, event_name: 'l' } })).json();
    expect((await post(`/v1/distributions/${live.id}/send`, {})).statusCode).toBe(400);
    expect((await post(`/v1/distributions/${live.id}/send`, { customer: 'nobody' })).statusCode).toBe(404);
    expect((await post(`/v1/distributions/${live.id}/send`, { segment_id: 'seg_nope' })).statusCode).toBe(404);
  });
});

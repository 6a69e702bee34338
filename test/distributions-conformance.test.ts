/**
 * Acceptance: customer.custom_event and customer.segment.entered|left distribution payloads, produced through the
 * API and received over HTTP, validate against OpenAPIWebhooks.json (envelope WebhookDistributionPayload, data the
 * per-event data schema named by webhooks-index.json), under the fair rules of spec/README.md; and they are
 * signed exactly as project webhooks are.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { expectValid, loadSpec, specPresent, standardVerify, warnIfSpecAbsent, type ValidateFunction } from './helpers/conformance.js';
import { deliverAll, privateTargets } from './helpers/sendouts.js';
import { startSink, type Received, type Sink } from './helpers/sink.js';

warnIfSpecAbsent('distributions-conformance');

const types = ['customer.custom_event', 'customer.segment.entered', 'customer.segment.left'] as const;
type Type = (typeof types)[number];

const clock = fixedClock(new Date('2024-06-03T09:30:00.000Z'));
let t: TestTessera;
let p: TestProject;
let sink: Sink;
let secrets: { secret: string; standard_webhooks_secret: string };
let segment: Record<string, any>;
const distributions = {} as Record<Type, Record<string, any>>;
const received = {} as Record<Type, Received>;
let customerId: string;
const requestIds = {} as Record<Type, string>;

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: p.server, ...(payload ? { payload } : {}) });

async function ok(res: Promise<{ statusCode: number; body: string; json(): any }>): Promise<any> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

beforeAll(async () => {
  t = await startTessera({ clock, env: privateTargets });
  p = await t.createProject();
  sink = await startSink();
  secrets = (await t.app.inject({ method: 'GET', url: `/management/v1/projects/${p.id}/webhook-secret`, headers: managementHeaders })).json();
  await defineSchema(t.app, p.id, 'sign_up', { plan: { type: 'string', optional: true }, seats: { type: 'number', optional: true } });
  segment = await ok(
    api('POST', '/v1/segments', { name: 'Pro customers', type: 'auto-update', filter: { junction: 'and', 'metadata.plan': { conditions: { $is: 'pro' } } } }),
  );
  const channel = (event_name: string) => ({ type: 'webhook', target_url: sink.url, event_name, headers: { 'X-Flow': event_name } });
  distributions['customer.custom_event'] = await ok(
    api('POST', '/v1/distributions', { name: 'Sign-up', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: channel('sign-up-message') }),
  );
  distributions['customer.segment.entered'] = await ok(
    api('POST', '/v1/distributions', { name: 'Pro in', trigger: { type: 'customer.segment.entered', segment_id: segment.id }, channel: channel('pro-entered') }),
  );
  distributions['customer.segment.left'] = await ok(
    api('POST', '/v1/distributions', { name: 'Pro out', trigger: { type: 'customer.segment.left', segment_id: segment.id }, channel: channel('pro-left') }),
  );

  // One customer: created as a pro (enters the segment), signs up (custom event), downgrades (leaves the segment).
  const created = await api('POST', '/v1/customers', {
    source_id: 'conf-zoe',
    name: 'Zoë Łukasiewicz 🚀',
    email: 'zoe@example.com',
    address: { city: 'Kraków', country: 'Poland' },
    metadata: { plan: 'pro' },
  });
  expect(created.statusCode, created.body).toBe(200);
  customerId = created.json().id;
  requestIds['customer.segment.entered'] = String(created.headers['x-request-id']);
  const ev = await api('POST', '/v1/events', { event: 'sign_up', customer: { source_id: 'conf-zoe' }, metadata: { plan: 'pro', seats: 3 } });
  expect(ev.statusCode, ev.body).toBe(200);
  requestIds['customer.custom_event'] = String(ev.headers['x-request-id']);
  const left = await api('PUT', `/v1/customers/${customerId}`, { metadata: { plan: 'basic' } });
  expect(left.statusCode, left.body).toBe(200);
  requestIds['customer.segment.left'] = String(left.headers['x-request-id']);

  await deliverAll(t);
  for (const type of types) {
    const got = sink.received.filter((r) => r.json?.source?.id === distributions[type].id);
    expect(got, type).toHaveLength(1);
    received[type] = got[0]!;
  }
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

/**
 * Validators for the three distribution payloads. WebhookDistributionPayload declares no enum on `type` (the
 * channel's event name) nor on `event.type`, and no per-event envelope exists for distribution-only events, so,
 * unlike the project-settings suite, no mask is needed beyond the fair rules: neither the enum mask nor the
 * DIGEST j.9 `name`/`project_id` swap applies (asserted below, so a changed spec shows up here). The segment
 * events' data carries `customer.segment.entered`, not the `customer.entered.segment` spelling of DIGEST j.10,
 * which lives only in the project-settings envelope enum.
 */
function loadValidators() {
  const spec = loadSpec();
  const envelope = spec.schemas.WebhookDistributionPayload;
  expect(envelope.properties.type.enum).toBeUndefined();
  expect(envelope.properties.event.properties.type.enum).toBeUndefined();
  expect(envelope.required).toEqual(expect.arrayContaining(['id', 'project_id', 'created_at', 'type', 'data', 'source', 'event']));
  expect(envelope.properties.source.required).toEqual(['id', 'object', 'target_url']);
  const data = {} as Record<Type, ValidateFunction>;
  const required = {} as Record<Type, string[]>;
  for (const type of types) {
    const entry = spec.entry(type);
    expect(entry, type).toBeDefined();
    expect(entry!.group).toBe('distribution');
    expect(entry!.envelope_schema_ref).toBeNull();
    expect(spec.requestBodyRef(entry!)).toBe(`#/components/schemas/${entry!.schema_ref}`);
    data[type] = spec.compile(entry!.schema_ref);
    required[type] = entry!.required_data_keys;
  }
  expect(spec.entry('customer.custom_event')!.schema_ref).toBe('EventCustomerCustomEventData');
  expect(spec.entry('customer.segment.entered')!.schema_ref).toBe('EventCustomerSegmentEnteredData');
  expect(spec.entry('customer.segment.left')!.schema_ref).toBe('EventCustomerSegmentLeftData');
  return { envelope: spec.compile('WebhookDistributionPayload'), projectSettings: spec.compile('WebhookProjectSettingPayload'), data, required };
}

describe.skipIf(!specPresent)('distribution payloads conform to OpenAPIWebhooks.json (fair check of spec/README.md)', () => {
  let v: ReturnType<typeof loadValidators>;
  beforeAll(() => {
    v = loadValidators();
  });

  it.each(types)('%s: the envelope validates as WebhookDistributionPayload and data as the per-event data schema', (type) => {
    const payload = received[type].json;
    expectValid(v.envelope, payload, `${type} envelope`);
    expectValid(v.data[type], payload.data, `${type} data`);
    // Every key the index lists as required is present (null allowed only where the schema types it).
    expect(Object.keys(payload.data)).toEqual(expect.arrayContaining(v.required[type]));
  });

  it('the envelopes carry the distribution, the channel event name and the triggering event', () => {
    for (const type of types) {
      expect(received[type].json).toMatchObject({
        id: expect.stringMatching(/^whs_/),
        project_id: p.id,
        created_at: clock.now().toISOString(),
        type: distributions[type].channel.event_name,
        source: { id: expect.stringMatching(/^distr_/), object: 'distribution', target_url: sink.url },
        event: { type, entity_id: customerId, group_id: requestIds[type], event_source: { channel: expect.any(String) } },
      });
    }
    expect(received['customer.custom_event'].json.event.id).toMatch(/^evcus_/);
    expect(received['customer.custom_event'].json.data).toMatchObject({
      event: { object: 'event', type: 'sign_up', customer: { id: customerId, object: 'customer' }, metadata: { plan: 'pro', seats: 3 } },
      event_schema: { name: 'sign_up' },
      customer: { id: customerId, object: 'customer', source_id: 'conf-zoe', name: 'Zoë Łukasiewicz 🚀' },
      referral: null,
      loyalty: null,
    });
    for (const type of ['customer.segment.entered', 'customer.segment.left'] as const) {
      expect(received[type].json.data).toMatchObject({
        customer: { id: customerId, object: 'customer', source_id: 'conf-zoe' },
        segment: { id: segment.id, name: 'Pro customers', object: 'segment' },
      });
    }
    expect(received['customer.segment.entered'].json.data.customer.metadata).toEqual({ plan: 'pro' });
    expect(received['customer.segment.left'].json.data.customer.metadata).toEqual({ plan: 'basic' });
  });

  it('negative control: mutated payloads fail the validators', () => {
    const mutated = (type: Type, mutate: (x: any) => void) => {
      const copy = structuredClone(received[type].json);
      mutate(copy);
      return copy;
    };
    // Envelope
    expect(v.envelope(mutated('customer.custom_event', (x) => delete x.project_id))).toBe(false);
    expect(v.envelope(mutated('customer.custom_event', (x) => delete x.source.target_url))).toBe(false);
    expect(v.envelope(mutated('customer.custom_event', (x) => (x.source.object = 'webhook')))).toBe(false);
    expect(v.envelope(mutated('customer.custom_event', (x) => (x.event.event_source.channel = 'SMOKE_SIGNALS')))).toBe(false);
    expect(v.envelope(mutated('customer.segment.entered', (x) => delete x.event.group_id))).toBe(false);
    expect(v.envelope(mutated('customer.segment.entered', (x) => (x.created_at = 'yesterday')))).toBe(false);
    // A distribution payload is not a project-settings one (its source.object is "webhook" only).
    expect(v.projectSettings(received['customer.custom_event'].json)).toBe(false);
    // Data
    const custom = v.data['customer.custom_event'];
    expect(custom(mutated('customer.custom_event', (x) => delete x.data.event_schema).data)).toBe(false);
    expect(custom(mutated('customer.custom_event', (x) => delete x.data.referral).data)).toBe(false);
    expect(custom(mutated('customer.custom_event', (x) => (x.data.event.object = 'custom_event')).data)).toBe(false);
    expect(custom(mutated('customer.custom_event', (x) => (x.data.customer.object = 'client')).data)).toBe(false);
    expect(custom(mutated('customer.custom_event', (x) => (x.data.loyalty = { voucher: null })).data)).toBe(false);
    for (const type of ['customer.segment.entered', 'customer.segment.left'] as const) {
      const seg = v.data[type];
      expect(seg(mutated(type, (x) => delete x.data.segment).data)).toBe(false);
      expect(seg(mutated(type, (x) => delete x.data.segment.name).data)).toBe(false);
      expect(seg(mutated(type, (x) => (x.data.segment.object = 'segments')).data)).toBe(false);
      expect(seg(mutated(type, (x) => delete x.data.customer.summary).data)).toBe(false);
      expect(seg(mutated(type, (x) => (x.data.customer.created_at = 'yesterday')).data)).toBe(false);
    }
  });
});

describe('distribution signatures', () => {
  it.each(types)('%s: x-voucherify-signature is hex HMAC-SHA256 of the exact bytes; webhook-signature verifies', (type) => {
    const r = received[type];
    expect(r.body).toBe(JSON.stringify(JSON.parse(r.body)));
    expect(r.headers['x-voucherify-signature']).toBe(createHmac('sha256', p.webhookToken).update(Buffer.from(r.body, 'utf8')).digest('hex'));
    expect(r.headers['x-voucherify-signature']).not.toBe(createHmac('sha256', p.webhookToken).update(`${r.body} `).digest('hex'));
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-flow']).toBe(distributions[type].channel.event_name);
    expect(r.headers['webhook-id']).toBe(r.json.id);
    expect(standardVerify(secrets.standard_webhooks_secret, r, clock.now())).toBe(true);
    expect(standardVerify(secrets.standard_webhooks_secret, { ...r, body: r.body.replace('"distribution"', '"Distribution"') }, clock.now())).toBe(false);
  });
});

/**
 * What a newcomer meets first: errors that say the fix (private targets, keys on the wrong API), unknown keys in
 * management and distribution bodies refused by name, the test send's `type`, honest webhook types with their
 * catalog, and key regeneration.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { specDir, specPresent } from './helpers/conformance.js';
import { emittedTypes, knownTypes, operationalTypes } from '../src/modules/webhooks/event-types.js';
import { deliverAll } from './helpers/sendouts.js';
import { startSink, type Sink } from './helpers/sink.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** A project-settings type of Voucherify's that Tessera does not emit (yet). */
const notEmitted = Object.keys(knownTypes).find((type) => knownTypes[type] === 'project_settings' && !emittedTypes.includes(type))!;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const publicUrl = 'https://93.184.215.14/hooks/tessera';

let strict: TestTessera;
let t: TestTessera;
let p: TestProject;
let sink: Sink;

beforeAll(async () => {
  [strict, t] = await Promise.all([startTessera(), startTessera({ env: { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' } })]);
  p = await t.createProject();
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await Promise.all([strict.close(), t.close()]);
});

const mgmt = (method: Method, url: string, payload?: object, app = t.app) =>
  app.inject({ method, url: `/management/v1${url}`, headers: managementHeaders, ...(payload ? { payload } : {}) });
const v1 = (method: Method, url: string, payload?: object, project = p) =>
  t.app.inject({ method, url: `/v1${url}`, headers: project.server, ...(payload ? { payload } : {}) });

function expect400(res: LightMyRequestResponse, detail: RegExp): void {
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
  expect(res.json().details).toMatch(detail);
}

describe('errors that say the fix', () => {
  it('a refused private target names TESSERA_ALLOW_PRIVATE_TARGETS and --allow-private-targets', async () => {
    const q = await strict.createProject();
    for (const target_url of ['http://127.0.0.1:4000/hook', 'http://localhost:4000/hook', 'http://10.1.2.3/hook']) {
      const res = await mgmt('POST', `/projects/${q.id}/webhooks`, { target_url, events: ['customer.created'] }, strict.app);
      expect400(res, /TESSERA_ALLOW_PRIVATE_TARGETS=true.*--allow-private-targets/);
    }
    const dist = await strict.app.inject({
      method: 'POST',
      url: '/v1/distributions',
      headers: q.server,
      payload: { name: 'd', trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: 'http://127.0.0.1:4000/', event_name: 'x' } },
    });
    expect400(dist, /TESSERA_ALLOW_PRIVATE_TARGETS.*--allow-private-targets/);
  });

  it('management credentials sent to /v1 are named as the wrong keys; a request with no keys is told what is missing', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/customers', headers: managementHeaders });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 401, key: 'unauthorized' });
    expect(res.json().details).toMatch(/server key, not the management credentials.*\/management\/v1/);
    const bare = await t.app.inject({ method: 'GET', url: '/v1/customers' });
    expect(bare.json().details).toBe('Missing X-App-Id or X-App-Token header');
  });
});

describe('unknown keys', () => {
  it('management bodies refuse a misspelt key, naming it', async () => {
    expect400(await mgmt('POST', '/projects', { nmae: 'Shop', name: 'Shop' }), /'nmae'/);
    expect400(await mgmt('PUT', `/projects/${p.id}`, { timezon: 'Europe/Warsaw' }), /'timezon'/);
    expect400(await mgmt('POST', `/projects/${p.id}/custom-event-schemas`, { name: 'x', schema: { properties: {} }, optinal: true }), /'optinal'/);
    expect400(await mgmt('POST', `/projects/${p.id}/custom-event-schemas`, { name: 'x', schema: { properties: {}, required: [] } }), /Property \.schema .*'required'/);
    expect400(await mgmt('POST', `/projects/${p.id}/webhooks`, { target_url: publicUrl, events: ['customer.created'], activ: false }), /'activ'/);
    // Voucherify's documented project fields are still accepted.
    const ok = await mgmt('POST', '/projects', { name: 'Documented', cluster_id: 'eu1', timezone: 'Europe/Warsaw' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await mgmt('GET', '/projects')).json().data.map((x: { name: string }) => x.name)).not.toContain('Shop');
  });

  it('distribution bodies refuse unknown keys; Voucherify\'s own /v1 resources keep ignoring them', async () => {
    const body = { name: 'd', trigger: { type: 'manual' }, channel: { type: 'webhook', target_url: publicUrl, event_name: 'x' } };
    expect400(await v1('POST', '/distributions', { ...body, stauts: 'PAUSED' }), /'stauts'/);
    const d = await v1('POST', '/distributions', body);
    expect(d.statusCode, d.body).toBe(200);
    expect400(await v1('POST', `/distributions/${d.json().id}/send`, { segment: 'seg_x' }), /'segment'/);
    expect((await v1('GET', '/distributions')).json().total).toBe(1);
    const customer = await v1('POST', '/customers', { source_id: 'typo', nmae: 'Ann' });
    expect(customer.statusCode, customer.body).toBe(200);
  });
});

describe('webhook test send', () => {
  it('reads `type` as well as `event_type`, and refuses unknown or conflicting fields', async () => {
    const w = (await mgmt('POST', `/projects/${p.id}/webhooks`, { target_url: sink.url, events: ['*'] })).json();
    const byType = await mgmt('POST', `/projects/${p.id}/webhooks/${w.id}/test`, { type: 'customer.deleted' });
    expect(byType.statusCode, byType.body).toBe(200);
    expect(byType.json()).toMatchObject({ type: 'customer.deleted' });
    const byEventType = await mgmt('POST', `/projects/${p.id}/webhooks/${w.id}/test`, { event_type: 'customer.updated' });
    expect(byEventType.json()).toMatchObject({ type: 'customer.updated' });
    await deliverAll(t);
    expect(sink.received.map((r) => r.json.type)).toEqual(['customer.deleted', 'customer.updated']);
    expect400(await mgmt('POST', `/projects/${p.id}/webhooks/${w.id}/test`, { evnt_type: 'customer.deleted' }), /'evnt_type'/);
    expect400(await mgmt('POST', `/projects/${p.id}/webhooks/${w.id}/test`, { type: 'customer.deleted', event_type: 'customer.created' }), /different/);
    expect400(await mgmt('POST', `/projects/${p.id}/webhooks/${w.id}/test`, { type: notEmitted }), new RegExp(`Property \\.type: Tessera does not emit '${escaped(notEmitted)}'`));
  });
});

describe('honest webhook types', () => {
  it('a project webhook subscribes only to emitted types or *, and the refusal lists them', async () => {
    const url = `/projects/${p.id}/webhooks`;
    const refused = await mgmt('POST', url, { target_url: publicUrl, events: ['customer.created', notEmitted] });
    expect400(refused, new RegExp(`^Property \\.events\\.1: Tessera does not emit '${escaped(notEmitted)}'.*\\*, ${emittedTypes.map(escaped).join(', ')} \\(`));
    expect400(await mgmt('POST', url, { target_url: publicUrl, events: ['customer.segment.entered'] }), /delivered by distributions/);
    expect400(await mgmt('POST', url, { target_url: publicUrl, events: ['customer.exploded'] }), /not a webhook event type/);
    // Voucherify's misspelling of a type is read as the type (stored under its right name).
    const misspelled = await mgmt('POST', url, { target_url: publicUrl, events: ['voucher.loyalty_card.points_aded'] });
    expect(misspelled.statusCode, misspelled.body).toBe(200);
    expect(misspelled.json().events).toEqual(['voucher.loyalty_card.points_added']);
    const ok = await mgmt('POST', url, { target_url: publicUrl, events: ['customer.created', 'customer.updated', 'customer.deleted'] });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('GET /management/v1/webhook-event-types lists every v2024-01-01 type with emitted and subscribable', async () => {
    const res = await mgmt('GET', '/webhook-event-types');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ object: 'list', data_ref: 'data' });
    const byType = new Map<string, any>(body.data.map((e: { type: string }) => [e.type, e]));
    expect(byType.get('customer.created')).toEqual({ object: 'webhook_event_type', type: 'customer.created', group: 'project_settings', emitted: true, subscribable: true });
    expect(byType.get(notEmitted)).toMatchObject({ emitted: false, subscribable: false });
    expect(byType.get('customer.segment.entered')).toMatchObject({ group: 'distribution', emitted: true, subscribable: false });
    const subscribable = body.data.filter((e: { subscribable: boolean }) => e.subscribable).map((e: { type: string }) => e.type);
    expect(subscribable.sort()).toEqual([...emittedTypes, ...operationalTypes].sort());
    expect(byType.get('tessera.endpoint.disabled')).toEqual({ object: 'webhook_event_type', type: 'tessera.endpoint.disabled', group: 'operational', emitted: true, subscribable: true });
    expect(subscribable).toEqual(expect.arrayContaining(['customer.created', 'customer.updated', 'customer.deleted']));
    if (specPresent) {
      const index = JSON.parse(readFileSync(resolve(specDir, 'webhooks-index.json'), 'utf8')) as { webhooks: Array<{ type: string }> };
      for (const { type } of index.webhooks) expect(byType.has(type), type).toBe(true);
    }
    expect((await t.app.inject({ method: 'GET', url: '/management/v1/webhook-event-types' })).statusCode).toBe(401);
  });
});

describe('key regeneration', () => {
  it('a new server key works at once and the old one stops', async () => {
    const q = await t.createProject();
    expect((await v1('GET', '/customers', undefined, q)).statusCode).toBe(200);
    const res = await mgmt('POST', `/projects/${q.id}/server-side-key/regenerate`);
    expect(res.statusCode, res.body).toBe(200);
    const fresh = res.json();
    expect(fresh).toMatchObject({ object: 'project_key', project_id: q.id, server_side_key: { app_id: expect.any(String), app_token: expect.any(String) } });
    expect(fresh.server_side_key.app_id).not.toBe(q.server['x-app-id']);
    const old = await v1('GET', '/customers', undefined, q);
    expect(old.statusCode).toBe(401);
    const headers = { 'x-app-id': fresh.server_side_key.app_id, 'x-app-token': fresh.server_side_key.app_token };
    expect((await t.app.inject({ method: 'GET', url: '/v1/customers', headers })).statusCode).toBe(200);
    // The client key is untouched by a server key regeneration.
    await defineSchema(t.app, q.id, 'ping', {});
    const origin = { origin: 'https://shop.example.com' };
    await mgmt('PUT', `/projects/${q.id}`, { client_trusted_domains: ['shop.example.com'] });
    const client = () =>
      t.app.inject({ method: 'POST', url: '/client/v1/events', headers: { ...q.client, ...origin }, payload: { event: 'ping', customer: { source_id: 'c' } } });
    expect((await client()).statusCode).toBe(200);
  });

  it('a new client key replaces the old one; an unknown project is 404', async () => {
    const q = await t.createProject({ client_trusted_domains: ['shop.example.com'] });
    await defineSchema(t.app, q.id, 'ping', {});
    const send = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/client/v1/events',
        headers: { ...headers, origin: 'https://shop.example.com' },
        payload: { event: 'ping', customer: { source_id: 'c' } },
      });
    expect((await send(q.client)).statusCode).toBe(200);
    const res = await mgmt('POST', `/projects/${q.id}/client-side-key/regenerate`);
    expect(res.statusCode, res.body).toBe(200);
    const key = res.json().client_side_key;
    expect((await send(q.client)).statusCode).toBe(401);
    expect((await send({ 'x-client-application-id': key.app_id, 'x-client-token': key.app_token })).statusCode).toBe(200);
    expect((await v1('GET', '/customers', undefined, q)).statusCode).toBe(200);
    const missing = await mgmt('POST', '/projects/proj_missing/server-side-key/regenerate');
    expect(missing.statusCode).toBe(404);
  });

  it('a regeneration racing the deletion of its project answers 200 or 404, never a 500', async () => {
    for (let round = 0; round < 8; round++) {
      const q = await t.createProject();
      const answers = await Promise.all([
        mgmt('POST', `/projects/${q.id}/client-side-key/regenerate`),
        mgmt('DELETE', `/projects/${q.id}`),
        mgmt('POST', `/projects/${q.id}/server-side-key/regenerate`),
      ]);
      for (const a of [answers[0]!, answers[2]!]) expect([200, 404], a.body).toContain(a.statusCode);
      expect(answers[1]!.statusCode, answers[1]!.body).toBeLessThan(300);
      expect((await mgmt('GET', `/projects/${q.id}`)).statusCode).toBe(404);
    }
  });
});

/**
 * Project-settings webhooks: the management CRUD of DIGEST e.1, our extensions (all events, description, custom
 * headers, the `_aded` aliases, URL checks) and the signing secret with its 24-hour rotation.
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { emittedTypes } from '../src/modules/webhooks/event-types.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Received, type Sink } from './helpers/sink.js';

const start = new Date('2024-05-01T08:00:00.000Z');
const clock = fixedClock(start);
const day = 24 * 60 * 60 * 1000;
// An IP literal: no DNS needed, and not a private address.
const publicUrl = 'https://93.184.215.14/hooks/tessera';

let t: TestTessera;
let p: TestProject;
let sink: Sink;

beforeAll(async () => {
  t = await startTessera({ clock, env: { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' } });
  p = await t.createProject();
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await t.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const mgmt = (method: Method, path: string, payload?: object, project: TestProject = p) =>
  t.app.inject({ method, url: `/management/v1/projects/${project.id}${path}`, headers: managementHeaders, ...(payload ? { payload } : {}) });

async function createWebhook(body: object, project: TestProject = p): Promise<Record<string, any>> {
  const res = await mgmt('POST', '/webhooks', body, project);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function expectInvalid(body: object, detail: RegExp): Promise<void> {
  const res = await mgmt('POST', '/webhooks', body);
  expect(res.statusCode, res.body).toBe(400);
  expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
  expect(res.json().details).toMatch(detail);
}

async function createCustomer(project: TestProject, sourceId: string): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: project.server, payload: { source_id: sourceId } });
  expect(res.statusCode, res.body).toBe(200);
}

async function deliverAll(): Promise<void> {
  while ((await t.tessera.services.delivery.deliverDue('test-worker')) > 0);
}

const hmacHex = (key: string, body: string) => createHmac('sha256', key).update(Buffer.from(body, 'utf8')).digest('hex');

/** Verifies a Standard Webhooks signature with the official library, the receiver's clock set to the sender's. */
function standardVerifies(secret: string, r: Received, signature = r.headers['webhook-signature'] as string): boolean {
  vi.setSystemTime(clock.now());
  try {
    new Webhook(secret).verify(r.body, {
      'webhook-id': r.headers['webhook-id'] as string,
      'webhook-timestamp': r.headers['webhook-timestamp'] as string,
      'webhook-signature': signature,
    });
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

describe('management CRUD (DIGEST e.1)', () => {
  it('POST creates a webhook: wh_ id, object webhook, created_at, target_url, events, active by default', async () => {
    const w = await createWebhook({ target_url: publicUrl, events: ['customer.created', 'customer.deleted'] });
    expect(w.id).toMatch(/^wh_[0-9A-Za-z]+$/);
    expect(w).toMatchObject({
      object: 'webhook',
      created_at: start.toISOString(),
      target_url: publicUrl,
      events: ['customer.created', 'customer.deleted'],
      active: true,
    });
    const inactive = await createWebhook({ target_url: publicUrl, events: ['customer.updated'], active: false });
    expect(inactive.active).toBe(false);
  });

  it('GET lists the project\'s webhooks as a list with data_ref data and total, and GET one returns it', async () => {
    const other = await t.createProject();
    const a = await createWebhook({ target_url: publicUrl, events: ['customer.created'] }, other);
    const b = await createWebhook({ target_url: `${publicUrl}/b`, events: ['customer.updated'] }, other);
    const list = await mgmt('GET', '/webhooks', undefined, other);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({ object: 'list', data_ref: 'data', total: 2 });
    expect(list.json().data.map((w: { id: string }) => w.id).sort()).toEqual([a.id, b.id].sort());
    const one = await mgmt('GET', `/webhooks/${b.id}`, undefined, other);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(b);
    // Another project's webhook is not found under this one.
    expect((await mgmt('GET', `/webhooks/${a.id}`)).statusCode).toBe(404);
  });

  it('PUT replaces events (not merged) and the rest of the configuration, keeping id and created_at', async () => {
    const w = await createWebhook({ target_url: publicUrl, events: ['customer.created', 'customer.deleted'] });
    clock.advance(60_000);
    const res = await mgmt('PUT', `/webhooks/${w.id}`, { target_url: `${publicUrl}/v2`, events: ['customer.updated'], active: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: w.id, created_at: w.created_at, target_url: `${publicUrl}/v2`, events: ['customer.updated'], active: false });
    expect((await mgmt('GET', `/webhooks/${w.id}`)).json()).toMatchObject({ events: ['customer.updated'], active: false });
  });

  it('DELETE answers 204; the webhook is then 404 with resource_type webhook', async () => {
    const w = await createWebhook({ target_url: publicUrl, events: ['customer.created'] });
    const del = await mgmt('DELETE', `/webhooks/${w.id}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    for (const res of [
      await mgmt('GET', `/webhooks/${w.id}`),
      await mgmt('DELETE', `/webhooks/${w.id}`),
      await mgmt('PUT', `/webhooks/${w.id}`, { target_url: publicUrl, events: ['customer.created'] }),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 404, key: 'not_found', resource_type: 'webhook', resource_id: w.id });
      expect(res.json().details).toBe(`Cannot find webhook with id ${w.id}`);
    }
  });

  it('refuses a body without target_url or events', async () => {
    await expectInvalid({ events: ['customer.created'] }, /target_url/);
    await expectInvalid({ target_url: publicUrl }, /events/);
    await expectInvalid({ target_url: publicUrl, events: [] }, /events/);
  });
});

describe('extensions', () => {
  it("accepts '*' for every event, and refuses '*' mixed with event types", async () => {
    expect((await createWebhook({ target_url: publicUrl, events: ['*'] })).events).toEqual(['*']);
    await expectInvalid({ target_url: publicUrl, events: ['*', 'customer.created'] }, /\*/);
  });

  it('stores a description', async () => {
    const w = await createWebhook({ target_url: publicUrl, events: ['customer.created'], description: 'CRM sync' });
    expect(w.description).toBe('CRM sync');
    expect((await mgmt('GET', `/webhooks/${w.id}`)).json().description).toBe('CRM sync');
  });

  it('reads the _aded typos as the correctly spelled types: stored spelled right when emitted, refused by that name otherwise', async () => {
    const typos = ['campaign.vouchers.aded', 'voucher.gift.balance_aded', 'voucher.loyalty_card.pending_points.aded', 'voucher.loyalty_card.points_aded'];
    const fixed = ['campaign.vouchers.added', 'voucher.gift.balance_added', 'voucher.loyalty_card.pending_points.added', 'voucher.loyalty_card.points_added'];
    let accepted = 0;
    for (const [i, typo] of typos.entries()) {
      if (emittedTypes.includes(fixed[i]!)) {
        const w = await createWebhook({ target_url: publicUrl, events: [typo] });
        expect(w.events).toEqual([fixed[i]]);
        accepted++;
      } else {
        await expectInvalid({ target_url: publicUrl, events: [typo] }, new RegExp(`does not emit '${fixed[i]!.replace(/\./g, '\\.')}'`));
      }
    }
    // voucher.gift.balance_added is emitted since gift balances exist.
    expect(accepted).toBeGreaterThan(0);
  });

  it('refuses unknown event names, and event types that are not project-settings webhooks', async () => {
    await expectInvalid({ target_url: publicUrl, events: ['customer.exploded'] }, /events/);
    await expectInvalid({ target_url: publicUrl, events: ['customer.created', 'Customer.Created'] }, /events/);
    await expectInvalid({ target_url: publicUrl, events: ['customer.custom_event'] }, /events/);
  });

  it('refuses URLs that are not absolute http(s), and URLs carrying credentials', async () => {
    for (const url of ['ftp://93.184.215.14/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'ws://93.184.215.14/', '/relative/hook', 'not a url']) {
      await expectInvalid({ target_url: url, events: ['customer.created'] }, /target_url/);
    }
    await expectInvalid({ target_url: 'https://user:pass@93.184.215.14/hook', events: ['customer.created'] }, /credentials/);
    await expectInvalid({ target_url: 'https://user@93.184.215.14/hook', events: ['customer.created'] }, /credentials/);
  });

  it('refuses reserved header names in any case, and sends custom headers to the receiver', async () => {
    const reserved = ['content-type', 'Content-Type', 'X-Voucherify-Signature', 'x-voucherify-signature-previous', 'webhook-signature', 'Webhook-Id', 'host'];
    // Framing headers the HTTP client refuses to send: accepting them would make every delivery fail.
    const framing = ['Keep-Alive', 'Upgrade', 'Expect', 'Transfer-Encoding', 'Connection'];
    for (const name of [...reserved, ...framing]) {
      await expectInvalid({ target_url: publicUrl, events: ['customer.created'], headers: { [name]: 'x' } }, new RegExp(name, 'i'));
    }
    // Values must be sendable HTTP field values.
    for (const value of ['line\r\nInjected: yes', 'zażółć', 'nul\u0000byte', 'bell\u0007']) {
      await expectInvalid({ target_url: publicUrl, events: ['customer.created'], headers: { 'X-Note': value } }, /headers/);
    }
    const q = await t.createProject();
    const w = await createWebhook(
      { target_url: sink.url, events: ['customer.created'], headers: { 'X-Tenant': 'acme', Authorization: 'Bearer s3cret', 'X-Note': 'tab\there' } },
      q,
    );
    expect(w.headers).toEqual({ 'X-Tenant': 'acme', Authorization: 'Bearer s3cret', 'X-Note': 'tab\there' });
    const before = sink.received.length;
    await createCustomer(q, 'with-headers');
    await deliverAll();
    const got = sink.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['x-tenant']).toBe('acme');
    expect(got[0]!.headers.authorization).toBe('Bearer s3cret');
    expect(got[0]!.headers['x-note']).toBe('tab\there');
    expect(got[0]!.headers['content-type']).toBe('application/json');
  });
});

describe('signing secret', () => {
  it('GET /webhook-secret returns the project webhook_token and its Standard Webhooks form', async () => {
    const res = await mgmt('GET', '/webhook-secret');
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.secret).toBe(p.webhookToken);
    expect(s.standard_webhooks_secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(s.standard_webhooks_secret.slice('whsec_'.length), 'base64').toString('utf8')).toBe(p.webhookToken);
    expect(s.previous).toBeNull();
  });

  it('rotation: a new secret, the previous one kept 24 h; both sign deliveries until then, only the new one after', async () => {
    const q = await t.createProject();
    await createWebhook({ target_url: sink.url, events: ['customer.created'] }, q);
    const old = (await mgmt('GET', '/webhook-secret', undefined, q)).json();
    const rotatedAt = clock.now();
    const rot = await mgmt('POST', '/webhook-secret/rotate', undefined, q);
    expect(rot.statusCode, rot.body).toBe(200);
    const next = rot.json();
    expect(next.secret).not.toBe(old.secret);
    expect(next.previous).toMatchObject({ secret: old.secret, standard_webhooks_secret: old.standard_webhooks_secret });
    expect(next.previous.expires_at).toBe(new Date(rotatedAt.getTime() + day).toISOString());
    expect((await mgmt('GET', '/webhook-secret', undefined, q)).json()).toEqual(next);

    let before = sink.received.length;
    await createCustomer(q, 'during-rotation');
    await deliverAll();
    const during = sink.received.slice(before);
    expect(during).toHaveLength(1);
    const r = during[0]!;
    expect(r.headers['x-voucherify-signature']).toBe(hmacHex(next.secret, r.body));
    expect(r.headers['x-voucherify-signature-previous']).toBe(hmacHex(old.secret, r.body));
    const parts = (r.headers['webhook-signature'] as string).split(' ');
    expect(parts).toHaveLength(2);
    for (const part of parts) expect(part).toMatch(/^v1,/);
    // Each of the two signatures verifies on its own, with exactly one of the secrets, and each secret signed one.
    const signers = parts.map((part) => [next, old].filter((s) => standardVerifies(s.standard_webhooks_secret, r, part)).map((s) => s.secret));
    expect(signers.map((s) => s.length)).toEqual([1, 1]);
    expect(signers.flat().sort()).toEqual([next.secret, old.secret].sort());

    clock.set(new Date(rotatedAt.getTime() + day + 1000));
    expect((await mgmt('GET', '/webhook-secret', undefined, q)).json()).toMatchObject({ secret: next.secret, previous: null });
    before = sink.received.length;
    await createCustomer(q, 'after-rotation');
    await deliverAll();
    const after = sink.received.slice(before);
    expect(after).toHaveLength(1);
    const a = after[0]!;
    expect(a.headers['x-voucherify-signature']).toBe(hmacHex(next.secret, a.body));
    expect(a.headers['x-voucherify-signature-previous']).toBeUndefined();
    expect((a.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect(standardVerifies(next.standard_webhooks_secret, a)).toBe(true);
    expect(standardVerifies(old.standard_webhooks_secret, a)).toBe(false);
  });
});

describe("an endpoint's own signing secret (our extension)", () => {
  it('signs its deliveries with its own secret while other endpoints keep the project\'s, and never shows it in the endpoint', async () => {
    const q = await t.createProject();
    const own = await createWebhook({ target_url: `${sink.url}/own`, events: ['customer.created'], own_secret: true }, q);
    const shared = await createWebhook({ target_url: `${sink.url}/shared`, events: ['customer.created'] }, q);
    expect(own.own_secret).toBe(true);
    expect(shared.own_secret).toBe(false);
    const secret = (await mgmt('GET', `/webhooks/${own.id}/secret`, undefined, q)).json();
    expect(secret).toMatchObject({ object: 'webhook_secret', webhook_id: own.id, previous: null, secret: expect.stringMatching(/.{20,}/) });
    expect(secret.secret).not.toBe(q.webhookToken);
    expect(JSON.stringify((await mgmt('GET', `/webhooks/${own.id}`, undefined, q)).json())).not.toContain(secret.secret);

    const before = sink.received.length;
    await createCustomer(q, 'own-secret');
    await deliverAll();
    const got = sink.received.slice(before);
    const toOwn = got.find((r) => r.path.endsWith('/own'))!;
    const toShared = got.find((r) => r.path.endsWith('/shared'))!;
    expect(toOwn.headers['x-voucherify-signature']).toBe(hmacHex(secret.secret, toOwn.body));
    expect(standardVerifies(secret.standard_webhooks_secret, toOwn)).toBe(true);
    expect(toShared.headers['x-voucherify-signature']).toBe(hmacHex(q.webhookToken, toShared.body));
    expect(standardVerifies(secret.standard_webhooks_secret, toShared)).toBe(false);
  });

  it('rotates alone (both sign for 24 hours), survives other changes, and gives way to the project\'s when turned off', async () => {
    const q = await t.createProject();
    const own = await createWebhook({ target_url: `${sink.url}/rot`, events: ['customer.created'], own_secret: true }, q);
    const old = (await mgmt('GET', `/webhooks/${own.id}/secret`, undefined, q)).json();
    const projectBefore = (await mgmt('GET', '/webhook-secret', undefined, q)).json();
    const rot = await mgmt('POST', `/webhooks/${own.id}/secret/rotate`, undefined, q);
    expect(rot.statusCode, rot.body).toBe(200);
    const next = rot.json();
    expect(next.secret).not.toBe(old.secret);
    expect(next.previous).toMatchObject({ secret: old.secret, expires_at: new Date(clock.now().getTime() + day).toISOString() });
    expect((await mgmt('GET', '/webhook-secret', undefined, q)).json()).toEqual(projectBefore);

    let before = sink.received.length;
    await createCustomer(q, 'own-rotation');
    await deliverAll();
    const r = sink.received.slice(before).find((x) => x.path.endsWith('/rot'))!;
    expect(r.headers['x-voucherify-signature']).toBe(hmacHex(next.secret, r.body));
    expect(r.headers['x-voucherify-signature-previous']).toBe(hmacHex(old.secret, r.body));

    // A PUT that leaves own_secret out keeps the secret; own_secret: false hands signing back to the project.
    const put = await mgmt('PUT', `/webhooks/${own.id}`, { target_url: `${sink.url}/rot`, events: ['customer.created'], description: 'renamed' }, q);
    expect(put.json()).toMatchObject({ own_secret: true, description: 'renamed' });
    expect((await mgmt('GET', `/webhooks/${own.id}/secret`, undefined, q)).json().secret).toBe(next.secret);
    const off = await mgmt('PUT', `/webhooks/${own.id}`, { target_url: `${sink.url}/rot`, events: ['customer.created'], own_secret: false }, q);
    expect(off.json().own_secret).toBe(false);
    const gone = await mgmt('GET', `/webhooks/${own.id}/secret`, undefined, q);
    expect(gone.statusCode).toBe(400);
    expect(gone.json().details).toMatch(/signs with the project's secret/);
    expect((await mgmt('POST', `/webhooks/${own.id}/secret/rotate`, undefined, q)).statusCode).toBe(400);
    before = sink.received.length;
    await createCustomer(q, 'own-off');
    await deliverAll();
    const back = sink.received.slice(before).find((x) => x.path.endsWith('/rot'))!;
    expect(back.headers['x-voucherify-signature']).toBe(hmacHex(q.webhookToken, back.body));
    expect((await mgmt('GET', '/webhooks/wh_nope/secret', undefined, q)).statusCode).toBe(404);
  });
});

import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeaders } from '../src/modules/delivery/signing.js';
import { managementHeaders, startTessera, type TestTessera } from './helpers/app.js';
import { cli, killAll, spawnCli } from './helpers/cli.js';
import { startSink, type Sink } from './helpers/sink.js';

/**
 * `tessera listen`, run as developers run it (the built CLI; `npm test` builds it first): it checks signatures,
 * prints a line per delivery, forwards the exact bytes and answers with the target's answer.
 */
const sinks: Sink[] = [];
const secret = 'listen-test-secret-0123456789';
const slow = { timeout: 60_000 };

interface Listener {
  url: string;
  output(): string;
  /** Resolves with the first output line matching re. */
  line(re: RegExp): Promise<string>;
  stop(): Promise<number | null>;
}

/** How long a listener's output may take to show a line. */
const lineTimeoutMs = 15_000;

async function listen(args: string[], env: Record<string, string> = {}): Promise<Listener> {
  const p = spawnCli(['listen', ...args], env);
  const line = (re: RegExp) => p.line(re, lineTimeoutMs);
  const url = (await line(/receiving webhooks on http:\/\//)).match(/(http:\/\/\S+)/)![1]!;
  return {
    url,
    output: p.output,
    line,
    async stop() {
      p.child.kill('SIGTERM');
      return p.exited;
    },
  };
}

async function sink(...args: Parameters<typeof startSink>): Promise<Sink> {
  const s = await startSink(...args);
  sinks.push(s);
  return s;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** An envelope as Tessera sends it; spaces and non-ASCII text make any re-serialization visible. */
function envelope(id: string, eventId: string): string {
  return `{"id":"${id}","project_id":"proj_x","created_at":"2024-05-01T10:00:00.000Z","type":"customer.created",`
    + `"data":{"customer":{"name":"Zoë Ünicode 😀","note":"a  b"}},"source":{"id":"wh_x","object":"webhook","target_url":"http://x"},`
    + `"event":{"id":"${eventId}","type":"customer.created","created_at":"2024-05-01T10:00:00.000Z","group_id":"g","event_source":{"channel":"API"}}}`;
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
});

afterAll(async () => {
  await killAll();
  for (const s of sinks) await s.close();
});

describe('tessera listen', slow, () => {
  it('--help documents every option', async () => {
    const p = spawnCli(['listen', '--help'], { TESSERA_WEBHOOK_SECRET: secret });
    expect(await p.exited).toBe(0);
    for (const o of ['--forward-to', '--secret', 'TESSERA_WEBHOOK_SECRET', '--port', '--host', '--print-body', '--forward-timeout', '--register', '--project', '--api-url', '--events']) {
      expect(p.output()).toContain(o);
    }
    expect(p.output()).not.toContain(secret);
  });

  it('checks signatures, forwards the exact bytes and headers, and answers with the target status and body', async () => {
    const target = await sink((req) =>
      req.json?.id === 'whs_bad'
        ? { status: 500, body: 'app rejected it' }
        : { status: 202, headers: { 'content-type': 'application/json', 'x-app': 'yes' }, body: '{"accepted":true}' },
    );
    const l = await listen(['--forward-to', target.url, '--print-body'], { TESSERA_WEBHOOK_SECRET: secret });

    const good = envelope('whs_good', 'evcus_good');
    const goodHeaders = { 'content-type': 'application/json', 'x-custom': 'kept', ...signatureHeaders({ current: secret }, 'whs_good', good, new Date()) };
    const res = await fetch(l.url, { method: 'POST', headers: goodHeaders, body: good });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-app')).toBe('yes');
    expect(await res.text()).toBe('{"accepted":true}');
    expect(await l.line(/whs_good/)).toMatch(/customer\.created\s+whs_good\s+evcus_good\s+signature OK\s+-> 202/);

    const bad = envelope('whs_bad', 'evcus_bad');
    const badRes = await fetch(l.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signatureHeaders({ current: 'some-other-secret' }, 'whs_bad', bad, new Date()) },
      body: bad,
    });
    expect(badRes.status).toBe(500);
    expect(await badRes.text()).toBe('app rejected it');
    const badLine = await l.line(/whs_bad/);
    expect(badLine).toMatch(/signature INVALID/);
    expect(badLine).toContain('x-voucherify-signature does not match');
    expect(badLine).toContain('webhook-signature does not match');

    expect(target.received).toHaveLength(2);
    const [first, second] = target.received;
    expect(first!.body).toBe(good);
    expect(second!.body).toBe(bad);
    for (const h of ['x-voucherify-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-custom', 'content-type']) {
      expect(first!.headers[h]).toBe(goodHeaders[h as keyof typeof goodHeaders]);
    }
    expect(first!.path).toBe('/hook');
    expect(l.output()).toContain('"name": "Zoë Ünicode 😀"');
    expect(l.output()).not.toContain(secret);
    expect(await l.stop()).toBe(0);
    expect(l.output()).toContain('Received 2 webhook(s): 1 signature OK, 1 INVALID');
  });

  it('accepts the previous secret during a rotation, and a tampered body is INVALID', async () => {
    const l = await listen(['--secret', secret]);
    const body = envelope('whs_rot', 'evcus_rot');
    const rotating = signatureHeaders({ current: 'the-new-secret', previous: secret }, 'whs_rot', body, new Date());
    expect((await fetch(l.url, { method: 'POST', headers: rotating, body })).status).toBe(200);
    expect(await l.line(/whs_rot/)).toMatch(/signature OK\s+-> 200 \(not forwarded\)/);

    const signed = signatureHeaders({ current: secret }, 'whs_tamper', body, new Date());
    await fetch(l.url, { method: 'POST', headers: signed, body: body.replace('whs_rot', 'whs_tamper') });
    expect(await l.line(/whs_tamper/)).toMatch(/signature INVALID/);
    await l.stop();
  });

  it('answers 502 with a clear message when the target is down, and says signatures are unchecked without a secret', async () => {
    const down = `http://127.0.0.1:${await closedPort()}/webhooks`;
    const l = await listen(['--forward-to', down]);
    expect(l.output()).toContain('not checked');
    const res = await fetch(l.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: envelope('whs_down', 'evcus_down') });
    expect(res.status).toBe(502);
    expect(await res.text()).toContain(`could not forward to ${down}`);
    expect(await l.line(/whs_down/)).toMatch(/signature unchecked.*-> 502.*unreachable/);
    await l.stop();
  });
});

describe('tessera listen receiving from Tessera', slow, () => {
  let t: TestTessera;

  beforeAll(async () => {
    t = await startTessera({ env: { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('verifies a real delivery as OK and passes it on', async () => {
    const project = await t.createProject();
    const target = await sink();
    const l = await listen(['--forward-to', target.url], { TESSERA_WEBHOOK_SECRET: project.webhookToken });
    const hook = await t.app.inject({
      method: 'POST',
      url: `/management/v1/projects/${project.id}/webhooks`,
      headers: managementHeaders,
      payload: { target_url: l.url, events: ['customer.created'] },
    });
    expect(hook.statusCode, hook.body).toBe(200);
    const customer = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: project.server, payload: { source_id: 'listen-1', name: 'Ada' } });
    expect(customer.statusCode, customer.body).toBe(200);

    expect(await t.tessera.services.delivery.deliverDue('w')).toBe(1);
    const line = await l.line(/customer\.created/);
    expect(line).toMatch(/customer\.created\s+whs_\S+\s+evcus_\S+\s+signature OK\s+-> 200/);
    const [got] = await target.waitFor(1);
    expect(got!.json).toMatchObject({ type: 'customer.created', data: { customer: { source_id: 'listen-1' } } });
    expect(line).toContain(got!.json.id);
    expect(l.output()).not.toContain(project.webhookToken);
    await l.stop();
  });

  it('--port keeps the port; --register creates the endpoint for the session, checks signatures with its secret, and deletes it on exit', async () => {
    const project = await t.createProject();
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const fixed = await closedPort();
    // Tessera's address from $TESSERA (as the quickstart exports it); a leftover secret of another project is set aside.
    const mgmtEnv = { TESSERA: address, TESSERA_WEBHOOK_SECRET: 'another-projects-secret', TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'], TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'] };
    const l = await listen(['--register', '--project', project.id, '--port', String(fixed), '--events', 'customer.created', 'customer.deleted'], mgmtEnv);
    expect(await l.line(/not the one this webhook signs with/)).toBeTruthy();
    expect(l.url).toBe(`http://127.0.0.1:${fixed}/`);
    const registered = await l.line(/Registered webhook wh_/);
    const webhookId = registered.match(/(wh_\S+)/)![1]!;
    const hooks = (await t.app.inject({ method: 'GET', url: `/management/v1/projects/${project.id}/webhooks`, headers: managementHeaders })).json();
    expect(hooks.data).toEqual([expect.objectContaining({ id: webhookId, target_url: l.url, events: ['customer.created', 'customer.deleted'] })]);

    await t.app.inject({ method: 'POST', url: '/v1/customers', headers: project.server, payload: { source_id: 'registered' } });
    expect(await t.tessera.services.delivery.deliverDue('w')).toBe(1);
    expect(await l.line(/customer\.created\s+whs_/)).toMatch(/signature OK\s+-> 200 \(not forwarded\)/);

    expect(await l.stop()).toBe(0);
    expect(l.output()).toContain(`Deleted webhook ${webhookId}`);
    const after = await t.app.inject({ method: 'GET', url: `/management/v1/projects/${project.id}/webhooks/${webhookId}`, headers: managementHeaders });
    expect(after.statusCode).toBe(404);
    expect(l.output()).not.toContain(project.webhookToken);
    expect(l.output()).not.toContain(managementHeaders['x-management-token']);
  });

  it('--register without credentials, or refused by Tessera, says why and exits non-zero', async () => {
    const noCreds = spawnCli(['listen', '--register', '--project', 'proj_x']);
    expect(await noCreds.exited).not.toBe(0);
    expect(noCreds.output()).toContain('--register needs --project and the management credentials');
    const address = t.app.server.listening ? `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` : await t.app.listen({ port: 0, host: '127.0.0.1' });
    const env = { TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'], TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'] };
    const unknown = spawnCli(['listen', '--register', '--project', 'proj_missing', '--api-url', address], env);
    expect(await unknown.exited).not.toBe(0);
    expect(unknown.output()).toMatch(/answered 404: Cannot find project with id proj_missing/);
  });
});

/**
 * SSRF guard: with private targets not allowed (the default), webhook targets on loopback, private, link-local
 * and metadata addresses are refused when saved, and again at connect time, when a name may resolve elsewhere.
 */
import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/compose.js';
import { loadConfig } from '../src/config/index.js';
import { isBlockedAddress } from '../src/core/net-guard.js';
import { createSender } from '../src/modules/delivery/sender.js';
import { managementHeaders, startTessera, type TestProject, type TestTessera } from './helpers/app.js';
import { startSink, type Sink } from './helpers/sink.js';

let guarded: TestTessera;
let p: TestProject;
let sink: Sink;

beforeAll(async () => {
  guarded = await startTessera();
  p = await guarded.createProject();
  sink = await startSink();
});
afterAll(async () => {
  await sink.close();
  await guarded.close();
});

const sinkPort = () => new URL(sink.url).port;

async function post(t: TestTessera, project: TestProject, body: object) {
  return t.app.inject({ method: 'POST', url: `/management/v1/projects/${project.id}/webhooks`, headers: managementHeaders, payload: body });
}

describe('target URLs refused when saved (private targets not allowed)', () => {
  const blocked: Array<[string, string]> = [
    ['http://127.0.0.1:8080/hook', '127.0.0.1'],
    ['http://10.1.2.3/hook', '10.1.2.3'],
    ['http://172.16.0.5/hook', '172.16.0.5'],
    ['http://172.31.255.254/hook', '172.31.255.254'],
    ['http://192.168.1.10/hook', '192.168.1.10'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[::1]:8080/hook', '::1'],
    ['http://[fc00::1]/hook', 'fc00::1'],
    ['http://0.0.0.0:8080/hook', '0.0.0.0'],
    // The URL parser turns these spellings of loopback into 127.0.0.1 before any check.
    ['http://2130706433/hook', '127.0.0.1'],
    ['http://127.1/hook', '127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/hook', '::ffff:7f00:1'],
    ['http://[::127.0.0.1]/hook', '::7f00:1'],
    ['http://[64:ff9b:1::a9fe:a9fe]/hook', '64:ff9b:1::a9fe:a9fe'],
  ];

  it.each(blocked)('%s is refused with 400 invalid_payload naming %s', async (url, address) => {
    const res = await post(guarded, p, { target_url: url, events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(res.json().details).toContain('not allowed');
    expect(res.json().details).toContain(address);
  });

  // IPv6 forms that carry a blocked IPv4 address, refused naming both.
  const carrying: Array<[string, string, string]> = [
    // IPv4-translated (::ffff:0:a.b.c.d), which the URL parser stores as [::ffff:0:7f00:1].
    ['http://[::ffff:0:127.0.0.1]/hook', '::ffff:0:7f00:1', '127.0.0.1'],
    // 6to4: the IPv4 address in bits 16..47.
    ['http://[2002:7f00:1::]/hook', '2002:7f00:1::', '127.0.0.1'],
    ['http://[2002:a9fe:a9fe::1]/hook', '2002:a9fe:a9fe::1', '169.254.169.254'],
    // Teredo: the client's IPv4 address is the last 32 bits inverted (80ff:fffe -> 127.0.0.1).
    ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook', '2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'],
  ];

  it.each(carrying)('%s is refused with 400 invalid_payload naming %s and the %s it carries', async (url, address, v4) => {
    const res = await post(guarded, p, { target_url: url, events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 400, key: 'invalid_payload' });
    expect(res.json().details).toContain(`${address} is a blocked address (it carries ${v4})`);
  });

  it.each(['http://[2002:808:808::]/hook', 'http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/hook', 'http://[::ffff:0:808:808]/hook'])(
    '%s, carrying the public 8.8.8.8, is accepted',
    async (url) => {
      const res = await post(guarded, p, { target_url: url, events: ['customer.created'] });
      expect(res.statusCode, res.body).toBe(200);
    },
  );

  it('refuses the hostname localhost, which resolves to loopback, naming the address', async () => {
    const res = await post(guarded, p, { target_url: `http://localhost:${sinkPort()}/hook`, events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    expect(res.json().details).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
  });

  it('refuses a host that does not resolve', async () => {
    const res = await post(guarded, p, { target_url: 'https://no-such-host.invalid/hook', events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ key: 'invalid_payload' });
    expect(res.json().details).toMatch(/cannot be resolved/);
  });

  it('refuses a blocked target on PUT too, and accepts a public address', async () => {
    const ok = await post(guarded, p, { target_url: 'https://93.184.215.14/hook', events: ['customer.created'] });
    expect(ok.statusCode, ok.body).toBe(200);
    const res = await guarded.app.inject({
      method: 'PUT',
      url: `/management/v1/projects/${p.id}/webhooks/${ok.json().id}`,
      headers: managementHeaders,
      payload: { target_url: 'http://10.0.0.1/hook', events: ['customer.created'] },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().details).toContain('10.0.0.1');
  });
});

describe('target checked again at connect time', () => {
  it('a webhook saved where private targets were allowed is not delivered by an instance that refuses them', async () => {
    const open = await startTessera({ env: { TESSERA_ALLOW_PRIVATE_TARGETS: 'true' } });
    // A second set of services on the same database, configured like production.
    const strict = createServices(open.tessera.db, loadConfig({}));
    try {
      const q = await open.createProject();
      const created = await post(open, q, { target_url: `http://localhost:${sinkPort()}/hook`, events: ['customer.created'] });
      expect(created.statusCode, created.body).toBe(200);
      const webhookId = created.json().id;
      const customer = await open.app.inject({ method: 'POST', url: '/v1/customers', headers: q.server, payload: { source_id: 'ssrf' } });
      expect(customer.statusCode).toBe(200);

      const before = sink.received.length;
      expect(await strict.delivery.deliverDue('strict-worker')).toBe(1);
      expect(sink.received.length).toBe(before);
      const mgmt = (method: 'GET' | 'POST' | 'PUT', path: string, payload?: object) =>
        open.app.inject({ method, url: `/management/v1/projects/${q.id}${path}`, headers: managementHeaders, ...(payload ? { payload } : {}) });
      const list = (await mgmt('GET', '/webhook-sendouts')).json();
      expect(list.data).toHaveLength(1);
      const sendout = (await mgmt('GET', `/webhook-sendouts/${list.data[0].id}`)).json();
      expect(sendout.status).toBe('failed');
      expect(sendout.attempts_log).toHaveLength(1);
      expect(sendout.attempts_log[0]).toMatchObject({ outcome: 'give_up', status_code: null });
      expect(sendout.attempts_log[0].error).toMatch(/blocked target/);
      expect((await mgmt('GET', `/webhooks/${webhookId}`)).json()).toMatchObject({ active: false, disabled_reason: expect.stringMatching(/blocked/) });

      // Control: the same sendout, re-enabled and retried by the permissive instance, does arrive.
      const body = { target_url: `http://localhost:${sinkPort()}/hook`, events: ['customer.created'], active: true };
      expect((await mgmt('PUT', `/webhooks/${webhookId}`, body)).statusCode).toBe(200);
      expect((await mgmt('POST', `/webhook-sendouts/${sendout.id}/retry`)).statusCode).toBe(200);
      expect(await open.tessera.services.delivery.deliverDue('open-worker')).toBe(1);
      expect(sink.received.length).toBe(before + 1);
      expect(sink.received.at(-1)!.json.id).toBe(sendout.id);
    } finally {
      await strict.close();
      await open.close();
    }
  });

  it('the sender refuses loopback names and literals without sending', async () => {
    const sender = createSender({ allowPrivateTargets: false, timeoutMs: 2000 });
    const permissive = createSender({ allowPrivateTargets: true, timeoutMs: 2000 });
    try {
      const before = sink.received.length;
      for (const url of [
        `http://localhost:${sinkPort()}/hook`,
        `http://127.0.0.1:${sinkPort()}/hook`,
        `http://[::ffff:127.0.0.1]:${sinkPort()}/hook`,
        `http://[::ffff:0:127.0.0.1]:${sinkPort()}/hook`,
        `http://[2002:7f00:1::]:${sinkPort()}/hook`,
        `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${sinkPort()}/hook`,
      ]) {
        const r = await sender.send(url, '{}', { 'content-type': 'application/json' }, new Date());
        expect(r.blocked, url).toBe(true);
        expect(r.statusCode).toBeUndefined();
        expect(r.error).toMatch(/blocked target/);
      }
      expect(sink.received.length).toBe(before);
      const ok = await permissive.send(`http://localhost:${sinkPort()}/hook`, '{}', { 'content-type': 'application/json' }, new Date());
      expect(ok.statusCode).toBe(200);
      expect(sink.received.length).toBe(before + 1);
    } finally {
      await sender.close();
      await permissive.close();
    }
  });
});

describe('isBlockedAddress', () => {
  it.each(['127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255'])(
    'blocks IPv4 %s',
    (a) => expect(isBlockedAddress(a)).toBe(true),
  );
  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.15.255.255', '172.32.0.1', '192.169.0.1', '169.255.0.1', '11.0.0.1'])(
    'allows public IPv4 %s',
    (a) => expect(isBlockedAddress(a)).toBe(false),
  );
  it.each(['::1', '::', 'fc00::1', 'fd12:3456:789a::1', 'fe80::1', 'ff02::1', '0:0:0:0:0:0:0:1'])('blocks IPv6 %s', (a) =>
    expect(isBlockedAddress(a)).toBe(true),
  );
  it.each(['2001:4860:4860::8888', '2606:4700:4700::1111', '2a00:1450:4001::200e'])('allows public IPv6 %s', (a) =>
    expect(isBlockedAddress(a)).toBe(false),
  );
  it.each(['::ffff:127.0.0.1', '::FFFF:10.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '::ffff:192.168.1.1', '0:0:0:0:0:ffff:7f00:1'])(
    'blocks IPv4-mapped IPv6 %s of a blocked IPv4',
    (a) => expect(isBlockedAddress(a)).toBe(true),
  );
  it.each(['::ffff:8.8.8.8', '::ffff:808:808'])('allows IPv4-mapped IPv6 %s of a public IPv4', (a) => expect(isBlockedAddress(a)).toBe(false));
  it.each([
    ['IPv4-translated', '::ffff:0:7f00:1'],
    ['IPv4-translated', '::ffff:0:127.0.0.1'],
    ['IPv4-translated', '0:0:0:0:ffff:0:a00:1'],
    ['IPv4-compatible', '::127.0.0.1'],
    ['IPv4-compatible', '::a9fe:a9fe'],
    ['NAT64', '64:ff9b::7f00:1'],
    ['NAT64', '64:ff9b::10.0.0.1'],
    ['local-use NAT64', '64:ff9b:1::a9fe:a9fe'],
    ['local-use NAT64', '64:ff9b:1:2::c0a8:101'],
    ['6to4', '2002:7f00:1::'],
    ['6to4', '2002:a00:1::1'],
    ['6to4', '2002:c0a8:101:1::1'],
    ['6to4', '2002:a9fe:a9fe:0:0:0:0:1'],
    ['Teredo (client 127.0.0.1)', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
    ['Teredo (client 10.0.0.1)', '2001:0:4136:e378:8000:63bf:f5ff:fffe'],
    ['Teredo (client 169.254.169.254)', '2001::4136:e378:8000:63bf:5601:5601'],
    ['Teredo (server 10.0.0.1)', '2001:0:a00:1:8000:63bf:f7f7:f7f7'],
    ['Teredo (server 192.168.1.1)', '2001:0:c0a8:101::'],
  ])('blocks %s %s, which carries a blocked IPv4', (_form, a) => expect(isBlockedAddress(a)).toBe(true));
  it.each([
    ['IPv4-translated', '::ffff:0:808:808'],
    ['IPv4-translated', '::ffff:0:8.8.8.8'],
    ['6to4', '2002:808:808::'],
    ['6to4', '2002:808:808:1:2:3:4:5'],
    ['6to4', '2002:5db8:d70e::1'],
    ['Teredo (server 65.54.227.120, client 8.8.8.8)', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
    ['Teredo (client 1.2.3.4)', '2001:0:4136:e378:8000:63bf:fefd:fcfb'],
  ])('allows %s %s, which carries only public IPv4', (_form, a) => expect(isBlockedAddress(a)).toBe(false));
  it.each(['::808:808', '::8.8.8.8', '64:ff9b::808:808', '64:ff9b::8.8.8.8', '64:ff9b:1::808:808'])(
    'keeps blocking the whole IPv4-compatible and NAT64 ranges, public IPv4 inside or not: %s',
    (a) => expect(isBlockedAddress(a)).toBe(true),
  );
  it.each(['fe80::1%eth0', 'fe80::1%1', '2001:4860:4860::8888%eth0', '::ffff:8.8.8.8%lo'])('blocks %s, which has a zone id', (a) =>
    expect(isBlockedAddress(a)).toBe(true),
  );
  it('reads every spelling of an address alike', () => {
    for (const a of ['2002:7f00:0001:0000:0000:0000:0000:0000', '2002:7F00:1::', '2002:7f00:1:0::0', '0:0:0:0:ffff:0:7f00:1', '0:0:0:0:ffff:0:127.0.0.1']) {
      expect(isIP(a), a).toBe(6);
      expect(isBlockedAddress(a), a).toBe(true);
    }
    for (const a of ['2002:0808:0808:0000:0000:0000:0000:0000', '2002:808:808::0', '2001:4860:4860:0:0:0:0:8888', '1:2:3:4:5:6:1.2.3.4']) {
      expect(isBlockedAddress(a), a).toBe(false);
    }
  });
  it('treats anything that is not an IP address as blocked', () => {
    for (const a of ['localhost', '', 'example.com', '999.1.1.1']) expect(isBlockedAddress(a)).toBe(true);
  });
});

import { createHmac } from 'node:crypto';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { closeAfterEach, defineSchema, startTessera, type TestProject } from './helpers/app.js';
import { allSendouts, createCustomer, deliverAll, mgmt } from './helpers/sendouts.js';

/**
 * Webhooks published to RabbitMQ (our extension, as Outpost has them): a real broker on this machine (127.0.0.1:5672,
 * guest/guest), real queues, the same envelope and signatures as HTTP deliveries, the same retries.
 */
const brokerUrl = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
let amqp: ChannelModel | undefined;
try {
  amqp = await connect(brokerUrl, { timeout: 3000 });
} catch {
  amqp = undefined;
}
const noBroker = amqp === undefined;
if (noBroker) console.warn(`webhooks-brokers: no RabbitMQ at ${brokerUrl.replace(/\/\/[^@]*@/, '//')}; skipped`);

const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
let nats: NatsConnection | undefined;
try {
  nats = await natsConnect({ servers: natsUrl.replace(/^nats:\/\//, ''), timeout: 3000 });
  await (await nats.jetstreamManager()).getAccountInfo();
} catch {
  await nats?.close();
  nats = undefined;
}
const noNats = nats === undefined;
if (noNats) console.warn(`webhooks-brokers: no NATS with JetStream at ${natsUrl}; skipped`);

const closing = closeAfterEach();
const start = new Date('2025-06-06T06:00:00.000Z');
const env = { TESSERA_BROKERS: JSON.stringify({ local: brokerUrl, down: 'amqp://guest:guest@127.0.0.1:1', stream: natsUrl }) };

async function queue(name: string): Promise<{ messages: ConsumeMessage[] }> {
  const ch = await amqp!.createChannel();
  await ch.assertQueue(name, { exclusive: true, autoDelete: true });
  await ch.bindQueue(name, 'amq.direct', name);
  const messages: ConsumeMessage[] = [];
  await ch.consume(name, (m) => m && messages.push(m), { noAck: true });
  return { messages };
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe.skipIf(noBroker)('webhooks to RabbitMQ', () => {
  afterAll(async () => amqp?.close());

  it('publishes the signed envelope to the exchange with the routing key, confirmed, persistent, once', async () => {
    const t = closing(await startTessera({ clock: fixedClock(start), env }));
    const p: TestProject = await t.createProject();
    const name = `tessera-test-${Math.random().toString(36).slice(2)}`;
    const q = await queue(name);
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: `rabbitmq://local/amq.direct?routing_key=${name}`, events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().target_url).toBe(`rabbitmq://local/amq.direct?routing_key=${name}`);
    await createCustomer(t, p, 'ann');
    await deliverAll(t);
    await waitFor(() => q.messages.length > 0);
    expect(q.messages).toHaveLength(1);
    const m = q.messages[0]!;
    const body = m.content.toString('utf8');
    const envelope = JSON.parse(body);
    expect(envelope).toMatchObject({ type: 'customer.created', data: { customer: { source_id: 'ann' } }, source: { object: 'webhook', target_url: `rabbitmq://local/amq.direct?routing_key=${name}` } });
    expect(m.properties).toMatchObject({ contentType: 'application/json', messageId: envelope.id, deliveryMode: 2 });
    const headers = m.properties.headers as Record<string, string>;
    expect(headers['x-voucherify-signature']).toBe(createHmac('sha256', p.webhookToken).update(body).digest('hex'));
    expect(headers['webhook-id']).toBe(envelope.id);
    const [s] = await allSendouts(t, p.id);
    expect(s).toMatchObject({ status: 'sent', attempts: 1, last_status_code: null });
  });

  it('retries on schedule when no queue takes the message, or the broker is down; sends once a queue is bound', async () => {
    const clock = fixedClock(start);
    const t = closing(await startTessera({ clock, env }));
    const p = await t.createProject();
    const name = `tessera-test-${Math.random().toString(36).slice(2)}`;
    await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: `rabbitmq://local/amq.direct?routing_key=${name}`, events: ['customer.created'] });
    await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: 'rabbitmq://down/?routing_key=x', events: ['customer.created'] });
    await createCustomer(t, p, 'bob');
    await deliverAll(t);
    const after = await allSendouts(t, p.id);
    const unroutable = after.find((s) => s.target_url.includes(name))!;
    const down = after.find((s) => s.target_url.startsWith('rabbitmq://down'))!;
    expect(unroutable).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(unroutable.last_error).toMatch(/unroutable/);
    expect(down).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(down.last_error).toMatch(/ECONNREFUSED|connect/);
    // No password in what is stored or shown.
    expect(JSON.stringify(after)).not.toContain('guest:guest');
    const q = await queue(name);
    clock.set(new Date(start.getTime() + 2 * 60_000));
    await deliverAll(t);
    await waitFor(() => q.messages.length > 0);
    expect(q.messages).toHaveLength(1);
    expect((await allSendouts(t, p.id)).find((s) => s.id === unroutable.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it("publishes a distribution's messages to a broker too", async () => {
    const t = closing(await startTessera({ clock: fixedClock(start), env }));
    const p = await t.createProject();
    await defineSchema(t.app, p.id, 'sign_up', {});
    const name = `tessera-test-${Math.random().toString(36).slice(2)}`;
    const q = await queue(name);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/distributions',
      headers: p.server,
      payload: { name: 'Welcome', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: { type: 'webhook', target_url: `rabbitmq://local/amq.direct?routing_key=${name}`, event_name: 'welcome' } },
    });
    expect(created.statusCode, created.body).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/v1/events', headers: p.server, payload: { event: 'sign_up', customer: { source_id: 'dot' } } })).statusCode).toBe(200);
    await deliverAll(t);
    await waitFor(() => q.messages.length > 0);
    expect(q.messages).toHaveLength(1);
    expect(JSON.parse(q.messages[0]!.content.toString('utf8'))).toMatchObject({ type: 'welcome', source: { object: 'distribution', id: created.json().id } });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/distributions',
      headers: p.server,
      payload: { name: 'Nowhere', trigger: { type: 'customer.custom_event', event: 'sign_up' }, channel: { type: 'webhook', target_url: 'rabbitmq://elsewhere/x?routing_key=y', event_name: 'welcome' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toMatch(/\.channel\.target_url: no RabbitMQ broker 'elsewhere'/);
  });

  it('refuses brokers that are not configured and malformed rabbitmq and nats targets with a 400', async () => {
    const t = closing(await startTessera({ env }));
    const p = await t.createProject();
    for (const [url, message] of [
      ['rabbitmq://elsewhere/amq.direct?routing_key=a', /no RabbitMQ broker 'elsewhere' is configured \(configured: local, down\)/],
      ['rabbitmq://stream/amq.direct?routing_key=a', /no RabbitMQ broker 'stream'/],
      ['nats://local/orders', /no NATS broker 'local' is configured \(configured: stream\)/],
      ['nats://stream/orders.*', /subject 'orders.\*' must be tokens/],
      ['nats://stream/orders?x=1', /no query or fragment/],
      ['rabbitmq://user:pw@local/amq.direct?routing_key=a', /without credentials or port/],
      ['rabbitmq://local:5672/amq.direct?routing_key=a', /without credentials or port/],
      ['rabbitmq://local/amq.direct', /one query parameter, routing_key/],
      ['rabbitmq://local/amq.direct?routing_key=a&x=1', /one query parameter, routing_key/],
      ['rabbitmq://local/bad%20exchange?routing_key=a', /exchange 'bad exchange'/],
      ['amqp://local/amq.direct?routing_key=a', /must use http or https, or be rabbitmq:\/\/BROKER\/EXCHANGE\?routing_key=KEY, nats:\/\/BROKER\/SUBJECT or redis:/],
    ] as const) {
      const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: url, events: ['customer.created'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().details ?? res.json().message, url).toMatch(message);
    }
  });
});

describe.skipIf(noNats)('webhooks to NATS JetStream', () => {
  afterAll(async () => nats?.close());

  it('stores the signed envelope in the stream of the subject, once even when retried; no stream is a retry', async () => {
    const clock = fixedClock(start);
    const t = closing(await startTessera({ clock, env }));
    const p = await t.createProject();
    const name = `tessera_test_${Math.random().toString(36).slice(2)}`;
    const subject = `tessera.test.${name}`;
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: `nats://stream/${subject}`, events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(200);
    // No stream captures the subject yet: retried, with the reason.
    await createCustomer(t, p, 'cy');
    await deliverAll(t);
    const [first] = await allSendouts(t, p.id);
    expect(first).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(first.last_error).toMatch(/no stream captures the subject/);
    const jsm = await nats!.jetstreamManager();
    await jsm.streams.add({ name, subjects: [subject] });
    try {
      clock.set(new Date(start.getTime() + 2 * 60_000));
      await deliverAll(t);
      expect((await allSendouts(t, p.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
      const stored = await jsm.streams.getMessage(name, { seq: 1 });
      const body = Buffer.from(stored.data).toString('utf8');
      const envelope = JSON.parse(body);
      expect(envelope).toMatchObject({ id: first.id, type: 'customer.created', data: { customer: { source_id: 'cy' } } });
      expect(stored.header.get('x-voucherify-signature')).toBe(createHmac('sha256', p.webhookToken).update(body).digest('hex'));
      expect(stored.header.get('Nats-Msg-Id')).toBe(first.id);
      // Sent again by hand (same id and bytes): the stream keeps one copy.
      expect((await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${first.id}/retry`)).statusCode).toBe(200);
      await deliverAll(t);
      expect((await jsm.streams.info(name)).state.messages).toBe(1);
    } finally {
      await jsm.streams.delete(name);
    }
  });
});

describe('TESSERA_BROKERS', () => {
  it('is refused at start when it is not a JSON object of names to amqp URLs, without repeating the URL', async () => {
    const { loadConfig, ConfigError } = await import('../src/config/index.js');
    const base = { TESSERA_MANAGEMENT_ID: 'm', TESSERA_MANAGEMENT_TOKEN: 't'.repeat(32) };
    expect(() => loadConfig({ ...base, TESSERA_BROKERS: 'amqp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TESSERA_BROKERS: '{"bad name": "amqp://x"}' })).toThrow(/broker name/);
    let message = '';
    try {
      loadConfig({ ...base, TESSERA_BROKERS: '{"q": "http://user:secret@x"}' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/needs an amqp:\/\/, amqps:\/\/, nats:\/\/, redis:\/\/, rediss:\/\/, smtp:\/\/ or smtps:\/\/ URL/);
    expect(message).not.toContain('secret');
    // An SMTP server needs its sender's address; the credentials are not repeated either.
    let smtpMessage = '';
    try {
      loadConfig({ ...base, TESSERA_BROKERS: '{"mail": "smtps://user:secret@mail.example.com:465"}' });
    } catch (err) {
      smtpMessage = (err as Error).message;
    }
    expect(smtpMessage).toMatch(/SMTP server mail needs the sender's address, \?from=/);
    expect(smtpMessage).not.toContain('secret');
    expect(loadConfig({ ...base, TESSERA_BROKERS: '{"mail": "smtps://u:p@mail.example.com:465?from=shop@example.com"}' }).brokers).toEqual({ mail: 'smtps://u:p@mail.example.com:465?from=shop@example.com' });
    expect(loadConfig({ ...base, TESSERA_BROKERS: '{"Events": "amqps://u:p@rabbit/vh"}' }).brokers).toEqual({ events: 'amqps://u:p@rabbit/vh' });
  });
});

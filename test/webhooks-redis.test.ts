import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/core/clock.js';
import { redisUrl, testRedis } from './helpers/redis.js';
import { closeAfterEach, startTessera } from './helpers/app.js';
import { allSendouts, createCustomer, deliverAll, mgmt } from './helpers/sendouts.js';

/**
 * Webhooks appended to Redis Streams (our extension): a real Redis on this machine (127.0.0.1:6379), the same
 * envelope and signatures as HTTP deliveries as the entry's fields, the same retries, and one entry per message even
 * when it is sent again.
 */
const connected = await testRedis('webhooks-redis');
const noRedis = connected === undefined;
const redis = connected!;

const closing = closeAfterEach();
const start = new Date('2025-06-06T06:00:00.000Z');
const env = { TESSERA_BROKERS: JSON.stringify({ cache: redisUrl, gone: 'redis://:s3cret-pass@127.0.0.1:1', queue: 'amqp://guest:guest@127.0.0.1:5672' }) };
const streams: string[] = [];
const newStream = () => {
  const name = `tessera-test-${Math.random().toString(36).slice(2)}`;
  streams.push(name);
  return name;
};

describe.skipIf(noRedis)('webhooks to Redis Streams', () => {
  afterAll(async () => {
    for (const s of streams) await redis.del(s);
    if (!noRedis) await redis.close();
  });

  it('appends the signed envelope and its headers as one entry of the stream, once even when sent again', async () => {
    const t = closing(await startTessera({ clock: fixedClock(start), env }));
    const p = await t.createProject();
    const stream = newStream();
    const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: `redis://cache/${stream}?maxlen=1000`, events: ['customer.created'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().target_url).toBe(`redis://cache/${stream}?maxlen=1000`);
    await createCustomer(t, p, 'ann');
    await deliverAll(t);
    const entries = await redis.xRange(stream, '-', '+');
    expect(entries).toHaveLength(1);
    const fields = entries[0]!.message as Record<string, string>;
    const envelope = JSON.parse(fields.body!);
    expect(envelope).toMatchObject({ type: 'customer.created', data: { customer: { source_id: 'ann' } }, source: { object: 'webhook', target_url: `redis://cache/${stream}?maxlen=1000` } });
    expect(fields['x-voucherify-signature']).toBe(createHmac('sha256', p.webhookToken).update(fields.body!).digest('hex'));
    expect(fields['webhook-id']).toBe(envelope.id);
    expect(fields['content-type']).toBe('application/json');
    const [s] = await allSendouts(t, p.id);
    expect(s).toMatchObject({ status: 'sent', attempts: 1 });
    // Sent again by hand (same id): the stream keeps one entry.
    expect((await mgmt(t, 'POST', `/projects/${p.id}/webhook-sendouts/${s.id}/retry`)).statusCode).toBe(200);
    await deliverAll(t);
    expect(await redis.xLen(stream)).toBe(1);
    expect((await allSendouts(t, p.id))[0]).toMatchObject({ id: s.id, status: 'sent' });
  });

  it('retries on schedule when Redis is down or the key is not a stream; the retry appends once the key is free', async () => {
    const clock = fixedClock(start);
    const t = closing(await startTessera({ clock, env }));
    const p = await t.createProject();
    const stream = newStream();
    await redis.set(stream, 'not a stream');
    await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: `redis://cache/${stream}`, events: ['customer.created'] });
    await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: 'redis://gone/anything', events: ['customer.created'] });
    await createCustomer(t, p, 'bob');
    await deliverAll(t);
    const after = await allSendouts(t, p.id);
    const wrong = after.find((x) => x.target_url.includes(stream))!;
    const down = after.find((x) => x.target_url.startsWith('redis://gone'))!;
    expect(wrong).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(wrong.last_error).toMatch(/WRONGTYPE/);
    expect(down).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(down.last_error).toMatch(/ECONNREFUSED|connect/);
    // No password in what is stored or shown.
    expect(JSON.stringify(after)).not.toContain('s3cret-pass');
    // The failed append left no marker: once the key is free, the retry appends the message.
    await redis.del(stream);
    clock.set(new Date(start.getTime() + 2 * 60_000));
    await deliverAll(t);
    expect((await allSendouts(t, p.id)).find((x) => x.id === wrong.id)).toMatchObject({ status: 'sent', attempts: 2 });
    const entries = await redis.xRange(stream, '-', '+');
    expect(entries.map((e) => JSON.parse((e.message as Record<string, string>).body!).id)).toEqual([wrong.id]);
  });

  it('refuses Redis brokers that are not configured and malformed redis targets with a 400', async () => {
    const t = closing(await startTessera({ env }));
    const p = await t.createProject();
    for (const [url, message] of [
      ['redis://elsewhere/orders', /no Redis broker 'elsewhere' is configured \(configured: cache, gone\)/],
      ['redis://queue/orders', /no Redis broker 'queue'/],
      ['rabbitmq://cache/x?routing_key=y', /no RabbitMQ broker 'cache'/],
      ['redis://user:pw@cache/orders', /without credentials or port/],
      ['redis://cache:6379/orders', /without credentials or port/],
      ['redis://cache/', /the stream '' must be 1 to 255/],
      ['redis://cache/bad%20stream', /the stream 'bad stream'/],
      ['redis://cache/orders?maxlen=0', /one optional query parameter, maxlen/],
      ['redis://cache/orders?maxlen=ten', /one optional query parameter, maxlen/],
      ['redis://cache/orders?maxlen=10&x=1', /one optional query parameter, maxlen/],
      ['redis://cache/orders#x', /no fragment/],
    ] as const) {
      const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: url, events: ['customer.created'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().details ?? res.json().message, url).toMatch(message);
    }
  });
});

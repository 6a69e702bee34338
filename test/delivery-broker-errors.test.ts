import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.js';
import { describeBrokerError } from '../src/modules/delivery/broker-errors.js';
import { closeAfterEach, startTessera } from './helpers/app.js';
import { allSendouts, createCustomer, deliverAll, getSendout, mgmt } from './helpers/sendouts.js';

/**
 * A broker's address stays in Tessera's environment: when it cannot be reached, the audit log, the stats and the log
 * lines name the broker, never its host or port. Brokers on closed local ports (nothing listens there).
 */
const brokers = { deadr: 'amqp://guest:s3cret-amqp@127.0.0.1:5690', deadredis: 'redis://:s3cret-redis@127.0.0.1:6390', deadnats: 'nats://127.0.0.1:4290' };
const closing = closeAfterEach();

describe('an unreachable broker', () => {
  it('is named, not addressed, in the audit log, the stats and the log lines', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const t = closing(await startTessera({ env: { TESSERA_BROKERS: JSON.stringify(brokers) }, logger: createLogger('debug', { destination }) }));
    const p = await t.createProject();
    const hooks: Record<string, string> = {};
    for (const target of ['rabbitmq://deadr/orders?routing_key=k', 'redis://deadredis/orders', 'nats://deadnats/orders.created']) {
      const res = await mgmt(t, 'POST', `/projects/${p.id}/webhooks`, { target_url: target, events: ['customer.created'] });
      expect(res.statusCode, res.body).toBe(200);
      hooks[target.split('/')[2]!] = res.json().id;
    }
    await createCustomer(t, p, 'alice');
    await deliverAll(t);

    const sendouts = await allSendouts(t, p.id);
    expect(sendouts).toHaveLength(3);
    const shown: string[] = [];
    for (const [name, id] of Object.entries(hooks)) {
      const s = sendouts.find((x) => x.webhook_id === id || x.source?.id === id || x.target_url.includes(`//${name}/`))!;
      expect(s).toMatchObject({ status: 'retrying', attempts: 1 });
      expect(s.last_error).toBe(`broker '${name}' unreachable (connection refused)`);
      const full = await getSendout(t, p.id, s.id);
      const stats = (await mgmt(t, 'GET', `/projects/${p.id}/webhooks/${id}/stats`)).json();
      expect(stats.last_attempt.error).toBe(s.last_error);
      shown.push(JSON.stringify(full), JSON.stringify(stats));
    }
    for (const text of [...shown, ...lines]) {
      for (const leak of ['127.0.0.1', '5690', '6390', '4290', 's3cret', 'ECONNREFUSED']) expect(text).not.toContain(leak);
    }
  });
});

describe('describeBrokerError', () => {
  it('says what went wrong in neutral words, without the address', () => {
    const err = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(describeBrokerError(err('ENOTFOUND', 'getaddrinfo ENOTFOUND rabbit.internal'), 'events', 'amqp://u:p@rabbit.internal:5672')).toBe("broker 'events' unreachable (its host name does not resolve)");
    expect(describeBrokerError(err('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.5:5672'), 'events', 'amqp://10.0.0.5:5672')).toBe("broker 'events' unreachable (connection timed out)");
    expect(describeBrokerError(new AggregateError([err('ECONNREFUSED', 'connect ECONNREFUSED ::1:6379'), err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6379')]), 'c', 'redis://localhost:6379')).toBe("broker 'c' unreachable (connection refused)");
    expect(describeBrokerError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), 'c', 'redis://x:6379')).toMatch(/^WRONGTYPE/);
    expect(describeBrokerError(new Error('Socket closed unexpectedly by mq.example.com:5671 (user bob)'), 'q', 'amqps://bob:pw@mq.example.com:5671/vh')).not.toMatch(/mq\.example\.com|5671|bob|pw/);
  });
});

/**
 * Publishing sendouts to message brokers: RabbitMQ (broker-amqp.ts), NATS JetStream (broker-nats.ts) or Redis Streams
 * (broker-redis.ts), or sending them as e-mail (broker-smtp.ts), by target.
 */
import { createAmqpPublisher } from './broker-amqp.js';
import { createNatsPublisher } from './broker-nats.js';
import { createRedisPublisher } from './broker-redis.js';
import { createSmtpPublisher } from './broker-smtp.js';
import type { BrokerTarget } from './targets.js';

export function createBrokerPublisher(options: { brokers: Readonly<Record<string, string>>; timeoutMs: number }) {
  const amqp = createAmqpPublisher(options);
  const nats = createNatsPublisher(options);
  const redis = createRedisPublisher(options);
  const smtp = createSmtpPublisher(options);
  return {
    /** Resolves once the broker has the message (confirmed or stored); rejects with the reason otherwise. */
    publish: (target: BrokerTarget, body: string, headers: Record<string, string>, id: string): Promise<void> =>
      target.kind === 'nats'
        ? nats.publish(target, body, headers, id)
        : target.kind === 'redis'
          ? redis.publish(target, body, headers, id)
          : target.kind === 'smtp'
            ? smtp.publish(target, body, headers, id)
            : amqp.publish(target, body, headers, id),
    close: async () => {
      await Promise.all([amqp.close(), nats.close(), redis.close(), smtp.close()]);
    },
  };
}

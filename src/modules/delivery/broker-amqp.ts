/**
 * Publishing sendouts to RabbitMQ (AMQP 0-9-1, through amqplib) instead of POSTing them: one connection and confirm
 * channel per configured broker, opened at first use and again after it closes. A message is delivered when the
 * broker confirms it; one no queue takes (published `mandatory`, returned) or refused is not.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { BrokerTarget } from './targets.js';
import { withDeadline } from '../../core/deadline.js';

interface Link {
  conn: ChannelModel;
  ch: ConfirmChannel;
  /** Message ids the broker returned as unroutable, until their confirm arrives. */
  returned: Set<string>;
}

export function createAmqpPublisher(options: { brokers: Readonly<Record<string, string>>; timeoutMs: number }) {
  const links = new Map<string, Promise<Link>>();

  const withTimeout = <T>(p: Promise<T>, what: string): Promise<T> => withDeadline(p, options.timeoutMs, `timeout: ${what} took longer than ${options.timeoutMs} ms`);

  function link(name: string): Promise<Link> {
    const known = links.get(name);
    if (known) return known;
    const opening: Promise<Link> = (async () => {
      const conn = await connect(options.brokers[name]!, { timeout: options.timeoutMs });
      const drop = () => {
        if (links.get(name) === opening) links.delete(name);
      };
      // Errors also close: listened to so that they never go unhandled; the next publish opens anew.
      conn.on('error', drop);
      conn.on('close', drop);
      const ch = await conn.createConfirmChannel();
      const returned = new Set<string>();
      ch.on('return', (m) => {
        if (typeof m.properties.messageId === 'string') returned.add(m.properties.messageId);
      });
      ch.on('error', drop);
      ch.on('close', drop);
      return { conn, ch, returned };
    })();
    links.set(name, opening);
    opening.catch(() => {
      if (links.get(name) === opening) links.delete(name);
    });
    return opening;
  }

  /** Publishes one message and resolves once the broker confirmed it; rejects with the reason otherwise. */
  async function publish(target: Extract<BrokerTarget, { kind: 'rabbitmq' }>, body: string, headers: Record<string, string>, id: string): Promise<void> {
    if (options.brokers[target.broker] === undefined) throw new Error(`no broker '${target.broker}' is configured (TESSERA_BROKERS)`);
    const { ch, returned } = await withTimeout(link(target.broker), `connecting to broker ${target.broker}`);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        try {
          ch.publish(target.exchange, target.routingKey, Buffer.from(body), { persistent: true, mandatory: true, contentType: 'application/json', messageId: id, headers }, (err: unknown) => {
            const wasReturned = returned.delete(id);
            if (err) return reject(new Error(`the broker refused the message: ${(err as Error)?.message ?? String(err)}`));
            if (wasReturned) return reject(new Error(`unroutable: no queue is bound to exchange '${target.exchange || '(default)'}' with routing key '${target.routingKey}'`));
            resolve();
          });
        } catch (err) {
          reject(err);
        }
      }),
      `the broker's confirmation`,
    );
  }

  async function close(): Promise<void> {
    const open = [...links.values()];
    links.clear();
    for (const l of open) await l.then((x) => x.conn.close()).catch(() => undefined);
  }

  return { publish, close };
}


/**
 * Publishing sendouts to NATS JetStream (through nats.js) instead of POSTing them: one connection per configured
 * broker, opened at first use and again after it closes. A message is delivered when a stream stores it (its PubAck);
 * a subject no stream captures ("no responders") is not. The sendout id is the JetStream message id, so a retry the
 * stream already stored within its duplicate window is acknowledged as a duplicate, not stored twice.
 */
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import type { BrokerTarget } from './targets.js';

export function createNatsPublisher(options: { brokers: Readonly<Record<string, string>>; timeoutMs: number }) {
  const links = new Map<string, Promise<NatsConnection>>();

  function link(name: string): Promise<NatsConnection> {
    const known = links.get(name);
    if (known) return known;
    // Credentials from the URL go to the client's options, not into its server list.
    const url = new URL(options.brokers[name]!);
    const opening = connect({
      servers: `${url.hostname}:${url.port || 4222}`,
      ...(url.username && url.password ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : url.username ? { token: decodeURIComponent(url.username) } : {}),
      timeout: options.timeoutMs,
      name: 'tessera-webhooks',
    });
    links.set(name, opening);
    const forget = () => {
      if (links.get(name) === opening) links.delete(name);
    };
    opening.then((nc) => nc.closed().then(forget), forget);
    return opening;
  }

  async function publish(target: Extract<BrokerTarget, { kind: 'nats' }>, body: string, headers: Record<string, string>, id: string): Promise<void> {
    if (options.brokers[target.broker] === undefined) throw new Error(`no broker '${target.broker}' is configured (TESSERA_BROKERS)`);
    const nc = await link(target.broker);
    const h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    try {
      await nc.jetstream().publish(target.subject, Buffer.from(body), { msgID: id, headers: h, timeout: options.timeoutMs });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      if (e.code === '503') throw new Error(`no stream captures the subject '${target.subject}' (no responders)`);
      throw err;
    }
  }

  async function close(): Promise<void> {
    const open = [...links.values()];
    links.clear();
    for (const l of open) await l.then((nc) => nc.close()).catch(() => undefined);
  }

  return { publish, close };
}

/**
 * Publishing sendouts to Redis Streams (through node-redis) instead of POSTing them: one connection per configured
 * broker, opened at first use and again after it fails. A message is delivered when XADD has appended it. Redis keeps
 * no message ids of its own, so each append is guarded, in one script, by a marker of the sendout id kept for 24
 * hours: a retry of a message the stream already holds is acknowledged, not appended twice.
 */
import { createClient } from 'redis';
import { withDeadline } from '../../core/deadline.js';
import type { BrokerTarget } from './targets.js';

/** How long a stream remembers a sendout id, so that a retry within it is not appended twice. */
export const redisDuplicateWindowS = 24 * 60 * 60;

// KEYS[1]: the stream, KEYS[2]: the sendout's marker. ARGV[1]: the window (s), ARGV[2]: MAXLEN (0: none), then
// field, value pairs. Answers the new entry's id, or false when the marker was there (appended before). The marker is
// set after the append: an append that fails (a key of another type) leaves none, so the retry appends.
const appendOnce = `
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
local args = {KEYS[1]}
if tonumber(ARGV[2]) > 0 then table.insert(args, 'MAXLEN'); table.insert(args, '~'); table.insert(args, ARGV[2]) end
table.insert(args, '*')
for i = 3, #ARGV do table.insert(args, ARGV[i]) end
local id = redis.call('XADD', unpack(args))
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
return id`;

type Client = ReturnType<typeof createClient>;

export function createRedisPublisher(options: { brokers: Readonly<Record<string, string>>; timeoutMs: number }) {
  const links = new Map<string, Promise<Client>>();

  function link(name: string): Promise<Client> {
    const known = links.get(name);
    if (known) return known;
    // No reconnection loop of the client's own: a failed connection fails the attempt (retried on schedule), and the
    // next attempt opens a new one.
    const client = createClient({ url: options.brokers[name]!, socket: { connectTimeout: options.timeoutMs, reconnectStrategy: false }, disableOfflineQueue: true });
    const forget = () => {
      if (links.get(name) === opening) links.delete(name);
    };
    client.on('error', forget);
    client.on('end', forget);
    const opening = client.connect().then(() => client as Client);
    links.set(name, opening);
    opening.catch(forget);
    return opening;
  }

  async function publish(target: Extract<BrokerTarget, { kind: 'redis' }>, body: string, headers: Record<string, string>, id: string): Promise<void> {
    if (options.brokers[target.broker] === undefined) throw new Error(`no broker '${target.broker}' is configured (TESSERA_BROKERS)`);
    const client = await link(target.broker);
    const fields = Object.entries(headers).flatMap(([k, v]) => [k.toLowerCase(), v]);
    await withDeadline(
      client.eval(appendOnce, { keys: [target.stream, `${target.stream}:tessera-sent:${id}`], arguments: [String(redisDuplicateWindowS), String(target.maxLength ?? 0), ...fields, 'body', body] }),
      options.timeoutMs,
      `Redis did not answer within ${options.timeoutMs} ms`,
    );
  }

  async function close(): Promise<void> {
    const open = [...links.values()];
    links.clear();
    for (const l of open) await l.then((c) => c.close()).catch(() => undefined);
  }

  return { publish, close };
}

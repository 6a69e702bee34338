/** What every outgoing webhook (project endpoint or distribution channel) may target and which headers it may set. */
import { invalidPayload } from '../../core/errors.js';
import { checkHost } from '../../core/net-guard.js';

/**
 * Header names callers may not set: HTTP framing (hop-by-hop headers and Expect, which the HTTP client refuses to
 * send, so every delivery would fail) and the signature headers Tessera writes.
 */
export const reservedHeaders = [
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'x-voucherify-signature',
  'x-voucherify-signature-previous',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
];

export const headersSchema = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$" },
  // A field value (RFC 9110 5.5): visible ASCII, space, tab and obs-text; no control characters, nothing the HTTP
  // client would refuse at send time.
  additionalProperties: { type: 'string', maxLength: 2000, pattern: '^[\\t\\x20-\\x7e\\x80-\\xff]*$' },
} as const;

/**
 * A broker destination: `rabbitmq://BROKER/EXCHANGE?routing_key=KEY` (no exchange: RabbitMQ's default one),
 * `nats://BROKER/SUBJECT` (a JetStream stream's subject), or `redis://BROKER/STREAM[?maxlen=N]` (a Redis stream).
 */
export type BrokerTarget =
  | { kind: 'smtp'; broker: string }
  | { kind: 'rabbitmq'; broker: string; exchange: string; routingKey: string }
  | { kind: 'nats'; broker: string; subject: string }
  | { kind: 'redis'; broker: string; stream: string; maxLength?: number };

/** Whether a (checked) target sends e-mail: an `smtp://` server's name. */
export const isEmailTarget = (url: string): boolean => url.startsWith('smtp://');

/** The broker and address of a `rabbitmq://` or `nats://` target; undefined for any other URL. */
export function brokerTarget(raw: string): BrokerTarget | undefined {
  if (isEmailTarget(raw)) return { kind: 'smtp', broker: new URL(raw).hostname.toLowerCase() };
  if (raw.startsWith('rabbitmq://')) {
    const url = new URL(raw);
    return { kind: 'rabbitmq', broker: url.hostname.toLowerCase(), exchange: decodeURIComponent(url.pathname.replace(/^\//, '')), routingKey: url.searchParams.get('routing_key') ?? '' };
  }
  if (raw.startsWith('nats://')) {
    const url = new URL(raw);
    return { kind: 'nats', broker: url.hostname.toLowerCase(), subject: decodeURIComponent(url.pathname.replace(/^\//, '')) };
  }
  if (raw.startsWith('redis://')) {
    const url = new URL(raw);
    const max = url.searchParams.get('maxlen');
    return { kind: 'redis', broker: url.hostname.toLowerCase(), stream: decodeURIComponent(url.pathname.replace(/^\//, '')), ...(max ? { maxLength: Number(max) } : {}) };
  }
  return undefined;
}

/** Configured brokers by name, with their kind (from the scheme of their URL). */
export type BrokerKind = 'rabbitmq' | 'nats' | 'redis' | 'smtp';
export type BrokerKinds = Readonly<Record<string, BrokerKind>>;

const brokerLabels: Record<BrokerKind, string> = { rabbitmq: 'RabbitMQ', nats: 'NATS', redis: 'Redis', smtp: 'SMTP' };

/** The kinds of configured brokers: amqp(s):// URLs are RabbitMQ, nats:// NATS, redis(s):// Redis. */
export function brokerKinds(brokers: Readonly<Record<string, string>>): BrokerKinds {
  return Object.fromEntries(
    Object.entries(brokers).map(([name, url]) => [name, url.startsWith('nats:') ? 'nats' : url.startsWith('redis') ? 'redis' : url.startsWith('smtp') ? 'smtp' : 'rabbitmq']),
  );
}

function brokerNamed(url: URL, field: string, brokers: BrokerKinds, kind: BrokerKind): string {
  const name = url.hostname.toLowerCase();
  if (url.username || url.password || url.port) throw invalidPayload(`Property ${field}: a ${kind}:// target names a broker configured in TESSERA_BROKERS, without credentials or port`);
  const names = Object.keys(brokers).filter((n) => brokers[n] === kind);
  if (!names.includes(name)) {
    throw invalidPayload(`Property ${field}: no ${brokerLabels[kind]} broker '${name}' is configured (${names.length ? `configured: ${names.join(', ')}` : 'TESSERA_BROKERS names none'})`);
  }
  return name;
}

/** A `nats://` target: a configured NATS broker and a subject to publish to (no wildcards); nothing else. */
function checkNatsUrl(url: URL, field: string, brokers: BrokerKinds): string {
  const name = brokerNamed(url, field, brokers, 'nats');
  const subject = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(subject) || subject.length > 255) {
    throw invalidPayload(`Property ${field}: the subject '${subject}' must be tokens of letters, digits, - or _ joined by dots (no wildcards), up to 255 characters`);
  }
  if (url.search || url.hash) throw invalidPayload(`Property ${field}: a nats:// target has no query or fragment`);
  return `nats://${name}/${subject}`;
}

/** An `smtp://` target: a configured SMTP server, nothing else (the message, its recipient included, is the body). */
function checkSmtpUrl(url: URL, field: string, brokers: BrokerKinds): string {
  const name = brokerNamed(url, field, brokers, 'smtp');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) throw invalidPayload(`Property ${field}: an smtp:// target is only a configured SMTP server's name (smtp://NAME)`);
  return `smtp://${name}`;
}

/** The most entries `?maxlen=` may keep in a Redis stream. */
const maxStreamLength = 1_000_000_000;

/** A `redis://` target: a configured Redis broker, a stream key, and optionally `maxlen` (trimmed about there on each append). */
function checkRedisUrl(url: URL, field: string, brokers: BrokerKinds): string {
  const name = brokerNamed(url, field, brokers, 'redis');
  const stream = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_.:{}-]{1,255}$/.test(stream)) throw invalidPayload(`Property ${field}: the stream '${stream}' must be 1 to 255 letters, digits, -, _, ., :, { or }`);
  const keys = [...url.searchParams.keys()];
  const max = url.searchParams.get('maxlen');
  if (keys.some((k) => k !== 'maxlen') || keys.length > 1 || (max !== null && !(/^[1-9][0-9]{0,9}$/.test(max) && Number(max) <= maxStreamLength))) {
    throw invalidPayload(`Property ${field}: a redis:// target takes one optional query parameter, maxlen (1 to ${maxStreamLength}: the stream is trimmed to about that many entries)`);
  }
  if (url.hash) throw invalidPayload(`Property ${field}: a redis:// target has no fragment`);
  return `redis://${name}/${encodeURIComponent(stream)}${max ? `?maxlen=${max}` : ''}`;
}

/** A `rabbitmq://` target: a configured broker, an exchange name, a routing key; nothing else. */
function checkBrokerUrl(url: URL, field: string, brokers: BrokerKinds): string {
  const name = brokerNamed(url, field, brokers, 'rabbitmq');
  const exchange = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_.:-]{0,255}$/.test(exchange)) throw invalidPayload(`Property ${field}: the exchange '${exchange}' must be 0 to 255 letters, digits, -, _, . or : (empty: the default exchange)`);
  const keys = [...url.searchParams.keys()];
  const routingKey = url.searchParams.get('routing_key');
  if (routingKey === null || routingKey.length > 255 || keys.some((k) => k !== 'routing_key') || keys.length !== 1) {
    throw invalidPayload(`Property ${field}: a rabbitmq:// target takes one query parameter, routing_key (up to 255 characters)`);
  }
  if (url.hash) throw invalidPayload(`Property ${field}: a rabbitmq:// target has no fragment`);
  return `rabbitmq://${name}/${encodeURIComponent(exchange)}?routing_key=${encodeURIComponent(routingKey)}`;
}

/**
 * Where a webhook (project endpoint or distribution channel) may send: http(s) only, no credentials in the URL,
 * and, unless private targets are allowed, no host that resolves to a blocked address; or, given the configured
 * brokers, `rabbitmq://BROKER/EXCHANGE?routing_key=KEY`. Returns the normalized URL.
 */
export async function checkTargetUrl(raw: string, allowPrivateTargets: boolean, field = '.target_url', brokers?: BrokerKinds): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidPayload(`Property ${field} must be an absolute http or https URL, got '${raw}'`);
  }
  if (url.protocol === 'rabbitmq:' && brokers) return checkBrokerUrl(url, field, brokers);
  if (url.protocol === 'nats:' && brokers) return checkNatsUrl(url, field, brokers);
  if (url.protocol === 'redis:' && brokers) return checkRedisUrl(url, field, brokers);
  if (url.protocol === 'smtp:' && brokers) return checkSmtpUrl(url, field, brokers);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidPayload(`Property ${field} must use http or https${brokers ? ', or be rabbitmq://BROKER/EXCHANGE?routing_key=KEY, nats://BROKER/SUBJECT or redis://BROKER/STREAM' : ''}`);
  }
  if (url.username || url.password) throw invalidPayload(`Property ${field} must not carry credentials: send them as custom headers`);
  try {
    await checkHost(url.hostname, allowPrivateTargets);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'ETESSERA_BLOCKED_TARGET') {
      throw invalidPayload(`Property ${field} is not allowed: ${e.message} (loopback, private, link-local and metadata addresses are refused unless private targets are allowed: for local development set TESSERA_ALLOW_PRIVATE_TARGETS=true or start Tessera with --allow-private-targets)`);
    }
    throw invalidPayload(`Property ${field} cannot be resolved: ${e.message ?? 'unknown host'}`);
  }
  return url.toString();
}

/** Custom headers may not set HTTP framing or Tessera's own headers; `field` is their path in the body, for the error. */
export function checkCustomHeaders(headers: Record<string, string> | undefined, field = '.headers'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (reservedHeaders.includes(name.toLowerCase())) {
      throw invalidPayload(`Property ${field} must not set ${name}: it is reserved for HTTP framing or for Tessera's own headers`);
    }
    out[name] = value;
  }
  return out;
}

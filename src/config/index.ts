/**
 * Configuration is resolved once, at boot: defaults < environment < command-line flags. The result is validated
 * and frozen, then passed down; nothing else in Tessera reads process.env.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL server to use; when absent, the embedded PGlite store in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly managementId: string | undefined;
  readonly managementToken: string | undefined;
  readonly logLevel: string;
  /** Log lines as JSON, or readable (pino-pretty); undefined: readable on a terminal, JSON otherwise. */
  readonly logPretty: boolean | undefined;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit: number;
  /** Size of the PostgreSQL connection pool. */
  readonly poolSize: number;
  /**
   * Transactions each write path (tracked events, customer upserts) keeps in flight on PostgreSQL; requests that
   * arrive meanwhile join the next one (group commit). PGlite always writes one at a time.
   */
  readonly writeConcurrency: number;
  /** Webhooks may target loopback, private and link-local addresses (local development and tests only). */
  readonly allowPrivateTargets: boolean;
  /** Bin entries older than this many days are deleted for good (0: kept until deleted). */
  readonly binRetentionDays: number;
  /** Days customer activity (the event log) is kept (TESSERA_ACTIVITY_RETENTION_DAYS); 0 keeps it for good. */
  readonly activityRetentionDays: number;
  /**
   * The address people and clients reach Tessera at (behind a proxy), for the links it hands out: invitations,
   * password resets, export downloads. Undefined: the address each request reached.
   */
  readonly publicUrl: string | undefined;
  /**
   * Message brokers webhooks may publish to, by name (TESSERA_BROKERS, JSON of name to an amqp://, nats:// or redis://
   * URL with its credentials): an endpoint names one (`rabbitmq://NAME/EXCHANGE?routing_key=KEY`,
   * `nats://NAME/SUBJECT`, `redis://NAME/STREAM`),
   * never its address or secrets.
   */
  readonly brokers: Readonly<Record<string, string>>;
  readonly delivery: {
    /** A 2xx must arrive within this time. */
    readonly timeoutMs: number;
    /** How long a claim holds before another worker may take a sendout over. */
    readonly leaseMs: number;
    readonly batchSize: number;
    /** Sendouts in flight at once per worker process. */
    readonly concurrency: number;
    /** Polling interval when no notification arrives (retries that come due are found this way). */
    readonly pollMs: number;
    /** Finished sendouts older than this are pruned. */
    readonly retentionDays: number;
  };
  /**
   * Settings of background jobs by name as config spells it (`SEGMENTS_DUE_CHECKS` for segments.due-checks), from
   * TESSERA_JOB_<NAME>_IDLE_MS and TESSERA_JOB_<NAME>_BATCH; a job not named keeps its defaults.
   */
  readonly jobs: Readonly<Record<string, Readonly<{ idleMs?: number; batchSize?: number }>>>;
  /**
   * API call limits every project gets unless its settings say otherwise (TESSERA_API_RATE_LIMIT: server API calls
   * per project; TESSERA_CLIENT_RATE_LIMIT: client-side calls per project and IP address; TESSERA_BULK_RATE_LIMIT:
   * bulk calls, imports and bulk updates, per project, besides their count as API calls). Undefined: no limit.
   * redisUrl (TESSERA_RATE_LIMIT_REDIS): count in this Redis, shared by every process naming it, not in memory.
   */
  readonly rateLimits: Readonly<{ api?: RateLimit; client?: RateLimit; bulk?: RateLimit; redisUrl?: string }>;
  /**
   * Which proxies' X-Forwarded-For / -Proto / -Host to believe (TESSERA_TRUST_PROXY: true for any, or the proxies'
   * addresses and CIDR ranges separated by commas); false: the connection's own address is the client's.
   */
  readonly trustProxy: boolean | string;
  /**
   * The API call log (TESSERA_API_LOG): `errors` keeps the refused and failed calls with their bodies, `all` every
   * call, `off` none; kept TESSERA_API_LOG_RETENTION_DAYS days.
   */
  readonly apiLog: Readonly<{ mode: 'off' | 'errors' | 'all'; retentionDays: number }>;
}

/** N calls per window of S seconds. */
export interface RateLimit {
  readonly calls: number;
  readonly seconds: number;
}

/** Flags as given on the command line (commander's camelCase names); unset ones are undefined. */
export interface ConfigFlags {
  port?: string | number;
  host?: string;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
  allowPrivateTargets?: boolean;
}

export const defaults = {
  port: 8080,
  host: '127.0.0.1',
  dataDir: './.tessera',
  logLevel: 'info',
  bodyLimit: 1024 * 1024,
  poolSize: 16,
  writeConcurrency: 2,
} as const;

export class ConfigError extends Error {}

function intIn(name: string, raw: string | number | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function bool(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

function deliveryConfig(env: Record<string, string | undefined>): Config['delivery'] {
  const timeoutMs = intIn('TESSERA_DELIVERY_TIMEOUT_MS', env.TESSERA_DELIVERY_TIMEOUT_MS, 10_000, 100, 60_000);
  const leaseMs = intIn('TESSERA_DELIVERY_LEASE_MS', env.TESSERA_DELIVERY_LEASE_MS, 30_000, 500, 3_600_000);
  if (leaseMs <= timeoutMs) throw new ConfigError('TESSERA_DELIVERY_LEASE_MS must be longer than TESSERA_DELIVERY_TIMEOUT_MS');
  return {
    timeoutMs,
    leaseMs,
    batchSize: intIn('TESSERA_DELIVERY_BATCH', env.TESSERA_DELIVERY_BATCH, 100, 1, 1000),
    concurrency: intIn('TESSERA_DELIVERY_CONCURRENCY', env.TESSERA_DELIVERY_CONCURRENCY, 256, 1, 5000),
    pollMs: intIn('TESSERA_DELIVERY_POLL_MS', env.TESSERA_DELIVERY_POLL_MS, 1000, 10, 60_000),
    retentionDays: intIn('TESSERA_SENDOUT_RETENTION_DAYS', env.TESSERA_SENDOUT_RETENTION_DAYS, 30, 1, 3650),
  };
}

function jobsConfig(env: Record<string, string | undefined>): Config['jobs'] {
  const out: Record<string, { idleMs?: number; batchSize?: number }> = {};
  for (const [key, raw] of Object.entries(env)) {
    const m = /^TESSERA_JOB_([A-Z0-9_]+?)_(IDLE_MS|BATCH)$/.exec(key);
    if (!m) continue;
    const entry = (out[m[1]!] ??= {});
    if (m[2] === 'IDLE_MS') entry.idleMs = intIn(key, raw, 1000, 10, 3_600_000);
    else entry.batchSize = intIn(key, raw, 500, 1, 100_000);
  }
  return Object.freeze(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Object.freeze(v)])));
}

const windowUnits: Record<string, number> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };

/** `100/1m`, `5/5s`, `6000/minute`: calls per window (the window from 1 s to 24 h). */
export function parseRateLimit(name: string, raw: string | undefined): RateLimit | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour)s?\s*$/i.exec(raw);
  const calls = m ? Number(m[1]) : NaN;
  const seconds = m ? Number(m[2] === '' ? 1 : m[2]) * windowUnits[m[3]!.toLowerCase()]! : NaN;
  if (!m || !Number.isSafeInteger(calls) || calls < 1 || calls > 1_000_000_000 || seconds < 1 || seconds > 86_400) {
    throw new ConfigError(`${name} must be calls per window, such as 6000/1m, 5/5s or 100000/1h (at least 1 call, a window from 1 s to 24 h), got '${raw}'`);
  }
  return Object.freeze({ calls, seconds });
}

function rateLimitRedis(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // The value may hold a password: the message names the expected form, never the value.
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new ConfigError('TESSERA_RATE_LIMIT_REDIS must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379/0');
  }
  return raw;
}

/** An IPv4 or IPv6 address, optionally with a prefix length within its family's bits (10.0.0.0/8, ::1). */
function isAddressOrRange(entry: string): boolean {
  const [addr, prefix, ...more] = entry.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || more.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

function trustProxyConfig(raw: string | undefined): boolean | string {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  const entries = raw.split(',').map((e) => e.trim());
  if (!entries.every(isAddressOrRange)) {
    throw new ConfigError(`TESSERA_TRUST_PROXY must be true, false, or the proxies' addresses and CIDR ranges separated by commas (such as 10.0.0.0/8,127.0.0.1), got '${raw}'`);
  }
  return raw.trim();
}

function apiLogMode(raw: string | undefined): 'off' | 'errors' | 'all' {
  if (raw === undefined) return 'errors';
  if (raw === 'off' || raw === 'errors' || raw === 'all') return raw;
  throw new ConfigError(`TESSERA_API_LOG must be errors, all or off, got '${raw}'`);
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Record<string, string | undefined>, flags: ConfigFlags = {}): Config {
  const managementId = nonEmpty(env.TESSERA_MANAGEMENT_ID);
  const managementToken = nonEmpty(env.TESSERA_MANAGEMENT_TOKEN);
  if ((managementId === undefined) !== (managementToken === undefined)) {
    throw new ConfigError('TESSERA_MANAGEMENT_ID and TESSERA_MANAGEMENT_TOKEN must be set together');
  }
  if (managementToken !== undefined && managementToken.length < 16) {
    throw new ConfigError('TESSERA_MANAGEMENT_TOKEN must be at least 16 characters');
  }
  const logLevel = flags.logLevel ?? nonEmpty(env.TESSERA_LOG_LEVEL) ?? defaults.logLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`log level must be one of ${logLevels.join(', ')}`);
  const logFormat = nonEmpty(env.TESSERA_LOG_FORMAT) ?? 'auto';
  if (!['auto', 'json', 'pretty'].includes(logFormat)) throw new ConfigError(`TESSERA_LOG_FORMAT must be auto, json or pretty, got '${logFormat}'`);
  const databaseUrl = nonEmpty(flags.databaseUrl) ?? nonEmpty(env.DATABASE_URL);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const publicUrl = nonEmpty(env.TESSERA_PUBLIC_URL);
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/.test(publicUrl)) {
    throw new ConfigError(`TESSERA_PUBLIC_URL must be an http(s) address such as https://tessera.example.com, got '${publicUrl}'`);
  }
  const brokers = brokersConfig(nonEmpty(env.TESSERA_BROKERS));
  return Object.freeze({
    port: intIn('port', flags.port ?? env.PORT, defaults.port, 0, 65535),
    host: flags.host ?? nonEmpty(env.HOST) ?? defaults.host,
    databaseUrl,
    dataDir: resolve(flags.dataDir ?? nonEmpty(env.TESSERA_DATA_DIR) ?? defaults.dataDir),
    managementId,
    managementToken,
    logLevel,
    logPretty: logFormat === 'auto' ? undefined : logFormat === 'pretty',
    bodyLimit: intIn('TESSERA_BODY_LIMIT', env.TESSERA_BODY_LIMIT, defaults.bodyLimit, 1024, 64 * 1024 * 1024),
    poolSize: intIn('TESSERA_DB_POOL_SIZE', env.TESSERA_DB_POOL_SIZE, defaults.poolSize, 1, 200),
    writeConcurrency: intIn('TESSERA_WRITE_CONCURRENCY', env.TESSERA_WRITE_CONCURRENCY, defaults.writeConcurrency, 1, 64),
    allowPrivateTargets: flags.allowPrivateTargets ?? bool('TESSERA_ALLOW_PRIVATE_TARGETS', env.TESSERA_ALLOW_PRIVATE_TARGETS),
    binRetentionDays: intIn('TESSERA_BIN_RETENTION_DAYS', env.TESSERA_BIN_RETENTION_DAYS, 30, 0, 3650),
    activityRetentionDays: intIn('TESSERA_ACTIVITY_RETENTION_DAYS', env.TESSERA_ACTIVITY_RETENTION_DAYS, 0, 0, 36500),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    brokers,
    delivery: Object.freeze(deliveryConfig(env)),
    jobs: jobsConfig(env),
    rateLimits: Object.freeze({
      api: parseRateLimit('TESSERA_API_RATE_LIMIT', env.TESSERA_API_RATE_LIMIT),
      client: parseRateLimit('TESSERA_CLIENT_RATE_LIMIT', env.TESSERA_CLIENT_RATE_LIMIT),
      bulk: parseRateLimit('TESSERA_BULK_RATE_LIMIT', env.TESSERA_BULK_RATE_LIMIT),
      redisUrl: rateLimitRedis(nonEmpty(env.TESSERA_RATE_LIMIT_REDIS)),
    }),
    trustProxy: trustProxyConfig(env.TESSERA_TRUST_PROXY),
    apiLog: Object.freeze({
      mode: apiLogMode(nonEmpty(env.TESSERA_API_LOG)),
      retentionDays: intIn('TESSERA_API_LOG_RETENTION_DAYS', env.TESSERA_API_LOG_RETENTION_DAYS, 30, 1, 3650),
    }),
  });
}

/** TESSERA_BROKERS: a JSON object of broker names (letters, digits, - and _) to amqp://, amqps://, nats://, redis:// or rediss:// URLs. */
function brokersConfig(raw: string | undefined): Readonly<Record<string, string>> {
  if (raw === undefined) return Object.freeze({});
  const usage = 'TESSERA_BROKERS must be a JSON object of broker names to amqp://, nats://, redis:// or smtp:// URLs, such as {"events": "amqp://user:password@rabbit:5672/vhost"}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(usage);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(usage);
  const out: Record<string, string> = {};
  for (const [name, url] of Object.entries(parsed)) {
    // The URL holds credentials: never repeated in an error.
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new ConfigError(`TESSERA_BROKERS: the broker name '${name}' must be 1 to 64 letters, digits, - or _`);
    if (typeof url !== 'string' || !/^(amqps?|nats|rediss?|smtps?):\/\/[^\s]+$/.test(url)) throw new ConfigError(`TESSERA_BROKERS: the broker ${name} needs an amqp://, amqps://, nats://, redis://, rediss://, smtp:// or smtps:// URL`);
    if (/^smtps?:/.test(url) && !/^[^@\s]+@[^@\s]+$/.test(URL.canParse(url) ? (new URL(url).searchParams.get('from') ?? '') : '')) {
      throw new ConfigError(`TESSERA_BROKERS: the SMTP server ${name} needs the sender's address, ?from=shop@example.com`);
    }
    out[name.toLowerCase()] = url;
  }
  return Object.freeze(out);
}

/** Where a config came from, safe to print: no secrets. */
export function describeStore(config: Config): string {
  if (config.databaseUrl === undefined) return `PGlite in ${config.dataDir}`;
  try {
    const u = new URL(config.databaseUrl);
    return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

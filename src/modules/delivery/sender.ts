import { isIP } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Agent, request } from 'undici';
import { BlockedTargetError, guardedLookup, isBlockedAddress } from '../../core/net-guard.js';
import { createBrokerPublisher } from './broker.js';
import { describeBrokerError } from './broker-errors.js';
import { brokerTarget } from './targets.js';
import type { AttemptResult } from './types.js';

export interface SenderOptions {
  allowPrivateTargets: boolean;
  /** A 2xx must arrive within this time (Voucherify: 10 s); a broker's confirmation too. */
  timeoutMs: number;
  /** Configured message brokers by name (rabbitmq:// targets). */
  brokers?: Readonly<Record<string, string>>;
}

export const responseBodyLimit = 4096;

function isBlocked(err: unknown): boolean {
  for (let e = err as { cause?: unknown } | undefined; e; e = e.cause as { cause?: unknown } | undefined) {
    if (e instanceof BlockedTargetError) return true;
  }
  return false;
}

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout: no response in time';
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return e?.code ? `${e.code}: ${msg}` : msg;
}

/** How long the start of a response body is waited for once the status and headers are in. */
export const responseBodyWaitMs = 1000;

/**
 * The first responseBodyLimit bytes of a response body, or what came of them within waitMs; a body that stalls or
 * breaks off keeps what arrived. The status is the answer: its body never turns it into a failure.
 */
async function readStart(body: AsyncIterable<Buffer> & { destroy(): unknown }, waitMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => body.destroy(), waitMs);
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= responseBodyLimit) break;
    }
  } catch {
    // Cut off or too slow: what arrived is kept.
  } finally {
    clearTimeout(timer);
  }
  return storableText(Buffer.concat(chunks));
}

/**
 * At most responseBodyLimit bytes of UTF-8, cut on a character boundary. Invalid bytes decode to U+FFFD (three
 * bytes each), so a second cut may be needed; NUL becomes U+FFFD too, since PostgreSQL text cannot hold it.
 */
function storableText(buf: Buffer): string {
  const decode = (b: Buffer) => new StringDecoder('utf8').write(b.subarray(0, responseBodyLimit));
  const text = decode(buf).replaceAll('\u0000', '\uFFFD');
  return Buffer.byteLength(text, 'utf8') > responseBodyLimit ? decode(Buffer.from(text, 'utf8')) : text;
}

/**
 * POSTs webhook bodies. Connections go through a lookup that refuses blocked addresses at connect time (and IP
 * literals are checked before connecting), redirects are not followed, and the whole exchange has one deadline.
 */
export function createSender(options: SenderOptions) {
  const agent = new Agent({
    connect: { lookup: guardedLookup(options.allowPrivateTargets) as never, timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
    connections: 128,
  });
  const brokers = createBrokerPublisher({ brokers: options.brokers ?? {}, timeoutMs: options.timeoutMs });

  async function send(url: string, body: string, headers: Record<string, string>, startedAt: Date): Promise<AttemptResult> {
    const t0 = performance.now();
    const done = (r: Omit<AttemptResult, 'startedAt' | 'durationMs'>): AttemptResult => ({
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      ...r,
    });
    const broker = brokerTarget(url);
    if (broker) {
      try {
        await brokers.publish(broker, body, headers, headers['webhook-id'] ?? `msg_${t0}`);
        return done({ accepted: true });
      } catch (err) {
        // Named, never addressed: the broker's URL stays in the environment (README, Brokers).
        const error = describeBrokerError(err, broker.broker, options.brokers?.[broker.broker]);
        return done({ error, ...((err as { permanent?: boolean }).permanent ? { dropped: true } : {}) });
      }
    }
    try {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivateTargets && isIP(host) && isBlockedAddress(host)) {
        return done({ error: `blocked target: ${host} is a blocked address`, blocked: true });
      }
      const res = await request(url, {
        method: 'POST',
        body,
        headers,
        dispatcher: agent,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const responseHeaders: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
      const responseBody = await readStart(res.body, Math.min(responseBodyWaitMs, options.timeoutMs));
      res.body.destroy();
      return done({
        statusCode: res.statusCode,
        responseHeaders,
        responseBody,
        retryAfter: responseHeaders['retry-after'],
      });
    } catch (err) {
      if (isBlocked(err)) return done({ error: `blocked target: ${describe(err)}`, blocked: true });
      return done({ error: describe(err) });
    }
  }

  return { send, close: async () => Promise.all([agent.close(), brokers.close()]).then(() => undefined) };
}

export type Sender = ReturnType<typeof createSender>;

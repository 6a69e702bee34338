/**
 * A shared counter store for API call limits: Redis, through node-redis, so that several `serve` processes count
 * one project's calls together (TESSERA_RATE_LIMIT_REDIS). It is a store in @fastify/rate-limit's shape (`incr`,
 * `child`): a fixed window per key, counted and given its expiry in one script, with a deadline per call. Commands
 * fail at once while the connection is down (no offline queue) and the client reconnects in the background: the
 * caller decides what a failed count means (Tessera lets the call through).
 */
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { createClient } from 'redis';
import { withDeadline } from '../core/deadline.js';

type Callback = (err: Error | null, result?: { current: number; ttl: number }) => void;

// KEYS[1]: the counter; ARGV[1]: the window (ms). Answers the count with this call and the window's time left (ms).
const countCall = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {current, ttl}`;

export interface RateLimitRedis {
  /** The store class @fastify/rate-limit's `store` option takes. */
  readonly Store: FastifyRateLimitStoreCtor;
  close(): Promise<void>;
}

const prefix = 'tessera-rate-limit:';

/**
 * Opens the connection, waiting for it up to `startupMs` so that the first calls are counted; a Redis that is not
 * there by then is connected to in the background.
 */
export async function connectRateLimitRedis(url: string, options: { timeoutMs: number; startupMs: number; onError: (err: Error) => void }): Promise<RateLimitRedis> {
  const redis = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: options.timeoutMs, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000) },
  });
  redis.on('error', options.onError);
  // Calls made while it is not up fail (and are let through by the caller).
  const connecting = redis.connect().catch(options.onError);
  let startup: NodeJS.Timeout | undefined;
  await Promise.race([connecting, new Promise((resolve) => (startup = setTimeout(resolve, options.startupMs)))]);
  clearTimeout(startup);

  class Store {
    incr(key: string, done: Callback, timeWindowMs: number): void {
      withDeadline(redis.eval(countCall, { keys: [prefix + key], arguments: [String(timeWindowMs)] }), options.timeoutMs, `Redis did not answer within ${options.timeoutMs} ms`).then(
        (answer) => {
          const [current, ttl] = answer as [number, number];
          done(null, { current, ttl });
        },
        (err: Error) => done(err),
      );
    }
    // Every limiter shares the one store: the keys already say which API and project they count.
    child(): Store {
      return this;
    }
  }
  return {
    Store,
    async close() {
      if (redis.isReady) await redis.close().catch(() => undefined);
      else if (redis.isOpen) redis.destroy();
    },
  };
}

/** The machine's Redis for tests that need a real one (TEST_REDIS_URL, default 127.0.0.1:6379); absent: they skip. */
import { createClient } from 'redis';

export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A connected client, or undefined (with a warning naming the suite) when no Redis answers. */
export async function testRedis(suite: string) {
  const redis = createClient({ url: redisUrl, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  try {
    await redis.connect();
    return redis;
  } catch {
    console.warn(`${suite}: no Redis at ${redisUrl}; skipped`);
    return undefined;
  }
}

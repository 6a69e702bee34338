/**
 * API call limits counted in Redis (TESSERA_RATE_LIMIT_REDIS): two Tessera processes on one store share a project's
 * count, and a Redis that does not answer lets calls through uncounted instead of failing them. A real Redis on this
 * machine (127.0.0.1:6379).
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { compose } from '../src/compose.js';
import { createLogger } from '../src/core/logger.js';
import { metrics } from '../src/core/metrics.js';
import { redisUrl, testRedis } from './helpers/redis.js';
import { closeAfterEach, managementHeaders, startTessera } from './helpers/app.js';

const connected = await testRedis('rate-limits-redis');
const noRedis = connected === undefined;
const redis = connected!;

const closing = closeAfterEach();
const counters: string[] = [];

describe.skipIf(noRedis)('API call limits counted in Redis', () => {
  afterAll(async () => {
    if (!noRedis) {
      for (const key of counters) await redis.del(key);
      await redis.close();
    }
  });

  it("shares one project's count between two processes, which each refuse once the shared limit is reached", async () => {
    const env = { TESSERA_RATE_LIMIT_REDIS: redisUrl };
    const a = closing(await startTessera({ env }));
    // A second process on the same store and the same Redis.
    const config = loadConfig({ TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'], TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'], TESSERA_LOG_LEVEL: 'silent', ...env });
    const b = await compose(config, { db: a.testDb.db, logger: createLogger('silent') });
    try {
    const p = await a.createProject({ api_rate_limit: { calls: 4, seconds: 60 } });
    const other = await a.createProject({ api_rate_limit: { calls: 4, seconds: 60 } });
    counters.push(`tessera-rate-limit:api:${p.id}`, `tessera-rate-limit:api:${other.id}`);

    const remaining: string[] = [];
    for (const [i, app] of [a.app, b.app, a.app, b.app].entries()) {
      const res = await app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: `shared-${i}` } });
      expect(res.statusCode, res.body).toBe(200);
      remaining.push(String(res.headers['x-rate-limit-remaining']));
    }
    // One count across both processes: with memory counters each would have said 3, 2.
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const app of [a.app, b.app]) {
      const refused = await app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: 'over' } });
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ key: 'too_many_requests' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Refused calls did nothing.
    const { rows } = await a.testDb.db.query<{ n: string }>(`SELECT count(*) AS n FROM customers WHERE project_id = $1 AND source_id = 'over'`, [p.id]);
    expect(Number(rows[0]!.n)).toBe(0);
    // Another project keeps its own count.
    const theirs = await b.app.inject({ method: 'GET', url: '/v1/customers', headers: other.server });
    expect(theirs.headers['x-rate-limit-remaining']).toBe('3');
    // The count is Redis's, under Tessera's own prefix.
    expect(Number(await redis.get(`tessera-rate-limit:api:${p.id}`))).toBe(6);
    } finally {
      await b.close();
    }
  });

  it('lets calls through uncounted, without limit headers, while Redis does not answer', async () => {
    const before = (await metrics.apiRateLimitUncounted.get()).values.find((v) => v.labels.api === 'api')?.value ?? 0;
    // Nothing listens on port 1: every count fails at once.
    const lines: Array<Record<string, any>> = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
        done();
      },
    });
    const t = closing(await startTessera({ env: { TESSERA_RATE_LIMIT_REDIS: 'redis://:s3cret-pass@127.0.0.1:1' }, logger: createLogger('info', { destination }) }));
    const p = await t.createProject({ api_rate_limit: { calls: 1, seconds: 60 } });
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: p.server, payload: { source_id: `through-${i}` } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['x-rate-limit-limit']).toBeUndefined();
    }
    const after = (await metrics.apiRateLimitUncounted.get()).values.find((v) => v.labels.api === 'api')?.value ?? 0;
    expect(after - before).toBe(3);
    // Said once (not per call), and never with the URL's password.
    expect(lines.filter((l) => /Redis counter store failed/.test(l.msg ?? ''))).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('s3cret-pass');
  });
});

describe('TESSERA_RATE_LIMIT_REDIS', () => {
  it('takes a redis:// or rediss:// URL and refuses anything else without repeating it', () => {
    expect(loadConfig({ TESSERA_RATE_LIMIT_REDIS: 'rediss://user:pw@cache:6380/2' }).rateLimits.redisUrl).toBe('rediss://user:pw@cache:6380/2');
    expect(loadConfig({}).rateLimits.redisUrl).toBeUndefined();
    for (const bad of ['http://cache:6379', 'cache:6379', 'redis://']) {
      expect(() => loadConfig({ TESSERA_RATE_LIMIT_REDIS: bad })).toThrow(ConfigError);
    }
    try {
      loadConfig({ TESSERA_RATE_LIMIT_REDIS: 'http://user:s3cret@cache' });
    } catch (err) {
      expect((err as Error).message).toMatch(/TESSERA_RATE_LIMIT_REDIS must be a redis:\/\//);
      expect((err as Error).message).not.toContain('s3cret');
    }
  });
});

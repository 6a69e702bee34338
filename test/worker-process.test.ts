/**
 * `serve --no-worker` and a separate `tessera worker` on one PostgreSQL: the worker hears the API process's changes
 * to cached definitions at once (it listens, as serve does), so a distribution created on the API process gets
 * the segment entries the worker's time-based re-checks record right after, not up to 5 s (the cache's TTL) later.
 */
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementHeaders } from './helpers/app.js';
import { killAll, spawnCli } from './helpers/cli.js';
import { createTestDb, driver, type TestDb } from './helpers/db.js';
import { startSink, type Sink } from './helpers/sink.js';

describe.runIf(driver === 'postgres')('the standalone worker beside serve --no-worker', () => {
  let testDb: TestDb;
  let sink: Sink;
  const agent = new Agent();
  beforeAll(async () => {
    testDb = await createTestDb();
    sink = await startSink();
  });
  afterAll(async () => {
    await killAll();
    await agent.close();
    await sink.close();
    await testDb.drop();
  });

  it('a distribution created on the API process receives a segment entry caused by the worker within 1 s of it', async () => {
    const env = {
      TESSERA_MANAGEMENT_ID: managementHeaders['x-management-id'],
      TESSERA_MANAGEMENT_TOKEN: managementHeaders['x-management-token'],
      TESSERA_ALLOW_PRIVATE_TARGETS: 'true',
    };
    const store = ['--database-url', testDb.url!, '--log-level', 'silent'];
    const api = spawnCli(['serve', '--no-worker', '--port', '0', ...store], env);
    const [, base] = await api.waitFor(/Tessera is listening on (http:\/\/\S+)/, 20_000);
    const worker = spawnCli(['worker', ...store], env);
    await worker.waitFor(/is delivering webhooks/, 20_000);
    expect(worker.output()).toContain('segments.due-checks');

    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await fetch(`${base!.replace(/\/$/, '')}${path}`, {
        method,
        dispatcher: agent,
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as any;
      if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const project = await call('POST', '/management/v1/projects', managementHeaders, { name: 'Two processes' });
    const keys = { 'x-app-id': project.server_side_key.app_id, 'x-app-token': project.server_side_key.app_token };
    // Members once their metadata.due_at has passed: time alone moves them in, by the worker's re-check.
    const segment = await call('POST', '/v1/segments', keys, {
      name: 'Due',
      type: 'auto-update',
      filter: { junction: 'and', 'metadata.due_at': { conditions: { $more_than_ago: [0] } } },
    });
    const dueIn = (ms: number) => new Date(Date.now() + ms).toISOString();
    const segmentsOf = async (id: string) => (await call('GET', `/v1/customers/${id}/segments`, keys)).total as number;

    // The worker records a first entry before the distribution exists: its cache of the project's distributions
    // is loaded (empty) then.
    const first = await call('POST', '/v1/customers', keys, { source_id: 'first', metadata: { due_at: dueIn(1000) } });
    const waitUntil = Date.now() + 10_000;
    while ((await segmentsOf(first.id)) === 0) {
      if (Date.now() > waitUntil) throw new Error(`no re-check in 10 s:\n${worker.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const distribution = await call('POST', '/v1/distributions', keys, {
      name: 'Due now',
      trigger: { type: 'customer.segment.entered', segment_id: segment.id },
      channel: { type: 'webhook', target_url: sink.url, event_name: 'due-now' },
    });
    const second = await call('POST', '/v1/customers', keys, { source_id: 'second', metadata: { due_at: dueIn(1000) } });
    const [got] = await sink.waitFor(1, 10_000);
    expect(got!.json).toMatchObject({
      type: 'due-now',
      source: { object: 'distribution', id: distribution.id },
      event: { type: 'customer.segment.entered' },
      data: { customer: { id: second.id } },
    });
    const enteredAt = Date.parse(got!.json.event.created_at);
    expect(got!.at - enteredAt).toBeLessThan(1000);
    expect(sink.received).toHaveLength(1);
  });
});

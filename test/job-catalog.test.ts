/** The job catalog: every module's jobs, their settings from config, and how the worker runs them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import type { Job } from '../src/core/jobs.js';
import { createJobRunner } from '../src/worker/job-runner.js';
import { startTessera, type TestTessera } from './helpers/app.js';
import { createLogger } from '../src/core/logger.js';

describe('job catalog', () => {
  let t: TestTessera;
  beforeAll(async () => {
    t = await startTessera({ env: { TESSERA_JOB_SEGMENTS_SYNC_BATCH: '50', TESSERA_JOB_DELIVERY_RETENTION_IDLE_MS: '5000' } });
  });
  afterAll(() => t.close());

  it('lists the jobs of every module, with config overriding their defaults', () => {
    expect(t.tessera.worker.jobs.map((j) => [j.name, j.settings])).toEqual([
      ['idempotency.retention', { idleMs: 60000, batchSize: 1000 }],
      ['api-calls.retention', { idleMs: 60000, batchSize: 1000 }],
      ['delivery.retention', { idleMs: 5000, batchSize: 1000 }],
      ['segments.due-checks', { idleMs: 1000, batchSize: 500 }],
      ['segments.sync', { idleMs: 1000, batchSize: 50 }],
      ['segments.sweep', { idleMs: 1000, batchSize: 500 }],
      ['trash-bin.retention', { idleMs: 60000, batchSize: 100 }],
      ['vouchers.generation', { idleMs: 500, batchSize: 2000 }],
      ['loyalties.expiry', { idleMs: 1000, batchSize: 1000 }],
      ['loyalties.tier-expiry', { idleMs: 1000, batchSize: 200 }],
      ['loyalties.pending', { idleMs: 1000, batchSize: 200 }],
      ['exports.build', { idleMs: 1000, batchSize: 5000 }],
    ]);
  });

  it('counts what each job did once the worker ran', async () => {
    await t.tessera.worker.start();
    await t.tessera.worker.stop();
    for (const p of t.tessera.worker.progress()) expect(p).toMatchObject({ steps: 1, handled: 0, failures: 0 });
  });

  it('says at the start when a setting names no job this process runs (a misspelt name)', async () => {
    const lines: string[] = [];
    const other = await startTessera({ env: { TESSERA_JOB_SEGMENT_SYNC_IDLE_MS: '50', TESSERA_JOB_SEGMENTS_SYNC_BATCH: '7' }, logger: createLogger('warn', { destination: { write: (l: string) => void lines.push(l) } }) });
    await other.close();
    const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warned.map((l) => l.setting)).toEqual(['TESSERA_JOB_SEGMENT_SYNC_*']);
    expect(warned[0].jobs).toContain('SEGMENTS_SYNC');
  });

  it('refuses settings out of range', () => {
    expect(() => loadConfig({ TESSERA_JOB_SEGMENTS_SYNC_BATCH: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ TESSERA_JOB_SEGMENTS_SYNC_IDLE_MS: 'soon' })).toThrow(ConfigError);
  });
});

describe('job runner', () => {
  it('runs the steps of one group one at a time, others freely; leaves out jobs PGlite does not run', async () => {
    let running = 0;
    let most = 0;
    const step = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return 0;
    };
    const job = (name: string, extra: Partial<Job> = {}): Job => ({
      name, description: name, step, defaults: { idleMs: 10_000, batchSize: 1 }, runsOnPglite: true, ...extra,
    });
    const grouped = createJobRunner({ jobs: [job('a', { group: 'g' }), job('b', { group: 'g' }), job('c', { group: 'g' })], settings: {}, pglite: false, onError: () => {} });
    grouped.start();
    await grouped.stop();
    expect(most).toBe(1);
    most = 0;
    const free = createJobRunner({ jobs: [job('a'), job('b'), job('heavy', { runsOnPglite: false })], settings: {}, pglite: true, onError: () => {} });
    expect(free.jobs.map((j) => j.name)).toEqual(['a', 'b']);
    free.start();
    await free.stop();
    expect(most).toBe(2);
  });
});

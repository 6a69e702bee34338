/**
 * The background work of a process: webhook delivery (the delivery worker) and the job catalog (every module's
 * jobs, one poll loop each).
 */
import type { Config } from '../config/index.js';
import { jobConfigName, type Job, type JobProgress } from '../core/jobs.js';
import type { Logger } from '../core/logger.js';
import { notifyChannel } from '../modules/delivery/index.js';
import type { Db } from '../store/db.js';
import { createDeliveryWorker, type DeliveryWorkerDeps } from './delivery-worker.js';
import { createJobRunner } from './job-runner.js';

export interface Worker {
  owner: string;
  wake(): void;
  /** The jobs of the catalog this worker runs, with their settings. */
  jobs: ReadonlyArray<{ name: string; description: string; settings: { idleMs: number; batchSize: number } }>;
  progress(): JobProgress[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorkerServices {
  delivery: Pick<DeliveryWorkerDeps, 'start' | 'batchSize'>;
  jobs: readonly Job[];
}

export function createWorker(db: Db, config: Config, services: WorkerServices, logger: Logger): Worker {
  const onError = (err: unknown, job = 'delivery') => logger.error({ err, job }, 'background worker error');
  const delivery = createDeliveryWorker({
    start: services.delivery.start,
    batchSize: services.delivery.batchSize,
    concurrency: config.delivery.concurrency,
    subscribe: (wake) => db.listen(notifyChannel, wake),
    onError,
    pollMs: config.delivery.pollMs,
  });
  let started = false;
  const runner = createJobRunner({ jobs: services.jobs, settings: config.jobs, pglite: db.kind === 'pglite', onError });
  // A setting that names no job of this process (misspelt, or a job that is off) is said once, at the start.
  const known = services.jobs.map((j) => jobConfigName(j.name));
  for (const name of Object.keys(config.jobs)) {
    if (!known.includes(name)) logger.warn({ setting: `TESSERA_JOB_${name}_*`, jobs: known }, `TESSERA_JOB_${name}_* names no job this process runs: it has no effect`);
  }
  return {
    owner: delivery.owner,
    wake: delivery.wake,
    jobs: runner.jobs,
    progress: runner.progress,
    async start() {
      started = true;
      await delivery.start();
      runner.start();
      logger.info({ owner: delivery.owner, jobs: ['delivery', ...runner.jobs.map((j) => j.name)] }, 'background work started');
    },
    async stop() {
      await Promise.all([delivery.stop(), runner.stop()]);
      if (started) logger.info({ owner: delivery.owner }, 'background work stopped');
      started = false;
    },
  };
}

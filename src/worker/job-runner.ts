import { jobSettings, type Job, type JobProgress, type JobSettings } from '../core/jobs.js';
import { createPollLoop, type PollLoop } from './poll-loop.js';

export interface JobRunnerOptions {
  jobs: readonly Job[];
  /** Settings from config, by job name. */
  settings: Readonly<Record<string, Partial<JobSettings>>>;
  /** The store runs one transaction at a time: jobs that do not run on PGlite are left out. */
  pglite: boolean;
  onError(err: unknown, job: string): void;
}

/** Runs the steps of one group one at a time (in the order they asked). */
function serializer() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The worker's side of the job catalog: one poll loop per job, with progress kept per job. */
export function createJobRunner(o: JobRunnerOptions) {
  const selected = o.jobs.filter((j) => !o.pglite || j.runsOnPglite);
  const groups = new Map<string, ReturnType<typeof serializer>>();
  const progress = new Map<string, JobProgress>();
  const loops: PollLoop[] = selected.map((job) => {
    const settings = jobSettings(job, o.settings);
    const p: JobProgress = { name: job.name, settings, steps: 0, handled: 0, failures: 0, lastStepAt: undefined };
    progress.set(job.name, p);
    let serial: ReturnType<typeof serializer> | undefined;
    if (job.group !== undefined) {
      serial = groups.get(job.group) ?? serializer();
      groups.set(job.group, serial);
    }
    const step = () => job.step(settings.batchSize);
    return createPollLoop({
      name: job.name,
      idleMs: settings.idleMs,
      tick: async () => {
        try {
          const n = await (serial ? serial(step) : step());
          p.steps++;
          p.handled += n;
          p.lastStepAt = new Date();
          return n;
        } catch (err) {
          p.failures++;
          throw err;
        }
      },
      onError: (err) => o.onError(err, job.name),
    });
  });

  return {
    /** The jobs this runner runs, with their settings. */
    jobs: selected.map((j) => ({ name: j.name, description: j.description, settings: progress.get(j.name)!.settings })),
    start(): void {
      for (const l of loops) l.start();
    },
    /** Lets running steps finish. */
    async stop(): Promise<void> {
      await Promise.all(loops.map((l) => l.stop()));
    },
    progress: (): JobProgress[] => [...progress.values()].map((p) => ({ ...p, settings: { ...p.settings } })),
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;

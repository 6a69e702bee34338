/**
 * The job catalog's entry: background work a module declares and the worker runs (graphile-worker's task list,
 * trigger.dev's worker catalog). A job is a step repeated: the worker runs it again at once while it finds work,
 * otherwise after `idleMs`. What a step found is its progress, counted by the worker.
 */
export interface JobSettings {
  /** Pause after a step that found nothing. */
  idleMs: number;
  /** Most items one step takes. */
  batchSize: number;
}

export interface Job {
  /** `<module>.<job>`, kebab-case: its name in logs and in config (TESSERA_JOB_<NAME>_IDLE_MS / _BATCH). */
  name: string;
  /** What it does, for the log line that lists the jobs a process runs. */
  description: string;
  /** Does one step of at most batchSize items; returns how many it handled (0: nothing to do). */
  step(batchSize: number): Promise<number>;
  /** The settings used when config names none. */
  defaults: JobSettings;
  /** Whether the embedded PGlite store runs it (one transaction at a time there: heavy upkeep may stay off). */
  runsOnPglite: boolean;
  /**
   * Jobs of one group never run steps at the same time in a process (they rewrite the same rows; one after the
   * other, as they always have). Jobs without a group run freely.
   */
  group?: string;
}

/** What the worker reports of a job. */
export interface JobProgress {
  name: string;
  settings: JobSettings;
  steps: number;
  /** Items handled, the sum of what steps returned. */
  handled: number;
  failures: number;
  lastStepAt: Date | undefined;
}

/** A job's name as config spells it: `segments.due-checks` -> `SEGMENTS_DUE_CHECKS`. */
export function jobConfigName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** A job's settings: config's (keyed by jobConfigName), else its defaults. */
export function jobSettings(job: Job, configured: Readonly<Record<string, Partial<JobSettings>>>): JobSettings {
  return { ...job.defaults, ...configured[jobConfigName(job.name)] };
}

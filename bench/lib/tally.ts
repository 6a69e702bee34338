/**
 * What both load generators (load.ts, closed loop; paced.ts, open loop) count the same way: answers by status,
 * 2xx against the rest with the first few failing bodies, and latency; and the figures of a finished run.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';

export interface Tally {
  /** Answers with a 2xx status. */
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  /** The first few failures, as `status body` or the error's message, so a failure explains itself. */
  samples: string[];
  /** Nanoseconds. */
  latency: RecordableHistogram;
}

const sampleLimit = 5;

export function createTally(): Tally {
  return { ok: 0, errors: 0, statuses: {}, samples: [], latency: createHistogram() };
}

/** Keeps a failure's description while there are fewer than a few. */
export function sample(t: Tally, text: string): void {
  if (t.samples.length < sampleLimit) t.samples.push(text);
}

/** Counts one answer by its status and reads its body to the end (a failing one's into the samples). */
export async function countAnswer(t: Tally, res: Dispatcher.ResponseData): Promise<void> {
  const status = res.statusCode;
  t.statuses[status] = (t.statuses[status] ?? 0) + 1;
  if (status >= 200 && status < 300) {
    await res.body.dump();
    t.ok++;
  } else {
    const text = await res.body.text();
    t.errors++;
    sample(t, `${status} ${text.slice(0, 300)}`);
  }
}

/** Records a latency in milliseconds. */
export function recordMs(t: Tally, ms: number): void {
  t.latency.record(Math.max(1, Math.round(ms * 1e6)));
}

export interface RunFigures {
  elapsedMs: number;
  /** Answers with a 2xx per second of the run. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function runFigures(t: Tally, elapsedMs: number): RunFigures {
  const ms = (ns: number) => (t.latency.count === 0 ? 0 : ns / 1e6);
  return {
    elapsedMs,
    okPerSecond: t.ok / (elapsedMs / 1000),
    p50Ms: ms(t.latency.percentile(50)),
    p99Ms: ms(t.latency.percentile(99)),
    maxMs: ms(t.latency.max),
  };
}

/**
 * An open-loop HTTP load generator: request i is due at start + i / rate and is sent then, however slowly earlier
 * ones are answered (a slow server does not slow the arrivals down). Latency counts from when a request was due,
 * so queueing in the client is charged to the server, not hidden.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { countAnswer, createTally, recordMs, runFigures, sample, type RunFigures } from './tally.js';

export interface PacedSpec {
  /** The path, or the seq-th request's path (0-based). */
  path: string | ((seq: number) => string);
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  /** The seq-th request's body; none for a GET. */
  body?: (seq: number) => string;
  ratePerS: number;
  /** Sends ratePerS * durationMs / 1000 requests, unless stopped by `signal` first. */
  durationMs: number;
  /** Connections to the server; requests beyond them wait in the client (and that wait counts as latency). */
  connections: number;
  /** When aborted, no further request is sent; those in flight are still awaited and counted. */
  signal?: AbortSignal;
}

export interface PacedResult extends RunFigures {
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  samples: string[];
}

export async function runPaced(origin: string, spec: PacedSpec): Promise<PacedResult> {
  const pool = new Pool(origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const tally = createTally();
  const inflight = new Set<Promise<void>>();
  const total = Math.round((spec.ratePerS * spec.durationMs) / 1000);
  const interval = 1000 / spec.ratePerS;
  let sent = 0;

  async function one(seq: number, dueAt: number): Promise<void> {
    try {
      const path = typeof spec.path === 'string' ? spec.path : spec.path(seq);
      await countAnswer(tally, await pool.request({ path, method: spec.method ?? 'POST', headers: spec.headers, body: spec.body?.(seq) ?? null }));
    } catch (err) {
      tally.errors++;
      sample(tally, String((err as Error).message ?? err));
    }
    recordMs(tally, performance.now() - dueAt);
  }

  const start = performance.now();
  try {
    while (sent < total && !spec.signal?.aborted) {
      const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
      while (sent < due) {
        const seq = sent++;
        const p = one(seq, start + seq * interval);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
  } finally {
    await pool.close();
  }
  const { ok, errors, statuses, samples } = tally;
  return { sent, ok, errors, statuses, samples, ...runFigures(tally, performance.now() - start) };
}

/**
 * An open-loop HTTP load generator: request i is due at start + i / rate and is sent then, however slowly earlier
 * ones are answered (a slow server does not slow the arrivals down). Latency counts from when a request was due,
 * so queueing in the client is charged to the server, not hidden.
 */
import { createHistogram, performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedSpec {
  path: string;
  headers: Record<string, string>;
  body: (seq: number) => string;
  ratePerS: number;
  durationMs: number;
  /** Connections to the server; requests beyond them wait in the client (and that wait counts as latency). */
  connections: number;
}

export interface PacedResult {
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  samples: string[];
  elapsedMs: number;
  /** Answers with a 2xx per second of the run. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runPaced(origin: string, spec: PacedSpec): Promise<PacedResult> {
  const pool = new Pool(origin, { connections: spec.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const latency = createHistogram();
  const statuses: Record<string, number> = {};
  const samples: string[] = [];
  const inflight = new Set<Promise<void>>();
  const total = Math.round((spec.ratePerS * spec.durationMs) / 1000);
  const interval = 1000 / spec.ratePerS;
  let ok = 0;
  let errors = 0;
  let sent = 0;

  async function one(seq: number, dueAt: number): Promise<void> {
    try {
      const res = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body(seq) });
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump();
        ok++;
      } else {
        errors++;
        const text = await res.body.text();
        if (samples.length < 5) samples.push(`${res.statusCode} ${text.slice(0, 300)}`);
      }
    } catch (err) {
      errors++;
      if (samples.length < 5) samples.push(String((err as Error).message ?? err));
    }
    latency.record(Math.max(1, Math.round((performance.now() - dueAt) * 1e6)));
  }

  const start = performance.now();
  try {
    while (sent < total) {
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
  const elapsedMs = performance.now() - start;
  const ms = (ns: number) => (latency.count === 0 ? 0 : ns / 1e6);
  return {
    sent,
    ok,
    errors,
    statuses,
    samples,
    elapsedMs,
    okPerSecond: ok / (elapsedMs / 1000),
    p50Ms: ms(latency.percentile(50)),
    p99Ms: ms(latency.percentile(99)),
    maxMs: ms(latency.max),
  };
}

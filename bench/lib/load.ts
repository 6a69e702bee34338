/**
 * A closed-loop HTTP load generator on undici: N workers, each sending its next request as soon as the previous one
 * is answered, over one keep-alive connection per worker. Counts every answer by status; nothing is hidden.
 */
import { performance } from 'node:perf_hooks';
import { Pool, request } from 'undici';
import { countAnswer, createTally, recordMs, runFigures } from './tally.js';

export interface LoadSpec {
  path: string;
  method?: 'POST' | 'PUT' | 'GET';
  headers: Record<string, string>;
  /** The body of the seq-th request (0-based, across all workers). */
  body: (seq: number) => string;
  concurrency: number;
  /** Stop after this long, or after this many requests, whichever comes first. */
  durationMs?: number;
  requests?: number;
}

export interface LoadResult {
  /** Answers with a 2xx status. */
  ok: number;
  /** Non-2xx answers plus transport failures (timeouts, resets, refused connections). */
  errors: number;
  statuses: Record<string, number>;
  failures: Record<string, number>;
  /** The first few non-2xx answers, as `status body`, so a failure explains itself. */
  samples: string[];
  elapsedMs: number;
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadClient {
  run(spec: LoadSpec): Promise<LoadResult>;
  close(): Promise<void>;
}

/** One pool per target; its connections are kept alive between phases (warm-up, then measurement). */
export function createLoadClient(origin: string, connections: number): LoadClient {
  const pool = new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });

  async function run(spec: LoadSpec): Promise<LoadResult> {
    if (spec.durationMs === undefined && spec.requests === undefined) throw new Error('LoadSpec needs durationMs or requests');
    const tally = createTally();
    const failures: Record<string, number> = {};
    let next = 0;
    const start = performance.now();
    const deadline = spec.durationMs === undefined ? Infinity : start + spec.durationMs;
    const limit = spec.requests ?? Infinity;

    async function worker(): Promise<void> {
      while (performance.now() < deadline && next < limit) {
        const seq = next++;
        const body = spec.body(seq);
        const t0 = performance.now();
        try {
          await countAnswer(tally, await pool.request({ path: spec.path, method: spec.method ?? 'POST', headers: spec.headers, body }));
          recordMs(tally, performance.now() - t0);
        } catch (err) {
          tally.errors++;
          const e = err as { code?: string; message?: string };
          const key = `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
          failures[key] = (failures[key] ?? 0) + 1;
          // A dead server fails fast; pausing keeps the loop from spinning while the deadline runs out.
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }

    await Promise.all(Array.from({ length: spec.concurrency }, worker));
    const { ok, errors, statuses, samples } = tally;
    return { ok, errors, statuses, failures, samples, ...runFigures(tally, performance.now() - start) };
  }

  return { run, close: () => pool.close() };
}

/** One request that must succeed (setup calls); its JSON answer, or an error that carries the response body. */
export async function callJson<T>(
  url: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  headers: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const res = await request(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

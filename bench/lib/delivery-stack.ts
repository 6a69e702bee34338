/**
 * The processes of the delivery bench, each a child: the webhook receiver, Tessera's API (`serve --no-worker`) and
 * one `tessera worker`, all on a PostgreSQL database dropped and recreated per run.
 */
import { join } from 'node:path';
import { request } from 'undici';
import { startChild, type ChildServer } from './child.js';
import { builtCli, repoRoot, startTessera, tesseraEnv, type RunningTessera } from './tessera.js';

/** `tessera serve --no-worker` (the API only) on a freshly recreated PostgreSQL database; no inherited TESSERA_*. */
export function startApi(adminUrl: string, databaseName: string, env: Record<string, string> = {}): Promise<RunningTessera> {
  return startTessera({ store: 'postgres', adminUrl, databaseName, name: 'api', serveArgs: ['--no-worker'], env, isolatedEnv: true });
}

/** One `tessera worker` process; its ChildServer url is the worker's lease owner name. */
export function startWorker(databaseUrl: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildServer> {
  return startChild({
    name: 'worker',
    args: [...nodeArgs, builtCli(), 'worker'],
    env: tesseraEnv({ DATABASE_URL: databaseUrl, ...env }, true),
    cwd: repoRoot,
    listening: /Tessera worker (\S+) is delivering webhooks/,
  });
}

export interface ReceiverStats {
  unique: number;
  total: number;
  duplicates: number;
  without_id: number;
  first_ms: number;
  last_ms: number;
  now_ms: number;
}

export interface Arrival {
  at: number;
  createdAt: number;
  eventCreatedAt: number;
  /** metadata.bench_sent_at of the customer in the data: when the bench sent the causing request (NaN if absent). */
  sentAt: number;
}

export interface Receiver {
  server: ChildServer;
  /** Where webhooks go. */
  hookUrl: string;
  stats(): Promise<ReceiverStats>;
  arrivals(): Promise<Arrival[]>;
  reset(): Promise<void>;
  /** Polls until `unique` reaches n; resolves with the last stats (short of n when nothing arrived for stallMs). */
  waitFor(n: number, stallMs?: number): Promise<ReceiverStats>;
}

async function getJson<T>(url: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const res = await request(url, { method });
  return (await res.body.json()) as T;
}

export async function startReceiver(): Promise<Receiver> {
  const server = await startChild({
    name: 'receiver',
    args: [join(repoRoot, 'dist-bench/bench/lib/webhook-receiver.js')],
    env: process.env,
    listening: /listening on (http:\/\/\S+)/,
  });
  const stats = () => getJson<ReceiverStats>(`${server.url}/__stats`);
  return {
    server,
    hookUrl: `${server.url}/hook`,
    stats,
    async arrivals() {
      const flat = await getJson<Array<number | null>>(`${server.url}/__arrivals`);
      const out: Arrival[] = [];
      for (let i = 0; i + 3 < flat.length; i += 4) {
        out.push({ at: flat[i] ?? NaN, createdAt: flat[i + 1] ?? NaN, eventCreatedAt: flat[i + 2] ?? NaN, sentAt: flat[i + 3] ?? NaN });
      }
      return out;
    },
    reset: async () => void (await getJson(`${server.url}/__reset`, 'POST')),
    async waitFor(n, stallMs = 30_000) {
      let s = await stats();
      let progressAt = performance.now();
      let lastUnique = s.unique;
      while (s.unique < n && performance.now() - progressAt < stallMs) {
        await new Promise((r) => setTimeout(r, 50));
        s = await stats();
        if (s.unique !== lastUnique) {
          lastUnique = s.unique;
          progressAt = performance.now();
        }
      }
      return s;
    },
  };
}

/**
 * The processes of the delivery bench, each a child: the webhook receiver, Tessera's API (`serve --no-worker`) and
 * one `tessera worker`, all on a PostgreSQL database dropped and recreated per run.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { request } from 'undici';
import { startChild, type ChildServer } from './child.js';
import { repoRoot } from './tessera.js';

const cli = join(repoRoot, 'dist/cli/main.js');

export async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the bench database next to the admin one; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const quoted = `"${name.replace(/"/g, '""')}"`;
  await withAdmin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoted}`);
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Pids of the PostgreSQL backends connected to a database (for CPU accounting). */
export async function backendPids(adminUrl: string, name: string): Promise<number[]> {
  return withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    return rows.map((r) => r.pid);
  });
}

/** Tessera's environment: only what the bench sets (no inherited DATABASE_URL, PORT, TESSERA_*). */
function tesseraEnv(databaseUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (['DATABASE_URL', 'PORT', 'HOST'].includes(k) || k.startsWith('TESSERA_')) delete env[k];
  return { ...env, DATABASE_URL: databaseUrl, TESSERA_LOG_LEVEL: 'warn', ...extra };
}

export interface Api {
  server: ChildServer;
  management: { 'x-management-id': string; 'x-management-token': string };
}

/** `tessera serve --no-worker`: the API only. */
export async function startApi(databaseUrl: string, env: Record<string, string> = {}): Promise<Api> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const management = { 'x-management-id': 'bench', 'x-management-token': randomBytes(24).toString('hex') };
  const server = await startChild({
    name: 'api',
    args: [cli, 'serve', '--no-worker', '--port', '0', '--host', '127.0.0.1'],
    env: tesseraEnv(databaseUrl, {
      TESSERA_MANAGEMENT_ID: management['x-management-id'],
      TESSERA_MANAGEMENT_TOKEN: management['x-management-token'],
      ...env,
    }),
    cwd: repoRoot,
    listening: /Tessera is listening on (http:\/\/\S+)/,
    quiet: /^\s*(X-|API URL|Webhook signing|Default project|Management credentials)/,
  });
  return { server, management };
}

/** One `tessera worker` process; its ChildServer url is the worker's lease owner name. */
export function startWorker(databaseUrl: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<ChildServer> {
  return startChild({
    name: 'worker',
    args: [...nodeArgs, cli, 'worker'],
    env: tesseraEnv(databaseUrl, env),
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
      for (let i = 0; i + 2 < flat.length; i += 3) out.push({ at: flat[i] ?? NaN, createdAt: flat[i + 1] ?? NaN, eventCreatedAt: flat[i + 2] ?? NaN });
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

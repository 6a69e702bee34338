/**
 * Starts the built Tessera CLI (`dist/cli/main.js serve`) on a fresh store: a temporary PGlite directory, or a
 * PostgreSQL database dropped and recreated on each run. Then creates a project through the management API.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, type ChildServer } from './child.js';
import { callJson } from './load.js';
import { backendPids, freshDatabase } from './postgres.js';

export type Store = 'pglite' | 'postgres';

/** The repository root: this file runs from dist-bench/bench/lib/. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The built CLI; throws when it has not been built. */
export function builtCli(): string {
  const cli = join(repoRoot, 'dist/cli/main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  return cli;
}

/**
 * A Tessera process's environment: the bench's own, less what would point it at another store, port or host, plus
 * `extra`. With `isolated`, no inherited TESSERA_* setting either: only what the bench sets.
 */
export function tesseraEnv(extra: Record<string, string>, isolated = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (['DATABASE_URL', 'TESSERA_DATA_DIR', 'PORT', 'HOST'].includes(k) || (isolated && k.startsWith('TESSERA_'))) delete env[k];
  }
  return { ...env, TESSERA_LOG_LEVEL: 'warn', ...extra };
}

export interface TesseraOptions {
  store: Store;
  /** The PostgreSQL server's admin database URL; the bench database is created next to it. */
  adminUrl: string;
  databaseName: string;
  /** Extra flags for the server's node (--cpu-prof, --import ...). */
  nodeArgs?: string[];
  /** Extra arguments to `serve` (--no-worker ...). */
  serveArgs?: string[];
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Pass no inherited TESSERA_* setting to the server (see tesseraEnv). */
  isolatedEnv?: boolean;
  /** The prefix of the server's echoed output; `tessera <store>` unless given. */
  name?: string;
}

export interface RunningTessera {
  server: ChildServer;
  management: { 'x-management-id': string; 'x-management-token': string };
  databaseUrl?: string;
  /** Pids of the PostgreSQL backends connected to the bench database (empty on PGlite). */
  backendPids(): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startTessera(opts: TesseraOptions): Promise<RunningTessera> {
  const cli = builtCli();
  const management = { 'x-management-id': 'bench', 'x-management-token': randomBytes(24).toString('hex') };
  const store: Record<string, string> = {};
  let dataDir: string | undefined;
  let databaseUrl: string | undefined;
  if (opts.store === 'postgres') {
    databaseUrl = await freshDatabase(opts.adminUrl, opts.databaseName);
    store.DATABASE_URL = databaseUrl;
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
    store.TESSERA_DATA_DIR = dataDir;
  }
  const env = tesseraEnv(
    {
      ...store,
      TESSERA_MANAGEMENT_ID: management['x-management-id'],
      TESSERA_MANAGEMENT_TOKEN: management['x-management-token'],
      ...opts.env,
    },
    opts.isolatedEnv,
  );

  let server: ChildServer;
  try {
    server = await startChild({
      name: opts.name ?? `tessera ${opts.store}`,
      args: [...(opts.nodeArgs ?? []), cli, 'serve', ...(opts.serveArgs ?? []), '--port', '0', '--host', '127.0.0.1'],
      env,
      cwd: repoRoot,
      listening: /Tessera is listening on (http:\/\/\S+)/,
      // The first start prints the default project's keys; the bench makes its own project.
      quiet: /^\s*(X-|API URL|Webhook signing|Default project|Management credentials)/,
    });
  } catch (err) {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    server,
    management,
    ...(databaseUrl ? { databaseUrl } : {}),
    backendPids: async () => (databaseUrl === undefined ? [] : backendPids(opts.adminUrl, opts.databaseName)),
    async stop() {
      const code = await server.stop();
      if (code !== 0) process.stderr.write(`  [${server.name}] stopped with exit code ${code}\n`);
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ProjectKeys {
  projectId: string;
  headers: { 'x-app-id': string; 'x-app-token': string };
}

/** POST /management/v1/projects: a project and its server-side key. */
export async function createProject(t: RunningTessera, name: string): Promise<ProjectKeys> {
  const p = await callJson<{ id: string; server_side_key: { app_id: string; app_token: string } }>(
    `${t.server.url}/management/v1/projects`,
    'POST',
    t.management,
    { name },
  );
  return { projectId: p.id, headers: { 'x-app-id': p.server_side_key.app_id, 'x-app-token': p.server_side_key.app_token } };
}

/**
 * Docker cannot run on every machine that runs the tests, so this checks what the image and the compose file
 * promise by running the same commands with the same environment: the Dockerfile's ENTRYPOINT + CMD with its ENV
 * (HOST=0.0.0.0), and the compose services' commands (`serve --no-worker`, `worker`) on PostgreSQL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, killAll, root, spawnCli } from './helpers/cli.js';
import { adminSql, databaseUrl, driver } from './helpers/db.js';

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const slow = { timeout: 120_000 };
let tmp: string;
const databases: string[] = [];

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
  tmp = await mkdtemp(join(tmpdir(), 'tessera-docker-'));
});
afterAll(async () => {
  await killAll();
  await rm(tmp, { recursive: true, force: true });
  for (const name of databases) await adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

async function freshDatabase(): Promise<string> {
  const name = `tessera_docker_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminSql(`CREATE DATABASE ${name}`);
  databases.push(name);
  return databaseUrl(name);
}

/** The JSON-array form of a Dockerfile instruction. */
const jsonArg = (instruction: string) => JSON.parse(new RegExp(`^${instruction} (\\[.*\\])$`, 'm').exec(dockerfile)![1]!) as string[];

describe('Dockerfile', slow, () => {
  it('is multi-stage on Node 20 slim, runs as a non-root user, listens on all interfaces', () => {
    expect(dockerfile.match(/^FROM node:20-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:20-slim AS build$/m);
    expect(dockerfile).toMatch(/^COPY --from=build /m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENV HOST=0\.0\.0\.0$/m);
  });

  it("its start command, with its environment, serves and answers /health and /ready", async () => {
    const env = Object.fromEntries([...dockerfile.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(env).toMatchObject({ HOST: '0.0.0.0', TESSERA_DATA_DIR: '/data' });
    const [node, script] = jsonArg('ENTRYPOINT');
    expect([node, script]).toEqual(['node', 'dist/cli/main.js']);
    const args = jsonArg('CMD');
    expect(args).toEqual(['serve']);
    // The same environment, but a free port and a writable data directory (or the test's PostgreSQL).
    const store = driver === 'pglite' ? { TESSERA_DATA_DIR: join(tmp, 'data') } : { DATABASE_URL: await freshDatabase() };
    const s = spawnCli(args, { ...env, PORT: '0', ...store });
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/, 90_000);
    const port = new URL(url!).port;
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    // HOST=0.0.0.0: reachable on the machine's other addresses too, as a container's port mapping needs.
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) expect((await fetch(`http://${external.address}:${port}/health`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, pending_migrations: [] });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('docker-compose.yml', slow, () => {
  const commandOf = (service: string) => {
    const block = new RegExp(`^  ${service}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(compose)![1]!;
    return JSON.parse(/command: (\[.*\])/.exec(block)![1]!) as string[];
  };

  it('runs PostgreSQL, the API without background work and a worker', () => {
    expect(compose).toMatch(/image: postgres:\d+/);
    expect(commandOf('api')).toEqual(['serve', '--no-worker']);
    expect(commandOf('worker')).toEqual(['worker']);
    expect(compose.match(/DATABASE_URL: postgres:\/\/tessera:tessera@db:5432\/tessera/g)).toHaveLength(2);
  });

  it.skipIf(driver !== 'postgres')('its api and worker commands start side by side on one PostgreSQL', async () => {
    const env = { DATABASE_URL: await freshDatabase(), HOST: '0.0.0.0', PORT: '0', TESSERA_MANAGEMENT_ID: 'mgmt_compose', TESSERA_MANAGEMENT_TOKEN: 'compose-token-0123456789' };
    const api = spawnCli(commandOf('api'), env);
    const [, url] = await api.waitFor(/Tessera is listening on (http:\/\/\S+)/, 90_000);
    expect(api.output()).toContain('background work off');
    const worker = spawnCli(commandOf('worker'), { DATABASE_URL: env.DATABASE_URL });
    await worker.waitFor(/is delivering webhooks/, 90_000);
    const port = new URL(url!).port;
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    const projects = await fetch(`http://127.0.0.1:${port}/management/v1/projects`, {
      headers: { 'x-management-id': 'mgmt_compose', 'x-management-token': 'compose-token-0123456789' },
    });
    expect(projects.status).toBe(200);
    for (const p of [worker, api]) {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  });
});

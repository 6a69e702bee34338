import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, killAll, spawnCli } from './helpers/cli.js';
import { adminSql, databaseUrl, driver } from './helpers/db.js';

/**
 * The built CLI (`npm test` builds it first), run as users run it: on PGlite in a temporary data dir, and in the
 * PostgreSQL project against fresh databases.
 */
const slow = { timeout: 90_000 };

async function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const r = spawnCli(args);
  const code = await r.exited;
  return { code, out: r.output() };
}

const admin = adminSql;

const databases: string[] = [];
let tmp: string;

/** A fresh, empty store of the driver under test, as CLI flags. */
async function freshStore(label: string): Promise<string[]> {
  if (driver === 'pglite') return ['--data-dir', join(tmp, label)];
  const name = `tessera_cli_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`CREATE DATABASE ${name}`);
  databases.push(name);
  return ['--database-url', databaseUrl(name)];
}

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm run build)`);
  tmp = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
});

afterAll(async () => {
  await killAll();
  await rm(tmp, { recursive: true, force: true });
  for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('tessera CLI help', slow, () => {
  it.each([
    [[], ['serve', 'migrate', 'projects', 'team', '--version']],
    [['team', 'invite'], ['<email>', '--project', '--role', '--first-name', '--last-name', '--url', '--database-url', '--data-dir']],
    [['team', 'list'], ['--json', '--database-url', '--data-dir']],
    [['serve'], ['--port', '--host', '--database-url', '--data-dir', '--log-level']],
    [['migrate'], ['--database-url', '--data-dir', '--log-level']],
    [['projects'], ['create', 'list', 'regenerate-key']],
    [['projects', 'regenerate-key'], ['<project-id>', '--client', '--json', '--database-url', '--data-dir']],
    [['projects', 'create'], ['--name', '--trusted-domain', '--json', '--database-url', '--data-dir']],
    [['projects', 'list'], ['--json', '--database-url', '--data-dir']],
  ])('%j --help exits 0 and lists %j', async (command, expected) => {
    const { code, out } = await run([...command, '--help']);
    expect(code).toBe(0);
    for (const option of expected) expect(out).toContain(option);
  });

  it('refuses bad input with a message and a non-zero exit', async () => {
    const [badPort, unknown, noName, emptyName, longName] = await Promise.all([
      run(['serve', '--port', 'nope', '--data-dir', join(tmp, 'never')]),
      run(['frobnicate']),
      run(['projects', 'create', '--data-dir', join(tmp, 'never')]),
      run(['projects', 'create', '--name', ' ', '--data-dir', join(tmp, 'never')]),
      run(['projects', 'create', '--name', 'x'.repeat(201), '--data-dir', join(tmp, 'never')]),
    ]);
    for (const bad of [emptyName, longName]) {
      expect(bad.code).not.toBe(0);
      expect(bad.out).toContain('must be 1 to 200 characters');
    }
    expect(badPort.code).toBe(2);
    expect(badPort.out).toContain('port must be an integer');
    expect(unknown.code).not.toBe(0);
    expect(noName.code).not.toBe(0);
    expect(noName.out).toContain('--name');
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });
});

describe('a first start whose port is taken', slow, () => {
  it('still shows the management credentials it made, names the port, and the next start shows the default keys', async () => {
    const store = await freshStore('taken');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const failed = await run(['serve', '--port', String(port), '--host', '127.0.0.1', ...store]);
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    expect(failed.code).not.toBe(0);
    expect(failed.out).toContain(`port ${port} on 127.0.0.1 is in use`);
    const management = { 'x-management-id': failed.out.match(/X-Management-Id:\s+(\S+)/)?.[1] ?? '', 'x-management-token': failed.out.match(/X-Management-Token:\s+(\S+)/)?.[1] ?? '' };
    expect(management['x-management-token']).not.toBe('');
    // No project was made by the start that did not listen: the next one makes it and shows its keys.
    const s = spawnCli(['serve', '--port', '0', ...store]);
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/);
    await s.waitFor(/Webhook signing secret:\s+\S+/);
    expect(s.output()).not.toContain('X-Management-Token');
    const projects = await fetch(`${url}/management/v1/projects`, { headers: management });
    expect(projects.status).toBe(200);
    expect((await projects.json()).data.map((p: { name: string }) => p.name)).toEqual(['Default project']);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});

describe('tessera serve, projects and migrate', slow, () => {
  let store: string[];
  let first: { url: string; server: Record<string, string>; management: Record<string, string> };

  beforeAll(async () => {
    store = await freshStore('main');
  });

  it('prints the URL, the management credentials and the default keys on the first start; the key works', async () => {
    const s = spawnCli(['serve', '--port', '0', ...store]);
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/);
    await s.waitFor(/Webhook signing secret:\s+\S+/);
    const out = s.output();
    const grab = (label: string) => out.match(new RegExp(`${label}:\\s+(\\S+)`))?.[1];
    first = {
      url: url!,
      server: { 'x-app-id': grab('X-App-Id')!, 'x-app-token': grab('X-App-Token')! },
      management: { 'x-management-id': grab('X-Management-Id')!, 'x-management-token': grab('X-Management-Token')! },
    };
    expect(Object.values(first.server).every(Boolean)).toBe(true);
    expect(Object.values(first.management).every(Boolean)).toBe(true);
    expect(grab('X-Client-Application-Id')).toBeTruthy();
    expect(grab('X-Client-Token')).toBeTruthy();
    expect(url).not.toMatch(/:0$/);
    // The dashboard's address is printed, and it asks for the sign-in first.
    expect(grab('Dashboard')).toBe(`${url}/dashboard`);
    const dashboard = await fetch(`${url}/dashboard`, { redirect: 'manual' });
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.get('location')).toBe('/dashboard/sign-in');

    const customers = await fetch(`${first.url}/v1/customers`, { headers: first.server });
    expect(customers.status).toBe(200);
    expect(await customers.json()).toMatchObject({ object: 'list', total: 0 });
    const projects = await fetch(`${first.url}/management/v1/projects`, { headers: first.management });
    expect(projects.status).toBe(200);
    expect((await projects.json()).data.map((p: { name: string }) => p.name)).toEqual(['Default project']);
    expect((await fetch(`${first.url}/v1/customers`, { headers: { ...first.server, 'x-app-token': 'wrong' } })).status).toBe(401);

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  let created: { id: string; server_side_key: { app_id: string; app_token: string } };

  it('projects create --json prints the new project with its keys', async () => {
    const { code, out } = await run(['projects', 'create', '--name', 'Shop', '--trusted-domain', 'shop.example.com', 'm.example.com', '--json', ...store]);
    expect(code, out).toBe(0);
    const body = JSON.parse(out);
    expect(body).toMatchObject({ name: 'Shop', object: 'project', client_trusted_domains: ['shop.example.com', 'm.example.com'] });
    expect(body.id).toMatch(/^proj_/);
    expect(body.server_side_key).toEqual({ app_id: expect.any(String), app_token: expect.any(String) });
    expect(body.client_side_key).toEqual({ app_id: expect.any(String), app_token: expect.any(String) });
    created = body;
  });

  it('projects list --json lists it, without keys', async () => {
    const { code, out } = await run(['projects', 'list', '--json', ...store]);
    expect(code, out).toBe(0);
    const list = JSON.parse(out) as Array<{ id: string; name: string }>;
    expect(list.map((p) => p.name)).toEqual(['Default project', 'Shop']);
    expect(list.map((p) => p.id)).toContain(created.id);
    expect(out).not.toContain(created.server_side_key.app_token);
    expect(out).not.toContain('server_side_key');
  });

  it('prints no keys on a second start; the earlier and the CLI-made keys both work', async () => {
    const s = spawnCli(['serve', '--port', '0', ...store]);
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/);
    expect((await fetch(`${url}/v1/customers`, { headers: first.server })).status).toBe(200);
    const shop = { 'x-app-id': created.server_side_key.app_id, 'x-app-token': created.server_side_key.app_token };
    expect((await fetch(`${url}/v1/customers`, { headers: shop })).status).toBe(200);
    expect((await fetch(`${url}/management/v1/projects`, { headers: first.management })).status).toBe(200);
    if (driver === 'pglite') {
      // One PGlite store, one process: a second one is refused instead of corrupting it.
      const locked = await run(['projects', 'list', ...store]);
      expect(locked.code).not.toBe(0);
      expect(locked.out).toContain('in use by process');
      // ... and pointed to what works meanwhile.
      expect(locked.out).toContain('GET /management/v1/projects');
    }
    const out = s.output();
    for (const secret of ['X-App-Token', 'X-Client-Token', 'X-Management-Token', first.server['x-app-token']!, first.management['x-management-token']!]) {
      expect(out).not.toContain(secret);
    }
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it.skipIf(driver !== 'pglite')('takes over the data dir of a killed server, with its data intact', async () => {
    const killed = spawnCli(['serve', '--port', '0', ...store]);
    await killed.waitFor(/Tessera is listening on/);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const s = spawnCli(['serve', '--port', '0', ...store]);
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/);
    const list = await fetch(`${url}/management/v1/projects`, { headers: first.management });
    expect((await list.json()).data.map((p: { name: string }) => p.name)).toEqual(['Default project', 'Shop']);
    expect((await fetch(`${url}/v1/customers`, { headers: first.server })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('projects regenerate-key replaces the server key: the old one is refused, the new one works', async () => {
    const regen = await run(['projects', 'regenerate-key', created.id, '--json', ...store]);
    expect(regen.code, regen.out).toBe(0);
    const key = JSON.parse(regen.out).server_side_key as { app_id: string; app_token: string };
    expect(key.app_id).not.toBe(created.server_side_key.app_id);
    const missing = await run(['projects', 'regenerate-key', 'proj_missing', ...store]);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain('Cannot find project with id proj_missing');
    const s = spawnCli(['serve', '--port', '0', ...store]);
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/);
    const old = { 'x-app-id': created.server_side_key.app_id, 'x-app-token': created.server_side_key.app_token };
    expect((await fetch(`${url}/v1/customers`, { headers: old })).status).toBe(401);
    expect((await fetch(`${url}/v1/customers`, { headers: { 'x-app-id': key.app_id, 'x-app-token': key.app_token } })).status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('team invite prints a link that works in the server; team list shows the user, invited then active', async () => {
    const refused = await run(['team', 'invite', 'ada@example.com', '--project', `${created.id}:BOSS`, ...store]);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('Unknown role BOSS');
    const invited = await run(['team', 'invite', 'Ada@Example.com', '--project', `${created.id}:ADMIN`, '--first-name', 'Ada', '--url', 'https://tessera.example.com/', ...store]);
    expect(invited.code, invited.out).toBe(0);
    const link = /https:\/\/tessera\.example\.com(\/dashboard\/invitation\/\S+)/.exec(invited.out)?.[1];
    expect(link, invited.out).toBeDefined();
    const before = await run(['team', 'list', '--json', ...store]);
    expect(JSON.parse(before.out)).toEqual([expect.objectContaining({ login: 'ada@example.com', first_name: 'Ada', status: 'INVITED', projects: { [created.id]: 'ADMIN' } })]);

    const s = spawnCli(['serve', '--port', '0', ...store]);
    const [, url] = await s.waitFor(/Tessera is listening on (http:\/\/\S+)/);
    const page = await fetch(`${url}${link}`);
    expect(page.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const accepted = await fetch(`${url}${link}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, password: 'a long enough password', repeat: 'a long enough password' }),
    });
    expect(accepted.status).toBe(303);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    // The link is not in the server's output.
    expect(s.output()).not.toContain(link!.split('/').pop()!);
    const after = await run(['team', 'list', ...store]);
    expect(after.out).toMatch(/user_\S+\tada@example\.com\tACTIVE\t/);
  });

  it('migrate applies the migrations once, then reports up to date', async () => {
    const fresh = await freshStore('migrate-only');
    const once = await run(['migrate', ...fresh]);
    expect(once.code, once.out).toBe(0);
    expect(once.out).toMatch(/Applied to .*0001_init/);
    const twice = await run(['migrate', ...fresh]);
    expect(twice.code, twice.out).toBe(0);
    expect(twice.out).toContain('is up to date');
    const again = await run(['migrate', ...store]);
    expect(again.out).toContain('is up to date');
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { createServices, openStore } from '../src/compose.js';
import { fixedClock } from '../src/core/clock.js';
import type { Db } from '../src/store/db.js';
import { startTessera, type TestTessera } from './helpers/app.js';
import { cli, killAll, root, spawnCli, type CliProcess } from './helpers/cli.js';
import { driver } from './helpers/db.js';
import { startSink, type Sink } from './helpers/sink.js';
import { allSendouts, createCustomer, createWebhook, getSendout, privateTargets } from './helpers/sendouts.js';

/**
 * Several deliverers on one database: claims are exclusive (FOR UPDATE SKIP LOCKED with a lease), a killed worker's
 * claims come back when its lease runs out, and a stopping worker finishes what it has in flight.
 */
let t: TestTessera | undefined;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await killAll();
  for (const c of cleanups.splice(0).reverse()) await c();
  await t?.close();
  t = undefined;
});

async function sink(handler?: Parameters<typeof startSink>[0]): Promise<Sink> {
  const s = await startSink(handler);
  cleanups.push(() => s.close());
  return s;
}

async function leased(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sendouts WHERE lease_owner IS NOT NULL');
  return rows[0]!.n;
}

async function statuses(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM sendouts GROUP BY status');
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Counts how often the sink saw each sendout id. */
function seen(s: Sink): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of s.received) m.set(String(r.headers['webhook-id']), (m.get(String(r.headers['webhook-id'])) ?? 0) + 1);
  return m;
}

/** `tessera worker` on the database at url; started resolves once it says it is delivering. */
function spawnWorker(url: string, env: Record<string, string>): CliProcess & { started: Promise<void> } {
  const p = spawnCli(['worker', '--database-url', url, '--allow-private-targets', '--log-level', 'silent'], env);
  return { ...p, started: p.waitFor(/is delivering webhooks/).then(() => undefined) };
}

describe.skipIf(driver !== 'postgres')('delivery workers on PostgreSQL', () => {
  it('two deliverers on separate pools drain 300 sendouts together, each sent exactly once', async () => {
    const clock = fixedClock(new Date('2025-04-01T08:00:00.000Z'));
    const env = { ...privateTargets, TESSERA_DELIVERY_BATCH: '7' };
    t = await startTessera({ clock, env });
    const p = await t.createProject();
    const s = await sink(() => ({ status: 200, delayMs: 2 }));
    for (const path of ['/a', '/b', '/c']) await createWebhook(t, p.id, s.url.replace('/hook', path));
    for (let i = 0; i < 100; i++) await createCustomer(t, p, `c${i}`);
    expect(await statuses(t.tessera.db)).toEqual({ pending: 300 });

    const config = loadConfig({ ...env, DATABASE_URL: t.testDb.url!, TESSERA_LOG_LEVEL: 'silent' });
    const db2 = await openStore(config);
    const other = createServices(db2, config, clock);
    cleanups.push(async () => {
      await other.close();
      await db2.close();
    });
    const drain = async (deliverDue: (owner: string) => Promise<number>, owner: string) => {
      let n = 0;
      for (let k = await deliverDue(owner); k > 0; k = await deliverDue(owner)) n += k;
      return n;
    };
    const mine = t.tessera.services.delivery.deliverDue;
    const theirs = other.delivery.deliverDue;
    const claimed = await Promise.all([drain(mine, 'A'), drain(mine, 'A'), drain(theirs, 'B'), drain(theirs, 'B')]);

    expect(claimed.reduce((a, b) => a + b, 0)).toBe(300);
    expect(claimed[0]! + claimed[1]!).toBeGreaterThan(0);
    expect(claimed[2]! + claimed[3]!).toBeGreaterThan(0);
    const counts = seen(s);
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await statuses(t.tessera.db)).toEqual({ sent: 300 });
    const { rows } = await t.tessera.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sendout_attempts');
    expect(rows[0]!.n).toBe(300);
    expect(await leased(t.tessera.db)).toBe(0);
  });

  it('a worker killed mid-delivery loses nothing: another takes its sendouts over once the lease runs out', async () => {
    if (!existsSync(cli)) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
    t = await startTessera({ env: privateTargets });
    const p = await t.createProject();
    const n = 10;
    const s = await sink((_, i) => (i < n ? { hang: true } : { status: 200 }));
    await createWebhook(t, p.id, s.url);
    for (let i = 0; i < n; i++) await createCustomer(t, p, `k${i}`);
    const ids = (await allSendouts(t, p.id)).map((x) => x.id).sort();
    expect(ids).toHaveLength(n);

    const env = { TESSERA_DELIVERY_LEASE_MS: '1500', TESSERA_DELIVERY_TIMEOUT_MS: '1000', TESSERA_DELIVERY_POLL_MS: '100' };
    const first = spawnWorker(t.testDb.url!, env);
    await s.waitFor(n, 15_000);
    first.child.kill('SIGKILL');
    await first.exited;
    // Killed before any answer or timeout: every sendout is still leased to the dead worker, no attempt recorded.
    expect(await leased(t.tessera.db)).toBe(n);
    expect(await statuses(t.tessera.db)).toEqual({ pending: n });

    const second = spawnWorker(t.testDb.url!, env);
    await second.started;
    await s.waitFor(2 * n, 15_000);
    const deadline = Date.now() + 10_000;
    while ((await statuses(t.tessera.db)).sent !== n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    expect(await statuses(t.tessera.db)).toEqual({ sent: n });
    expect(await leased(t.tessera.db)).toBe(0);
    expect([...seen(s).keys()].sort()).toEqual(ids);
    expect([...seen(s).values()].every((k) => k === 2)).toBe(true);
    for (const id of ids) {
      const x = await getSendout(t, p.id, id);
      expect(x.last_status_code).toBe(200);
      expect(x.attempts_log.map((a: any) => a.status_code)).toEqual([200]);
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 60_000);
});

describe('graceful shutdown', () => {
  it('stopping the worker lets sends in flight finish and records them; nothing stays leased', async () => {
    const clock = fixedClock(new Date('2025-04-02T08:00:00.000Z'));
    t = await startTessera({ clock, env: privateTargets });
    const p = await t.createProject();
    const s = await sink(() => ({ status: 200, delayMs: 300 }));
    await createWebhook(t, p.id, s.url);
    for (let i = 0; i < 5; i++) await createCustomer(t, p, `g${i}`);

    await t.tessera.worker.start();
    await s.waitFor(5);
    await t.tessera.worker.stop();

    expect(await statuses(t.tessera.db)).toEqual({ sent: 5 });
    expect(await leased(t.tessera.db)).toBe(0);
    for (const x of await allSendouts(t, p.id)) {
      const { attempts_log: log } = await getSendout(t, p.id, x.id);
      expect(log.map((a: any) => a.status_code)).toEqual([200]);
    }
    expect(s.received).toHaveLength(5);
  });
});

/**
 * The PGlite data-directory lock against real processes: held by a live one it refuses; a killed holder (even
 * a zombie not yet reaped), a pid now used by an unrelated process, or a pid file from another boot hold nothing;
 * of several processes locking at once exactly one wins. Children use the built module (`npm test` builds it first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir, StoreLockedError } from '../src/store/dir-lock.js';
import { root } from './helpers/cli.js';

const builtLock = join(root, 'dist/store/dir-lock.js');
const linux = existsSync('/proc/self/stat');

/** Locks LOCK_DIR at LOCK_AT (ms since the epoch), prints "won <pid>" or "refused <message>", and holds until killed. */
const lockerCode = `
const { lockDataDir } = await import(process.env.LOCK_MODULE);
const at = Number(process.env.LOCK_AT || 0);
while (Date.now() < at);
try {
  await lockDataDir(process.env.LOCK_DIR);
  console.log('won ' + process.pid);
} catch (err) {
  console.log('refused ' + err.message);
  process.exit(0);
}
setInterval(() => {}, 60000);
`;

interface Child {
  child: ChildProcess;
  /** Resolves with the first match of re in stdout and stderr. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
}

const spawned: ChildProcess[] = [];
const extraPids: number[] = [];

function start(command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let out = '';
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} in 20 s:\n${out}`)), 20_000);
      const check = () => {
        const m = out.match(re);
        if (m) return clearTimeout(timer), resolve(m);
        waiters.push(check);
      };
      check();
    });
  return { child, waitFor };
}

/** A node process taking the lock on dir with the built module. */
function locker(dir: string, at = 0): Child {
  return start(process.execPath, ['--input-type=module', '-e', lockerCode], {
    LOCK_MODULE: pathToFileURL(builtLock).href,
    LOCK_DIR: dir,
    LOCK_AT: String(at),
  });
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()));

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let tmp: string;
let n = 0;
const pidFile = (dir: string) => join(dir, 'tessera.pid');

beforeAll(async () => {
  if (!existsSync(builtLock)) throw new Error(`${builtLock} is missing: build first (npm run build)`);
  tmp = await mkdtemp(join(tmpdir(), 'tessera-lock-'));
});
afterEach(async () => {
  for (const pid of extraPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(
    spawned.splice(0).map((c) => {
      c.kill('SIGKILL');
      return exited(c);
    }),
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function mkdirFresh(): Promise<string> {
  const dir = join(tmp, `d${n++}`);
  await mkdir(dir);
  return dir;
}

describe('lockDataDir', () => {
  it('refuses while another process holds the lock, and takes it once that process is killed, zombie or not', async () => {
    const dir = await mkdirFresh();
    // sh starts the locker, then becomes `sleep`, which never reaps it: once killed, the locker stays a zombie.
    const parent = start('sh', ['-c', `"${process.execPath}" --input-type=module -e "$LOCKER" & echo "child $!"; exec sleep 60`], {
      LOCKER: lockerCode,
      LOCK_MODULE: pathToFileURL(builtLock).href,
      LOCK_DIR: dir,
    });
    const pid = Number((await parent.waitFor(/child (\d+)/))[1]);
    extraPids.push(pid);
    expect((await parent.waitFor(/(won|refused) .*/))[0]).toBe(`won ${pid}`);
    expect((await readFile(pidFile(dir), 'utf8')).split('\n')[0]).toBe(String(pid));

    const refused = await lockDataDir(dir).then(() => 'taken', (err: Error) => err);
    expect(refused).toBeInstanceOf(StoreLockedError);
    expect((refused as Error).message).toContain(`in use by process ${pid}`);

    process.kill(pid, 'SIGKILL');
    if (linux) {
      await until(`process ${pid} to be a zombie`, () => procState(pid) === 'Z');
      // What fooled the old check: a zombie still answers signal 0.
      expect(() => process.kill(pid, 0)).not.toThrow();
    } else {
      await until(`process ${pid} to be gone`, () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      });
    }
    const unlock = await lockDataDir(dir);
    expect((await readFile(pidFile(dir), 'utf8')).split('\n')[0]).toBe(String(process.pid));
    await unlock();
    expect(existsSync(pidFile(dir))).toBe(false);
  });

  it('takes over a plain-pid file (as older versions wrote) naming a live process that is not Node.js', async () => {
    const dir = await mkdirFresh();
    const sleeper = start('sleep', ['30']);
    await writeFile(pidFile(dir), `${sleeper.child.pid}`);
    const unlock = await lockDataDir(dir);
    expect((await readFile(pidFile(dir), 'utf8')).split('\n')[0]).toBe(String(process.pid));
    await unlock();
  });

  it('takes over a plain-pid file naming a dead process, and one naming this process (left by a previous one with its pid)', async () => {
    const dir = await mkdirFresh();
    const gone = start('sleep', ['0']);
    await exited(gone.child);
    await writeFile(pidFile(dir), `${gone.child.pid}\n`);
    await (await lockDataDir(dir))();
    await writeFile(pidFile(dir), `${process.pid}`);
    await (await lockDataDir(dir))();
  });

  it.skipIf(!linux)('keeps refusing on a plain-pid file naming a live Node.js process, which may be an older Tessera', async () => {
    const dir = await mkdirFresh();
    const pid = Number((await locker(await mkdirFresh()).waitFor(/won (\d+)/))[1]);
    await writeFile(pidFile(dir), `${pid}`);
    await expect(lockDataDir(dir)).rejects.toThrow(`in use by process ${pid}`);
  });

  it.skipIf(!linux)('takes over a pid file whose pid now belongs to another process (start time differs) or is from another boot', async () => {
    const dir = await mkdirFresh();
    const otherDir = await mkdirFresh();
    const pid = Number((await locker(otherDir).waitFor(/won (\d+)/))[1]);
    const held = await readFile(pidFile(otherDir), 'utf8');
    const start = /start=(\d+)/.exec(held)![1]!;
    const boot = /boot=(\S+)/.exec(held)![1]!;

    // The same process, exactly as it recorded itself: held.
    await writeFile(pidFile(dir), held);
    await expect(lockDataDir(dir)).rejects.toThrow(`in use by process ${pid}`);
    // Its pid, but a process started at another time: a reused pid.
    await writeFile(pidFile(dir), held.replace(`start=${start}`, `start=${Number(start) + 1}`));
    await (await lockDataDir(dir))();
    // Its pid and start time, but before a reboot.
    await writeFile(pidFile(dir), held.replace(`boot=${boot}`, 'boot=00000000-0000-0000-0000-000000000000'));
    await (await lockDataDir(dir))();
  });

  it('takes over when a process died in the middle of a take-over, leaving its guard behind', async () => {
    const dir = await mkdirFresh();
    const gone = start('sleep', ['0']);
    await exited(gone.child);
    await writeFile(pidFile(dir), `${gone.child.pid}\nstart=1\ntoken=old\n`);
    await writeFile(join(dir, 'tessera.pid.takeover'), `${gone.child.pid}\nstart=2\ntoken=crashed\n`);
    const unlock = await lockDataDir(dir);
    expect(await readdir(dir)).toEqual(['tessera.pid']);
    await unlock();
  });

  it('refuses a second lock in this process, and an unlock removes only its own pid file', async () => {
    const dir = await mkdirFresh();
    const unlock = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(`in use by process ${process.pid}`);
    await unlock();
    const again = await lockDataDir(dir);
    await unlock();
    expect(existsSync(pidFile(dir)), 'an old unlock leaves the new lock alone').toBe(true);
    await again();
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['a free directory', undefined],
    ['a directory with a stale pid file', 'stale'],
  ])('of several processes locking %s at once, exactly one wins', async (_label, stale) => {
    const dir = await mkdirFresh();
    if (stale) {
      const gone = start('sleep', ['0']);
      await exited(gone.child);
      await writeFile(pidFile(dir), `${gone.child.pid}\nstart=1\ntoken=old\n`);
    }
    const at = Date.now() + 1500;
    const racers = [locker(dir, at), locker(dir, at), locker(dir, at)];
    const results = await Promise.all(racers.map((r) => r.waitFor(/(won|refused) .*/).then((m) => m[0])));
    const winners = results.filter((r) => r.startsWith('won '));
    expect(winners, results.join('\n')).toHaveLength(1);
    const winner = winners[0]!.slice('won '.length);
    for (const r of results.filter((x) => x.startsWith('refused '))) expect(r).toContain(`in use by process ${winner}`);
    expect((await readFile(pidFile(dir), 'utf8')).split('\n')[0]).toBe(winner);
    // No temporary or moved-aside file is left behind.
    expect(await readdir(dir)).toEqual(['tessera.pid']);
  });
});

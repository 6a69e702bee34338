import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export class StoreLockedError extends Error {}

/**
 * Who holds a data directory, as its pid file says. A file from before start times were recorded holds only the pid.
 * start (clock ticks after boot, /proc/<pid>/stat field 22) and boot (the kernel's boot id) tell a live holder from
 * an unrelated process that was given the same pid later; token tells this lock from another taken by the same process.
 */
interface Holder {
  pid: number;
  start?: string;
  boot?: string;
  token?: string;
}
type Identity = Omit<Holder, 'token'>;

/** Tokens of the locks this process holds: a pid file naming this pid with another token is a previous process's. */
const held = new Set<string>();

const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Field 3 (state) and 22 (start time) of /proc/<pid>/stat; the command name before them may hold spaces and ')'. */
async function procStat(pid: number | 'self'): Promise<{ state: string; start: string } | undefined> {
  const text = await readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields.length > 19 ? { state: fields[0]!, start: fields[19]! } : undefined;
}

async function identity(): Promise<Identity> {
  const self = await procStat('self');
  const boot = (await readText('/proc/sys/kernel/random/boot_id'))?.trim();
  return { pid: process.pid, ...(self ? { start: self.start } : {}), ...(boot ? { boot } : {}) };
}

/** The pid on the first line, as before, so `head -n1 tessera.pid` still names the process; then key=value lines. */
function format(h: Holder): string {
  return `${h.pid}\n${(['start', 'boot', 'token'] as const).map((k) => (h[k] === undefined ? '' : `${k}=${h[k]}\n`)).join('')}`;
}

function parse(text: string): Holder | undefined {
  const [first, ...rest] = text.split('\n');
  const pid = Number(first!.trim());
  if (!/^[1-9]\d*$/.test(first!.trim()) || !Number.isSafeInteger(pid)) return undefined;
  const h: Holder = { pid };
  for (const line of rest) {
    const m = /^(start|boot|token)=(\S+)$/.exec(line.trim());
    if (m) h[m[1] as 'start' | 'boot' | 'token'] = m[2]!;
  }
  return h;
}

/** Without /proc: a process we may not signal (EPERM) still exists; a zombie cannot be told apart here. */
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isNode(argv0: string): boolean {
  const name = basename(argv0).toLowerCase();
  return /^(node|nodejs)(\d+(\.\d+)*)?(\.exe)?$/.test(name) || name === basename(process.execPath).toLowerCase();
}

/**
 * Whether the holder still runs. A zombie (killed, not yet reaped) or dead process holds nothing, nor does a process
 * started after the holder with its pid. A file recording a start time is checked exactly; a plain-pid file, from an
 * older version, holds while its pid is a live Node.js process.
 */
async function holds(h: Holder, me: Identity): Promise<boolean> {
  if (h.pid === process.pid) return h.token !== undefined && held.has(h.token);
  if (h.boot !== undefined && me.boot !== undefined && h.boot !== me.boot) return false;
  if (me.start === undefined) return signalable(h.pid);
  const st = await procStat(h.pid);
  // Not in /proc: gone, unless /proc hides other users' processes (hidepid) and the pid still answers signals.
  if (st === undefined) return signalable(h.pid);
  if (st.state === 'Z' || st.state === 'X' || st.state === 'x') return false;
  if (h.start !== undefined) return h.start === st.start;
  const cmdline = await readText(`/proc/${h.pid}/cmdline`);
  return cmdline === undefined || isNode(cmdline.split('\0')[0]!);
}

/**
 * Creates the pid file with all of its content at once: a hard link to a file already written, so no reader ever
 * sees it empty. Filesystems without hard links get an exclusive create instead.
 */
async function create(file: string, tmp: string, content: string): Promise<boolean> {
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err;
  }
  try {
    await writeFile(file, content, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

type Verdict = { state: 'gone' | 'wait' } | { state: 'held'; pid: number } | { state: 'stale'; text: string };

/** What the pid file (or take-over guard) at path says: gone, held by a live process, being written, or stale. */
async function judge(path: string, me: Identity): Promise<Verdict> {
  const text = await readText(path);
  if (text === undefined) return { state: 'gone' };
  const holder = parse(text);
  if (holder !== undefined) return (await holds(holder, me)) ? { state: 'held', pid: holder.pid } : { state: 'stale', text };
  // Unreadable content may still be being written (older versions create the file, then write it): wait a little.
  const age = await stat(path).then((st) => Date.now() - st.mtimeMs, () => Infinity);
  return age < 2000 ? { state: 'wait' } : { state: 'stale', text };
}

/**
 * Removes a take-over guard left by a process that died holding it, if it is still that one. Moving it aside is
 * atomic, so of two processes doing this at once only one moves it; one that finds it moved a fresh guard puts it back.
 */
async function removeDeadGuard(guard: string, stale: string, token: string): Promise<void> {
  if ((await readText(guard)) !== stale) return;
  const aside = `${guard}.${token}.stale`;
  try {
    await rename(guard, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((await readText(aside)) !== stale) {
    // EEXIST: a third process took the guard while it was away; it is only a guard, and its holders re-check.
    await link(aside, guard).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : rename(aside, guard)));
  }
  await unlink(aside).catch(() => undefined);
}

/**
 * Removes a stale pid file. Only the holder of the take-over guard (a file created exclusively, as the pid file is)
 * removes one, and only if it still is the one judged stale; so a lock taken meanwhile is never removed, and of
 * processes taking over at once exactly one then wins the exclusive create of the pid file.
 */
async function takeOver(file: string, stale: string, tmp: string, content: string, token: string, me: Identity): Promise<void> {
  const guard = `${file}.takeover`;
  // The guard carries the same identity as the pid file would: while this call holds it, it reads as live.
  held.add(token);
  try {
    if (await create(guard, tmp, content)) {
      try {
        if ((await readText(file)) === stale) await unlink(file);
      } finally {
        await unlink(guard);
      }
      return;
    }
  } finally {
    held.delete(token);
  }
  const verdict = await judge(guard, me);
  if (verdict.state === 'held' || verdict.state === 'wait') await sleep(20);
  else if (verdict.state === 'stale') await removeDeadGuard(guard, verdict.text, token);
}

/**
 * PGlite is one PostgreSQL in one process: a second process opening the same data directory would corrupt it.
 * A pid file guards the directory; one whose process died (or is a zombie), or whose pid now belongs to another
 * process, is taken over. Of several processes starting at once, exactly one gets it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, 'tessera.pid');
  const token = randomBytes(16).toString('hex');
  const me = await identity();
  const content = format({ ...me, token });
  const tmp = `${file}.${token}.tmp`;
  await writeFile(tmp, content, { flag: 'wx' });
  try {
    for (const end = Date.now() + 10_000; Date.now() < end; ) {
      if (await create(file, tmp, content)) {
        held.add(token);
        return async () => {
          if (!held.delete(token)) return;
          if ((await readText(file)) === content) await unlink(file).catch(() => undefined);
        };
      }
      const verdict = await judge(file, me);
      if (verdict.state === 'held') {
        throw new StoreLockedError(
          `the data directory ${dataDir} is in use by process ${verdict.pid}; stop it first, or use a PostgreSQL server (DATABASE_URL) to run several processes`,
        );
      }
      if (verdict.state === 'wait') await sleep(50);
      else if (verdict.state === 'stale') await takeOver(file, verdict.text, tmp, content, token, me);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  throw new StoreLockedError(`could not lock the data directory ${dataDir}`);
}

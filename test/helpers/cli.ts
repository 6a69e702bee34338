/**
 * The built CLI (`dist/cli/main.js`; `npm test` builds it first), spawned as users run it, with its output captured.
 * Every process it spawns is tracked until it exits, so a test file's afterAll can kill what is left (killAll).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const cli = join(root, 'dist/cli/main.js');

const children = new Set<ChildProcess>();

/** The environment without anything that would configure Tessera behind the test's back, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (['DATABASE_URL', 'PORT', 'HOST'].includes(k) || k.startsWith('TESSERA_')) delete env[k];
  return { ...env, ...extra };
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first match of re in the output; rejects if the process exits first, or after timeoutMs if given. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Like waitFor, but resolves with the first whole output line that re matches. */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

/** `node dist/cli/main.js ...args` in the repository root, with a clean environment plus `env`. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const onData = (d: Buffer) => {
    out += d.toString();
    wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) =>
    child.on('exit', (code) => {
      children.delete(child);
      res(code);
      wake();
    }),
  );
  /** Resolves with find's first answer other than undefined, checked on every new output. */
  const until = <T>(find: (output: string) => T | undefined, what: string, timeoutMs?: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = timeoutMs === undefined
        ? undefined
        : setTimeout(() => reject(new Error(`no ${what} in ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const check = () => {
        const found = find(out);
        if (found !== undefined) return clearTimeout(timer), resolve(found);
        if (child.exitCode !== null || child.signalCode !== null) {
          return clearTimeout(timer), reject(new Error(`exited ${child.exitCode ?? child.signalCode} before ${what}:\n${out}`));
        }
        waiters.push(check);
      };
      check();
    });
  return {
    child,
    output: () => out,
    waitFor: (re, timeoutMs) => until((o) => o.match(re) ?? undefined, `${re}`, timeoutMs),
    line: (re, timeoutMs) => until((o) => o.split('\n').find((l) => re.test(l)), `line matching ${re}`, timeoutMs),
    exited,
  };
}

/** SIGKILLs every spawned process still running, and waits for them to exit. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map((c) => {
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      return gone;
    }),
  );
}

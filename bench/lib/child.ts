/**
 * Servers under test run as child processes, so the load generator never shares their event loop. A child announces
 * where it listens on stdout; whatever it logs afterwards is passed through, prefixed, so warnings stay visible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildServer {
  name: string;
  url: string;
  pid: number;
  /** Resolves with the next stderr line matching the pattern (used by the query counter). */
  nextLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface ChildOptions {
  name: string;
  /** Arguments to node: flags, then the script and its arguments. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Must capture the URL in group 1. */
  listening: RegExp;
  /** Lines to keep to ourselves (e.g. printed keys); everything else after the URL is echoed. */
  quiet?: RegExp;
  startTimeoutMs?: number;
}

export function startChild(opts: ChildOptions): Promise<ChildServer> {
  const proc: ChildProcess = spawn(process.execPath, opts.args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let url: string | undefined;
  const echo = (line: string) => process.stderr.write(`  [${opts.name}] ${line}\n`);
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  };

  createInterface({ input: proc.stderr! }).on('line', (line) => {
    remember(line);
    const i = waiters.findIndex((w) => w.pattern.test(line));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(line);
    else echo(line);
  });

  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));

  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${opts.name} did not report a listening URL in time; last output:\n${tail.join('\n')}`));
    }, opts.startTimeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      if (url === undefined) reject(new Error(`${opts.name} exited (${code}) before listening; last output:\n${tail.join('\n')}`));
      else if (code !== 0) echo(`exited with code ${code}`);
    });

    createInterface({ input: proc.stdout! }).on('line', (line) => {
      remember(line);
      if (url === undefined) {
        const m = opts.listening.exec(line);
        if (!m?.[1]) return;
        url = m[1];
        clearTimeout(timer);
        resolve({
          name: opts.name,
          url,
          pid: proc.pid!,
          nextLine: (pattern, timeoutMs = 10_000) =>
            new Promise<string>((res, rej) => {
              const t = setTimeout(() => rej(new Error(`${opts.name}: no line matching ${pattern} in ${timeoutMs} ms`)), timeoutMs);
              waiters.push({ pattern, resolve: (l) => (clearTimeout(t), res(l)) });
            }),
          async stop() {
            if (proc.exitCode !== null || proc.signalCode !== null) return exited;
            proc.kill('SIGTERM');
            const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
            const code = await exited;
            clearTimeout(killer);
            return code;
          },
        });
      } else if (!opts.quiet?.test(line) && line.trim() !== '') echo(line);
    });
  });
}

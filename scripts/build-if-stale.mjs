#!/usr/bin/env node
/**
 * Builds (tsc) only when the build is missing or older than a source: `npm start` and `npm test` then start at
 * once on an up-to-date build instead of recompiling every time.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Newest modification time under dir (files whose name passes keep), 0 when there is none. */
function newest(dir, keep) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) max = Math.max(max, newest(path, keep));
    else if (keep(entry.name)) max = Math.max(max, statSync(path).mtimeMs);
  }
  return max;
}

/** Why root's build is stale (a reason to print), or undefined when dist/ is newer than every input. */
export function staleReason(root) {
  const built = join(root, 'dist/cli/main.js');
  if (!existsSync(built)) return 'no build yet';
  const builtAt = newest(join(root, 'dist'), (n) => n.endsWith('.js'));
  const sources = newest(join(root, 'src'), (n) => n.endsWith('.ts'));
  const config = Math.max(...['tsconfig.json', 'package-lock.json'].map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)));
  if (sources > builtAt) return 'sources changed since the last build';
  if (config > builtAt) return 'tsconfig.json or dependencies changed since the last build';
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const reason = staleReason(root);
  // tsc writes the CLI without the x bit; `npx tessera` runs it directly.
  const executable = () => existsSync(join(root, 'dist/cli/main.js')) && chmodSync(join(root, 'dist/cli/main.js'), 0o755);
  if (reason === undefined) {
    executable();
    process.exit(0);
  }
  process.stderr.write(`Building Tessera (${reason})...\n`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status === 0) executable();
  process.exit(r.status ?? 1);
}

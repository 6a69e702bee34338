/** `npm start` and `npm test` rebuild only when the build is missing or older than a source. */
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { staleReason } from '../scripts/build-if-stale.mjs';

let root: string;
const at = (path: string, seconds: number) => utimes(join(root, path), seconds, seconds);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-stale-'));
  await mkdir(join(root, 'src/cli'), { recursive: true });
  await writeFile(join(root, 'src/cli/main.ts'), '');
  await writeFile(join(root, 'tsconfig.json'), '{}');
  await at('src/cli/main.ts', 1000);
  await at('tsconfig.json', 1000);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('build-if-stale', () => {
  it('builds when there is no build, skips an up-to-date one, rebuilds after a source or config change', async () => {
    expect(staleReason(root)).toBe('no build yet');
    await mkdir(join(root, 'dist/cli'), { recursive: true });
    await writeFile(join(root, 'dist/cli/main.js'), '');
    await at('dist/cli/main.js', 2000);
    expect(staleReason(root)).toBeUndefined();
    await at('src/cli/main.ts', 3000);
    expect(staleReason(root)).toBe('sources changed since the last build');
    await at('dist/cli/main.js', 4000);
    expect(staleReason(root)).toBeUndefined();
    await at('tsconfig.json', 5000);
    expect(staleReason(root)).toMatch(/tsconfig/);
  });
});

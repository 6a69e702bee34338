import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class StoreLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one PostgreSQL in one process: a second process opening the same data directory would corrupt it.
 * A pid file guards the directory; one left by a process that died is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, 'tessera.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return async () => {
        await unlink(file).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StoreLockedError(
          `the data directory ${dataDir} is in use by process ${pid}; stop it first, or use a PostgreSQL server (DATABASE_URL) to run several processes`,
        );
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new StoreLockedError(`could not lock the data directory ${dataDir}`);
}

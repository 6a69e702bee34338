import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ConfigError, describeStore, type ConfigFlags } from '../config/index.js';
import { openStore } from '../compose.js';
import { checkTarget, copyStore, CopyRefused } from '../store/copy.js';
import { migrate } from '../store/migrator.js';
import { createPgliteDb } from '../store/pglite.js';
import { configFrom } from './options.js';

/** `tessera copy-store --to postgres://...`: moves the embedded store's data into an empty PostgreSQL database. */
export function copyStoreCommand(program: Command): void {
  program
    .command('copy-store')
    .description('copy everything in the embedded store into an empty PostgreSQL database, to move to a server (stop Tessera first)')
    .addOption(new Option('--data-dir <dir>', 'where the embedded store lives (env TESSERA_DATA_DIR; default ./.tessera)'))
    .addOption(new Option('--to <url>', 'the PostgreSQL database to copy into (postgres://user:password@host:5432/name), migrated first; default: DATABASE_URL, which keeps the password out of the process list'))
    .action(async (flags: Pick<ConfigFlags, 'dataDir'> & { to?: string }) => {
      if (flags.to !== undefined && !/^postgres(ql)?:\/\//.test(flags.to)) throw new ConfigError('copy-store: --to must be a postgres:// URL');
      // --to, else DATABASE_URL (flags beat the environment in the config).
      const target = configFrom({ dataDir: flags.dataDir, databaseUrl: flags.to, logLevel: 'silent' });
      if (target.databaseUrl === undefined) throw new ConfigError('copy-store: name the PostgreSQL database to copy into with --to or DATABASE_URL');
      if (!existsSync(join(target.dataDir, 'pgdata'))) throw new ConfigError(`copy-store: there is no embedded store in ${target.dataDir} (set --data-dir)`);
      const from = `PGlite in ${target.dataDir}`;
      // The embedded store's directory lock refuses a second process: a running Tessera must be stopped first.
      const source = await createPgliteDb(target.dataDir);
      try {
        const into = await openStore(target);
        try {
          await checkTarget(into);
          await migrate(source);
          await migrate(into);
          const summary = await copyStore(source, into, { onTable: (table, rows) => void (rows > 0 && process.stdout.write(`  ${table}: ${rows}\n`)) });
          process.stdout.write(`Copied ${summary.rows} rows of ${summary.tables} tables from ${from} to ${describeStore(target)}.\nStart Tessera with DATABASE_URL set to that database.\n`);
        } catch (err) {
          if (err instanceof CopyRefused) throw new ConfigError(`copy-store: ${err.message}`);
          throw err;
        } finally {
          await into.close();
        }
      } finally {
        await source.close();
      }
    });
}

import type { Command } from 'commander';
import { describeStore, type ConfigFlags } from '../config/index.js';
import { compose } from '../compose.js';
import { configFrom, withStoreOptions } from './options.js';

export function migrateCommand(program: Command): void {
  withStoreOptions(program.command('migrate'))
    .description('apply pending database migrations and exit')
    .action(async (flags: ConfigFlags) => {
      const config = configFrom(flags);
      const tessera = await compose(config, { api: false });
      try {
        const applied = tessera.migrated;
        process.stdout.write(
          applied.length === 0
            ? `${describeStore(config)} is up to date\n`
            : `Applied to ${describeStore(config)}: ${applied.join(', ')}\n`,
        );
      } finally {
        await tessera.close();
      }
    });
}

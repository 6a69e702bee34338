import type { Command } from 'commander';
import { describeStore, type ConfigFlags } from '../config/index.js';
import { compose } from '../compose.js';
import { configFrom, withDeliveryOptions, withStoreOptions } from './options.js';
import { describeJobs } from './jobs.js';

export function workerCommand(program: Command): void {
  withDeliveryOptions(withStoreOptions(program.command('worker')))
    .description('deliver webhooks and keep segments up to date without serving the API; run as many as you like against one PostgreSQL')
    .action(async (flags: ConfigFlags) => {
      const config = configFrom(flags);
      // The one composition, API off, worker on: it also listens for other processes' changes to cached endpoints.
      const tessera = await compose(config, { api: false, worker: true });
      tessera.logger.info({ jobs: tessera.worker.jobs.map((j) => j.name) }, 'background jobs');
      process.stdout.write(
        `Tessera worker ${tessera.worker.owner} is delivering webhooks (store: ${describeStore(config)})\n${describeJobs(tessera.worker.jobs)}`,
      );
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        tessera.logger.info({ signal }, 'worker stopping: finishing deliveries in flight');
        await tessera.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

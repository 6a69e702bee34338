import type { Command } from 'commander';
import { describeStore, type ConfigFlags } from '../config/index.js';
import { createServices, createWorker, openStore } from '../compose.js';
import { systemClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { migrate } from '../store/migrator.js';
import { configFrom, withDeliveryOptions, withStoreOptions } from './options.js';

export function workerCommand(program: Command): void {
  withDeliveryOptions(withStoreOptions(program.command('worker')))
    .description('deliver webhooks and keep segments up to date without serving the API; run as many as you like against one PostgreSQL')
    .action(async (flags: ConfigFlags) => {
      const config = configFrom(flags);
      const logger = createLogger(config.logLevel, { pretty: config.logPretty });
      const db = await openStore(config);
      await migrate(db);
      const services = createServices(db, config, systemClock, logger);
      const worker = createWorker(db, config, services, systemClock, logger);
      await worker.start();
      process.stdout.write(`Tessera worker ${worker.owner} is delivering webhooks (store: ${describeStore(config)})\n`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'worker stopping: finishing deliveries in flight');
        await worker.stop();
        await services.close();
        await db.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}

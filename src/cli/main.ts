#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { copyStoreCommand } from './copy-store.js';
import { listenCommand } from './listen.js';
import { migrateCommand } from './migrate.js';
import { projectsCommand } from './projects.js';
import { teamCommand } from './team.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';

const program = new Command('tessera')
  .description('Tessera: customer events, segments, incentives and webhooks, speaking Voucherify\'s API')
  .version('0.1.0')
  .showHelpAfterError();

serveCommand(program);
workerCommand(program);
migrateCommand(program);
copyStoreCommand(program);
projectsCommand(program);
teamCommand(program);
listenCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof ConfigError) {
    process.stderr.write(`tessera: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tessera: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

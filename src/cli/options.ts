import { Option, type Command } from 'commander';
import { loadConfig, type Config, type ConfigFlags } from '../config/index.js';

/** The store and server flags shared by the commands; each maps to a Config field (flags beat env). */
export function withStoreOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--database-url <url>', 'PostgreSQL server to use (env DATABASE_URL); default: embedded PGlite'))
    .addOption(new Option('--data-dir <dir>', 'where the embedded PGlite store lives (env TESSERA_DATA_DIR; default ./.tessera)'))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env TESSERA_LOG_LEVEL)'));
}

export function withServerOptions(cmd: Command): Command {
  return withStoreOptions(cmd)
    .addOption(new Option('--port <port>', 'port to listen on (env PORT; default 8080)'))
    .addOption(new Option('--host <host>', 'address to listen on (env HOST; default 127.0.0.1)'));
}

/** Options of the processes that deliver webhooks (serve, worker). */
export function withDeliveryOptions(cmd: Command): Command {
  return cmd.addOption(
    new Option('--allow-private-targets', 'let webhooks target loopback, private and link-local addresses (env TESSERA_ALLOW_PRIVATE_TARGETS; local development only)'),
  );
}

export function configFrom(flags: ConfigFlags): Config {
  // The one place outside config/ that touches process.env: handing it to the loader.
  return loadConfig(process.env, flags);
}

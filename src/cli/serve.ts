import type { Command } from 'commander';
import { describeStore, type ConfigFlags } from '../config/index.js';
import { compose } from '../compose.js';
import { describeJobs } from './jobs.js';
import { configFrom, withDeliveryOptions, withServerOptions } from './options.js';

export function serveCommand(program: Command): void {
  withDeliveryOptions(withServerOptions(program.command('serve')))
    .description('run the HTTP API and the in-process background worker (webhooks, segments); what `npm start` runs')
    .option('--no-worker', 'do no background work in this process (webhook delivery, segment upkeep): run `tessera worker` processes instead')
    .action(async (flags: ConfigFlags & { worker: boolean }) => {
      const config = configFrom(flags);
      const tessera = await compose(config, { worker: flags.worker });
      if (flags.worker) tessera.logger.info({ jobs: tessera.worker.jobs.map((j) => j.name) }, 'background jobs');
      const management: string[] = tessera.management.token
        ? ['', 'Management credentials (shown once; pin your own with TESSERA_MANAGEMENT_ID/TESSERA_MANAGEMENT_TOKEN):', `  X-Management-Id:    ${tessera.management.id}`, `  X-Management-Token: ${tessera.management.token}`]
        : [];
      let address: string;
      try {
        address = await tessera.app.listen({ port: config.port, host: config.host });
      } catch (err) {
        // Credentials made by this start are shown even so (they are shown once); the default project waits for a start that listens.
        if (management.length > 0) process.stdout.write(`${management.join('\n')}\n`);
        await tessera.close();
        const code = (err as { code?: string }).code;
        if (code === 'EADDRINUSE') throw new Error(`port ${config.port} on ${config.host} is in use: stop what listens there, or start Tessera on another port (PORT=<port> or --port <port>)`);
        throw err;
      }
      const created = await tessera.services.projects.ensureDefault();
      const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
      const lines = [`Tessera is listening on ${url} (store: ${describeStore(config)}; background work ${flags.worker ? 'in this process' : 'off'})`, `Dashboard: ${url}/dashboard (sign in with the management credentials)`, ...management];
      if (created) {
        const { project, serverKey, clientKey } = created;
        lines.push('', `Default project ${project.id} (${project.name}) was created. Its keys (shown once):`);
        lines.push(`  API URL:                  ${url}`);
        lines.push(`  X-App-Id:                 ${serverKey.app_id}`, `  X-App-Token:              ${serverKey.app_token}`);
        lines.push(`  X-Client-Application-Id:  ${clientKey.app_id}`, `  X-Client-Token:           ${clientKey.app_token}`);
        lines.push(`  Webhook signing secret:   ${project.webhook_token}`);
      }
      process.stdout.write(`${lines.join('\n')}\n${flags.worker ? describeJobs(tessera.worker.jobs) : ''}`);

      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        tessera.logger.info({ signal }, 'shutting down');
        await tessera.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}

import { InvalidArgumentError, type Command } from 'commander';
import type { ConfigFlags } from '../config/index.js';
import { compose } from '../compose.js';
import { createdProjectObject, projectObject, type ProjectsService } from '../modules/projects/index.js';
import { StoreLockedError } from '../store/dir-lock.js';
import { configFrom, withStoreOptions } from './options.js';

async function withProjects<T>(flags: ConfigFlags, fn: (projects: ProjectsService) => Promise<T>): Promise<T> {
  let tessera;
  try {
    tessera = await compose(configFrom(flags), { api: false });
  } catch (err) {
    if (!(err instanceof StoreLockedError)) throw err;
    // The running server owns the store: its management API does the same over HTTP.
    throw new Error(
      `${err.message}. While it runs, use its management API instead: GET /management/v1/projects (list), POST /management/v1/projects (create), POST /management/v1/projects/{id}/server-side-key/regenerate (new key), with the X-Management-Id and X-Management-Token headers`,
    );
  }
  try {
    return await fn(tessera.services.projects);
  } finally {
    await tessera.close();
  }
}

/** A project's name, as the management API takes it: 1 to 200 characters, not only spaces. */
function projectName(v: string): string {
  if (v.trim() === '' || v.length > 200) throw new InvalidArgumentError('must be 1 to 200 characters');
  return v;
}

export function projectsCommand(program: Command): void {
  const projects = program.command('projects').description('create and list projects, regenerate their keys');

  withStoreOptions(projects.command('create'))
    .description('create a project and print its keys')
    .requiredOption('--name <name>', 'project name (1 to 200 characters)', projectName)
    .option('--trusted-domain <domain...>', 'origins allowed to use the client key (client_trusted_domains)')
    .option('--json', 'print the project as JSON')
    .action(async (flags: ConfigFlags & { name: string; trustedDomain?: string[]; json?: boolean }) => {
      await withProjects(flags, async (svc) => {
        const { project, serverKey, clientKey } = await svc.create({
          name: flags.name,
          ...(flags.trustedDomain ? { client_trusted_domains: flags.trustedDomain } : {}),
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(createdProjectObject(project, serverKey, clientKey), null, 2)}\n`);
          return;
        }
        process.stdout.write(
          [
            `Project ${project.id} (${project.name})`,
            `  X-App-Id:                 ${serverKey.app_id}`,
            `  X-App-Token:              ${serverKey.app_token}`,
            `  X-Client-Application-Id:  ${clientKey.app_id}`,
            `  X-Client-Token:           ${clientKey.app_token}`,
            `  Webhook signing secret:   ${project.webhook_token}`,
            '',
          ].join('\n'),
        );
      });
    });

  withStoreOptions(projects.command('regenerate-key'))
    .description("replace a project's server or client key and print the new one (the old one stops working at once)")
    .argument('<project-id>', 'the project (proj_...)')
    .option('--client', 'regenerate the client key instead of the server key')
    .option('--json', 'print the key as JSON')
    .action(async (projectId: string, flags: ConfigFlags & { client?: boolean; json?: boolean }) => {
      await withProjects(flags, async (svc) => {
        const pair = await svc.regenerateKey(projectId, flags.client ? 'client' : 'server');
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ project_id: projectId, [flags.client ? 'client_side_key' : 'server_side_key']: pair }, null, 2)}\n`);
          return;
        }
        const [idName, tokenName] = flags.client ? ['X-Client-Application-Id', 'X-Client-Token'] : ['X-App-Id', 'X-App-Token'];
        process.stdout.write(`New ${flags.client ? 'client' : 'server'} key of ${projectId} (shown once; the old one no longer works):\n`);
        process.stdout.write(`  ${`${idName}:`.padEnd(26)}${pair.app_id}\n  ${`${tokenName}:`.padEnd(26)}${pair.app_token}\n`);
      });
    });

  withStoreOptions(projects.command('list'))
    .description('list projects')
    .option('--json', 'print the projects as JSON')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      await withProjects(flags, async (svc) => {
        const rows = await svc.list();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(rows.map(projectObject), null, 2)}\n`);
          return;
        }
        if (rows.length === 0) process.stdout.write('No projects yet.\n');
        for (const p of rows) process.stdout.write(`${p.id}\t${p.name}\t${p.created_at.toISOString()}\n`);
      });
    });
}

import type { Command } from 'commander';
import type { ConfigFlags } from '../config/index.js';
import { compose } from '../compose.js';
import { invitationDays, userObject, type TeamService } from '../modules/team/index.js';
import { StoreLockedError } from '../store/dir-lock.js';
import { configFrom, withStoreOptions } from './options.js';

async function withTeam<T>(flags: ConfigFlags, fn: (team: TeamService, origin: string) => Promise<T>): Promise<T> {
  let tessera;
  const config = configFrom(flags);
  try {
    tessera = await compose(config, { api: false });
  } catch (err) {
    if (!(err instanceof StoreLockedError)) throw err;
    throw new Error(
      `${err.message}. While it runs, use its management API instead: POST /management/v1/projects/users/invite (the link comes back in the x-tessera-invitation-url header), GET /management/v1/users, with the X-Management-Id and X-Management-Token headers`,
    );
  }
  try {
    return await fn(tessera.services.team, config.publicUrl ?? `http://${config.host}:${config.port}`);
  } finally {
    await tessera.close();
  }
}

/** `role` or `project:role` values of --project, as the invitation's projects. */
function projectsOf(values: string[], role: string): Record<string, string> {
  return Object.fromEntries(values.map((v) => {
    const i = v.indexOf(':');
    return i > 0 ? [v.slice(0, i), v.slice(i + 1)] : [v, role];
  }));
}

export function teamCommand(program: Command): void {
  const team = program.command('team').description('invite people to the dashboard and list the team');

  withStoreOptions(team.command('invite'))
    .description(`invite someone by email and print their invitation link (it works once, for ${invitationDays} days)`)
    .argument('<email>', 'their email (their login)')
    .requiredOption('--project <project...>', 'the projects (proj_...), each optionally with its own role (proj_...:ADMIN)')
    .option('--role <role>', 'the role in the projects named without one: ADMIN, USER, VIEWER or MERCHANT', 'USER')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--url <url>', 'the address people open Tessera at, for the link (default: TESSERA_PUBLIC_URL, else http://<host>:<port> of the configuration)')
    .action(async (email: string, flags: ConfigFlags & { project: string[]; role: string; firstName?: string; lastName?: string; url?: string }) => {
      await withTeam(flags, async (svc, origin) => {
        const { user, token } = await svc.invite({ email, first_name: flags.firstName, last_name: flags.lastName, projects: projectsOf(flags.project, flags.role) });
        const base = (flags.url ?? origin).replace(/\/+$/, '');
        process.stdout.write(
          [`Invited ${user.login} (${user.id}) to ${Object.entries(user.projects).map(([p, r]) => `${p} as ${r}`).join(', ')}.`, `Send them this link (shown once; it works once, for ${invitationDays} days):`, `  ${base}/dashboard/invitation/${token}`, ''].join('\n'),
        );
      });
    });

  withStoreOptions(team.command('list'))
    .description('list the team: every user, their status and their role in each project')
    .option('--json', 'print the users as JSON')
    .action(async (flags: ConfigFlags & { json?: boolean }) => {
      await withTeam(flags, async (svc) => {
        const users = await svc.listAll();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(users.map((u) => userObject(u)), null, 2)}\n`);
          return;
        }
        if (users.length === 0) process.stdout.write('Nobody yet: invite someone with `tessera team invite`.\n');
        for (const u of users) {
          const o = userObject(u);
          process.stdout.write(`${o.id}\t${o.login}\t${o.status}\t${Object.entries(o.projects).map(([p, r]) => `${p}:${r}`).join(' ')}\n`);
        }
      });
    });
}

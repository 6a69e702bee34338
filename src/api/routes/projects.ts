import type { FastifyInstance } from 'fastify';
import { createdProjectObject, projectObject, type ProjectInput, type ProjectsService } from '../../modules/projects/index.js';
import { listOf } from '../list.js';
import { rateLimitSettingSchema } from '../rate-limits.js';
import type { Assignment, TeamService } from '../../modules/team/index.js';
import type { CategoriesService } from '../../modules/campaigns/index.js';
import { checkStackingRules, stackingRulesOf, stackingRulesSchema } from '../../modules/redemptions/index.js';

const flag = { type: 'boolean' } as const;

/** ManagementProjectBase (plus name, required on create, and the few create/update-only fields). Unknown keys are refused. */
const projectProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  description: { type: ['string', 'null'], maxLength: 5000 },
  timezone: { type: 'string', minLength: 1, maxLength: 100 },
  currency: { type: 'string', minLength: 1, maxLength: 10 },
  dial_code: { type: ['string', 'null'], maxLength: 10 },
  webhook_version: { type: 'string', enum: ['v2024-01-01'] },
  api_version: { type: 'string', enum: ['v2018-08-01'] },
  case_sensitive_codes: flag,
  client_trusted_domains: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 500, pattern: '^\\S+$' }, maxItems: 100 },
  client_redeem_enabled: flag,
  client_publish_enabled: flag,
  client_list_vouchers_enabled: flag,
  client_create_customer_enabled: flag,
  client_loyalty_events_enabled: flag,
  client_set_voucher_expiration_date_enabled: flag,
  webhooks_callout_notifications: { type: 'object' },
  api_usage_notifications: { type: 'object' },
  cluster_id: { type: 'string', maxLength: 100 },
  // Existing team users assigned on creation (each by id or login, with a role).
  users: {
    type: 'array',
    maxItems: 100,
    items: {
      type: 'object',
      required: ['role'],
      additionalProperties: false,
      properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, login: { type: 'string', minLength: 1, maxLength: 320 }, role: { type: 'string', minLength: 1, maxLength: 100 } },
    },
  },
  default_code_config: { type: 'object' },
  // Our extension: API call limits of this project (null: the instance's default, TESSERA_*_RATE_LIMIT).
  api_rate_limit: rateLimitSettingSchema,
  client_rate_limit: rateLimitSettingSchema,
  bulk_api_rate_limit: rateLimitSettingSchema,
  // Voucherify's stacking rules (its dashboard's): how many redeemables apply, which categories exclude the others.
  stacking_rules: stackingRulesSchema,
} as const;

const idParams = { type: 'object', properties: { projectId: { type: 'string', minLength: 1 } } } as const;

export function projectRoutes(app: FastifyInstance, deps: { projects: ProjectsService; team: TeamService; categories: CategoriesService }): void {
  const { projects, team, categories } = deps;
  /** Stacking rules sent with a project pass the checks of the stacking-rules routes (kept as sent otherwise). */
  const checkStacking = (body: ProjectInput, categoriesOf: () => Promise<ReadonlyArray<{ id: string }>>) =>
    body.stacking_rules === undefined ? Promise.resolve() : checkStackingRules(stackingRulesOf({ stacking_rules: body.stacking_rules }), categoriesOf);

  app.post<{ Body: ProjectInput }>(
    '/projects',
    { schema: { body: { type: 'object', required: ['name'], properties: projectProperties, additionalProperties: false } } },
    async (req) => {
      const users = (req.body.users ?? []) as Assignment[];
      // The users are checked first: a project is not created for an assignment that would fail.
      await team.assignable(users);
      // A new project has no categories yet.
      await checkStacking(req.body, async () => []);
      const { project, serverKey, clientKey } = await projects.create(req.body);
      for (const u of users) await team.assign(project.id, u);
      return createdProjectObject(project, serverKey, clientKey);
    },
  );

  // A team user (from the dashboard) sees the projects they are assigned to.
  app.get('/projects', async (req) => {
    const all = await projects.list();
    const rows = req.teamUser ? all.filter((p) => req.teamUser!.access.has(p.id)) : all;
    return listOf('data', rows.map(projectObject), { total: rows.length });
  });

  app.get<{ Params: { projectId: string } }>('/projects/:projectId', { schema: { params: idParams } }, async (req) =>
    projectObject(await projects.get(req.params.projectId)),
  );

  app.put<{ Params: { projectId: string }; Body: ProjectInput }>(
    '/projects/:projectId',
    { schema: { params: idParams, body: { type: 'object', properties: projectProperties, additionalProperties: false } } },
    async (req) => {
      const { projectId } = req.params;
      if (req.body.stacking_rules !== undefined) await projects.get(projectId);
      await checkStacking(req.body, () => categories.list(projectId));
      return projectObject(await projects.update(projectId, req.body));
    },
  );

  // Our extension: a lost or leaked key is replaced; the old one stops working at once.
  for (const [path, kind, field] of [
    ['server-side-key', 'server', 'server_side_key'],
    ['client-side-key', 'client', 'client_side_key'],
  ] as const) {
    app.post<{ Params: { projectId: string } }>(`/projects/:projectId/${path}/regenerate`, { schema: { params: idParams } }, async (req) => {
      const pair = await projects.regenerateKey(req.params.projectId, kind);
      return { object: 'project_key', project_id: req.params.projectId, [field]: pair };
    });
  }

  app.delete<{ Params: { projectId: string } }>('/projects/:projectId', { schema: { params: idParams } }, async (req, reply) => {
    await projects.remove(req.params.projectId);
    return reply.code(204).send();
  });
}

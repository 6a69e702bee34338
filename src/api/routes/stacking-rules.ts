import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { duplicate, notFound } from '../../core/errors.js';
import type { ProjectsService } from '../../modules/projects/index.js';
import type { CategoriesService } from '../../modules/campaigns/index.js';
import { checkStackingRules, hasOwnStackingRules, stackingRecord, stackingRecordBody, stackingRulesOf, stackingSetting } from '../../modules/redemptions/index.js';

const params = { type: 'object', properties: { projectId: { type: 'string', minLength: 1 }, rulesId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;
type P = { Params: { projectId: string; rulesId: string }; Body: Record<string, unknown> };

/**
 * /management/v1/projects/{id}/stacking-rules: the project's one stacking-rules record (Voucherify's management API).
 * The list always holds it (Voucherify's defaults until the project sets its own); POST sets them once (409 after),
 * PUT changes what it sends, DELETE goes back to the defaults.
 */
export function stackingRuleRoutes(app: FastifyInstance, deps: { projects: ProjectsService; categories: CategoriesService; clock: Clock }): void {
  const { projects, categories, clock } = deps;
  /** The project and its record; an id that is not the record's is a 404. */
  async function current(projectId: string, rulesId?: string) {
    const project = await projects.get(projectId);
    const record = stackingRecord(project);
    if (rulesId !== undefined && rulesId !== record.id) throw notFound('stacking_rules', rulesId);
    return { project, record };
  }
  /** Keeps a setting the body made, once the checks every stacking-rules route shares pass. */
  async function keep(projectId: string, setting: Record<string, unknown>) {
    await checkStackingRules(stackingRulesOf({ stacking_rules: setting }), () => categories.list(projectId));
    return stackingRecord(await projects.update(projectId, { stacking_rules: setting }));
  }

  app.get<P>('/projects/:projectId/stacking-rules', { schema: { params } }, async (req) => {
    const { record } = await current(req.params.projectId);
    return { object: 'list', data_ref: 'data', data: [record], total: 1 };
  });
  app.get<P>('/projects/:projectId/stacking-rules/:rulesId', { schema: { params } }, async (req) => (await current(req.params.projectId, req.params.rulesId)).record);

  app.post<P>('/projects/:projectId/stacking-rules', { schema: { params, body: stackingRecordBody } }, async (req) => {
    const { project, record } = await current(req.params.projectId);
    if (hasOwnStackingRules(project.settings)) throw duplicate('stacking_rules', 'id', record.id);
    const now = clock.now().toISOString();
    return keep(project.id, stackingSetting(req.body ?? {}, stackingRulesOf(project.settings), { id: record.id, created_at: now, updated_at: null }));
  });

  app.put<P>('/projects/:projectId/stacking-rules/:rulesId', { schema: { params, body: stackingRecordBody } }, async (req) => {
    const { project, record } = await current(req.params.projectId, req.params.rulesId);
    return keep(project.id, stackingSetting(req.body ?? {}, stackingRulesOf(project.settings), { id: record.id, created_at: record.created_at, updated_at: clock.now().toISOString() }));
  });

  app.delete<P>('/projects/:projectId/stacking-rules/:rulesId', { schema: { params } }, async (req, reply) => {
    const { project } = await current(req.params.projectId, req.params.rulesId);
    await projects.update(project.id, { stacking_rules: null });
    return reply.code(204).send();
  });
}

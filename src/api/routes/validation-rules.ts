import type { FastifyInstance } from 'fastify';
import {
  assignmentBody,
  assignmentObject,
  createValidationRuleBody,
  validationRuleBody,
  validationRuleObject,
  type RelatedObjectType,
  type ValidationRuleInput,
  type ValidationRulesService,
} from '../../modules/validation-rules/index.js';
import { invalidPayload } from '../../core/errors.js';
import type { CampaignsService } from '../../modules/campaigns/index.js';
import type { VouchersService } from '../../modules/vouchers/index.js';
import { causeOf, projectIdOf } from '../auth.js';
import { dateParam, limitParam, listOf, toDate } from '../list.js';

const key = { type: 'string', minLength: 1, maxLength: 200 } as const;
const params = (...names: string[]) => ({ type: 'object', required: names, properties: Object.fromEntries(names.map((n) => [n, key])) }) as const;
const page = { type: 'integer', minimum: 1, maximum: 100, default: 1 } as const;
const order = { type: 'string', enum: ['created_at', '-created_at'] } as const;

type R = { validationRuleId: string };
type AssignmentBody = { related_object_type?: RelatedObjectType; related_object_id?: string; voucher?: string; campaign?: string; promotion_tier?: string };

export function validationRuleRoutes(app: FastifyInstance, deps: { validationRules: ValidationRulesService; vouchers: Pick<VouchersService, 'find'>; campaigns: Pick<CampaignsService, 'get'> }): void {
  const rules = deps.validationRules;

  app.post<{ Body: ValidationRuleInput & { name: string } }>('/validation-rules', { schema: { body: createValidationRuleBody } }, async (req) =>
    validationRuleObject(await rules.create(causeOf(req), req.body)),
  );
  app.get<{ Params: R }>('/validation-rules/:validationRuleId', { schema: { params: params('validationRuleId') } }, async (req) =>
    validationRuleObject(await rules.get(projectIdOf(req), req.params.validationRuleId)),
  );
  app.put<{ Params: R; Body: ValidationRuleInput }>('/validation-rules/:validationRuleId', { schema: { params: params('validationRuleId'), body: validationRuleBody } }, async (req) =>
    validationRuleObject(await rules.update(causeOf(req), req.params.validationRuleId, req.body)),
  );
  app.delete<{ Params: R }>('/validation-rules/:validationRuleId', { schema: { params: params('validationRuleId') } }, async (req, reply) => {
    await rules.remove(causeOf(req), req.params.validationRuleId);
    return reply.code(204).send();
  });
  app.get<{ Querystring: { limit: number; page: number; order?: string; start_date?: string; end_date?: string } }>(
    '/validation-rules',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: limitParam,
            page,
            order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at', 'name', '-name'] },
            start_date: dateParam,
            end_date: dateParam,
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const out = await rules.list(projectIdOf(req), { ...q, start_date: toDate(q.start_date), end_date: toDate(q.end_date) });
      return listOf('data', out.rules.map(validationRuleObject), { total: out.total });
    },
  );

  /**
   * The older body {voucher | campaign | promotion_tier} names the object by code or name as well as by id: a voucher
   * or campaign is looked up (404 when unknown), as rules match them by id; a promotion tier is stored as given.
   */
  async function target(projectId: string, body: AssignmentBody): Promise<{ related_object_type?: RelatedObjectType; related_object_id: string }> {
    const older = (['voucher', 'campaign', 'promotion_tier'] as const).filter((k) => body[k] !== undefined);
    if (older.length === 0) {
      if (body.related_object_id === undefined) throw invalidPayload("Payload must have required property 'related_object_id'");
      return { related_object_type: body.related_object_type, related_object_id: body.related_object_id };
    }
    if (older.length > 1 || body.related_object_id !== undefined || body.related_object_type !== undefined)
      throw invalidPayload('Payload must name one object: related_object_id (with related_object_type), or one of voucher, campaign, promotion_tier');
    const type = older[0]!;
    const key = body[type]!;
    if (type === 'voucher') return { related_object_type: type, related_object_id: (await deps.vouchers.find(projectId, key)).id };
    if (type === 'campaign') return { related_object_type: type, related_object_id: (await deps.campaigns.get(projectId, key)).id };
    return { related_object_type: type, related_object_id: key };
  }
  app.post<{ Params: R; Body: AssignmentBody; Querystring: { force?: boolean } }>(
    '/validation-rules/:validationRuleId/assignments',
    { schema: { params: params('validationRuleId'), body: assignmentBody, querystring: { type: 'object', properties: { force: { type: 'boolean' } } } } },
    async (req) => assignmentObject(await rules.assign(causeOf(req), req.params.validationRuleId, await target(projectIdOf(req), req.body), req.query.force ?? false)),
  );
  app.delete<{ Params: R & { assignmentId: string } }>(
    '/validation-rules/:validationRuleId/assignments/:assignmentId',
    { schema: { params: params('validationRuleId', 'assignmentId') } },
    async (req, reply) => {
      await rules.unassign(causeOf(req), req.params.validationRuleId, req.params.assignmentId);
      return reply.code(204).send();
    },
  );
  const listAssignments = async (projectId: string, q: { rule?: string; related_object_id?: string; limit: number; page: number; order?: string }) => {
    const out = await rules.assignments(projectId, q);
    return listOf('data', out.rows.map(assignmentObject), { total: out.total });
  };
  const assignmentQuery = { type: 'object', properties: { limit: limitParam, page, order, related_object_id: key, rule: key } } as const;
  app.get<{ Params: R; Querystring: { limit: number; page: number; order?: string } }>(
    '/validation-rules/:validationRuleId/assignments',
    { schema: { params: params('validationRuleId'), querystring: assignmentQuery } },
    async (req) => listAssignments(projectIdOf(req), { ...req.query, rule: req.params.validationRuleId }),
  );
  app.get<{ Querystring: { rule?: string; related_object_id?: string; limit: number; page: number; order?: string } }>(
    '/validation-rules-assignments',
    { schema: { querystring: assignmentQuery } },
    async (req) => listAssignments(projectIdOf(req), req.query),
  );
}

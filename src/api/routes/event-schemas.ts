import type { FastifyInstance } from 'fastify';
import {
  createSchemaBody,
  eventSchemaObject,
  updateSchemaBody,
  type EventSchemasService,
  type SchemaInput,
  type SchemaUpdate,
} from '../../modules/event-schemas/index.js';
import { listOf } from '../list.js';

type Params = { projectId: string; schemaId: string };

/** /management/v1/projects/{projectId}/custom-event-schemas (DIGEST b.1). */
export function eventSchemaRoutes(app: FastifyInstance, deps: { schemas: EventSchemasService }): void {
  const { schemas } = deps;
  const base = '/projects/:projectId/custom-event-schemas';

  app.post<{ Params: Params; Body: SchemaInput }>(base, { schema: { body: createSchemaBody } }, async (req) =>
    eventSchemaObject(await schemas.create(req.params.projectId, req.body)),
  );

  app.get<{ Params: Params }>(base, async (req) => {
    const rows = await schemas.list(req.params.projectId);
    return listOf('data', rows.map(eventSchemaObject), { total: rows.length });
  });

  app.get<{ Params: Params }>(`${base}/:schemaId`, async (req) =>
    eventSchemaObject(await schemas.get(req.params.projectId, req.params.schemaId)),
  );

  app.put<{ Params: Params; Body: SchemaUpdate }>(`${base}/:schemaId`, { schema: { body: updateSchemaBody } }, async (req) =>
    eventSchemaObject(await schemas.update(req.params.projectId, req.params.schemaId, req.body)),
  );

  app.delete<{ Params: Params }>(`${base}/:schemaId`, async (req, reply) => {
    await schemas.remove(req.params.projectId, req.params.schemaId);
    return reply.code(204).send();
  });
}

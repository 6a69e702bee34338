import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { asMetadataSchemaObject, type EventSchemasService } from '../../modules/event-schemas/index.js';
import {
  createMetadataSchemaBody,
  metadataSchemaObject,
  publicMetadataSchemaObject,
  updateMetadataSchemaBody,
  type MetadataSchemaInput,
  type MetadataSchemasService,
} from '../../modules/metadata-schemas/index.js';
import { projectIdOf } from '../auth.js';
import { listOf } from '../list.js';

/**
 * GET /v1/metadata-schemas: the project's resource schemas (campaign, voucher, publication...) and its custom event
 * schemas, as metadata schemas (related_object = the event name).
 */
export function metadataSchemaRoutes(app: FastifyInstance, deps: { schemas: EventSchemasService; metadataSchemas: MetadataSchemasService }): void {
  app.get('/metadata-schemas', async (req) => {
    const projectId = projectIdOf(req);
    const [resources, events] = await Promise.all([deps.metadataSchemas.list(projectId), deps.schemas.list(projectId)]);
    const all = [...resources.map(publicMetadataSchemaObject), ...events.map(asMetadataSchemaObject)];
    return listOf('schemas', all, { total: all.length });
  });

  app.get<{ Params: { resource: string } }>('/metadata-schemas/:resource', async (req) => {
    const projectId = projectIdOf(req);
    const own = await deps.metadataSchemas.find(projectId, req.params.resource);
    if (own) return publicMetadataSchemaObject(own);
    const row = await deps.schemas.byName(projectId, req.params.resource);
    if (!row) throw notFound('metadata_schema', req.params.resource);
    return asMetadataSchemaObject(row);
  });
}

/** /management/v1/projects/{projectId}/metadata-schemas: the management CRUD of resource schemas. */
export function metadataSchemaManagementRoutes(app: FastifyInstance, deps: { metadataSchemas: MetadataSchemasService }): void {
  const { metadataSchemas } = deps;
  type P = { projectId: string; schemaId: string };
  app.post<{ Params: { projectId: string }; Body: MetadataSchemaInput }>('/projects/:projectId/metadata-schemas', { schema: { body: createMetadataSchemaBody } }, async (req) =>
    metadataSchemaObject(await metadataSchemas.create(req.params.projectId, req.body)),
  );
  app.get<{ Params: { projectId: string } }>('/projects/:projectId/metadata-schemas', async (req) => {
    const rows = await metadataSchemas.list(req.params.projectId);
    return listOf('data', rows.map(metadataSchemaObject), { total: rows.length });
  });
  app.get<{ Params: P }>('/projects/:projectId/metadata-schemas/:schemaId', async (req) => metadataSchemaObject(await metadataSchemas.get(req.params.projectId, req.params.schemaId)));
  app.put<{ Params: P; Body: Partial<MetadataSchemaInput> }>('/projects/:projectId/metadata-schemas/:schemaId', { schema: { body: updateMetadataSchemaBody } }, async (req) =>
    metadataSchemaObject(await metadataSchemas.update(req.params.projectId, req.params.schemaId, req.body)),
  );
  app.delete<{ Params: P }>('/projects/:projectId/metadata-schemas/:schemaId', async (req, reply) => {
    await metadataSchemas.remove(req.params.projectId, req.params.schemaId);
    return reply.code(204).send();
  });
}

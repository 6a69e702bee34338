import type { FastifyInstance } from 'fastify';
import { notFound } from '../../core/errors.js';
import { asMetadataSchemaObject, type EventSchemasService } from '../../modules/event-schemas/index.js';
import { projectIdOf } from '../auth.js';
import { listOf } from '../list.js';

/** GET /v1/metadata-schemas: the project's custom event schemas, as metadata schemas (related_object = event). */
export function metadataSchemaRoutes(app: FastifyInstance, deps: { schemas: EventSchemasService }): void {
  app.get('/metadata-schemas', async (req) => {
    const rows = await deps.schemas.list(projectIdOf(req));
    return listOf('schemas', rows.map(asMetadataSchemaObject), { total: rows.length });
  });

  app.get<{ Params: { resource: string } }>('/metadata-schemas/:resource', async (req) => {
    const row = await deps.schemas.byName(projectIdOf(req), req.params.resource);
    if (!row) throw notFound('metadata_schema', req.params.resource);
    return asMetadataSchemaObject(row);
  });
}

import type { FastifyInstance } from 'fastify';
import type { ListFilters } from '../../core/list-filters.js';
import type { TrashBin } from '../../modules/trash-bin/index.js';
import { projectIdOf } from '../auth.js';
import { limitParam } from '../list.js';

type P = { binEntryId: string };
const params = { type: 'object', required: ['binEntryId'], properties: { binEntryId: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const conditions = { type: 'object', properties: { conditions: { type: 'object' } } } as const;
const listQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    order: { type: 'string', enum: ['id', '-id'] },
    starting_after_id: { type: 'string', maxLength: 200 },
    filters: { type: 'object', properties: { id: conditions, resource_id: conditions, resource_type: conditions, resource_name: conditions, junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;

/** /v1/trash-bin: what deletes without `force` kept; entries are deleted for good or (Tessera's addition) restored. */
export function trashBinRoutes(app: FastifyInstance, deps: { trashBin: TrashBin }): void {
  const { trashBin: bin } = deps;
  app.get<{ Querystring: { limit: number; order?: 'id' | '-id'; starting_after_id?: string; filters?: ListFilters } }>('/trash-bin', { schema: { querystring: listQuery } }, async (req) =>
    bin.list(projectIdOf(req), req.query),
  );
  app.get<{ Params: P }>('/trash-bin/:binEntryId', { schema: { params } }, async (req) => bin.get(projectIdOf(req), req.params.binEntryId));
  app.delete<{ Params: P }>('/trash-bin/:binEntryId', { schema: { params } }, async (req, reply) => {
    await bin.remove(projectIdOf(req), req.params.binEntryId);
    return reply.code(204).send();
  });
  app.post<{ Params: P }>('/trash-bin/:binEntryId/restore', { schema: { params } }, async (req) => bin.restore(projectIdOf(req), req.params.binEntryId));
}

import type { FastifyInstance } from 'fastify';
import type { ListFilters } from '../../core/list-filters.js';
import { locationInputSchema, locationObject, locationUpdateSchema, type LocationInput, type LocationListQuery, type LocationsService } from '../../modules/locations/index.js';
import { projectIdOf } from '../auth.js';
import { dateParam, limitParam } from '../list.js';

type P = { locationId: string };
const params = { type: 'object', required: ['locationId'], properties: { locationId: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
const conditions = { type: 'object', properties: { conditions: { type: 'object' } } } as const;
const listQuery = {
  type: 'object',
  properties: {
    limit: limitParam,
    order: { type: 'string', enum: ['created_at', '-created_at', 'updated_at', '-updated_at'] },
    end_date: dateParam,
    filters: { type: 'object', properties: { name: conditions, created_at: conditions, updated_at: conditions, junction: { type: 'string', enum: ['and', 'AND'] } } },
  },
} as const;

/** /v1/locations: Voucherify's list and get; creating, changing and deleting them are Tessera's (Voucherify's dashboard draws them). */
export function locationRoutes(app: FastifyInstance, deps: { locations: LocationsService }): void {
  const { locations } = deps;
  app.get<{ Querystring: LocationListQuery & { filters?: ListFilters } }>('/locations', { schema: { querystring: listQuery } }, async (req) => locations.list(projectIdOf(req), req.query));
  app.get<{ Params: P }>('/locations/:locationId', { schema: { params } }, async (req) => locationObject(await locations.get(projectIdOf(req), req.params.locationId)));
  app.post<{ Body: LocationInput }>('/locations', { schema: { body: locationInputSchema } }, async (req) => locationObject(await locations.create(projectIdOf(req), req.body)));
  app.put<{ Params: P; Body: Partial<LocationInput> }>('/locations/:locationId', { schema: { params, body: locationUpdateSchema } }, async (req) =>
    locationObject(await locations.update(projectIdOf(req), req.params.locationId, req.body)),
  );
  app.delete<{ Params: P }>('/locations/:locationId', { schema: { params } }, async (req, reply) => {
    await locations.remove(projectIdOf(req), req.params.locationId);
    return reply.code(204).send();
  });
}

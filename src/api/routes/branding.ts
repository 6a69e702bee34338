import type { FastifyInstance } from 'fastify';
import { brandingCreateSchema, brandingObject, brandingUpdateSchema, type BrandingInput, type BrandingService } from '../../modules/branding/index.js';

const params = { type: 'object', properties: { projectId: { type: 'string', minLength: 1 }, brandingId: { type: 'string', minLength: 1, maxLength: 100 } } } as const;
type P = { Params: { projectId: string; brandingId: string }; Body: BrandingInput };

/**
 * /management/v1/projects/{id}/branding: the project's one brand configuration (a second POST is 409; PUT changes what
 * it sends). The management scope has checked that the project exists.
 */
export function brandingRoutes(app: FastifyInstance, deps: { branding: BrandingService }): void {
  const { branding } = deps;
  app.get<P>('/projects/:projectId/branding', { schema: { params } }, async (req) => {
    const b = await branding.find(req.params.projectId);
    return { object: 'list', data_ref: 'data', data: b ? [brandingObject(b)] : [], total: b ? 1 : 0 };
  });
  app.post<P>('/projects/:projectId/branding', { schema: { params, body: brandingCreateSchema } }, async (req) => brandingObject(await branding.create(req.params.projectId, req.body)));
  app.get<P>('/projects/:projectId/branding/:brandingId', { schema: { params } }, async (req) => brandingObject(await branding.get(req.params.projectId, req.params.brandingId)));
  app.put<P>('/projects/:projectId/branding/:brandingId', { schema: { params, body: brandingUpdateSchema } }, async (req) =>
    brandingObject(await branding.update(req.params.projectId, req.params.brandingId, req.body)),
  );
  app.delete<P>('/projects/:projectId/branding/:brandingId', { schema: { params } }, async (req, reply) => {
    await branding.remove(req.params.projectId, req.params.brandingId);
    return reply.code(204).send();
  });
}

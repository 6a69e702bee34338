/**
 * A project's brand configuration (`brd_`, one per project, through the management API): the brand's name and
 * links, its postal address and contact. Stored and answered as Voucherify does; nothing else reads it yet.
 */
import { defineModule } from '../module.js';
import { createBrandingService, type BrandingService } from './service.js';
export { brandingObject, createBrandingService, type BrandingInput, type BrandingRow, type BrandingService } from './service.js';
export { brandingCreateSchema, brandingUpdateSchema } from './schemas.js';

export const brandingModule = defineModule<{ branding: BrandingService }>({
  name: 'branding',
  create: ({ db, clock }) => ({ services: { branding: createBrandingService({ db, clock }) } }),
});

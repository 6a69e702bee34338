/**
 * Locations (`loc_`): named areas (a circle around a point, or a GeoJSON polygon) that validation rules test
 * geopoint metadata against. They emit no event.
 */
import type { Executor } from '../../store/db.js';
import { defineModule } from '../module.js';
import { createLocationsService, type LocationsService } from './service.js';
export { createLocationsService, locationObject, type LocationsService } from './service.js';
export { contains, type Shape } from './shapes.js';
export { locationInputSchema, locationUpdateSchema } from './schemas.js';
export type { LocationInput, LocationListQuery, LocationRow } from './types.js';

export const locationsModule = defineModule<{ locations: LocationsService }, { validationRules: { rulesNamingLocation(ex: Executor, projectId: string, locationId: string): Promise<string[]> } }>({
  name: 'locations',
  create: ({ db, clock, definitions, services }) => ({
    services: {
      // The validation rules module comes later in the list: it is asked only when a location is deleted.
      locations: createLocationsService({ db, clock, changed: (projectId) => definitions.changed(projectId), namedBy: (ex, projectId, id) => services.validationRules.rulesNamingLocation(ex, projectId, id) }),
    },
  }),
});

import type { Clock } from '../../core/clock.js';
import { notFound, resourceInUse } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { dateRangeFilter, valueFilters } from '../../core/list-filters.js';
import type { Db, Executor } from '../../store/db.js';
import { checkShape, type Shape } from './shapes.js';
import * as sql from './sql.js';
import type { LocationInput, LocationListQuery, LocationRow } from './types.js';

/** The location object. */
export function locationObject(l: LocationRow) {
  return { id: l.id, object: 'location' as const, name: l.name, shape: l.shape, created_at: l.created_at.toISOString(), updated_at: l.updated_at ? l.updated_at.toISOString() : null };
}

/**
 * Locations (`loc_`): named areas, a circle or a GeoJSON polygon. Voucherify draws them in its dashboard; here
 * they are made through the API. Validation rules test geopoint metadata against them ($in_location); a location
 * that a rule names cannot be deleted, and a change of its shape applies to those rules at once.
 */
export function createLocationsService(deps: { db: Db; clock: Clock; changed?: (projectId: string) => Promise<void> | void; namedBy?: (ex: Executor, projectId: string, locationId: string) => Promise<string[]> }) {
  const { db, clock } = deps;

  async function get(projectId: string, id: string): Promise<LocationRow> {
    const l = await sql.selectLocation(db, projectId, id);
    if (!l) throw notFound('location', id);
    return l;
  }

  async function create(projectId: string, input: LocationInput): Promise<LocationRow> {
    const row: LocationRow = { id: newId('loc'), project_id: projectId, name: input.name, shape: checkShape(input.shape), created_at: clock.now(), updated_at: null };
    await sql.insertLocation(db, row);
    return row;
  }

  async function update(projectId: string, id: string, input: Partial<LocationInput>): Promise<LocationRow> {
    const current = await get(projectId, id);
    const row = await sql.updateLocation(db, { ...current, name: input.name ?? current.name, shape: input.shape ? checkShape(input.shape) : current.shape, updated_at: clock.now() });
    if (!row) throw notFound('location', id);
    // Rules that name it read its new shape.
    await deps.changed?.(projectId);
    return row;
  }

  async function remove(projectId: string, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      // Locked first: a rule saved meanwhile naming it either commits before (and is found below) or waits and
      // then finds the location gone.
      if (!(await sql.lockLocation(tx, projectId, id))) throw notFound('location', id);
      const rules = (await deps.namedBy?.(tx, projectId, id)) ?? [];
      if (rules.length > 0) throw resourceInUse(`Location ${id} is named by validation rules ${rules.join(', ')}: change or delete them first`, { resourceId: id, resourceType: 'location' });
      if (!(await sql.deleteLocation(tx, projectId, id))) throw notFound('location', id);
    });
    await deps.changed?.(projectId);
  }

  async function list(projectId: string, q: LocationListQuery) {
    const { created_at: _c, updated_at: _u, ...rest } = q.filters ?? {};
    const filter: sql.LocationFilter = { ...valueFilters(rest, ['name'], 'locations'), created_at: dateRangeFilter(q.filters, 'created_at'), updated_at: dateRangeFilter(q.filters, 'updated_at') };
    const order = q.order ?? '-created_at';
    const page = await sql.selectPage(db, projectId, { limit: q.limit, column: order.endsWith('updated_at') ? 'updated_at' : 'created_at', descending: order.startsWith('-'), filter });
    const shown = page.rows.slice(0, q.limit);
    return { object: 'list' as const, data_ref: 'data' as const, data: shown.map(locationObject), total: page.total, has_more: page.rows.length > q.limit };
  }

  /**
   * The shapes of these locations (those that exist), for rules that test against them; `share` keeps them from
   * being deleted until the caller's transaction ends (a rule being saved with them).
   */
  async function shapes(ex: Executor, projectId: string, ids: string[], lock?: 'share'): Promise<Record<string, Shape>> {
    return Object.fromEntries((await sql.selectLocations(ex, projectId, ids, lock)).map((l) => [l.id, l.shape]));
  }

  return { get, create, update, remove, list, shapes };
}

export type LocationsService = ReturnType<typeof createLocationsService>;

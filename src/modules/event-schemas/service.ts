import type { Clock } from '../../core/clock.js';
import { duplicate, invalidPayload, metadataValidationFailed, notFound, resourceInUse, TesseraError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation, type Db, type Executor } from '../../store/db.js';
import * as sql from './sql.js';
import type { EventSchemaRow, PropertyDefinition } from './types.js';
import { validateMetadata } from './validate.js';

export interface SchemaInput {
  name: string;
  schema: { properties: Record<string, PropertyDefinition> };
}

export interface SchemaUpdate {
  schema?: { properties: Record<string, Partial<PropertyDefinition>> };
}

/** How long a schema read for event validation is reused; writes in this process refresh it at once. */
const cacheMs = 5_000;

/** What uses a schema, named for a refused deletion ("distribution distr_...", "earning rule ern_..."). */
export type SchemaUsers = (ex: Executor, projectId: string, schema: { id: string; name: string }) => Promise<string[]>;

export function createEventSchemasService(deps: { db: Db; clock: Clock; usedBy?: SchemaUsers }) {
  const { db, clock } = deps;
  const cache = new Map<string, { row: EventSchemaRow | undefined; expiresAt: number }>();
  const cacheKey = (projectId: string, name: string) => `${projectId}\u0000${name}`;
  const forget = (row: Pick<EventSchemaRow, 'project_id' | 'name'>) => cache.delete(cacheKey(row.project_id, row.name));

  function normalize(props: Record<string, PropertyDefinition>): Record<string, PropertyDefinition> {
    const out: Record<string, PropertyDefinition> = {};
    for (const [k, d] of Object.entries(props)) {
      out[k] = { type: d.type, optional: d.optional, ...(d.deleted !== undefined ? { deleted: d.deleted } : {}) };
    }
    return out;
  }

  async function create(projectId: string, input: SchemaInput): Promise<EventSchemaRow> {
    // Segments count and date events by name in a dotted path (events.<name>.count): a name they cannot write is refused.
    if (input.name.includes('.')) throw invalidPayload(`Property .name must not contain '.': segments name events as events.<name>.count, got '${input.name}'`);
    if (input.name.trim() === '') throw invalidPayload('Property .name must hold more than whitespace');
    const row: EventSchemaRow = {
      id: newId('ms'),
      project_id: projectId,
      name: input.name,
      properties: normalize(input.schema.properties),
      created_at: clock.now(),
      updated_at: null,
    };
    try {
      await sql.insertSchema(db, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate('custom_event_schema', 'name', input.name);
      throw err;
    }
    forget(row);
    return row;
  }

  async function get(projectId: string, id: string): Promise<EventSchemaRow> {
    const row = await sql.selectSchema(db, projectId, id);
    if (!row) throw notFound('custom_event_schema', id);
    return row;
  }

  /** Only the sent properties are added or changed; `deleted: true` hides one, `deleted: false` restores it. */
  async function update(projectId: string, id: string, input: SchemaUpdate): Promise<EventSchemaRow> {
    return db.transaction(async (tx) => {
      const current = await sql.selectSchema(tx, projectId, id);
      if (!current) throw notFound('custom_event_schema', id);
      const properties = { ...current.properties };
      for (const [name, patch] of Object.entries(input.schema?.properties ?? {})) {
        const before = Object.hasOwn(properties, name) ? properties[name] : undefined;
        const type = patch.type ?? before?.type;
        const optional = patch.optional ?? before?.optional;
        if (type === undefined || optional === undefined) {
          throw invalidPayload(`Property .schema.properties.${name} is new and needs both 'type' and 'optional'`);
        }
        const deleted = patch.deleted ?? (patch.type !== undefined || patch.optional !== undefined ? false : before?.deleted);
        properties[name] = { type, optional, ...(deleted ? { deleted: true } : {}) };
      }
      const row = await sql.updateProperties(tx, projectId, id, properties, clock.now());
      forget(current);
      return row!;
    });
  }

  /**
   * Deletes a schema nothing uses: a distribution triggered by its event or an earning rule earning on it would never
   * fire again (its events are no longer tracked), so the deletion is refused (409) until they are deleted or changed.
   */
  async function remove(projectId: string, id: string): Promise<void> {
    const current = await db.transaction(async (tx) => {
      const row = await sql.lockSchema(tx, projectId, id);
      if (!row) throw notFound('custom_event_schema', id);
      const users = (await deps.usedBy?.(tx, projectId, row)) ?? [];
      if (users.length > 0) {
        const named = `${users.slice(0, 10).join(', ')}${users.length > 10 ? `, ... (${users.length} in all)` : ''}`;
        throw resourceInUse(`Custom event schema ${id} (${row.name}) is used by ${named}: delete them or change their events first`, { resourceId: id, resourceType: 'custom_event_schema' });
      }
      await sql.deleteSchema(tx, projectId, id);
      return row;
    });
    forget(current);
  }

  async function byName(projectId: string, name: string): Promise<EventSchemaRow | undefined> {
    const key = cacheKey(projectId, name);
    const hit = cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.row;
    const row = await sql.selectSchemaByName(db, projectId, name);
    cache.set(key, { row, expiresAt: Date.now() + cacheMs });
    return row;
  }

  /**
   * The schema a tracked event must follow: 400 invalid_payload when the event has no schema,
   * 400 metadata_validation_failed (every violation in `details`) when its metadata does not conform.
   */
  async function check(projectId: string, eventName: string, metadata: Record<string, unknown>): Promise<EventSchemaRow> {
    const schema = await byName(projectId, eventName);
    if (!schema) {
      throw invalidPayload(`Custom event '${eventName}' has no schema in this project: define it first (custom-event-schemas)`,
        { resourceId: eventName, resourceType: 'custom_event_schema' },
      );
    }
    const violations = validateMetadata(schema.properties, metadata);
    if (violations.length > 0) {
      throw metadataValidationFailed(violations.map((v) => v.message).join('; '), {
        resourceId: schema.id,
        resourceType: 'custom_event_schema',
      });
    }
    return schema;
  }

  /**
   * Holds the schema of an event name that a definition being saved in tx names (a distribution's trigger), until tx
   * ends: 404 when there is none, since an event without a schema is never tracked and the trigger could never fire.
   */
  async function hold(tx: Executor, projectId: string, eventName: string): Promise<void> {
    if (!(await sql.lockSchemaByName(tx, projectId, eventName, 'SHARE'))) {
      throw new TesseraError('not_found', `Cannot find custom event '${eventName}': it has no schema in this project, so it is never tracked; define the schema first (custom-event-schemas)`,
        { resourceId: eventName, resourceType: 'custom_event_schema' });
    }
  }

  return { create, get, list: (projectId: string) => sql.selectSchemas(db, projectId), update, remove, byName, check, hold };
}

export type EventSchemasService = ReturnType<typeof createEventSchemasService>;

import type { Clock } from '../../core/clock.js';
import { duplicate, invalidPayload, metadataValidationFailed, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isUniqueViolation, type Db, type Executor } from '../../store/db.js';
import type { Definitions } from '../../store/definitions.js';
import * as sql from './sql.js';
import type { MetadataProperty, MetadataSchemaInput, MetadataSchemaRow } from './types.js';
import { violations } from './validate.js';

/** Voucherify's limit of definitions per resource (removed ones count until purged). */
export const maxProperties = 100;

export function createMetadataSchemasService(deps: { db: Db; clock: Clock; definitions: Pick<Definitions, 'cache' | 'changed'> }) {
  const { db, clock } = deps;
  // Every campaign, voucher, publication and customer write checks its metadata: the schemas are cached per process.
  const cached = deps.definitions.cache((ex, projectIds) => sql.selectForProjects(ex, projectIds));

  async function get(projectId: string, key: string): Promise<MetadataSchemaRow> {
    const row = await sql.selectSchema(db, projectId, key);
    if (!row) throw notFound('metadata_schema', key);
    return row;
  }

  function checkProperties(properties: Record<string, MetadataProperty>, current?: MetadataSchemaRow): void {
    if (Object.keys({ ...current?.properties, ...properties }).length > maxProperties) throw invalidPayload(`A metadata schema holds at most ${maxProperties} definitions`);
    for (const [k, d] of Object.entries(properties)) {
      const was = current && Object.hasOwn(current.properties, k) ? current.properties[k] : undefined;
      if (was && was.type !== d.type) throw invalidPayload(`Property .properties.${k}.type cannot change from ${was.type} to ${d.type}`);
    }
  }

  async function create(projectId: string, input: MetadataSchemaInput): Promise<MetadataSchemaRow> {
    checkProperties(input.properties);
    const row: MetadataSchemaRow = {
      id: newId('ms'),
      project_id: projectId,
      related_object: input.related_object,
      allow_defined_only: input.allow_defined_only ?? false,
      properties: input.properties,
      created_at: clock.now(),
      updated_at: null,
    };
    try {
      await sql.insertSchema(db, row);
    } catch (err) {
      if (isUniqueViolation(err, 'metadata_schemas_related_unique')) throw duplicate('metadata schema', 'related_object', row.related_object);
      throw err;
    }
    await deps.definitions.changed(projectId);
    return row;
  }

  /** PUT: each sent definition replaces the stored one (its type cannot change); `deleted: true` hides it. */
  async function update(projectId: string, id: string, input: Partial<MetadataSchemaInput>): Promise<MetadataSchemaRow> {
    const current = await get(projectId, id);
    checkProperties(input.properties ?? {}, current);
    const row = { ...current, allow_defined_only: input.allow_defined_only ?? current.allow_defined_only, properties: { ...current.properties, ...input.properties }, updated_at: clock.now() };
    await sql.updateSchema(db, row);
    await deps.definitions.changed(projectId);
    return row;
  }

  /**
   * Refuses metadata that breaks the project's schema of this resource (none defined: anything goes); the metadata is
   * asked for (`read`) only when there is a schema, so a caller that must read it first spares the read otherwise.
   */
  async function checkRead(projectId: string, relatedObject: string, read: () => Promise<Record<string, unknown>>, ex: Executor = db): Promise<void> {
    const schema = (await cached.get(ex, [projectId])).find((x) => x.related_object === relatedObject);
    if (!schema) return;
    const found = violations(schema, await read());
    if (found.length > 0) throw metadataValidationFailed(found.join('; '), { resourceId: schema.id, resourceType: 'metadata_schema' });
  }

  /** checkRead with the metadata at hand. */
  const check = (projectId: string, relatedObject: string, metadata: Record<string, unknown> | null | undefined, ex: Executor = db) =>
    checkRead(projectId, relatedObject, async () => metadata ?? {}, ex);

  return {
    create,
    get,
    update,
    check,
    checkRead,
    list: (projectId: string) => sql.selectSchemas(db, projectId),
    async remove(projectId: string, id: string): Promise<void> {
      const row = await get(projectId, id);
      await sql.deleteSchema(db, projectId, row.id);
      await deps.definitions.changed(projectId);
    },
    /** Finds a schema without throwing (for the read API, which falls back to event schemas). */
    find: (projectId: string, key: string) => sql.selectSchema(db, projectId, key),
  };
}

export type MetadataSchemasService = ReturnType<typeof createMetadataSchemasService>;

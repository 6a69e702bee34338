/**
 * Customers of a project. Glossary:
 * - id (`cust_`): ours; source_id: the merchant's own id (or email), unique per project, the find-or-create key.
 * - upsert: POST /v1/customers and tracked events update a known customer and create an unknown one.
 * - attributes: sent fields change, the rest stay; metadata and address merge key by key (null removes a key).
 * Emits customer.created / customer.updated (only when something changed) / customer.deleted.
 */
import type { Executor } from '../../store/db.js';
import { defineModule, writeConcurrency } from '../module.js';
import type { EventLog } from '../event-log/index.js';
import { createCustomersService } from './service.js';
export { createCustomersService, type CustomersService, type ListQuery, type SegmentMembers } from './service.js';
export { customerObject, orderSummaryObject, rowOfObject, simpleCustomer, type CustomerObject } from './view.js';
export { blankCustomer, mergedMetadata, sampleCustomer } from './attributes.js';
export { customerInputSchema, customerProperties } from './schemas.js';
export { customerPropertiesNullableKeys, nullKeysAsAbsent } from './keys.js';
export type { CustomerInput, CustomerRow, OrderSummary, UpsertResult } from './types.js';
export type { ShareLock } from './sql.js';
export type { UpsertItem, UpsertOutcome } from './upsert.js';

export const customersModule = defineModule<
  { customers: ReturnType<typeof createCustomersService> },
  { log: EventLog; segments: { memberIds(projectId: string, segmentId: string): Promise<string[]> }; metadataSchemas: { checkRead(projectId: string, relatedObject: string, read: () => Promise<Record<string, unknown>>, ex?: Executor): Promise<void> } }
>({
  name: 'customers',
  create: (ctx) => {
    const customers = createCustomersService({
      db: ctx.db,
      clock: ctx.clock,
      events: ctx.services.log,
      concurrency: writeConcurrency(ctx),
      // Segments come later in the list (they read customers): asked only when a request runs.
      segmentMembers: (p, s) => ctx.services.segments.memberIds(p, s),
      // Metadata schemas come later in the list: asked only when a request runs.
      checkMetadata: (p, read, ex) => ctx.services.metadataSchemas.checkRead(p, 'customer', read, ex),
    });
    return { services: { customers }, drain: () => customers.drain() };
  },
});

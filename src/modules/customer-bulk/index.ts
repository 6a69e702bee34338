/**
 * Customers in bulk: the JSON bulk routes and the CSV import (csv.ts), one transaction each, reported as finished
 * async actions. Listed after segments (updated customers' segments are re-evaluated) and campaigns (which keep
 * async actions).
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { EventLog } from '../event-log/index.js';
import type { MetadataSchemasService } from '../metadata-schemas/index.js';
import { defineModule } from '../module.js';
import type { SegmentsService } from '../segments/index.js';
import { createCustomerBulk } from './service.js';
export { type CustomerBulk } from './service.js';
export { customersFromCsv, maxCustomerCsvRows } from './csv.js';

export const customerBulkModule = defineModule<
  { customerBulk: ReturnType<typeof createCustomerBulk> },
  { log: EventLog; customers: CustomersService; segments: SegmentsService; metadataSchemas: MetadataSchemasService; campaigns: CampaignsService }
>({
  name: 'customer-bulk',
  create: ({ db, clock, services }) => ({
    services: {
      customerBulk: createCustomerBulk({
        db,
        clock,
        log: services.log,
        customers: services.customers,
        segments: services.segments,
        checkMetadata: (projectId, metadata, tx) => services.metadataSchemas.check(projectId, 'customer', metadata, tx),
        recordAction: (tx, cause, a) => services.campaigns.actions.recordDone(tx, cause, a),
      }),
    },
  }),
});

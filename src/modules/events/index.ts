/**
 * Tracked custom events. Glossary:
 * - custom event (`event_`): a named thing a customer did, with metadata checked against its schema.
 * - track: POST /v1/events and /client/v1/events; the customer is found by id (must exist) or found-or-created
 *   by source_id, and the sent customer attributes are applied as an upsert.
 * Emits customer.custom_event (plus customer.created / customer.updated from the upsert).
 */
import { defineModule, writeConcurrency } from '../module.js';
import type { EventLog } from '../event-log/index.js';
import type { CustomersService } from '../customers/index.js';
import type { EventSchemasService } from '../event-schemas/index.js';
import type { CampaignsService } from '../campaigns/index.js';
import type { VouchersService } from '../vouchers/index.js';
import { TesseraError } from '../../core/errors.js';
import { createCodeContext } from './codes.js';
import { createEventsService } from './service.js';
export { createEventsService, eventObject, type EventsService, type TrackInput, type Tracked } from './service.js';
export { trackBody } from './schemas.js';
export type { CustomEventRow } from './sql.js';
export { statsSelect } from './sql.js';

/** A lookup's 404 as nothing found; any other failure as it is. */
function unlessNotFound(err: unknown): undefined {
  if (err instanceof TesseraError && err.code === 404) return undefined;
  throw err;
}

export const eventsModule = defineModule<
  { events: ReturnType<typeof createEventsService> },
  { log: EventLog; customers: CustomersService; schemas: EventSchemasService; vouchers: VouchersService; campaigns: CampaignsService }
>({
  name: 'events',
  create: (ctx) => {
    const { log, customers, schemas } = ctx.services;
    // Vouchers and campaigns come later in the list: asked only when an event names a code.
    const codes = createCodeContext({
      voucher: (projectId, code) => ctx.services.vouchers.find(projectId, code).catch(unlessNotFound),
      campaign: (projectId, id) => ctx.services.campaigns.get(projectId, id).catch(unlessNotFound),
      customer: async (projectId, id) => (await customers.byIds(ctx.db, projectId, [id]))[0],
    });
    const events = createEventsService({ db: ctx.db, clock: ctx.clock, log, customers, schemas, concurrency: writeConcurrency(ctx), codes });
    return { services: { events }, drain: () => events.drain() };
  },
});

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
import { createEventsService } from './service.js';
export { createEventsService, eventObject, type CodeContext, type EventsService, type TrackInput, type Tracked } from './service.js';
export { trackBody } from './schemas.js';
export type { CustomEventRow } from './sql.js';
export { statsSelect } from './sql.js';

export const eventsModule = defineModule<
  { events: ReturnType<typeof createEventsService> },
  { log: EventLog; customers: CustomersService; schemas: EventSchemasService }
>({
  name: 'events',
  create: (ctx) => {
    const { log, customers, schemas } = ctx.services;
    const events = createEventsService({ db: ctx.db, clock: ctx.clock, log, customers, schemas, concurrency: writeConcurrency(ctx) });
    return { services: { events }, drain: () => events.drain() };
  },
});

/**
 * Tracked custom events. Glossary:
 * - custom event (`event_`): a named thing a customer did, with metadata checked against its schema.
 * - track: POST /v1/events and /client/v1/events; the customer is found by id (must exist) or found-or-created
 *   by source_id, and the sent customer attributes are applied as an upsert.
 * Emits customer.custom_event (plus customer.created / customer.updated from the upsert).
 */
export { createEventsService, eventObject, type EventsService, type TrackInput, type Tracked } from './service.js';
export { trackBody } from './schemas.js';
export type { CustomEventRow } from './sql.js';
export { statsSelect } from './sql.js';

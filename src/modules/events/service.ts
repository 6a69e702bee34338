import type { Clock } from '../../core/clock.js';
import { newEventId } from '../../core/ids.js';
import type { Db } from '../../store/db.js';
import type { Cause, EventLog } from '../activity/index.js';
import { simpleCustomer, type CustomerInput, type CustomerRow, type CustomersService } from '../customers/index.js';
import { simpleEventSchema, type EventSchemasService } from '../event-schemas/index.js';
import * as sql from './sql.js';
import type { CustomEventRow } from './sql.js';

export interface TrackInput {
  event: string;
  customer: CustomerInput;
  referral?: { code: string; referrer_id?: string } | null;
  loyalty?: { code: string } | null;
  metadata?: Record<string, unknown> | null;
}

export interface Tracked {
  event: CustomEventRow;
  customer: CustomerRow;
}

/** Voucherify's CustomEvent object (response of POST /v1/events, plus its id and created_at). */
export function eventObject(e: CustomEventRow, c: CustomerRow) {
  return {
    id: e.id,
    object: 'event' as const,
    type: e.type,
    customer: simpleCustomer(c),
    referral: e.referral,
    loyalty: e.loyalty,
    metadata: e.metadata,
    created_at: e.created_at.toISOString(),
  };
}

export function createEventsService(deps: {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: CustomersService;
  schemas: EventSchemasService;
}) {
  const { db, clock, log, customers, schemas } = deps;

  /**
   * Tracks a custom event: validates its metadata against the event's schema, upserts its customer, stores the
   * event and records customer.custom_event, all in one transaction.
   */
  async function track(cause: Cause, input: TrackInput): Promise<Tracked> {
    const metadata = input.metadata ?? {};
    const schema = await schemas.check(cause.projectId, input.event, metadata);
    return db.transaction(async (tx) => {
      const { customer } = await customers.upsertIn(tx, cause, input.customer);
      const event: CustomEventRow = {
        id: newEventId('event', clock.now()),
        project_id: cause.projectId,
        customer_id: customer.id,
        type: input.event,
        metadata,
        referral: input.referral ?? null,
        loyalty: input.loyalty ?? null,
        created_at: clock.now(),
      };
      await sql.insertEvent(tx, event);
      await log.record(tx, cause, [
        {
          type: 'customer.custom_event',
          customerId: customer.id,
          entityId: event.id,
          data: {
            event: eventObject(event, customer),
            event_schema: simpleEventSchema(schema),
            customer: simpleCustomer(customer),
            // Filled once referral programs and loyalty campaigns exist: they need the campaign and voucher.
            referral: null,
            loyalty: null,
          },
        },
      ]);
      return { event, customer };
    });
  }

  return { track };
}

export type EventsService = ReturnType<typeof createEventsService>;

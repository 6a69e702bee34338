import type { Clock } from '../../core/clock.js';
import { newEventId } from '../../core/ids.js';
import { metrics } from '../../core/metrics.js';
import type { Db, Executor } from '../../store/db.js';
import { createGroupCommit } from '../../store/group-commit.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';
import { simpleCustomer, type CustomerInput, type CustomerRow, type CustomersService } from '../customers/index.js';
import { simpleEventSchema, type EventSchemaRow, type EventSchemasService } from '../event-schemas/index.js';
import * as sql from './sql.js';
import type { CustomEventRow } from './sql.js';

/**
 * What a tracked event's `loyalty.code` and `referral.code` name, as customer.custom_event carries it (Voucherify's
 * `loyalty`: the card and its program; `referral`: the referral code, its program and its referrer); null for none.
 */
export interface CodeContext {
  loyalty: Record<string, unknown> | null;
  referral: Record<string, unknown> | null;
}
const noCodes: CodeContext = { loyalty: null, referral: null };

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

interface TrackItem {
  cause: Cause;
  input: TrackInput;
  schema: EventSchemaRow;
  codes: CodeContext;
  /** False for a client-side event of a project whose programs do not take them: nothing earns on it. */
  earns: boolean;
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

function customEventRecord(item: TrackItem, event: CustomEventRow, customer: CustomerRow): CausedEvent {
  return {
    cause: item.cause,
    event: {
      type: 'customer.custom_event',
      customerId: customer.id,
      entityId: event.id,
      data: {
        event: eventObject(event, customer),
        event_schema: simpleEventSchema(item.schema),
        customer: simpleCustomer(customer),
        referral: item.codes.referral,
        loyalty: item.codes.loyalty,
      },
      ...(item.earns ? {} : { earnsNothing: true as const }),
    },
  };
}

export function createEventsService(deps: {
  db: Db;
  clock: Clock;
  log: EventLog;
  customers: CustomersService;
  schemas: EventSchemasService;
  /** Ingest transactions written at the same time (group commit); 1 on PGlite, which runs one at a time. */
  concurrency: number;
}) {
  const { db, clock, log, customers, schemas } = deps;
  /** What the event's loyalty and referral codes name, given by a module above (referrals) at composition. */
  let codes: ((projectId: string, input: TrackInput) => Promise<CodeContext>) | undefined;

  /** Upserts the batch's customers, stores its events and records the activities, in one transaction. */
  async function write(tx: Executor, items: TrackItem[]): Promise<Array<Tracked | Error>> {
    const outcomes = await customers.upsertMany(tx, items.map((i) => ({ cause: i.cause, input: i.input.customer })));
    const now = clock.now();
    const results: Array<Tracked | Error> = [];
    const events: CustomEventRow[] = [];
    const records: CausedEvent[] = [];
    items.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) {
        results.push(outcome.error);
        return;
      }
      const customer = outcome.result.customer;
      const event: CustomEventRow = {
        id: newEventId('event', now),
        project_id: item.cause.projectId,
        customer_id: customer.id,
        type: item.input.event,
        metadata: item.input.metadata ?? {},
        referral: item.input.referral ?? null,
        loyalty: item.input.loyalty ?? null,
        created_at: now,
      };
      events.push(event);
      records.push(...outcome.events, customEventRecord(item, event, customer));
      results.push({ event, customer });
    });
    await sql.insertEvents(tx, events);
    await log.record(tx, records);
    return results;
  }

  const batcher = createGroupCommit<TrackItem, Tracked>({ db, name: 'events', maxBatch: 64, maxInFlight: deps.concurrency, write });

  /**
   * Tracks a custom event: validates its metadata against the event's schema, then, with whatever other events
   * arrive meanwhile, upserts its customer, stores the event and records customer.custom_event in one transaction.
   */
  async function track(cause: Cause, input: TrackInput, opts: { earns?: boolean } = {}): Promise<Tracked> {
    const schema = await schemas.check(cause.projectId, input.event, input.metadata ?? {});
    // The customer's metadata sent with the event, as the customer metadata schema will see it once merged.
    await customers.checkSentMetadata(cause.projectId, input.customer);
    const named = codes && (input.loyalty?.code || input.referral?.code) ? await codes(cause.projectId, input) : noCodes;
    const tracked = await batcher.submit({ cause, input, schema, codes: named, earns: opts.earns ?? true });
    metrics.eventsIngested.inc();
    return tracked;
  }

  return {
    track,
    /** Gives the events what their codes name (the referrals module does, at composition). */
    describeCodesWith(fn: (projectId: string, input: TrackInput) => Promise<CodeContext>): void {
      codes = fn;
    },
    drain: () => batcher.drain(),
  };
}

export type EventsService = ReturnType<typeof createEventsService>;


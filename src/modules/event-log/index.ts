/**
 * The event log: one record per event, written in the same transaction as the change that caused it.
 * Glossary:
 * - event record (`evcus_...`): type, customer, entity, data (the type-specific payload), event_source, group_id.
 * - customer activity: the event records of one customer, as GET /v1/customers/{id}/activity shows them.
 * - subscriber: a function given at composition that runs in the recording transaction (webhook outbox,
 *   distributions), so what it writes commits or rolls back with the event.
 * - deriver: like a subscriber, but runs before the events are stored and returns the events they cause
 *   (segment re-evaluation: customer.segment.entered/left), stored with them.
 * - cause: project + request id (group_id) + event_source of whoever made the change.
 * - pack: one stored row holding the segment entries and exits one change caused for one customer; each record in
 *   it keeps its own id and place in the order, and reads list them one by one (see sql.ts).
 */
import { defineModule } from '../module.js';
import { createEventLog } from './service.js';
export { createEventLog, type EventLog, type EventSubscriber, type SubscriberWants, type EventDeriver, type ActivityQuery, type CausedEvent } from './service.js';
export { activityObject } from './view.js';
export type { Cause, EventRecord, EventSource, NewEvent } from './types.js';

/** The event log every module writes through; the composition hands it the other modules' reactions. */
export const eventLogModule = defineModule({
  name: 'event-log',
  create: ({ db, clock, config }) => {
    const log = createEventLog({ db, clock });
    const days = config.activityRetentionDays;
    return {
      services: { log },
      jobs:
        days > 0
          ? [
              {
                name: 'event-log.retention',
                description: `deletes customer activity (event-log records) older than ${days} days, the oldest first`,
                step: (batchSize) => log.pruneBefore(new Date(clock.now().getTime() - days * 86_400_000), batchSize),
                defaults: { idleMs: 60_000, batchSize: 1000 },
                runsOnPglite: true,
              },
            ]
          : [],
    };
  },
});

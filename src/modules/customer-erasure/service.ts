/**
 * POST /v1/customers/{id}/permanent-deletion: a customer forgotten, in one transaction. Gone: the customer, their
 * tracked events, their activity (every event-log record about them), their per-day event counts, their segment
 * memberships and their orders. Kept, naming them only by id: redemptions (their stored customer becomes `{id}` and
 * their tracking id null), publications, codes they hold, per-customer limit counters; other records of the event log
 * and webhook sendouts that copied them keep `{id, object}` only (scrub.ts); export files lose the rows about them;
 * the API call log and the answers kept for idempotency keys lose the entries that name them (id, source_id, email).
 * A `customer.deleted` webhook (with the customer as it was) goes to subscribed endpoints; it is not kept as activity.
 */
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { notFound } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import { customerObject, type CustomersService } from '../customers/index.js';
import type { Cause, EventLog } from '../event-log/index.js';
import { scrubCustomer } from './scrub.js';
import * as sql from './sql.js';

export function createCustomerErasure(deps: {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  customers: Pick<CustomersService, 'get'>;
  apiCalls?: { flush(): Promise<void> };
}) {
  async function erase(cause: Cause, key: string) {
    const now = deps.clock.now();
    // Calls still waiting to be logged are written first, so that the erasure reaches them.
    await deps.apiCalls?.flush();
    return deps.db.transaction(async (tx) => {
      const found = await sql.lockCustomer(tx, cause.projectId, key);
      if (!found) throw notFound('customer', key);
      const customer = await deps.customers.get(cause.projectId, found.id, tx);
      const since = customer.created_at;
      const scrub = (data: unknown) => scrubCustomer(data, found.id);
      const events = await sql.deleteCustomEvents(tx, cause.projectId, found.id);
      await sql.unrefCustomer(tx, cause.projectId, found.id, since);
      const activity = await sql.deleteActivity(tx, cause.projectId, found.id);
      const days = await sql.deleteEventDays(tx, cause.projectId, found.id);
      const segments = await sql.deleteSegmentState(tx, cause.projectId, found.id);
      const orders = await sql.deleteOrders(tx, cause.projectId, found.id);
      await sql.scrubRedemptions(tx, cause.projectId, found.id);
      await sql.deleteCustomer(tx, cause.projectId, found.id);
      // Sendouts before customer.deleted is recorded (its webhook carries the customer as it was); the event log
      // after (its record of customer.deleted keeps the id only).
      await sql.scrubSendouts(tx, cause.projectId, found.id, since, scrub);
      const names = { id: found.id, source_id: customer.source_id, email: customer.email };
      await sql.scrubExports(tx, cause.projectId, names);
      await sql.deleteLoggedCalls(tx, cause.projectId, names);
      await sql.deleteIdempotentAnswers(tx, cause.projectId, names);
      // Not the customer's activity (there is none left): a webhook-only record.
      await deps.log.record(tx, [{ cause, event: { type: 'customer.deleted', customerId: null, entityId: found.id, data: { customer: customerObject(customer) } } }]);
      await sql.scrubEventLog(tx, cause.projectId, found.id, since, scrub);
      return {
        id: newId('del'),
        created_at: now.toISOString(),
        related_object_id: found.id,
        related_object: 'customer',
        status: 'DONE',
        data_json: { events, customer_events: activity.records, daily_events: days, segments, orders, order_events: activity.orders, customer: 1 },
        object: 'pernament_deletion',
      };
    });
  }
  return { erase };
}

export type CustomerErasure = ReturnType<typeof createCustomerErasure>;

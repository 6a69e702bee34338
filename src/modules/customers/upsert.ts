import type { Clock } from '../../core/clock.js';
import { notFound, serviceUnavailable, TesseraError } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import { retryTransaction, type Executor } from '../../store/db.js';
import type { Cause, CausedEvent } from '../event-log/index.js';
import { applyAttributes, blankCustomer } from './attributes.js';
import * as sql from './sql.js';
import type { CustomerInput, CustomerRow, UpsertResult } from './types.js';
import { customerObject } from './view.js';

export interface UpsertItem {
  cause: Cause;
  input: CustomerInput;
}

/** What an upsert recorded for one item: its result, or why it failed (the rest of the batch goes on). */
export type UpsertOutcome = { result: UpsertResult; events: CausedEvent[] } | { error: TesseraError };

const byKey = (projectId: string, key: string) => `${projectId}\u0000${key}`;

/** customer.created or customer.updated for an upsert's result; nothing when nothing changed. */
export function changeEvent(cause: Cause, result: UpsertResult): CausedEvent[] {
  const type = result.created ? 'customer.created' : result.updated ? 'customer.updated' : undefined;
  if (!type) return [];
  const c = result.customer;
  const changed = result.updated ? [...(result.fields ?? []), 'updated_at'] : undefined;
  return [{ cause, event: { type, customerId: c.id, entityId: c.id, data: { customer: customerObject(c) }, ...(changed ? { changed } : {}) } }];
}

/**
 * The upsert behind POST /v1/customers and tracked events, for many items in one transaction: by `id` (which must
 * exist), else by `source_id` (found or created), else a new customer. Items apply in order, so two items for the
 * same new source_id make one customer, created by the first and updated by the second. Rows are locked project by
 * project in id order and new source_ids inserted in key order, which keeps concurrent batches from deadlocking in
 * the common case; the rarer cycles (a batch holding rows by id and by source_id) are broken by PostgreSQL and the
 * transaction retried. New customers are inserted with their attributes; a source_id that another transaction
 * creates meanwhile runs the transaction again, which then finds and updates it. Each outcome carries the events to
 * record (state at that item).
 */
export async function upsertMany(tx: Executor, clock: Clock, items: UpsertItem[]): Promise<UpsertOutcome[]> {
  const now = clock.now();
  const bySource = new Map<string, CustomerRow>();
  const byId = new Map<string, CustomerRow>();
  const remember = (c: CustomerRow) => {
    byId.set(byKey(c.project_id, c.id), c);
    if (c.source_id !== null) bySource.set(byKey(c.project_id, c.source_id), c);
  };

  const sourceKeys = new Map<string, sql.CustomerKey>();
  const idKeys = new Map<string, sql.CustomerKey>();
  for (const { cause, input } of items) {
    const projectId = cause.projectId;
    if (input.id !== undefined) idKeys.set(byKey(projectId, input.id), { projectId, key: input.id });
    else if (input.source_id !== undefined) sourceKeys.set(byKey(projectId, input.source_id), { projectId, key: input.source_id });
  }
  for (const c of await sql.lockByIds(tx, [...idKeys.values()])) remember(c);
  for (const c of await sql.lockBySourceIds(tx, [...sourceKeys.values()])) remember(c);

  // Source ids nobody has yet: new customers, inserted with their attributes once every item has applied (one
  // statement, no update after it). One that another transaction inserts meanwhile makes the whole transaction run
  // again, finding it then.
  // Customers created together get distinct creation times, a millisecond apart and none after now, in the order
  // listed: lists page by created_at (`starting_after`), and a shared time would hide all but one behind a page's end.
  const newKeys = [...sourceKeys].filter(([k]) => !bySource.has(k));
  const anonymous = items.filter(({ input }) => input.id === undefined && input.source_id === undefined).length;
  let made = 0;
  const createdAt = () => new Date(now.getTime() - (newKeys.length + anonymous - 1 - made++));
  const fresh = new Map<string, CustomerRow>();
  for (const [, { projectId, key }] of newKeys) {
    const at = createdAt();
    const c = blankCustomer(newSortableId('cust', at), projectId, key, at);
    fresh.set(c.id, c);
    remember(c);
  }

  const created = new Set(fresh.keys());
  const changed = new Map<string, CustomerRow>();
  const outcomes: UpsertOutcome[] = [];
  for (const { cause, input } of items) {
    const projectId = cause.projectId;
    let current: CustomerRow | undefined;
    if (input.id !== undefined) current = byId.get(byKey(projectId, input.id));
    else if (input.source_id !== undefined) current = bySource.get(byKey(projectId, input.source_id));
    else {
      const at = createdAt();
      current = blankCustomer(newSortableId('cust', at), projectId, null, at);
      await sql.insertMany(tx, [current]);
      created.add(current.id);
    }
    if (!current) {
      outcomes.push({
        error:
          input.id !== undefined
            ? notFound('customer', input.id)
            : serviceUnavailable(`Customer ${input.source_id} changed concurrently; try again`),
      });
      continue;
    }
    const isNew = created.delete(current.id);
    const { row, changed: didChange, fields } = applyAttributes(current, { ...input, id: undefined, source_id: undefined });
    if (didChange && !isNew) row.updated_at = now;
    if (didChange) changed.set(row.id, row);
    remember(row);
    const result = { customer: row, created: isNew, updated: !isNew && didChange, fields: isNew ? [] : fields };
    outcomes.push({ result, events: changeEvent(cause, result) });
  }
  const newRows = [...fresh.values()].map((c) => byId.get(byKey(c.project_id, c.id))!);
  const inserted = await sql.insertMany(tx, newRows);
  if (inserted.size < newRows.length) throw retryTransaction('A customer with one of these source_ids was created concurrently');
  await sql.updateMany(tx, [...changed.values()].filter((c) => !fresh.has(c.id)));
  return outcomes;
}

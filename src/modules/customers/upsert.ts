import type { Clock } from '../../core/clock.js';
import { notFound, TesseraError } from '../../core/errors.js';
import { newSortableId } from '../../core/ids.js';
import type { Executor } from '../../store/db.js';
import type { Cause, CausedEvent } from '../activity/index.js';
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
 * transaction retried. A source_id that another transaction creates meanwhile is read back and updated. Each outcome carries the events to record (state at that item).
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

  // Source ids nobody has yet: insert them (blank), then read back those that another transaction created first.
  const fresh: CustomerRow[] = [];
  for (const [k, { projectId, key }] of sourceKeys) {
    if (!bySource.has(k)) fresh.push(blankCustomer(newSortableId('cust', now), projectId, key, now));
  }
  const inserted = await sql.insertMany(tx, fresh);
  const raced = fresh.filter((c) => !inserted.has(c.id));
  for (const c of fresh) if (inserted.has(c.id)) remember(c);
  for (const c of await sql.lockBySourceIds(tx, raced.map((r) => ({ projectId: r.project_id, key: r.source_id! })))) remember(c);

  const created = new Set(inserted);
  const changed = new Map<string, CustomerRow>();
  const outcomes: UpsertOutcome[] = [];
  for (const { cause, input } of items) {
    const projectId = cause.projectId;
    let current: CustomerRow | undefined;
    if (input.id !== undefined) current = byId.get(byKey(projectId, input.id));
    else if (input.source_id !== undefined) current = bySource.get(byKey(projectId, input.source_id));
    else {
      current = blankCustomer(newSortableId('cust', now), projectId, null, now);
      await sql.insertMany(tx, [current]);
      created.add(current.id);
    }
    if (!current) {
      outcomes.push({
        error:
          input.id !== undefined
            ? notFound('customer', input.id)
            : new TesseraError('service_unavailable', `Customer ${input.source_id} changed concurrently; try again`),
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
  await sql.updateMany(tx, [...changed.values()]);
  return outcomes;
}

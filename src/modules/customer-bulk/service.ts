/**
 * Customers changed in bulk, as Voucherify's bulk routes: POST /v1/customers/bulk/async (customers upserted by
 * source_id), /v1/customers/metadata/async (one metadata merged into each listed customer's) and /importCSV. One
 * transaction; a customer whose metadata the schema refuses is reported and left alone, the others go on. New
 * customers are recorded (customer.created, with what it triggers); as in Voucherify, updated ones send no
 * customer.updated, but their segments are re-evaluated (entering and leaving are recorded). The outcome is kept
 * as a finished async action whose result says for each customer whether it was found and updated.
 */
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { TesseraError } from '../../core/errors.js';
import type { Db, Executor, Statement } from '../../store/db.js';
import { mergedMetadata, type CustomerInput, type CustomerRow, type CustomersService } from '../customers/index.js';
import type { Cause, CausedEvent, EventLog } from '../event-log/index.js';

export interface CustomerBulkDeps {
  db: Db;
  clock: Clock;
  log: Pick<EventLog, 'record'>;
  customers: Pick<CustomersService, 'upsertMany' | 'byKeys'>;
  /** Segment re-evaluation of updated customers (the event log's deriver, called directly). */
  segments: { onEvents(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[]; writes?: Statement[] }> };
  checkMetadata(projectId: string, metadata: Record<string, unknown>, tx: Executor): Promise<void>;
  recordAction(tx: Executor, cause: Cause, action: { id: string; type: string; target: number; done: number; result: Record<string, unknown> }): Promise<void>;
}

type Outcome = { source_id: string | null; found: boolean; updated: boolean; reason?: string };
type Numbered = { input: CustomerInput; at: number };

const keyOf = (input: CustomerInput) => input.id ?? input.source_id!;

/**
 * The inputs in rounds where each customer appears once: a customer listed twice is changed twice, in the order
 * listed, as if sent one after the other (the second round sees the first's result).
 */
function rounds(inputs: CustomerInput[]): Numbered[][] {
  const out: Numbered[][] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, at) => {
    const n = seen.get(keyOf(input)) ?? 0;
    seen.set(keyOf(input), n + 1);
    (out[n] ??= []).push({ input, at });
  });
  return out;
}

export function createCustomerBulk(deps: CustomerBulkDeps) {
  const { db } = deps;

  /** One round (each customer once): checked, upserted, new customers recorded and updated ones' segments. */
  async function applyRound(tx: Executor, cause: Cause, round: Numbered[], merge: boolean, results: Array<Outcome & { at: number }>): Promise<void> {
    const accepted: Numbered[] = [];
    // The customers whose metadata is merged or checked, read at once: by id when the input names one, else by source_id.
    const needed = round.filter(({ input }) => merge || input.metadata).map(({ input }) => keyOf(input));
    const byId = new Map<string, CustomerRow>();
    const bySourceId = new Map<string, CustomerRow>();
    for (const row of await deps.customers.byKeys(tx, cause.projectId, [...new Set(needed)])) {
      byId.set(row.id, row);
      if (row.source_id !== null) bySourceId.set(row.source_id, row);
    }
    for (const { input, at } of round) {
      if (merge || input.metadata) {
        const current = input.id !== undefined ? byId.get(input.id) : bySourceId.get(input.source_id!);
        // Checked as it will be once merged; the upsert merges the keys sent into the customer's, under its lock.
        const merged = merge ? mergedMetadata(current?.metadata ?? {}, input.metadata) : input.metadata;
        try {
          await deps.checkMetadata(cause.projectId, merged ?? {}, tx);
        } catch (err) {
          if (!(err instanceof TesseraError) || err.code !== 400) throw err;
          results.push({ source_id: input.source_id ?? input.id ?? null, found: current !== undefined, updated: false, reason: err.details ?? err.message, at });
          continue;
        }
      }
      accepted.push({ input, at });
    }
    const outcomes = await deps.customers.upsertMany(tx, accepted.map(({ input }) => ({ cause, input })));
    const created: CausedEvent[] = [];
    const updated: CausedEvent[] = [];
    outcomes.forEach((o, i) => {
      const { input, at } = accepted[i]!;
      if ('error' in o) {
        results.push({ source_id: input.source_id ?? input.id ?? null, found: input.id !== undefined && o.error.key !== 'not_found', updated: false, reason: o.error.details ?? o.error.message, at });
        return;
      }
      results.push({ source_id: o.result.customer.source_id ?? input.source_id ?? null, found: !o.result.created, updated: true, at });
      for (const e of o.events) (e.event.type === 'customer.created' ? created : updated).push(e);
    });
    // New customers first (their segments are derived when recorded), then the updated customers' segments,
    // without recording the update itself.
    await deps.log.record(tx, created);
    if (updated.length > 0) {
      const derived = await deps.segments.onEvents(tx, updated);
      for (const w of derived.writes ?? []) await tx.query(w.text(1), w.params);
      await deps.log.record(tx, derived.events);
    }
  }

  /** `merge`: the metadata sent is merged into the customer's (metadata/async); otherwise it replaces it. */
  async function apply(cause: Cause, type: string, inputs: CustomerInput[], merge: boolean, refused: Outcome[] = []): Promise<{ async_action_id: string }> {
    const id = newId('aa');
    await db.transaction(async (tx) => {
      const results: Array<Outcome & { at: number }> = refused.map((r) => ({ ...r, at: -1 }));
      for (const round of rounds(inputs)) await applyRound(tx, cause, round, merge, results);
      // In the order sent (a customer listed twice has two results).
      const ordered = results.sort((a, b) => a.at - b.at).map(({ at: _at, ...r }) => r);
      const done = ordered.filter((r) => r.updated).length;
      await deps.recordAction(tx, cause, { id, type, target: ordered.length, done, result: { message: `${done} customers updated, ${ordered.length - done} not`, results: ordered } });
    });
    return { async_action_id: id };
  }

  return {
    updateMany: (cause: Cause, items: CustomerInput[]) => apply(cause, 'CUSTOMERS_BULK_UPDATE', items, false),
    updateMetadata: (cause: Cause, sourceIds: string[], metadata: Record<string, unknown>) =>
      apply(cause, 'CUSTOMERS_METADATA_UPDATE', sourceIds.map((source_id) => ({ source_id, metadata })), true),
    importMany: (cause: Cause, items: CustomerInput[], refused: Array<{ source_id: string | null; reason: string }>) =>
      apply(cause, 'CUSTOMERS_IMPORT_CSV', items, false, refused.map((r) => ({ ...r, found: false, updated: false }))),
  };
}

export type CustomerBulk = ReturnType<typeof createCustomerBulk>;

/**
 * Bulk changes of products by source_id, answered as a finished async action as Voucherify answers 202:
 * - POST /v1/products/bulk/async: each item a product's fields, applied as PUT would (what it sends replaces);
 * - POST /v1/products/metadata/async: one metadata merged into every listed product's.
 * A source_id no product has is created (Voucherify upserts: `found: false, updated: true` in the result).
 * Each item's metadata is checked against the project's product metadata schema as a single create or update checks
 * it (a new product's always, a changed one's when the item sends metadata); an item the schema refuses changes
 * nothing and is reported with the reason (`updated: false, reason`), the others go in.
 * One transaction; the existing products are read at once and locked in id order.
 */
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { newId, newSortableId } from '../../core/ids.js';
import type { Cause } from '../event-log/index.js';
import type { Db, Executor } from '../../store/db.js';
import { applyProduct, type CatalogMetadataCheck } from './service.js';
import * as sql from './sql.js';
import type { ProductInput, ProductRow } from './types.js';

/** Keeps a bulk change's outcome as a finished async action (given at composition). */
export type RecordAction = (tx: Executor, cause: Cause, action: { id: string; type: string; target: number; done: number; result: Record<string, unknown> }) => Promise<void>;

type Change = { source_id: string } & ProductInput;

type Outcome = { source_id: string; found: boolean; updated: boolean; reason?: string };

export function createProductBulk(deps: { db: Db; clock: Clock; recordAction: RecordAction; checkMetadata?: CatalogMetadataCheck }) {
  const { db, clock, recordAction } = deps;

  /** Why the schema refuses a product's metadata (checked only when `sent`, as single writes check it); undefined when it does not. */
  async function refusal(tx: Executor, projectId: string, row: ProductRow, sent: unknown): Promise<string | undefined> {
    if (sent === undefined) return undefined;
    try {
      await deps.checkMetadata?.(projectId, 'product', row.metadata, tx);
      return undefined;
    } catch (err) {
      if (!(err instanceof TesseraError) || err.code !== 400) throw err;
      return err.details ?? err.message;
    }
  }

  async function apply(cause: Cause, type: string, changes: Change[], merge: boolean): Promise<{ async_action_id: string }> {
    const id = newId('aa');
    const now = clock.now();
    await db.transaction(async (tx) => {
      const found = await sql.selectBySourceIdsLocked(tx, cause.projectId, [...new Set(changes.map((c) => c.source_id))]);
      const bySource = new Map<string, ProductRow>(found.map((p) => [p.source_id!, p]));
      const results: Outcome[] = [];
      for (const c of changes) {
        const current = bySource.get(c.source_id);
        const input: ProductInput = merge ? { metadata: { ...(current?.metadata ?? {}), ...(c.metadata ?? {}) } } : { ...c, id: undefined };
        if (current) {
          const row = { ...applyProduct(current, { ...input, source_id: c.source_id }), updated_at: now };
          const reason = await refusal(tx, cause.projectId, row, input.metadata);
          if (reason !== undefined) {
            results.push({ source_id: c.source_id, found: true, updated: false, reason });
            continue;
          }
          await sql.updateProduct(tx, row);
          bySource.set(c.source_id, row);
          results.push({ source_id: c.source_id, found: true, updated: true });
          continue;
        }
        const row = applyProduct(
          { id: newSortableId('prod', now), project_id: cause.projectId, source_id: c.source_id, name: null, price: null, attributes: [], metadata: {}, image_url: null, created_at: now, updated_at: null },
          { ...input, source_id: c.source_id },
        );
        const reason = await refusal(tx, cause.projectId, row, true);
        if (reason !== undefined) results.push({ source_id: c.source_id, found: false, updated: false, reason });
        else if (await sql.insertProduct(tx, row)) {
          bySource.set(c.source_id, row);
          results.push({ source_id: c.source_id, found: false, updated: true });
        } else results.push({ source_id: c.source_id, found: false, updated: false });
      }
      const done = results.filter((r) => r.updated).length;
      await recordAction(tx, cause, { id, type, target: changes.length, done, result: { message: `${done} products updated, ${changes.length - done} not`, results } });
    });
    return { async_action_id: id };
  }

  return {
    updateMany: (cause: Cause, items: Change[]) => apply(cause, 'PRODUCTS_BULK_UPDATE', items, false),
    updateMetadata: (cause: Cause, sourceIds: string[], metadata: Record<string, unknown>) =>
      apply(cause, 'PRODUCTS_METADATA_UPDATE', sourceIds.map((source_id) => ({ source_id, metadata })), true),
  };
}

export type ProductBulk = ReturnType<typeof createProductBulk>;

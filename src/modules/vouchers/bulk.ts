/**
 * Bulk metadata changes of vouchers, answered as a finished async action as Voucherify answers 202:
 * - POST /v1/vouchers/bulk/async: each item a code and the metadata to merge into that voucher's;
 * - POST /v1/vouchers/metadata/async: one metadata merged into every listed code's.
 * One transaction: the vouchers read and locked in id order, each merged metadata checked against the project's
 * voucher metadata schema, the accepted ones written with one statement. Codes not found, and metadata the schema
 * refuses, are reported per code in the action's result; nothing else changes. As in Voucherify, bulk changes send
 * no voucher.updated.
 */
import type { Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import { TesseraError } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import type { CampaignsService } from '../campaigns/index.js';
import type { Cause } from '../event-log/index.js';
import * as sql from './sql.js';
import type { VoucherRow } from './types.js';

export interface MetadataChange {
  code: string;
  metadata: Record<string, unknown>;
}

type Outcome = { code: string; found: boolean; updated: boolean; reason?: string };

export function createVoucherBulk(deps: { db: Db; clock: Clock; campaigns: Pick<CampaignsService, 'checkMetadata' | 'actions'> }) {
  const { db, clock, campaigns } = deps;

  async function merge(cause: Cause, type: 'VOUCHERS_BULK_UPDATE' | 'VOUCHERS_METADATA_UPDATE', changes: MetadataChange[]): Promise<{ async_action_id: string }> {
    const now = clock.now();
    const id = newId('aa');
    await db.transaction(async (tx) => {
      const rows = await sql.selectByCodesLocked(tx, cause.projectId, changes.map((c) => c.code));
      // By the code as asked (the project's case_sensitive_codes decides which voucher that is).
      const byCode = new Map(rows.map(({ requested, ...r }) => [requested, r as VoucherRow]));
      // A code named twice takes its changes in turn.
      const merged = new Map<string, Record<string, unknown>>();
      const results: Outcome[] = [];
      for (const c of changes) {
        const v = byCode.get(c.code);
        if (!v) {
          results.push({ code: c.code, found: false, updated: false, reason: `Voucher with code ${c.code} does not exist` });
          continue;
        }
        const metadata = { ...(merged.get(v.id) ?? v.overrides.metadata ?? {}), ...c.metadata };
        try {
          await campaigns.checkMetadata(cause.projectId, 'voucher', metadata, tx);
        } catch (err) {
          if (!(err instanceof TesseraError) || err.code !== 400) throw err;
          results.push({ code: v.code, found: true, updated: false, reason: err.details ?? err.message });
          continue;
        }
        merged.set(v.id, metadata);
        results.push({ code: v.code, found: true, updated: true });
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      await sql.updateOverridesMany(tx, cause.projectId, [...merged].map(([vid, metadata]) => ({ id: vid, overrides: { ...byId.get(vid)!.overrides, metadata } })), now);
      const updated = results.filter((r) => r.updated).length;
      await campaigns.actions.recordDone(tx, cause, { id, type, target: changes.length, done: updated, result: { message: `${updated} vouchers updated, ${changes.length - updated} not`, results } });
    });
    return { async_action_id: id };
  }

  return {
    updateMany: (cause: Cause, items: MetadataChange[]) => merge(cause, 'VOUCHERS_BULK_UPDATE', items),
    updateMetadata: (cause: Cause, codes: string[], metadata: Record<string, unknown>) => merge(cause, 'VOUCHERS_METADATA_UPDATE', codes.map((code) => ({ code, metadata }))),
  };
}

export type VoucherBulk = ReturnType<typeof createVoucherBulk>;

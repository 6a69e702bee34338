import { importSchema, voucherInputSchema, type VoucherInput } from '../modules/vouchers/index.js';
import { bodyAjv, describeValidation } from './validation.js';

const checkVoucher = bodyAjv.compile(voucherInputSchema);

/** A JSON import's body: an array of 1 to 5,000 items, each checked on its own (importItems). */
export const importBodySchema = { type: 'array', minItems: importSchema.minItems, maxItems: importSchema.maxItems } as const;

/**
 * Import items checked one by one against the voucher schema, as CSV rows are: those it refuses are reported (with
 * their place, "Item 1: ...") among the import's refused codes, and the others go in. `campaignId` is set on each.
 */
export function importItems(items: unknown[], campaignId?: string, describe: (i: number) => string = (i) => `Item ${i}`) {
  const valid: VoucherInput[] = [];
  const failed: Array<{ code: string | null; reason: string }> = [];
  items.forEach((item, i) => {
    const full = campaignId && item !== null && typeof item === 'object' && !Array.isArray(item) ? { ...item, campaign_id: campaignId, campaign: undefined } : item;
    if (checkVoucher(full)) valid.push(full as VoucherInput);
    else {
      const code = (item as { code?: unknown } | null)?.code;
      failed.push({ code: typeof code === 'string' ? code : null, reason: `${describe(i)}: ${describeValidation(checkVoucher.errors ?? [], 'body').replace(/^Payload/, 'Item')}` });
    }
  });
  return { valid, failed };
}

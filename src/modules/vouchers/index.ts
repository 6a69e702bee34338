/**
 * Vouchers: codes, in a campaign or standalone. Glossary:
 * - code: unique per project, compared as the project's case_sensitive_codes says (false, the default: SUMMER10 =
 *   summer10; true: two codes), stored as given; found by code or id (code_key: the code as compared).
 * - overrides: what a voucher holds besides its campaign's template (a generated code holds nothing else).
 * - holder: the customer a code is published to (one per code).
 * - generation: the background job that fills a campaign with `vouchers_count` random codes (see generation.ts).
 * - gift balance: a GIFT_VOUCHER's remaining credits, changed only by guarded single statements.
 * - transaction: one change of a gift balance (CREDITS_ADDITION / CREDITS_REMOVAL), listed per voucher.
 * - bulk: metadata merged into many codes at once (bulk.ts), reported as a finished async action.
 * Emits voucher.created / updated / enabled / disabled / deleted, voucher.gift.balance_added and
 * voucher.gift.transaction.created, and campaign.vouchers.generation.completed.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { ProductsService } from '../products/index.js';
import type { EventLog } from '../event-log/index.js';
import { defineModule } from '../module.js';
import type { TrashBin } from '../trash-bin/index.js';
import { createGeneration, defaultBatch } from './generation.js';
import { createBalances } from './balance.js';
import { createVoucherBulk } from './bulk.js';
import { createVouchersService } from './service.js';
export { type VouchersService } from './service.js';
export { maxIdleRounds, type Generation } from './generation.js';
export { cardPoints, effective, simpleVoucher, voucherObject } from './view.js';
export { campaignUnusableNow, unusableNow } from './validity.js';
/** Gift credits' ledger rows, written by redemptions and rollbacks in their transactions. */
export { insertTransaction as insertGiftTransaction, type TransactionRow as GiftTransactionRow } from './sql.js';
export { type BalanceInput, type Balances, balanceObject as giftBalanceObject, transactionObject as giftTransactionObject } from './balance.js';
export { type MetadataChange, type VoucherBulk } from './bulk.js';
export { vouchersFromCsv, maxCsvBytes, maxCsvRows } from './csv.js';
export { balanceSchema, bulkUpdateSchema, metadataUpdateSchema, importSchema, voucherInputProperties, voucherInputSchema } from './schemas.js';
export type { VoucherInput, VoucherListQuery, VoucherRow } from './types.js';

export const vouchersModule = defineModule<
  { vouchers: ReturnType<typeof createVouchersService>; generation: ReturnType<typeof createGeneration>; balances: ReturnType<typeof createBalances>; voucherBulk: ReturnType<typeof createVoucherBulk> },
  { log: EventLog; campaigns: CampaignsService; customers: CustomersService; trashBin: TrashBin; products: ProductsService }
>({
  name: 'vouchers',
  create: ({ db, clock, services }) => {
    const generation = createGeneration({ db, clock, log: services.log, campaigns: services.campaigns });
    const vouchers = createVouchersService({ db, clock, log: services.log, campaigns: services.campaigns, bin: services.trashBin, unknownUnits: services.products.unknownUnits });
    const balances = createBalances({ db, clock, log: services.log, campaigns: services.campaigns, find: (p, c) => vouchers.find(p, c), campaignOf: vouchers.campaignOf, customers: services.customers });
    return {
      services: { vouchers, generation, balances, voucherBulk: createVoucherBulk({ db, clock, campaigns: services.campaigns }) },
      jobs: [
        {
          name: 'vouchers.generation',
          description: "generates campaigns' codes (vouchers_count) in batches, with progress in their async actions",
          step: (n) => generation.step(n),
          defaults: { idleMs: 500, batchSize: defaultBatch },
          runsOnPglite: true,
        },
      ],
    };
  },
});

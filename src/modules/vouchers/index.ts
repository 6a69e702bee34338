/**
 * Vouchers: codes, in a campaign or standalone. Glossary:
 * - code: unique per project compared without case (SUMMER10 = summer10), stored as given; found by code or id.
 * - overrides: what a voucher holds besides its campaign's template (a generated code holds nothing else).
 * - holder: the customer a code is published to (one per code).
 * - generation: the background job that fills a campaign with `vouchers_count` random codes (see generation.ts).
 * - gift balance: a GIFT_VOUCHER's remaining credits, changed only by guarded single statements.
 * Emits voucher.created / updated / enabled / disabled / deleted, and campaign.vouchers.generation.completed.
 */
export { createVouchersService, type VouchersService } from './service.js';
export { createGeneration, maxIdleRounds, type Generation } from './generation.js';
export { simpleVoucher, voucherObject } from './view.js';
export { balanceSchema, importSchema, voucherInputProperties, voucherInputSchema } from './schemas.js';
export type { VoucherInput, VoucherListQuery, VoucherRow } from './types.js';

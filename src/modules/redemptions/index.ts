/**
 * Redemptions and validations of vouchers (stacked: up to 30 redeemables at once). Glossary:
 * - redeemable: a voucher code (discount or gift card, or a loyalty card paying for a reward), a promotion tier or stack.
 * - validation: what the redeemables would do to the order, nothing spent (`valid`, each APPLICABLE or INAPPLICABLE
 *   with its error).
 * - redemption (`r_`): one per redeemable; a stack of several has a parent redemption (`redemption` of each child).
 * - spending: a limited voucher's quantity, the counters of rule limits (redemption.count.per_customer...) and gift
 *   credits, each by one guarded statement; unlimited vouchers take no lock (counted from the redemption rows).
 * - rollback (`rr_`): gives back what one redemption (or a whole stack) spent.
 * Emits redemption.succeeded|failed, redemption.rollback.succeeded, customer.redemption.succeeded and
 * customer.redemption.rollback.succeeded (activity, distributions), voucher.gift.transaction.created.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { EventLog } from '../event-log/index.js';
import { defineModule, writeConcurrency } from '../module.js';
import type { OrdersService } from '../orders/index.js';
import type { ValidationRulesService } from '../validation-rules/index.js';
import type { VouchersService } from '../vouchers/index.js';
import type { PromotionsService } from '../promotions/index.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import type { RewardsService } from '../rewards/index.js';
import type { ProductsService } from '../products/index.js';
import { createRedemptionsService } from './service.js';
import { createRollbacks } from './rollback.js';
import { createValidationCounts } from './validation-counts.js';
export { createRedemptionsService, type RedemptionsService } from './service.js';
export { orderAfter, redemptionBody, simpleRedemption } from './view.js';
export { giftTransactionData, simpleOrder } from './events.js';
export { type RollbacksService } from './rollback.js';
export { type ValidationCounts } from './validation-counts.js';
export { stackInputSchema, legacyInputSchema, legacyClientQuerySchema, promotionValidationSchema, rollbackInputSchema } from './schemas.js';
export { defaultStackingRules, stackingRulesOf, stackingRulesSchema, type StackingRules } from './stacking.js';
export { stackingRecord, stackingSetting, stackingRecordBody, hasOwnStackingRules, checkStackingRules } from './stacking-record.js';
export { scenarios, type QualificationInput } from './qualifications.js';
export type { PromotionValidationInput } from './promotion-validation.js';
export type { StackInput, RedeemableInput, RedemptionRow } from './types.js';
export { legacyStack, type LegacyInput } from './legacy-validation.js';

export const redemptionsModule = defineModule<
  { redemptions: ReturnType<typeof createRedemptionsService>; rollbacks: ReturnType<typeof createRollbacks>; validationCounts: ReturnType<typeof createValidationCounts> },
  { log: EventLog; customers: CustomersService; orders: OrdersService; vouchers: VouchersService; campaigns: CampaignsService; validationRules: ValidationRulesService; promotions: PromotionsService; rewards: RewardsService; loyalties: LoyaltiesService; products: Pick<ProductsService, 'catalogLines' | 'unitItems'> }
>({
  name: 'redemptions',
  create: (ctx) => {
    const { db, clock, services } = ctx;
    const deps = { db, clock, log: services.log, customers: services.customers, orders: services.orders, vouchers: services.vouchers, campaigns: services.campaigns, validationRules: services.validationRules, promotions: services.promotions, rewards: services.rewards, loyalties: services.loyalties, catalog: { catalogLines: services.products.catalogLines, unitItems: services.products.unitItems } };
    const validationCounts = createValidationCounts({ db, clock });
    const redemptions = createRedemptionsService({ ...deps, validationCounts, concurrency: writeConcurrency(ctx) });
    return {
      services: { redemptions, rollbacks: createRollbacks(deps), validationCounts },
      drain: async () => {
        await redemptions.drain();
        await validationCounts.drain();
      },
    };
  },
});

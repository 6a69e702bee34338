/**
 * Loyalty programs. Glossary:
 * - program: a LOYALTY_PROGRAM campaign; its codes are loyalty cards (`loyalty_card.points` is a card's start).
 * - member: a customer holding a card of the program (a card published to them; one per program, join_once).
 * - ledger: every change of a card's points is one guarded statement (the balance never goes below 0), one
 *   transaction row (POINTS_ACCRUAL, POINTS_ADDITION, POINTS_REMOVAL, POINTS_TRANSFER_IN/OUT) and its events.
 * - earning rule (`ern_`): points a program gives on a custom event, an order paid or a segment entered, FIXED or
 *   PROPORTIONAL to a number in the event's, the customer's or the order's data, within its validity and
 *   validation rule. Earning is an event-log deriver: points are added in the transaction of the change.
 * - tier (`ltr_`): a range of a card's balance; crossing one records customer.loyalty.tier.joined|upgraded|downgraded|left.
 * - pending points: an order.paid rule's points that wait N days (loyalties.pending job), canceled with the order.
 * - expiry: accruals under expiration_rules are buckets; the loyalties.expiry job expires each when its day ends.
 * - kept tiers: with loyalty_tiers_expiration (points in a period, or a grace period), a row per card holds its tier
 *   and when it ends; the loyalties.tier-expiry job recomputes the tiers that end (prolonged, downgraded, left).
 * - member activity: the card holder's activity records that concern the card (a filter on the event log, no copy).
 * Emits voucher.loyalty_card.points_added, voucher.loyalty_card.points_expired, customer.voucher.loyalty_card.points_added,
 * voucher.loyalty_card.transaction.created and customer.rewarded.loyalty_points.
 */
import type { CampaignsService } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { EventLog } from '../event-log/index.js';
import type { EventSchemasService } from '../event-schemas/index.js';
import { defineModule } from '../module.js';
import type { ProductsService } from '../products/index.js';
import type { PublicationsService } from '../publications/index.js';
import type { SegmentsService } from '../segments/index.js';
import type { ValidationRulesService } from '../validation-rules/index.js';
import { cardPoints, type VouchersService } from '../vouchers/index.js';
import type { Executor } from '../../store/db.js';
import { createMemberActivity } from './activity.js';
import { createEarning, earningEventTypes } from './earning.js';
import { createExpiry } from './expiry.js';
import { createLedger } from './ledger.js';
import { createPending } from './pending.js';
import { createPointsEstimate } from './estimate.js';
import { createTiers } from './tiers.js';
import { createEarningRules } from './rules.js';
import { createLoyaltiesService } from './service.js';
export { type LoyaltiesService, type BalanceChangeInput, type TransferInput, maxTransfers } from './service.js';
export { type EarningRules, maxRulesPerProject } from './rules.js';
export { pointsFor } from './earning.js';
export { balanceObject as loyaltyBalanceObject, earningRuleObject, transactionObject as loyaltyTransactionObject } from './view.js';
export { pendingBalance, pendingObject, simpleOrderOf as pendingOrderObject, type PendingRow } from './pending.js';
export { bucketObject } from './expiry.js';
export type { EarningRuleRow } from './types.js';
export { tierObject as loyaltyTierObject } from './tier-view.js';
export type { TransactionRow as LoyaltyTransactionRow } from './types.js';
export type { EarningRuleInput } from './types.js';
export { type Tiers, type TierInput, type TierRow, maxTiers, mapPoints } from './tiers.js';
export type { Pending } from './pending.js';
export type { PointsEstimate, EstimateInput } from './estimate.js';
export type { MemberActivity, MemberActivityQuery } from './activity.js';

export const loyaltiesModule = defineModule<
  { loyalties: ReturnType<typeof createLoyaltiesService>; earningRules: ReturnType<typeof createEarningRules>; pointsExpiry: ReturnType<typeof createExpiry>; loyaltyTiers: ReturnType<typeof createTiers>; pendingPoints: ReturnType<typeof createPending>; pointsEstimate: ReturnType<typeof createPointsEstimate>; memberActivity: ReturnType<typeof createMemberActivity>; tierExpiry: { step(batchSize: number): Promise<number> } },
  { log: EventLog; campaigns: CampaignsService; vouchers: VouchersService; publications: PublicationsService; customers: CustomersService; validationRules: ValidationRulesService; schemas: EventSchemasService; products: ProductsService; segments: SegmentsService }
>({
  name: 'loyalties',
  create: ({ db, clock, definitions, services }) => {
    const tiers = createTiers({ db, clock, log: services.log, definitions });
    const ledger = createLedger({ clock, tiers });
    const schemas = { get: services.schemas.get, byName: services.schemas.byName, tierExists: tiers.exists };
    const earningRules = createEarningRules({ db, clock, definitions, validationRules: services.validationRules, schemas, catalog: services.products, segments: services.segments });
    const loyalties = createLoyaltiesService({ db, clock, log: services.log, campaigns: services.campaigns, vouchers: services.vouchers, publications: services.publications, customers: services.customers, ledger, tiers });
    const pending = createPending({ db, clock, log: services.log, ledger, vouchers: services.vouchers, customers: services.customers, campaigns: services.campaigns });
    const earning = createEarning({ clock, rules: earningRules, ledger, campaigns: services.campaigns, vouchers: services.vouchers, validationRules: services.validationRules, pending, tiers, catalog: services.products });
    const expiry = createExpiry({ db, clock, log: services.log, ledger, vouchers: services.vouchers, customers: services.customers, campaigns: services.campaigns });
    /** Cards with their balance, program and holder, for the tier-expiry job. */
    const membersOf = async (tx: Executor, projectId: string, ids: string[]) => {
      const cards = (await services.vouchers.byIds(tx, ids)).filter((c) => c.project_id === projectId);
      const programIds = [...new Set(cards.flatMap((c) => (c.campaign_id ? [c.campaign_id] : [])))];
      const programs = new Map((programIds.length > 0 ? await services.campaigns.byIds(tx, projectId, programIds) : []).map((c) => [c.id, c]));
      const holderIds = [...new Set(cards.flatMap((c) => (c.holder_id ? [c.holder_id] : [])))];
      const holders = new Map((holderIds.length > 0 ? await services.customers.byIds(tx, projectId, holderIds) : []).map((c) => [c.id, simpleCustomer(c)]));
      return new Map(cards.map((c) => {
        const program = c.campaign_id ? programs.get(c.campaign_id) : undefined;
        return [c.id, { balance: cardPoints(c, program).balance, program, holder: c.holder_id ? holders.get(c.holder_id) : undefined }];
      }));
    };
    return {
      services: { loyalties, earningRules, pointsExpiry: expiry, loyaltyTiers: tiers, pendingPoints: pending, pointsEstimate: createPointsEstimate({ db, loyalties, customers: services.customers, earning }), memberActivity: createMemberActivity({ log: services.log, loyalties }), tierExpiry: { step: (n: number) => tiers.expireStep(n, membersOf) } },
      reactions: [
        { kind: 'deriver', name: 'loyalties.earning', types: earningEventTypes, derive: earning.derive },
        {
          kind: 'deriver',
          name: 'loyalties.pending-cancel',
          types: ['customer.order.canceled'],
          derive: async (tx, entries) => {
            const events = [];
            for (const e of entries) {
              const order = (e.event.data as { order?: Record<string, unknown> }).order;
              if (order?.id) events.push(...(await pending.cancelFor(tx, e.cause, String(order.id), order)));
            }
            return { events };
          },
        },
      ],
      jobs: [
        {
          name: 'loyalties.expiry',
          description: "expires loyalty points whose day has ended (the earliest open buckets first)",
          step: (n: number) => expiry.step(n),
          defaults: { idleMs: 1000, batchSize: 1000 },
          runsOnPglite: true,
        },
        {
          name: 'loyalties.tier-expiry',
          description: 'recomputes the tiers that end (loyalty_tiers_expiration): prolonged, downgraded or left',
          step: (n: number) => tiers.expireStep(n, membersOf),
          defaults: { idleMs: 1000, batchSize: 200 },
          runsOnPglite: true,
        },
        {
          name: 'loyalties.pending',
          description: 'adds pending loyalty points to their cards when their days have passed',
          step: (n: number) => pending.step(n),
          defaults: { idleMs: 1000, batchSize: 200 },
          runsOnPglite: true,
        },
      ],
    };
  },
});

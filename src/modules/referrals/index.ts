/**
 * Referral programs. Glossary:
 * - program: a REFERRAL_PROGRAM campaign whose codes (referral codes) are published to referrers;
 *   `referral_program` says how it converts (`custom_event` with its name, or `redemption`) and what the referee gets.
 * - conversion: a custom event carrying `referral.code` converts its customer (the referee) once per program, checked
 *   as DIGEST g.8 says (conversion.ts); the referee's reward is credits on a gift card or points on a loyalty card.
 * - holders: a code's REFERRER (recorded when it is published) and REFEREEs (assigned by the API or a conversion).
 * Records customer.referred (activity), customer.rewarded (activity and webhook), customer.holder.assignment.*.
 */
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import { defineModule } from '../module.js';
import type { PublicationsService } from '../publications/index.js';
import type { Balances, VouchersService } from '../vouchers/index.js';
import { TesseraError } from '../../core/errors.js';
import type { EventsService } from '../events/index.js';
import { createConversion } from './conversion.js';
import { createCodeContext } from './event-codes.js';
import { createHolders, type Holders } from './holders.js';
import type { EventLog } from '../event-log/index.js';
import * as sql from './sql.js';
export type { Refusal, Unrewarded } from './conversion.js';
export type { CustomerReferral, ProgramReferral } from './sql.js';
export { holderObject, type Holders, type HoldersInput, type HoldersQuery, maxHoldersPerRequest } from './holders.js';

export interface ReferralsService {
  referredBy(projectId: string, referrerId: string): ReturnType<typeof sql.selectReferred>;
  summaryOf(projectId: string, customerId: string): Promise<{ total: number; campaigns: Array<Record<string, unknown>> }>;
  /** A customer's referrals both ways, newest first. */
  ofCustomer(projectId: string, customerId: string, limit: number): Promise<sql.CustomerReferral[]>;
  /** A referral program's referrals: how many, the newest, and the referrers with the most. */
  ofProgram(projectId: string, campaignId: string, limit: number): Promise<{ total: number; referrers: number; recent: sql.ProgramReferral[]; top: Awaited<ReturnType<typeof sql.selectTopReferrers>>['top'] }>;
}

/** A lookup's 404 as nothing found; any other failure as it is. */
function unlessNotFound(err: unknown): undefined {
  if (err instanceof TesseraError && err.code === 404) return undefined;
  throw err;
}

export const referralsModule = defineModule<
  { referrals: ReferralsService; referralHolders: Holders },
  { log: EventLog; campaigns: CampaignsService; vouchers: VouchersService; customers: CustomersService; balances: Balances; loyalties: LoyaltiesService; publications: PublicationsService; events: EventsService }
>({
  name: 'referrals',
  create: ({ db, clock, logger, services }) => {
    // customer.custom_event names the card and the referral code its event carries: looked up here, above them all.
    services.events.describeCodesWith(
      createCodeContext({
        voucher: (projectId, code) => services.vouchers.find(projectId, code).catch(unlessNotFound),
        campaign: (projectId, id) => services.campaigns.get(projectId, id).catch(unlessNotFound),
        customer: async (projectId, id) => (await services.customers.byIds(db, projectId, [id]))[0],
      }),
    );
    const holders = createHolders({ db, clock, log: services.log, campaigns: services.campaigns, vouchers: services.vouchers, customers: services.customers });
    const conversion = createConversion({
      clock,
      campaigns: services.campaigns,
      vouchers: services.vouchers,
      customers: services.customers,
      balances: services.balances,
      loyalties: services.loyalties,
      publications: services.publications,
      holders,
      onRefusal: (reason, detail) => logger.debug({ reason, detail }, 'referral not converted'),
      onUnrewarded: (why) => logger.warn(why, 'referral converted without a reward'),
    });
    return {
      services: {
        referralHolders: holders,
        referrals: {
          referredBy: (projectId: string, referrerId: string) => sql.selectReferred(db, projectId, referrerId),
          ofCustomer: (projectId: string, customerId: string, limit: number) => sql.selectCustomerReferrals(db, projectId, customerId, limit),
          async ofProgram(projectId: string, campaignId: string, limit: number) {
            const [recent, top] = await Promise.all([sql.selectProgramReferrals(db, projectId, campaignId, limit), sql.selectTopReferrers(db, projectId, campaignId, limit)]);
            return { total: top.total, referrers: top.referrers, recent, top: top.top };
          },
          /** The customer object's `referrals`: how this customer was referred. */
          async summaryOf(projectId: string, customerId: string) {
            const rows = await sql.selectReferralsOf(db, projectId, customerId);
            return {
              total: rows.length,
              campaigns: rows.map((r) => ({ campaign_id: r.campaign_id, referrer_id: r.referrer_id, related_object_id: r.event_id ?? r.voucher_id, related_object_type: r.event_id?.startsWith('r_') ? 'redemption' : r.event_id ? 'custom_event' : 'voucher', date: r.created_at.toISOString() })),
            };
          },
        },
      },
      reactions: [
        { kind: 'deriver', name: 'referrals.conversion', types: ['customer.custom_event', 'customer.redemption.succeeded'], derive: conversion.derive, takes: conversion.takes },
        { kind: 'deriver', name: 'referrals.referrer-holder', types: ['voucher.published'], derive: holders.onPublished },
      ],
    };
  },
});

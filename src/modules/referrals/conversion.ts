import type { Clock } from '../../core/clock.js';
import type { Executor } from '../../store/db.js';
import { rewardProblem, simpleCampaign, type CampaignRow, type CampaignsService, type ReferralReward } from '../campaigns/index.js';
import { simpleCustomer, type CustomersService } from '../customers/index.js';
import type { CausedEvent } from '../event-log/index.js';
import type { LoyaltiesService } from '../loyalties/index.js';
import type { PublicationsService } from '../publications/index.js';
import { simpleVoucher, unusableNow, type Balances, type VouchersService } from '../vouchers/index.js';
import type { Holders } from './holders.js';
import * as sql from './sql.js';

type SimpleCustomer = ReturnType<typeof simpleCustomer>;

interface Attempt {
  kind: 'custom_event' | 'redemption';
  code: string;
  referee: SimpleCustomer;
  referrerId?: string;
  eventName?: string;
  eventId: string | null;
  customEvent: unknown;
  redemption: Record<string, unknown> | null;
}

/** Why a referral in a tracked event did not convert (the event itself is recorded all the same). */
export type Refusal = 'unknown_code' | 'not_a_referral_program' | 'program_inactive' | 'code_not_valid_now' | 'other_conversion' | 'code_not_published' | 'wrong_referrer' | 'self_referral' | 'already_referred';

/** Why a conversion gave no reward (it converts all the same): the reward campaign, or no card of it to give. */
export interface Unrewarded {
  reason: 'reward_campaign_missing' | 'reward_campaign_disabled' | 'reward_campaign_type' | 'no_card';
  programId: string;
  campaignId: string;
  customerId: string;
  role: 'referee' | 'referrer';
}

/**
 * Referral conversion, as an event-log deriver: a tracked event carrying `referral.code` (or a redemption of the code, when the program converts on redemption) converts
 * its customer (the referee) in the code's REFERRAL_PROGRAM when the program and the code can be used now (enabled,
 * started, not expired, within their validity timeframe, days and hours: as for a redemption) and it converts on this custom
 * event, the code is published to a referrer (and `referral.referrer_id`, when sent, is that referrer), the referee
 * is not the referrer, and the referee was not referred in this program before (one guarded insert: concurrent
 * events convert once). A conversion records customer.referred and gives the referee the program's reward (credits
 * on a gift card or points on a loyalty card of the reward campaign, published to them when they hold none) with
 * customer.rewarded; a referrer whose conversions in the program reach a number of `referrer_rewards` gets that reward.
 * A reward whose campaign was deleted, disabled (or is not of the reward's type) since the program was saved is not
 * given; the conversion stands and onUnrewarded says why.
 */
export function createConversion(deps: {
  clock: Clock;
  campaigns: Pick<CampaignsService, 'byIds'>;
  vouchers: Pick<VouchersService, 'find'>;
  customers: Pick<CustomersService, 'byIds'>;
  balances: Pick<Balances, 'changeIn'>;
  loyalties: Pick<LoyaltiesService, 'awardIn'>;
  publications: Pick<PublicationsService, 'heldOrPublished'>;
  holders: Pick<Holders, 'assign'>;
  /** Refusals are counted here (tests and logs); nothing else depends on them. */
  onRefusal?: (reason: Refusal, detail?: string) => void;
  /** Conversions that gave no reward, and why (logged as warnings). */
  onUnrewarded?: (why: Unrewarded) => void;
}) {
  const refuse = (r: Refusal, detail?: string) => {
    deps.onRefusal?.(r, detail);
    return [];
  };

  /** Gives a customer a referral reward (credits on a gift card or points on a loyalty card of its campaign). */
  async function reward(tx: Executor, entry: CausedEvent, program: CampaignRow, who: SimpleCustomer, r: ReferralReward | undefined, customEvent: unknown, tier: unknown): Promise<CausedEvent[]> {
    if (!r) return [];
    const cause = entry.cause;
    const projectId = cause.projectId;
    const rewardCampaign = (await deps.campaigns.byIds(tx, projectId, [r.related_object_parent.id]))[0];
    const unrewarded = (reason: Unrewarded['reason']) => {
      deps.onUnrewarded?.({ reason, programId: program.id, campaignId: r.related_object_parent.id, customerId: who.id, role: tier === null ? 'referee' : 'referrer' });
      return [];
    };
    const problem = rewardProblem(r, rewardCampaign);
    if (problem || !rewardCampaign) return unrewarded(problem ?? 'reward_campaign_missing');
    const base = { customer: who, holder: who, campaign: simpleCampaign(rewardCampaign), redemption: null, reward: null, referral_tier: tier, custom_event: customEvent, customer_event: null };
    const reason = `Referral reward of ${program.name}`;
    if (r.type === 'LOYALTY_CARD') {
      const done = await deps.loyalties.awardIn(tx, cause, { programId: rewardCampaign.id, customerId: who.id, points: r.amount, reason, holder: who, metadata: { source_type: 'referral', source_id: program.id } });
      if (!done) return unrewarded('no_card');
      const rewarded: CausedEvent = { cause, event: { type: 'customer.rewarded', customerId: who.id, entityId: done.card.id, data: { ...base, voucher: simpleVoucher(done.card, rewardCampaign), balance: { points: r.amount } } } };
      return [...done.events, rewarded];
    }
    const card = await deps.publications.heldOrPublished(tx, cause, { campaignId: rewardCampaign.id, customerId: who.id, metadata: { source_type: 'referral', source_id: program.id } });
    if (!card || card.type !== 'GIFT_VOUCHER') return unrewarded('no_card');
    const done = await deps.balances.changeIn(tx, cause, card, { amount: r.amount, reason });
    return [...done.events, { cause, event: { type: 'customer.rewarded', customerId: who.id, entityId: card.id, data: { ...base, voucher: simpleVoucher(done.voucher, rewardCampaign), balance: { amount: r.amount } } } }];
  }

  /** The referrer's reward when this conversion brings their count in the program to a threshold. */
  async function referrerReward(tx: Executor, entry: CausedEvent, program: CampaignRow, referrer: SimpleCustomer, customEvent: unknown): Promise<CausedEvent[]> {
    const tiers = program.definition.referral_program?.referrer_rewards ?? [];
    if (tiers.length === 0) return [];
    const n = await sql.countConversions(tx, program.id, referrer.id);
    const hit = tiers.find((t) => t.conversions === n);
    if (!hit) return [];
    const tier = { id: `${program.id}-${hit.conversions}`, campaign_id: program.id, banner: `${hit.conversions} referrals`, parameters: { event_type: 'customer.referred' } };
    return reward(tx, entry, program, referrer, hit.reward, customEvent, tier);
  }

  /** What converts: a tracked event with `referral.code`, or a redemption of a referral code. */
  function attemptOf(entry: CausedEvent): Attempt | undefined {
    const d = entry.event.data as Record<string, any>;
    const referee = d.customer as SimpleCustomer | undefined;
    if (!referee?.id) return undefined;
    if (entry.event.type === 'customer.custom_event') {
      const code = d.event?.referral?.code;
      return code ? { kind: 'custom_event', code, referee, referrerId: d.event.referral.referrer_id, eventName: d.event.type, eventId: d.event.id, customEvent: d.event, redemption: null } : undefined;
    }
    const code = d.voucher?.code;
    return code && d.voucher?.is_referral_code !== false ? { kind: 'redemption', code, referee, eventId: null, customEvent: null, redemption: d.redemption ?? null } : undefined;
  }

  async function convert(tx: Executor, entry: CausedEvent, a: Attempt): Promise<CausedEvent[]> {
    const projectId = entry.cause.projectId;
    const voucher = await deps.vouchers.find(projectId, a.code, tx).catch(() => undefined);
    if (!voucher) return refuse('unknown_code');
    const program = voucher.campaign_id ? (await deps.campaigns.byIds(tx, projectId, [voucher.campaign_id]))[0] : undefined;
    if (!program || program.campaign_type !== 'REFERRAL_PROGRAM') return refuse('not_a_referral_program');
    if (!program.active || !voucher.active) return refuse('program_inactive');
    // The code and its program must be usable now, as a redemption of the code would require (not expired, started).
    const now = deps.clock.now();
    const unusable = unusableNow(voucher, program, now);
    if (unusable) return refuse('code_not_valid_now', unusable.key);
    const rp = program.definition.referral_program ?? {};
    const converts = a.kind === 'redemption' ? (rp.conversion_event_type ?? 'redemption') === 'redemption' : rp.conversion_event_type === 'custom_event' && (rp.custom_event?.name === undefined || rp.custom_event.name === a.eventName);
    if (!converts) return refuse('other_conversion');
    const referrerId = voucher.holder_id;
    if (!referrerId) return refuse('code_not_published');
    const referrer = (await deps.customers.byIds(tx, projectId, [referrerId]))[0];
    if (!referrer) return refuse('code_not_published');
    if (a.referrerId !== undefined && a.referrerId !== referrer.id && a.referrerId !== referrer.source_id) return refuse('wrong_referrer');
    if (referrer.id === a.referee.id) return refuse('self_referral');
    // A referrer's conversions in the program are counted one at a time when their rewards depend on the number.
    if ((rp.referrer_rewards ?? []).length > 0) await sql.lockReferrer(tx, program.id, referrer.id);
    if (!(await sql.insertReferral(tx, { projectId, campaignId: program.id, refereeId: a.referee.id, referrerId: referrer.id, voucherId: voucher.id, eventId: a.eventId ?? (a.redemption?.id as string | undefined) ?? null, now }))) return refuse('already_referred');
    const referred: CausedEvent = {
      cause: entry.cause,
      event: {
        type: 'customer.referred',
        customerId: a.referee.id,
        entityId: voucher.id,
        data: { customer: a.referee, referrer: simpleCustomer(referrer), campaign: simpleCampaign(program), voucher: simpleVoucher(voucher, program), custom_event: a.customEvent, redemption: a.redemption },
      },
    };
    // The referee becomes a holder of the code (role REFEREE) unless assigned to it before.
    const assigned = (await deps.holders.assign(tx, entry.cause, voucher, program, 'REFEREE', [a.referee])).events;
    return [
      referred,
      ...assigned,
      ...(await reward(tx, entry, program, a.referee, rp.referee_reward, a.customEvent, null)),
      ...(await referrerReward(tx, entry, program, simpleCustomer(referrer), a.customEvent)),
    ];
  }

  return {
    /** Only entries that carry a referral code (a tracked event's `referral.code`, a redeemed referral code). */
    takes: (entry: CausedEvent) => attemptOf(entry) !== undefined,
    async derive(tx: Executor, entries: CausedEvent[]): Promise<{ events: CausedEvent[] }> {
      const out: CausedEvent[] = [];
      for (const e of entries) {
        const a = attemptOf(e);
        if (a) out.push(...(await convert(tx, e, a)));
      }
      return { events: out };
    },
  };
}

/**
 * What a tracked event's `loyalty.code` and `referral.code` name, as customer.custom_event carries it (Voucherify's
 * EventCustomerCustomEvent `loyalty` and `referral`): the card and its program; the referral code, its program and
 * its referrer. A code that names nothing of the kind gives null (the event is still tracked). The referrals module
 * (above events, vouchers and campaigns) hands it to the events service at composition.
 */
import type { CustomerRow } from '../customers/index.js';
import { simpleCustomer } from '../customers/index.js';
import type { CampaignRow } from '../campaigns/index.js';
import { simpleCampaign } from '../campaigns/index.js';
import type { VoucherRow } from '../vouchers/index.js';
import { simpleVoucher } from '../vouchers/index.js';
import type { CodeContext } from '../events/index.js';

export interface CodeLookups {
  voucher(projectId: string, code: string): Promise<VoucherRow | undefined>;
  campaign(projectId: string, id: string): Promise<CampaignRow | undefined>;
  customer(projectId: string, id: string): Promise<CustomerRow | undefined>;
}

const noCodes: CodeContext = { loyalty: null, referral: null };

export function createCodeContext(lookups: CodeLookups) {
  async function codeOf(projectId: string, code: string | undefined, campaignType: string) {
    if (!code) return undefined;
    const v = await lookups.voucher(projectId, code);
    if (!v?.campaign_id) return undefined;
    const c = await lookups.campaign(projectId, v.campaign_id);
    return c && c.campaign_type === campaignType ? { v, c } : undefined;
  }

  return async function context(projectId: string, input: { loyalty?: { code?: string } | null; referral?: { code?: string } | null }): Promise<CodeContext> {
    if (!input.loyalty?.code && !input.referral?.code) return noCodes;
    const [card, referral] = await Promise.all([codeOf(projectId, input.loyalty?.code, 'LOYALTY_PROGRAM'), codeOf(projectId, input.referral?.code, 'REFERRAL_PROGRAM')]);
    const referrer = referral?.v.holder_id ? await lookups.customer(projectId, referral.v.holder_id) : undefined;
    return {
      loyalty: card ? { voucher: simpleVoucher(card.v, card.c), campaign: simpleCampaign(card.c) } : null,
      referral: referral && referrer ? { referrer: simpleCustomer(referrer), voucher: simpleVoucher(referral.v, referral.c), campaign: simpleCampaign(referral.c) } : null,
    };
  };
}

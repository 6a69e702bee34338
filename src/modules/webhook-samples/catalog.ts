/**
 * Samples of the types about definitions and codes: campaign.*, voucher.*, publication.succeeded,
 * campaign.promotion_tier.*, business_validation_rule.*, voucher.gift.*; each built as the emitting module builds it.
 */
import { campaignObject, simpleCampaign } from '../campaigns/index.js';
import { simpleCustomer } from '../customers/index.js';
import { tierObject as promotionTierObject, type TierRow } from '../promotions/index.js';
import { publicationBase } from '../publications/index.js';
import { assignmentPayload, validationRuleObject, type ValidationRuleRow } from '../validation-rules/index.js';
import { giftBalanceObject, giftTransactionObject, simpleVoucher, voucherObject } from '../vouchers/index.js';
import type { SampleWorld } from './fixtures.js';

type Sample = Record<string, unknown>;

function campaignSample(w: SampleWorld, type: string): Sample {
  const campaign = campaignObject(w.discount.campaign);
  if (type === 'campaign.created') return { campaign, created_at: w.at };
  if (type === 'campaign.deleted') return { campaign, deleted_at: w.at };
  if (type === 'campaign.disabled') return { campaign: { ...campaign, active: false } };
  return { campaign };
}

function voucherSample(w: SampleWorld, type: string): Sample {
  const { campaign, voucher } = w.discount;
  return { voucher: voucherObject({ ...voucher, active: type !== 'voucher.disabled' }, campaign), campaign: simpleCampaign(campaign) };
}

function publicationSample(w: SampleWorld, type: string): Sample {
  const { campaign, voucher } = w.discount;
  const publication = publicationBase(
    { id: 'pub_test00000000000000000000', project_id: 'proj_test', customer_id: w.customer.id, campaign_id: campaign.id, vouchers: [voucher], source_id: null, channel: 'API', metadata: {}, created_at: w.now },
    w.customer,
  );
  const base = { customer: simpleCustomer(w.customer), campaign: simpleCampaign(campaign), publication, voucher: simpleVoucher(voucher, campaign) };
  return type === 'voucher.published' ? { ...base, created_at: w.at } : { ...base, user: null };
}

function promotionTierSample(w: SampleWorld, type: string): Sample {
  const tier: TierRow = {
    id: 'promo_test000000000000000000',
    project_id: 'proj_test',
    campaign_id: w.promotion.id,
    name: 'Test tier: 10.00 off',
    banner: 'Save 10.00',
    action: { discount: { type: 'AMOUNT', amount_off: 1000 } },
    metadata: {},
    hierarchy: 1,
    active: type !== 'campaign.promotion_tier.disabled',
    validity: {},
    category_id: null,
    created_at: w.now,
    updated_at: type === 'campaign.promotion_tier.created' ? null : w.now,
  };
  const summary = type === 'campaign.promotion_tier.created' ? undefined : { total_redeemed: 0, total_amount: 0, total_discount_amount: 0 };
  return { campaign: simpleCampaign(w.promotion), promotion_tier: promotionTierObject(tier, w.promotion, summary) };
}

function validationRuleSample(w: SampleWorld, type: string): Sample {
  const row: ValidationRuleRow = {
    id: 'val_test0000000',
    project_id: 'proj_test',
    name: 'Test rule: orders over 50.00',
    type: 'basic',
    context_type: 'global',
    rules: { 1: { name: 'order.amount', conditions: { $more_than: [5000] } }, logic: '1' } as ValidationRuleRow['rules'],
    bundle_rules: null,
    error: { message: 'Orders over 50.00 only' },
    applicable_to: { included: [], excluded: [], included_all: false },
    created_at: w.now,
    updated_at: type === 'business_validation_rule.created' ? null : w.now,
    assignments_count: type === 'business_validation_rule.assignment.created' ? 1 : 0,
  };
  const rule = validationRuleObject(row);
  if (type === 'business_validation_rule.created') return { rule, created_at: w.at };
  if (type === 'business_validation_rule.updated') return { rule, updated_at: w.at };
  if (type === 'business_validation_rule.deleted') return { rule, deleted_at: w.at };
  const assignment = assignmentPayload({ id: 'asgm_test00000000000', project_id: 'proj_test', rule_id: row.id, related_object_type: 'campaign', related_object_id: w.discount.campaign.id, created_at: w.now });
  return { rule, assignment };
}

function giftSample(w: SampleWorld, type: string): Sample {
  const { campaign, voucher } = w.gift;
  const balance = giftBalanceObject(voucher, campaign, 2500);
  const transaction = giftTransactionObject({ id: 'vtx_test00000000000000000gift', voucher_id: voucher.id, campaign_id: campaign.id, type: 'CREDITS_ADDITION', source_id: 'test-top-up', reason: 'Test top-up', amount: 2500, balance: Number(voucher.gift_balance), created_at: w.now });
  const simple = simpleCampaign(campaign);
  if (type === 'voucher.gift.balance_added') return { voucher: simpleVoucher(voucher, campaign), balance, campaign: simple, transaction };
  return { transaction, voucher: voucherObject(voucher, campaign), campaign: simple, holder: { id: w.customer.id, object: 'customer' }, balance };
}

/** The catalog types' samples by type prefix. */
export function catalogSample(w: SampleWorld, type: string): Sample | undefined {
  if (type === 'campaign.vouchers.generation.completed') return { campaign: simpleCampaign(w.discount.campaign), count: 1, completed_at: w.at };
  if (type.startsWith('campaign.promotion_tier.')) return promotionTierSample(w, type);
  if (/^campaign\.(created|updated|deleted|enabled|disabled)$/.test(type)) return campaignSample(w, type);
  if (type.startsWith('voucher.gift.')) return giftSample(w, type);
  if (/^voucher\.(created|updated|deleted|enabled|disabled)$/.test(type)) return voucherSample(w, type);
  if (type === 'publication.succeeded' || type === 'voucher.published') return publicationSample(w, type);
  if (type.startsWith('business_validation_rule.')) return validationRuleSample(w, type);
  return undefined;
}

/**
 * The sample world a test sendout describes: one test customer, a discount, a gift, a loyalty and a referral campaign
 * with a code each, a promotion, an order, as stored rows (ids `..._test...`), turned into payload objects by the
 * same views real events use.
 */
import type { CampaignRow, VoucherTemplate } from '../campaigns/index.js';
import { sampleCustomer, type CustomerRow } from '../customers/index.js';
import type { OrderRow } from '../orders/index.js';
import type { VoucherRow } from '../vouchers/index.js';

const codeConfig = (prefix: string) => ({ length: 8, charset: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', prefix, postfix: '', pattern: '########' });

function campaign(now: Date, id: string, name: string, campaign_type: CampaignRow['campaign_type'], voucher?: VoucherTemplate): CampaignRow {
  return {
    id,
    project_id: 'proj_test',
    name,
    campaign_type,
    type: 'AUTO_UPDATE',
    active: true,
    join_once: campaign_type === 'LOYALTY_PROGRAM',
    category_id: null,
    definition: { description: 'A sample campaign of a webhook test', ...(voucher ? { voucher } : {}), metadata: {} },
    generation_status: 'DONE',
    created_at: now,
    updated_at: null,
    vouchers_count: voucher ? 1 : 0,
  };
}

function voucher(now: Date, c: CampaignRow, id: string, code: string, holder: string | null, extra: Partial<VoucherRow> = {}): VoucherRow {
  return {
    id,
    project_id: 'proj_test',
    campaign_id: c.id,
    code,
    type: c.definition.voucher!.type,
    active: true,
    holder_id: holder,
    publish_count: holder ? 1 : 0,
    redeemed_quantity: 0,
    gift_balance: null,
    overrides: {},
    created_at: now,
    updated_at: null,
    ...extra,
  };
}

export interface SampleWorld {
  now: Date;
  at: string;
  customer: CustomerRow;
  discount: { campaign: CampaignRow; voucher: VoucherRow };
  gift: { campaign: CampaignRow; voucher: VoucherRow };
  loyalty: { campaign: CampaignRow; voucher: VoucherRow };
  referral: { campaign: CampaignRow; voucher: VoucherRow };
  promotion: CampaignRow;
  order: OrderRow;
}

export function sampleWorld(now: Date): SampleWorld {
  const customer = sampleCustomer(now);
  const discount = campaign(now, 'camp_test0000000000discount', 'Test discount campaign', 'DISCOUNT_COUPONS', {
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ORDER' },
    redemption: { quantity: 1 },
    code_config: codeConfig('TEST-'),
    is_referral_code: false,
  });
  const gift = campaign(now, 'camp_test000000000000000gift', 'Test gift cards', 'GIFT_VOUCHERS', {
    type: 'GIFT_VOUCHER',
    gift: { amount: 10000, effect: 'APPLY_TO_ORDER' },
    redemption: { quantity: null },
    code_config: codeConfig('TEST-GIFT-'),
    is_referral_code: false,
  });
  const loyalty = campaign(now, 'camp_test000000000000loyalty', 'Test loyalty program', 'LOYALTY_PROGRAM', {
    type: 'LOYALTY_CARD',
    loyalty_card: { points: 0 },
    redemption: { quantity: null },
    code_config: codeConfig('TEST-CARD-'),
    is_referral_code: false,
  });
  const referral = campaign(now, 'camp_test00000000000referral', 'Test referral program', 'REFERRAL_PROGRAM', {
    type: 'DISCOUNT_VOUCHER',
    discount: { type: 'AMOUNT', amount_off: 1000 },
    redemption: { quantity: null },
    code_config: codeConfig('TEST-REF-'),
    is_referral_code: true,
  });
  return {
    now,
    at: now.toISOString(),
    customer,
    discount: { campaign: discount, voucher: voucher(now, discount, 'v_test000000000000discount', 'TEST-DISC0001', customer.id) },
    gift: { campaign: gift, voucher: voucher(now, gift, 'v_test00000000000000000gift', 'TEST-GIFT-0001', customer.id, { gift_balance: 7500, gift_added: 0, gift_redeemed: 2500 }) },
    loyalty: { campaign: loyalty, voucher: voucher(now, loyalty, 'v_test00000000000000loyalty', 'TEST-CARD-0001', customer.id, { loyalty_points: 1200, loyalty_balance: 900, loyalty_redeemed: 300 }) },
    referral: { campaign: referral, voucher: voucher(now, referral, 'v_test0000000000000referral', 'TEST-REF-0001', customer.id) },
    promotion: { ...campaign(now, 'camp_test00000000000promotion', 'Test promotion', 'PROMOTION'), definition: { description: 'A sample promotion of a webhook test', promotion: { tiers: [] }, metadata: {} } },
    order: {
      id: 'ord_test000000000000000000',
      project_id: 'proj_test',
      source_id: 'test-order',
      status: 'PAID',
      amount: 10000,
      initial_amount: 10000,
      discount_amount: 1000,
      items_discount_amount: 0,
      total_discount_amount: 1000,
      total_amount: 9000,
      items: [{ object: 'order_item', source_id: 'test-product', related_object: 'product', quantity: 1, price: 10000, amount: 10000, subtotal_amount: 10000 }] as OrderRow['items'],
      metadata: {},
      redemptions: {},
      customer_id: customer.id,
      referrer_id: null,
      created_at: now,
      updated_at: now,
    },
  };
}

/**
 * Samples of the types about what customers do: customer.order.* and redemption.* (a 10% coupon redeemed on the
 * sample order; a refusal; its rollback, and a refused second rollback), built as orders and redemptions build them.
 */
import { simpleCampaign } from '../campaigns/index.js';
import { simpleCustomer } from '../customers/index.js';
import { orderObject } from '../orders/index.js';
import { orderAfter, redemptionBody, simpleOrder, simpleRedemption } from '../redemptions/index.js';
import { simpleVoucher } from '../vouchers/index.js';
import type { SampleWorld } from './fixtures.js';

type Sample = Record<string, unknown>;

const orderStatus: Record<string, 'CREATED' | 'PAID' | 'CANCELED'> = { 'customer.order.created': 'CREATED', 'customer.order.paid': 'PAID', 'customer.order.canceled': 'CANCELED' };

function orderSample(w: SampleWorld, type: string): Sample {
  const order = { ...w.order, status: orderStatus[type] ?? 'PAID', updated_at: type === 'customer.order.created' ? null : w.now };
  return { customer: simpleCustomer(w.customer), referrer: null, order: orderObject(order), redemption: null };
}

const channel = { channel: 'API' as const };

/** The sample order as the coupon's redemption left it (10.00 off its 100.00), with what the coupon applied. */
const redeemedOrder = (w: SampleWorld) => orderAfter(w.order, w.order as Parameters<typeof orderAfter>[1]);

/** The stored redemption (its body) of the sample coupon on the sample order, or its refusal. */
function redemption(w: SampleWorld, failed: boolean) {
  const { campaign, voucher } = w.discount;
  const row = {
    id: failed ? 'r_test00000000000000failed' : 'r_test000000000000000000000',
    parent_id: null,
    customer_id: w.customer.id,
    tracking_id: w.customer.source_id,
    related_object_type: 'voucher' as const,
    related_object_id: voucher.id,
    result: failed ? ('FAILURE' as const) : ('SUCCESS' as const),
    status: failed ? ('FAILED' as const) : ('SUCCEEDED' as const),
    created_at: w.now,
    amount: failed ? 0 : 1000,
  };
  const failure = failed ? { code: 'quantity_exceeded', message: `Voucher ${voucher.code} has been redeemed 1 times already` } : undefined;
  return redemptionBody(row, { customer: w.customer, order: failed ? null : redeemedOrder(w), voucher: { ...voucher, redeemed_quantity: 1 }, campaign, metadata: {}, source: channel, ...(failure ? { failure } : {}) });
}

function redemptionSample(w: SampleWorld, type: string): Sample {
  const { campaign, voucher } = w.discount;
  const common = { customer: simpleCustomer(w.customer), campaign: simpleCampaign(campaign), voucher: simpleVoucher({ ...voucher, redeemed_quantity: 1 }, campaign), holder: null, promotion_tier: null, promotion_stack: null };
  if (type === 'redemption.succeeded') return { ...common, order: simpleOrder(redeemedOrder(w)), redemption: simpleRedemption(redemption(w, false)), created_at: w.at };
  if (type === 'redemption.failed') return { ...common, order: null, redemption: redemption(w, true), created_at: w.at };
  const rolledBack = type === 'redemption.rollback.succeeded';
  const redeemed = { ...redemption(w, false), status: 'ROLLED_BACK' };
  const rollback = {
    id: 'rr_test00000000000000000000',
    object: 'redemption',
    date: w.at,
    customer_id: w.customer.id,
    tracking_id: w.customer.source_id,
    metadata: {},
    amount: rolledBack ? -1000 : 0,
    redemption: redeemed.id,
    reason: 'Test rollback',
    result: rolledBack ? 'SUCCESS' : 'FAILURE',
    status: rolledBack ? 'SUCCEEDED' : 'FAILED',
    ...(rolledBack ? {} : { failure_code: 'already_rolled_back', failure_message: `Redemption ${redeemed.id} has been rolled back already` }),
    order: redeemed.order,
    channel: redeemed.channel,
    customer: redeemed.customer,
    ...(rolledBack ? { voucher: simpleVoucher(voucher, campaign) } : {}),
  };
  return { ...common, voucher: simpleVoucher(voucher, campaign), order: simpleOrder(redeemedOrder(w)), redemption: simpleRedemption(redeemed), redemption_rollback: rolledBack ? simpleRedemption(rollback) : rollback };
}

export function activitySample(w: SampleWorld, type: string): Sample | undefined {
  if (type.startsWith('customer.order.')) return orderSample(w, type);
  if (type.startsWith('redemption.')) return redemptionSample(w, type);
  return undefined;
}

/**
 * The data of a distribution's test message (POST /v1/distributions/{id}/test): what its trigger would carry, for a
 * real customer or a sample one, with stand-ins for what only a real event has (the custom event, the segment, the
 * published code). Nothing is published, recorded or changed by a test.
 */
import { customerObject } from '../customers/index.js';
import type { CustomerRow } from '../customers/index.js';
import { simpleDistribution } from './view.js';
import type { DistributionRow } from './types.js';

const orderStatus: Record<string, string> = { 'customer.order.paid': 'PAID', 'customer.order.canceled': 'CANCELED' };

/** An order of 100.00 with one item, in the status its trigger announces. */
function sampleOrder(trigger: string, customerId: string, at: string): Record<string, unknown> {
  return {
    id: 'ord_test0000000000000000000',
    source_id: 'test-order',
    created_at: at,
    updated_at: null,
    status: orderStatus[trigger] ?? 'CREATED',
    amount: 10000,
    initial_amount: 10000,
    discount_amount: 0,
    items_discount_amount: 0,
    total_discount_amount: 0,
    total_amount: 10000,
    items: [{ object: 'order_item', source_id: 'test-item', quantity: 1, price: 10000, amount: 10000, product: { name: 'Test product' } }],
    metadata: {},
    customer_id: customerId,
    referrer_id: null,
    customer: { id: customerId, object: 'customer' },
    object: 'order',
  };
}

export function testData(d: DistributionRow, customer: CustomerRow, campaign: Record<string, unknown> | null, now: Date): Record<string, unknown> {
  const c = customerObject(customer);
  const at = now.toISOString();
  const t = d.trigger;
  const data: Record<string, unknown> = { customer: c };
  if (t.type === 'manual') data.distribution = simpleDistribution(d);
  if (t.type === 'customer.custom_event') {
    data.event = { id: 'event_test00000000000000000', object: 'event', type: t.event, customer: { id: customer.id, object: 'customer' }, metadata: {}, created_at: at };
    data.event_schema = null;
    data.referral = null;
    data.loyalty = null;
  }
  if (t.type === 'customer.segment.entered' || t.type === 'customer.segment.left') data.segment = { id: t.segment_id, object: 'segment' };
  if (t.type.startsWith('customer.order.')) Object.assign(data, { order: sampleOrder(t.type, customer.id, at), referrer: null, redemption: null });
  if (d.purpose === 'notify_promotion') Object.assign(data, { campaign, promotion_tier: null });
  if (d.purpose === 'publish_unique_codes') {
    const code = 'TEST-CODE-0000';
    Object.assign(data, {
      campaign,
      voucher: { id: 'v_test0000000000000000000000', code, object: 'voucher', campaign: campaign?.name ?? null, campaign_id: d.campaign_id },
      publication: { id: 'pub_test000000000000000000000', object: 'publication', created_at: at, customer_id: customer.id, channel: 'Distribution', voucher: { code, object: 'voucher' } },
    });
  }
  return data;
}

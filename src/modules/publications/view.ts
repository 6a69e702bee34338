import { customerObject, type CustomerRow } from '../customers/index.js';
import type { PublicationRow } from './types.js';

/** The publication list item (ListPublicationsItemBase): what events carry besides the voucher. */
export function publicationBase(p: PublicationRow, customer: CustomerRow) {
  return {
    id: p.id,
    object: 'publication' as const,
    created_at: p.created_at.toISOString(),
    customer_id: p.customer_id,
    tracking_id: customer.source_id,
    metadata: p.metadata,
    channel: p.channel,
    source_id: p.source_id,
    result: 'SUCCESS' as const,
    customer: customerObject(customer),
    vouchers_id: p.vouchers.map((v) => v.id),
  };
}

/** The publication as the API answers it: one `voucher`, or `vouchers` when several were published at once. */
export function publicationObject(p: PublicationRow, customer: CustomerRow, vouchers: unknown[]) {
  return { ...publicationBase(p, customer), ...(vouchers.length === 1 ? { voucher: vouchers[0] } : { vouchers }) };
}

import { customerObject, type CustomerRow } from '../customers/index.js';
import type { PublicationRow } from './types.js';

/**
 * The publication list item (ListPublicationsItemBase): what events carry besides the voucher. A customer deleted
 * since is named by its id only (publications are kept, as codes are).
 */
export function publicationBase(p: PublicationRow, customer: CustomerRow | undefined) {
  return {
    id: p.id,
    object: 'publication' as const,
    created_at: p.created_at.toISOString(),
    customer_id: p.customer_id,
    tracking_id: customer ? customer.source_id : null,
    metadata: p.metadata,
    channel: p.channel,
    source_id: p.source_id,
    result: 'SUCCESS' as const,
    customer: customer ? customerObject(customer) : { id: p.customer_id, object: 'customer' as const },
    vouchers_id: p.vouchers.map((v) => v.id),
  };
}

/** The publication as the API answers it: one `voucher`, or `vouchers` when several were published at once. */
export function publicationObject(p: PublicationRow, customer: CustomerRow | undefined, vouchers: unknown[]) {
  return { ...publicationBase(p, customer), ...(vouchers.length === 1 ? { voucher: vouchers[0] } : { vouchers }) };
}

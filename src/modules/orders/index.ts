/**
 * Orders of a project. Glossary:
 * - order (`ord_`): a purchase with items, a status (CREATED, PAID, CANCELED, FULFILLED) and amounts in the
 *   currency's minor units; `source_id` is the merchant's own id, unique per project (POST upserts by it).
 * - item: a line naming a product or SKU (by id, or by source_id with related_object), quantity, price, amount.
 * - amounts: amount (items' sum unless sent), discounts (order-level as sent, items' summed), total_amount after them.
 * - order summary: the customer's summary.orders over its PAID and FULFILLED orders, kept on the customer row and
 *   recomputed in the transaction of every order change (segments' `orders.*` read it).
 * Records customer.order.created|updated|paid|canceled for orders with a customer (activity, distributions,
 * webhooks subscribed to them, segment re-evaluation).
 */
export { createOrdersService, type OrdersService, type OrderListQuery } from './service.js';
export { orderObject, type OrderObject } from './view.js';
export { orderInputSchema, orderItemSchema } from './schemas.js';
export { amountsOf, plainItem } from './amounts.js';
export { orderStatuses, type ItemProductRef, type ItemResolver, type OrderInput, type OrderItem, type OrderItemInput, type OrderRow, type OrderStatus } from './types.js';

/** What a module hands to the composition: its service factory; it reacts to no event and runs no job. */
export const reactions = [] as const;
export const jobs = [] as const;

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
import type { CampaignsService } from '../campaigns/index.js';
import type { CustomersService } from '../customers/index.js';
import type { SegmentsService } from '../segments/index.js';
import type { EventLog } from '../event-log/index.js';
import { defineModule } from '../module.js';
import type { MetadataSchemasService } from '../metadata-schemas/index.js';
import { createOrdersService } from './service.js';
import type { ItemResolver } from './types.js';
export { createOrdersService, type Deferred, type OrdersService, type OrderListQuery } from './service.js';
export { orderObject, type OrderObject } from './view.js';
export { orderInputSchema, orderItemSchema } from './schemas.js';
export { amountsOf, plainItem } from './amounts.js';
export { orderStatuses, type ItemCatalog, type ItemProductRef, type ItemResolver, type OrderInput, type OrderItem, type OrderItemInput, type OrderRow, type OrderStatus } from './types.js';

/** Orders record through the event log and resolve items through products (both listed before them). */
export const ordersModule = defineModule<
  { orders: ReturnType<typeof createOrdersService> },
  { log: EventLog; customers: CustomersService; products: { resolveItems: ItemResolver }; segments: SegmentsService; campaigns: CampaignsService; metadataSchemas: MetadataSchemasService }
>({
  name: 'orders',
  create: ({ db, clock, services }) => ({
    services: {
      orders: createOrdersService({
        db,
        clock,
        log: services.log,
        customers: services.customers,
        checkMetadata: (p, m, ex) => services.metadataSchemas.check(p, 'order', m, ex),
        items: services.products.resolveItems,
        import: {
          segments: services.segments,
          recordAction: (tx, cause, a) => services.campaigns.actions.recordDone(tx, cause, { ...a, type: 'ORDERS_IMPORT' }),
        },
      }),
    },
  }),
});
